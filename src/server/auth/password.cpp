#include "server/auth/password.hpp"

#include <sodium.h>

namespace agentsudo::server {

Status validate_password(std::string_view password, std::string_view field) {
  if (password.size() < kMinPasswordBytes || password.size() > kMaxPasswordBytes) {
    return make_error(ErrorKind::kInvalidPayload,
                      std::string(field) + " must be " + std::to_string(kMinPasswordBytes) +
                          " to " + std::to_string(kMaxPasswordBytes) + " bytes",
                      std::string(field));
  }
  return {};
}

Result<std::string> hash_password(std::string_view password) {
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return make_error(ErrorKind::kInternal, "hashing the password failed (out of memory?)");
  }
  return std::string(hash);
}

bool verify_password(std::string_view hash, std::string_view password) {
  // crypto_pwhash_str_verify wants a NUL-terminated hash.
  std::string terminated(hash);
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

}  // namespace agentsudo::server
