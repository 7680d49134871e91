#include "server/agents/agent_settings.hpp"

#include "core/event.hpp"
#include "core/scope_pattern.hpp"
#include "core/text.hpp"

namespace agentsudo::server {
namespace {

Error invalid(std::string field, std::string message) {
  return make_error(ErrorKind::kInvalidPayload, std::move(message), std::move(field));
}

Error invalid_scope(std::size_t index, std::string message) {
  Error error = invalid("scopes", "scopes[" + std::to_string(index) + "] " + std::move(message));
  error.index = index;
  return error;
}

Status validate_text(std::string_view field, std::string_view text, std::size_t max_bytes) {
  if (text.empty() || text.size() > max_bytes) {
    return invalid(std::string(field),
                   std::string(field) + " must be 1 to " + std::to_string(max_bytes) + " bytes");
  }
  if (contains_control_characters(text)) {
    return invalid(std::string(field), std::string(field) + " must not contain control characters");
  }
  return {};
}

}  // namespace

Status validate_agent_name(std::string_view name) {
  return validate_text("name", name, EventLimits::kMaxAgentName);
}

Status validate_scopes(const std::vector<std::string>& scopes) {
  if (scopes.size() > kMaxScopesPerAgent) {
    return invalid("scopes",
                   "scopes holds at most " + std::to_string(kMaxScopesPerAgent) + " patterns");
  }
  for (std::size_t i = 0; i < scopes.size(); ++i) {
    const std::string& scope = scopes[i];
    if (scope.empty() || scope.size() > kMaxScopeBytes)
      return invalid_scope(i, "must be 1 to " + std::to_string(kMaxScopeBytes) + " bytes");
    if (contains_control_characters(scope))
      return invalid_scope(i, "must not contain control characters");
    if (!ScopePattern(scope).is_well_formed()) {
      return invalid_scope(i,
                           "is not a valid pattern: an [ that never closes, an unknown "
                           "[:class:], a [: [= [. that opens nothing, or a lone backslash at "
                           "the end");
    }
  }
  return {};
}

Status validate_role(std::string_view role) {
  return validate_text("role", role, kMaxRoleBytes);
}

Status validate_session_ttl(std::int64_t seconds) {
  if (seconds < 1 || seconds > kMaxSessionTtlSeconds) {
    return invalid("session_ttl_seconds", "session_ttl_seconds must be a whole number from 1 to " +
                                              std::to_string(kMaxSessionTtlSeconds));
  }
  return {};
}

}  // namespace agentsudo::server
