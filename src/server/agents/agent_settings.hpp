#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/model/error.hpp"

namespace agentsudo::server {

inline constexpr std::size_t kMaxScopesPerAgent = 200;
inline constexpr std::size_t kMaxScopeBytes = 256;
inline constexpr std::size_t kMaxRoleBytes = 64;
inline constexpr std::int64_t kMaxSessionTtlSeconds = 365LL * 24 * 3600;

// Each returns kInvalidPayload naming the member ("name", "scopes", "role",
// "session_ttl_seconds"); a bad scope also carries its index.
Status validate_agent_name(std::string_view name);
// 1 to 256 bytes, no control characters, at most 200, and each a
// well-formed pattern with the SDK's rules (core/scope_pattern.hpp).
Status validate_scopes(const std::vector<std::string>& scopes);
Status validate_role(std::string_view role);
Status validate_session_ttl(std::int64_t seconds);

}  // namespace agentsudo::server
