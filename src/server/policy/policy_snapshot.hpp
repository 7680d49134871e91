#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/scope_pattern.hpp"
#include "server/model/policy.hpp"

namespace agentsudo::server {

// What the policy decides for one agent asking for one scope.
struct PolicyDecision {
  bool allowed = false;
  // The held pattern that granted it; none when denied.
  std::optional<std::string> matched;
  // Why it was denied, for the event and the caller; empty when allowed.
  std::string reason;
};

// One version of a project's policy, compiled once for decisions and
// serialized once for every client that reads it. Immutable; shared between
// threads.
class PolicySnapshot {
 public:
  explicit PolicySnapshot(Policy policy);

  std::int64_t version() const { return policy_.version; }
  const Policy& policy() const { return policy_; }
  // The body of GET /v1/policy: {"version", "agents": [...]}.
  const std::string& json() const { return json_; }
  // The strong validator of that body: the version, quoted.
  const std::string& etag() const { return etag_; }

  PolicyDecision decide(std::string_view agent_name, std::string_view scope) const;

 private:
  struct CompiledAgent {
    ScopeSet scopes;
    std::vector<ScopePattern> patterns;  // as held, to name the one that matched
  };

  Policy policy_;
  std::string json_;
  std::string etag_;
  std::unordered_map<std::string, CompiledAgent> agents_;
};

}  // namespace agentsudo::server
