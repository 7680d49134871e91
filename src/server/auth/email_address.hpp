#pragma once

#include <string>
#include <string_view>

#include "server/model/error.hpp"

namespace agentsudo::server {

inline constexpr std::size_t kMaxEmailBytes = 254;

// The form an email is stored and compared in: trimmed, ASCII letters folded
// to lower case, exactly one `@` with something on both sides, no spaces or
// control characters, at most 254 bytes. kInvalidPayload (field "email")
// otherwise.
Result<std::string> normalize_email(std::string_view email);

}  // namespace agentsudo::server
