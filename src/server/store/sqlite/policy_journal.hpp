#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/model/policy.hpp"
#include "server/store/sqlite/database.hpp"

namespace agentsudo::server::sqlite {

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

// Inside the caller's write transaction: bumps the project's policy version,
// appends the history entry and its `policy_changed` event, and returns the
// new version. The event is an audit record, not a decision: it does not
// count against the quota or in the analytics.
std::int64_t record_policy_change(Database& db, const PolicyChangeRecord& change);

}  // namespace agentsudo::server::sqlite
