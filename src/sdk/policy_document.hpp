#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agentsudo {

// One agent as the server's policy describes it.
struct AgentPolicyEntry {
  std::string name;
  std::vector<std::string> scopes;
  std::string role = "worker";
  std::chrono::seconds session_ttl{3600};
};

// The project's policy as GET /v1/policy answers it: a version that grows by
// one on every change, and the agents with their scopes, role and TTL.
//
// A plain value; not synchronized.
struct PolicyDocument {
  std::int64_t version = 0;
  std::vector<AgentPolicyEntry> agents;

  // The agent called `name`, or null when the policy does not list it.
  const AgentPolicyEntry* find(std::string_view name) const noexcept;
};

// Reads the body of a 200 from GET /v1/policy (or a cache file's copy of
// one). Unknown members are ignored; `role` and `session_ttl_seconds` may be
// left out (worker, 3600 s). Returns nullopt, with the reason in `error`,
// for anything that is not such a document: a torn or corrupt body must
// never replace a good policy.
std::optional<PolicyDocument> parse_policy_document(std::string_view body, std::string* error);

}  // namespace agentsudo
