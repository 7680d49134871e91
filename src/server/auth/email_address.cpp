#include "server/auth/email_address.hpp"

#include <algorithm>

#include "core/text.hpp"

namespace agentsudo::server {
namespace {

Error invalid_email(std::string message) {
  return make_error(ErrorKind::kInvalidPayload, "email " + std::move(message), "email");
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

}  // namespace

Result<std::string> normalize_email(std::string_view email) {
  while (!email.empty() && is_space(email.front()))
    email.remove_prefix(1);
  while (!email.empty() && is_space(email.back()))
    email.remove_suffix(1);
  if (email.empty() || email.size() > kMaxEmailBytes)
    return invalid_email("must be 1 to " + std::to_string(kMaxEmailBytes) + " bytes");
  if (contains_control_characters(email) || std::ranges::any_of(email, is_space))
    return invalid_email("must not contain spaces or control characters");
  auto at = email.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 == email.size() ||
      email.find('@', at + 1) != std::string_view::npos) {
    return invalid_email("must look like name@example.com");
  }
  std::string folded(email);
  std::ranges::transform(folded, folded.begin(),
                         [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; });
  return folded;
}

}  // namespace agentsudo::server
