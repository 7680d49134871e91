#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/model/policy.hpp"

namespace agentsudo::server {

// How both stores write a policy change down: the settings as the history
// keeps them, the scopes as agents.scopes keeps them, and the metadata of the
// `policy_changed` event.

// The settings as the history and the policy_changed event keep them.
std::string settings_to_json(const AgentSettings& settings);
// Settings as stored; a value this server did not write reads as defaults.
AgentSettings settings_from_json(std::string_view text);

// Agent settings as stored in agents.scopes.
std::string scopes_to_json(const std::vector<std::string>& scopes);
std::vector<std::string> scopes_from_json(std::string_view text);

// What one change of an agent's policy did.
struct PolicyChangeRecord {
  std::int64_t project_rowid = 0;
  std::int64_t agent_rowid = 0;
  std::string_view agent_name;
  PolicyChangeKind kind = PolicyChangeKind::kUpdated;
  const ChangeAuthor* author = nullptr;
  std::optional<AgentSettings> old_settings;
  std::optional<AgentSettings> new_settings;
};

// The policy_changed event's metadata: the agent, both sides of the change,
// and who made it, so an audit search for the event answers "who gave this
// agent write:*?".
std::string policy_event_metadata(const PolicyChangeRecord& change, std::int64_t version);

}  // namespace agentsudo::server
