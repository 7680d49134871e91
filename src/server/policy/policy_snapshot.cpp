#include "server/policy/policy_snapshot.hpp"

#include <boost/json.hpp>

namespace agentsudo::server {
namespace json = boost::json;

namespace {

std::string policy_json(const Policy& policy) {
  json::array agents;
  for (const auto& agent : policy.agents) {
    json::array scopes;
    for (const auto& scope : agent.settings.scopes)
      scopes.emplace_back(scope);
    agents.push_back(json::object{{"name", agent.name},
                                  {"scopes", std::move(scopes)},
                                  {"role", agent.settings.role},
                                  {"session_ttl_seconds", agent.settings.session_ttl_seconds}});
  }
  return json::serialize(json::object{{"version", policy.version}, {"agents", std::move(agents)}});
}

}  // namespace

PolicySnapshot::PolicySnapshot(Policy policy)
    : policy_(std::move(policy)),
      json_(policy_json(policy_)),
      etag_("\"" + std::to_string(policy_.version) + "\"") {
  for (const auto& agent : policy_.agents) {
    CompiledAgent compiled{ScopeSet(agent.settings.scopes), {}};
    for (const auto& scope : agent.settings.scopes)
      compiled.patterns.emplace_back(scope);
    agents_.emplace(agent.name, std::move(compiled));
  }
}

PolicyDecision PolicySnapshot::decide(std::string_view agent_name, std::string_view scope) const {
  // Only a denial spells the version out; a grant stays free of string work.
  auto version = [this] { return std::to_string(policy_.version); };
  auto agent = agents_.find(std::string(agent_name));
  if (agent == agents_.end()) {
    return {false, std::nullopt,
            "agent " + std::string(agent_name) + " is not in the project's policy (version " +
                version() + ")"};
  }
  if (!agent->second.scopes.allows(scope)) {
    return {false, std::nullopt,
            "agent " + std::string(agent_name) + " holds no scope matching " + std::string(scope) +
                " (policy version " + version() + ")"};
  }
  // Exact scopes first: a literal grant is the most specific reason.
  for (const auto& pattern : agent->second.patterns) {
    if (pattern.is_literal() && pattern.matches(scope))
      return {true, pattern.text(), {}};
  }
  for (const auto& pattern : agent->second.patterns) {
    if (pattern.matches(scope))
      return {true, pattern.text(), {}};
  }
  return {true, std::nullopt, {}};  // unreachable while ScopeSet and ScopePattern agree
}

}  // namespace agentsudo::server
