#include "server/api/scope_list.hpp"

#include "server/agents/agent_settings.hpp"

namespace agentsudo::server::api {

Result<std::vector<std::string>> decode_scope_list(const boost::json::value& value) {
  if (!value.is_array())
    return make_error(ErrorKind::kInvalidPayload, "scopes must be an array of strings", "scopes");
  const auto& items = value.get_array();
  if (items.size() > kMaxScopesPerAgent) {
    return make_error(ErrorKind::kInvalidPayload,
                      "scopes holds at most " + std::to_string(kMaxScopesPerAgent) + " patterns",
                      "scopes");
  }
  std::vector<std::string> scopes;
  scopes.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is_string()) {
      Error error = make_error(ErrorKind::kInvalidPayload,
                               "scopes[" + std::to_string(i) + "] must be a string", "scopes");
      error.index = i;
      return error;
    }
    scopes.emplace_back(items[i].get_string());
  }
  RETURN_IF_ERROR(validate_scopes(scopes));
  return scopes;
}

}  // namespace agentsudo::server::api
