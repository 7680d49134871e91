#include "server/store/postgres/pg_agent_store.hpp"

#include <utility>

#include "core/uuid.hpp"
#include "server/model/clock.hpp"
#include "server/store/postgres/errors.hpp"
#include "server/store/postgres/policy_journal.hpp"
#include "server/store/postgres/retried_transaction.hpp"

namespace agentsudo::server::postgres {
namespace {

UnixMicros now() {
  return SystemClock().now();
}

constexpr const char* kAgentColumns =
    "uuid, name, scopes, role, session_ttl_seconds, created_at, last_seen_at";

// The agent in columns first..first+6, in kAgentColumns' order.
Agent read_agent(const Rows& rows, int row, int first = 0) {
  Agent agent;
  agent.id = rows.string(row, first);
  agent.name = rows.string(row, first + 1);
  agent.settings.scopes = scopes_from_json(rows.text(row, first + 2));
  agent.settings.role = rows.string(row, first + 3);
  agent.settings.session_ttl_seconds = rows.int64(row, first + 4);
  agent.created_at = rows.int64(row, first + 5);
  agent.last_seen_at = rows.optional_int64(row, first + 6);
  return agent;
}

Error agent_not_found(std::string_view agent_id) {
  return make_error(ErrorKind::kNotFound, "no agent with id " + std::string(agent_id));
}

Result<Agent> lookup_agent(Connection& conn, std::int64_t project_rowid,
                           std::string_view agent_id) {
  auto rows = conn.exec(std::string("SELECT ") + kAgentColumns +
                            " FROM agents WHERE project_id = $1 AND uuid = $2 "
                            "AND deleted_at IS NULL",
                        Params().add(project_rowid).add(agent_id));
  if (rows.empty())
    return agent_not_found(agent_id);
  return read_agent(rows, 0);
}

void write_settings(Connection& conn, std::int64_t agent_rowid, const AgentSettings& settings,
                    std::int64_t version) {
  conn.exec(
      "UPDATE agents SET scopes = $1, role = $2, session_ttl_seconds = $3, deleted_at = NULL, "
      "policy_version = $4 WHERE id = $5",
      Params()
          .add(std::string_view(scopes_to_json(settings.scopes)))
          .add(std::string_view(settings.role))
          .add(settings.session_ttl_seconds)
          .add(version)
          .add(agent_rowid));
}

// An agent's row and settings as the write transaction sees them.
struct AgentRow {
  std::int64_t rowid = 0;
  Agent agent;
  bool in_policy = false;  // a person has configured it
};

// Locked until the transaction ends: a change from another node waits, and
// then applies itself to what this one stored, so neither is lost.
std::optional<AgentRow> lock_live_agent(Connection& conn, std::int64_t project_rowid,
                                        std::string_view agent_id) {
  auto rows = conn.exec(std::string("SELECT id, policy_version IS NOT NULL, ") + kAgentColumns +
                            " FROM agents WHERE project_id = $1 AND uuid = $2 "
                            "AND deleted_at IS NULL FOR UPDATE",
                        Params().add(project_rowid).add(agent_id));
  if (rows.empty())
    return std::nullopt;
  return AgentRow{rows.int64(0, 0), read_agent(rows, 0, 2), rows.boolean(0, 1)};
}

// The agent's row for create_agent: a new row, or the deleted one of that
// name, locked. kConflict when a live agent has the name.
Result<std::pair<std::int64_t, std::string>> claim_agent_name(Connection& conn,
                                                              std::int64_t project_rowid,
                                                              std::string_view name) {
  std::string agent_id = make_uuid_v7(now() / 1000);
  // Of two nodes creating the name at once, the second's insert waits for the
  // first's commit and then does nothing.
  auto inserted = conn.exec(
      "INSERT INTO agents (uuid, project_id, name, created_at) VALUES ($1, $2, $3, $4) "
      "ON CONFLICT (project_id, name) DO NOTHING RETURNING id",
      Params().add(std::string_view(agent_id)).add(project_rowid).add(name).add(now()));
  if (!inserted.empty())
    return std::pair{inserted.int64(0, 0), std::move(agent_id)};
  auto rows = conn.exec(
      "SELECT id, uuid, deleted_at IS NOT NULL FROM agents WHERE project_id = $1 AND name = $2 "
      "FOR UPDATE",
      Params().add(project_rowid).add(name));
  if (rows.empty() || !rows.boolean(0, 2))
    return make_error(ErrorKind::kConflict, "an agent with this name exists", "name");
  return std::pair{rows.int64(0, 0), rows.string(0, 1)};
}

PolicyChange read_change(const Rows& rows, int row) {
  PolicyChange change;
  change.version = rows.int64(row, 0);
  std::string_view kind = rows.text(row, 1);
  change.kind = kind == "created"   ? PolicyChangeKind::kCreated
                : kind == "deleted" ? PolicyChangeKind::kDeleted
                                    : PolicyChangeKind::kUpdated;
  change.agent_name = rows.string(row, 2);
  change.changed_by = rows.string(row, 3);
  if (!rows.is_null(row, 4))
    change.old_settings = settings_from_json(rows.text(row, 4));
  if (!rows.is_null(row, 5))
    change.new_settings = settings_from_json(rows.text(row, 5));
  change.event_id = rows.string(row, 6);
  change.changed_at = rows.int64(row, 7);
  return change;
}

}  // namespace

PgAgentStore::PgAgentStore(std::shared_ptr<ConnectionPool> pool) : pool_(std::move(pool)) {}

Result<std::vector<Agent>> PgAgentStore::list_agents(std::int64_t project_rowid) {
  return translate_errors("list agents", [&]() -> Result<std::vector<Agent>> {
    auto conn = pool_->acquire();
    auto rows = conn->exec(std::string("SELECT ") + kAgentColumns +
                               " FROM agents WHERE project_id = $1 AND deleted_at IS NULL "
                               "ORDER BY name COLLATE \"C\"",
                           Params().add(project_rowid));
    std::vector<Agent> agents;
    for (int row = 0; row < rows.size(); ++row)
      agents.push_back(read_agent(rows, row));
    return agents;
  });
}

Result<Agent> PgAgentStore::find_agent(std::int64_t project_rowid, std::string_view agent_id) {
  return translate_errors("find agent", [&]() -> Result<Agent> {
    auto conn = pool_->acquire();
    return lookup_agent(*conn, project_rowid, agent_id);
  });
}

Result<Agent> PgAgentStore::create_agent(std::int64_t project_rowid, std::string_view name,
                                         const AgentSettings& settings,
                                         const ChangeAuthor& author) {
  // Its locks (agent, project, chain head) may meet the commit writer's in
  // the other order; the loser of that deadlock runs again.
  return translate_errors("create agent", [&]() -> Result<Agent> {
    return retried_transaction([&]() -> Result<Agent> {
      auto conn = pool_->acquire();
      Transaction tx(*conn);
      ASSIGN_OR_RETURN(auto claimed, claim_agent_name(*conn, project_rowid, name));
      auto& [agent_rowid, agent_id] = claimed;
      std::int64_t version =
          record_policy_change(*conn, {project_rowid, agent_rowid, name, PolicyChangeKind::kCreated,
                                       &author, std::nullopt, settings});
      write_settings(*conn, agent_rowid, settings, version);
      auto agent = lookup_agent(*conn, project_rowid, agent_id);
      tx.commit();
      return agent;
    });
  });
}

Result<Agent> PgAgentStore::update_agent(std::int64_t project_rowid, std::string_view agent_id,
                                         const AgentSettingsChange& change,
                                         const ChangeAuthor& author) {
  return translate_errors("update agent", [&]() -> Result<Agent> {
    return retried_transaction([&]() -> Result<Agent> {
      auto conn = pool_->acquire();
      Transaction tx(*conn);
      auto row = lock_live_agent(*conn, project_rowid, agent_id);
      if (!row)
        return agent_not_found(agent_id);
      Agent agent = std::move(row->agent);
      AgentSettings before = agent.settings;
      change.apply_to(agent.settings);
      // An agent first seen in events joins the policy when a person sets it.
      auto kind = row->in_policy ? PolicyChangeKind::kUpdated : PolicyChangeKind::kCreated;
      std::optional<AgentSettings> old_settings;
      if (row->in_policy)
        old_settings = before;
      std::int64_t version = record_policy_change(
          *conn,
          {project_rowid, row->rowid, agent.name, kind, &author, old_settings, agent.settings});
      write_settings(*conn, row->rowid, agent.settings, version);
      tx.commit();
      return agent;
    });
  });
}

Status PgAgentStore::delete_agent(std::int64_t project_rowid, std::string_view agent_id,
                                  const ChangeAuthor& author) {
  return translate_errors("delete agent", [&]() -> Status {
    return retried_transaction([&]() -> Status {
      auto conn = pool_->acquire();
      Transaction tx(*conn);
      auto row = lock_live_agent(*conn, project_rowid, agent_id);
      if (!row)
        return agent_not_found(agent_id);
      std::optional<AgentSettings> old_settings;
      if (row->in_policy)
        old_settings = row->agent.settings;
      record_policy_change(
          *conn, {project_rowid, row->rowid, row->agent.name, PolicyChangeKind::kDeleted, &author,
                  old_settings, std::nullopt});
      conn->exec(
          "UPDATE agents SET deleted_at = $1, scopes = '[]', policy_version = NULL WHERE id = $2",
          Params().add(now()).add(row->rowid));
      tx.commit();
      return {};
    });
  });
}

Result<Policy> PgAgentStore::policy(std::int64_t project_rowid) {
  return translate_errors("read policy", [&]() -> Result<Policy> {
    auto conn = pool_->acquire();
    // One statement, so the version and the agents come from one snapshot.
    auto rows = conn->exec(
        "SELECT p.policy_version, a.name, a.scopes, a.role, a.session_ttl_seconds "
        "FROM projects p LEFT JOIN agents a ON a.project_id = p.id "
        "AND a.deleted_at IS NULL AND a.policy_version IS NOT NULL "
        "WHERE p.id = $1 ORDER BY a.name COLLATE \"C\"",
        Params().add(project_rowid));
    Policy policy;
    for (int row = 0; row < rows.size(); ++row) {
      policy.version = rows.int64(row, 0);
      if (rows.is_null(row, 1))
        continue;
      PolicyAgent agent;
      agent.name = rows.string(row, 1);
      agent.settings.scopes = scopes_from_json(rows.text(row, 2));
      agent.settings.role = rows.string(row, 3);
      agent.settings.session_ttl_seconds = rows.int64(row, 4);
      policy.agents.push_back(std::move(agent));
    }
    return policy;
  });
}

Result<std::vector<PolicyChange>> PgAgentStore::policy_history(std::int64_t project_rowid,
                                                               std::string_view agent_id,
                                                               std::size_t limit) {
  return translate_errors("read policy history", [&]() -> Result<std::vector<PolicyChange>> {
    auto conn = pool_->acquire();
    auto agent = conn->exec("SELECT id FROM agents WHERE project_id = $1 AND uuid = $2",
                            Params().add(project_rowid).add(agent_id));
    if (agent.empty())
      return agent_not_found(agent_id);
    auto rows = conn->exec(
        "SELECT c.version, c.kind, a.name, c.changed_by, c.old_settings, c.new_settings, "
        "c.event_uuid, c.changed_at FROM policy_changes c JOIN agents a ON a.id = c.agent_id "
        "WHERE c.agent_id = $1 ORDER BY c.version DESC LIMIT $2",
        Params().add(agent.int64(0, 0)).add(static_cast<std::int64_t>(limit)));
    std::vector<PolicyChange> changes;
    for (int row = 0; row < rows.size(); ++row)
      changes.push_back(read_change(rows, row));
    return changes;
  });
}

}  // namespace agentsudo::server::postgres
