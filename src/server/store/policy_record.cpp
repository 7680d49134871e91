#include "server/store/policy_record.hpp"

#include <boost/json.hpp>

namespace agentsudo::server {
namespace json = boost::json;

namespace {

json::array scopes_array(const std::vector<std::string>& scopes) {
  json::array array;
  for (const auto& scope : scopes)
    array.emplace_back(scope);
  return array;
}

// The strings of a JSON array; anything else reads as no scopes.
std::vector<std::string> scopes_of(const json::value& value) {
  std::vector<std::string> scopes;
  if (!value.is_array())
    return scopes;
  for (const auto& item : value.get_array()) {
    if (item.is_string())
      scopes.emplace_back(item.get_string());
  }
  return scopes;
}

json::value settings_value(const std::optional<AgentSettings>& settings) {
  if (!settings)
    return nullptr;
  return {{"scopes", scopes_array(settings->scopes)},
          {"role", settings->role},
          {"session_ttl_seconds", settings->session_ttl_seconds}};
}

}  // namespace

std::string scopes_to_json(const std::vector<std::string>& scopes) {
  return json::serialize(scopes_array(scopes));
}

std::vector<std::string> scopes_from_json(std::string_view text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  return ec ? std::vector<std::string>() : scopes_of(value);
}

std::string settings_to_json(const AgentSettings& settings) {
  return json::serialize(settings_value(settings));
}

AgentSettings settings_from_json(std::string_view text) {
  AgentSettings settings;
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec || !value.is_object())
    return settings;
  const auto& object = value.get_object();
  if (const auto* scopes = object.if_contains("scopes"))
    settings.scopes = scopes_of(*scopes);
  if (const auto* role = object.if_contains("role"); role && role->is_string())
    settings.role = role->get_string();
  if (const auto* ttl = object.if_contains("session_ttl_seconds"); ttl && ttl->is_int64())
    settings.session_ttl_seconds = ttl->get_int64();
  return settings;
}

std::string policy_event_metadata(const PolicyChangeRecord& change, std::int64_t version) {
  static const AgentSettings kNone{};
  const AgentSettings& before = change.old_settings ? *change.old_settings : kNone;
  const AgentSettings& after = change.new_settings ? *change.new_settings : kNone;
  json::object metadata{{"agent_name", change.agent_name},
                        {"change", to_string(change.kind)},
                        {"policy_version", version},
                        {"changed_by", change.author->name},
                        {"old_scopes", scopes_array(before.scopes)},
                        {"new_scopes", scopes_array(after.scopes)}};
  if (change.old_settings) {
    metadata["old_role"] = before.role;
    metadata["old_session_ttl_seconds"] = before.session_ttl_seconds;
  }
  if (change.new_settings) {
    metadata["new_role"] = after.role;
    metadata["new_session_ttl_seconds"] = after.session_ttl_seconds;
  }
  return json::serialize(metadata);
}

}  // namespace agentsudo::server
