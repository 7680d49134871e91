#include "server/store/sqlite/sqlite_agent_store.hpp"

#include <boost/json.hpp>

#include "core/uuid.hpp"
#include "server/model/clock.hpp"
#include "server/store/sqlite/crash_point.hpp"
#include "server/store/sqlite/policy_journal.hpp"

namespace agentsudo::server::sqlite {
namespace json = boost::json;

namespace {

UnixMicros now() {
  return SystemClock().now();
}

constexpr const char* kAgentColumns =
    "uuid, name, scopes, role, session_ttl_seconds, created_at, last_seen_at";

Agent read_agent(Statement& row) {
  Agent agent;
  agent.id = row.column_text(0);
  agent.name = row.column_text(1);
  agent.settings.scopes = scopes_from_json(row.column_text(2));
  agent.settings.role = row.column_text(3);
  agent.settings.session_ttl_seconds = row.column_int64(4);
  agent.created_at = row.column_int64(5);
  if (!row.column_is_null(6))
    agent.last_seen_at = row.column_int64(6);
  return agent;
}

Error agent_not_found(std::string_view agent_id) {
  return make_error(ErrorKind::kNotFound, "no agent with id " + std::string(agent_id));
}

Result<Agent> lookup_agent(Database& db, std::int64_t project_rowid, std::string_view agent_id) {
  auto row =
      db.prepare_cached(std::string("SELECT ") + kAgentColumns +
                        " FROM agents WHERE project_id = ? AND uuid = ? AND deleted_at IS NULL");
  row->bind(1, project_rowid);
  row->bind(2, agent_id);
  if (!row->step())
    return agent_not_found(agent_id);
  return read_agent(*row);
}

void write_settings(Database& db, std::int64_t agent_rowid, const AgentSettings& settings,
                    std::int64_t version) {
  auto update = db.prepare_cached(
      "UPDATE agents SET scopes = ?, role = ?, session_ttl_seconds = ?, deleted_at = NULL, "
      "policy_version = ? WHERE id = ?");
  update->bind(1, scopes_to_json(settings.scopes));
  update->bind(2, settings.role);
  update->bind(3, settings.session_ttl_seconds);
  update->bind(4, version);
  update->bind(5, agent_rowid);
  update->run();
}

// An agent's row and settings as the write transaction sees them.
struct AgentRow {
  std::int64_t rowid = 0;
  Agent agent;
  bool in_policy = false;  // a person has configured it
};

std::optional<AgentRow> live_agent_row(Database& db, std::int64_t project_rowid,
                                       std::string_view agent_id) {
  auto row = db.prepare_cached(
      "SELECT id, policy_version IS NOT NULL FROM agents "
      "WHERE project_id = ? AND uuid = ? AND deleted_at IS NULL");
  row->bind(1, project_rowid);
  row->bind(2, agent_id);
  if (!row->step())
    return std::nullopt;
  AgentRow found{row->column_int64(0), {}, row->column_int64(1) != 0};
  auto agent = lookup_agent(db, project_rowid, agent_id);
  if (!agent)
    return std::nullopt;
  found.agent = std::move(*agent);
  return found;
}

PolicyChange read_change(Statement& row) {
  PolicyChange change;
  change.version = row.column_int64(0);
  std::string_view kind = row.column_text(1);
  change.kind = kind == "created"   ? PolicyChangeKind::kCreated
                : kind == "deleted" ? PolicyChangeKind::kDeleted
                                    : PolicyChangeKind::kUpdated;
  change.agent_name = row.column_text(2);
  change.changed_by = row.column_text(3);
  if (!row.column_is_null(4))
    change.old_settings = settings_from_json(row.column_text(4));
  if (!row.column_is_null(5))
    change.new_settings = settings_from_json(row.column_text(5));
  change.event_id = row.column_text(6);
  change.changed_at = row.column_int64(7);
  return change;
}

}  // namespace

SqliteAgentStore::SqliteAgentStore(std::unique_ptr<Database> writer,
                                   std::shared_ptr<ConnectionPool> readers)
    : writer_(std::move(writer)), readers_(std::move(readers)) {}

Result<std::vector<Agent>> SqliteAgentStore::list_agents(std::int64_t project_rowid) {
  return translate_errors("list agents", [&]() -> Result<std::vector<Agent>> {
    auto db = readers_->acquire();
    auto rows = db->prepare_cached(std::string("SELECT ") + kAgentColumns +
                                   " FROM agents WHERE project_id = ? AND deleted_at IS NULL "
                                   "ORDER BY name");
    rows->bind(1, project_rowid);
    std::vector<Agent> agents;
    while (rows->step())
      agents.push_back(read_agent(*rows));
    return agents;
  });
}

Result<Agent> SqliteAgentStore::find_agent(std::int64_t project_rowid, std::string_view agent_id) {
  return translate_errors("find agent", [&]() -> Result<Agent> {
    auto db = readers_->acquire();
    return lookup_agent(*db, project_rowid, agent_id);
  });
}

Result<Agent> SqliteAgentStore::create_agent(std::int64_t project_rowid, std::string_view name,
                                             const AgentSettings& settings,
                                             const ChangeAuthor& author) {
  return translate_errors("create agent", [&]() -> Result<Agent> {
    std::lock_guard lock(write_mutex_);
    Transaction tx(*writer_);
    std::optional<std::int64_t> existing;
    std::string agent_id;
    {
      auto row = writer_->prepare_cached(
          "SELECT id, uuid, deleted_at IS NOT NULL FROM agents WHERE project_id = ? AND name = ?");
      row->bind(1, project_rowid);
      row->bind(2, name);
      if (row->step()) {
        if (row->column_int64(2) == 0)
          return make_error(ErrorKind::kConflict, "an agent with this name exists", "name");
        existing = row->column_int64(0);
        agent_id = row->column_text(1);
      }
    }
    if (!existing) {
      agent_id = make_uuid_v7(now() / 1000);
      auto insert = writer_->prepare_cached(
          "INSERT INTO agents (uuid, project_id, name, created_at) VALUES (?, ?, ?, ?)");
      insert->bind(1, agent_id);
      insert->bind(2, project_rowid);
      insert->bind(3, name);
      insert->bind(4, now());
      insert->run();
      existing = writer_->last_insert_rowid();
      AGENTSUDO_CRASH_POINT("agent.create.after_insert");
    }
    std::int64_t version =
        record_policy_change(*writer_, {project_rowid, *existing, name, PolicyChangeKind::kCreated,
                                        &author, std::nullopt, settings});
    write_settings(*writer_, *existing, settings, version);
    auto agent = lookup_agent(*writer_, project_rowid, agent_id);
    tx.commit();
    return agent;
  });
}

Result<Agent> SqliteAgentStore::update_agent(std::int64_t project_rowid, std::string_view agent_id,
                                             const AgentSettingsChange& change,
                                             const ChangeAuthor& author) {
  return translate_errors("update agent", [&]() -> Result<Agent> {
    std::lock_guard lock(write_mutex_);
    Transaction tx(*writer_);
    auto row = live_agent_row(*writer_, project_rowid, agent_id);
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
        *writer_,
        {project_rowid, row->rowid, agent.name, kind, &author, old_settings, agent.settings});
    write_settings(*writer_, row->rowid, agent.settings, version);
    tx.commit();
    return agent;
  });
}

Status SqliteAgentStore::delete_agent(std::int64_t project_rowid, std::string_view agent_id,
                                      const ChangeAuthor& author) {
  return translate_errors("delete agent", [&]() -> Status {
    std::lock_guard lock(write_mutex_);
    Transaction tx(*writer_);
    auto row = live_agent_row(*writer_, project_rowid, agent_id);
    if (!row)
      return agent_not_found(agent_id);
    std::optional<AgentSettings> old_settings;
    if (row->in_policy)
      old_settings = row->agent.settings;
    record_policy_change(
        *writer_, {project_rowid, row->rowid, row->agent.name, PolicyChangeKind::kDeleted, &author,
                   old_settings, std::nullopt});
    auto update = writer_->prepare_cached(
        "UPDATE agents SET deleted_at = ?, scopes = '[]', policy_version = NULL WHERE id = ?");
    update->bind(1, now());
    update->bind(2, row->rowid);
    update->run();
    tx.commit();
    return {};
  });
}

Result<Policy> SqliteAgentStore::policy(std::int64_t project_rowid) {
  return translate_errors("read policy", [&]() -> Result<Policy> {
    auto db = readers_->acquire();
    // One statement, so the version and the agents come from one snapshot.
    auto rows = db->prepare_cached(
        "SELECT p.policy_version, a.name, a.scopes, a.role, a.session_ttl_seconds "
        "FROM projects p LEFT JOIN agents a ON a.project_id = p.id "
        "AND a.deleted_at IS NULL AND a.policy_version IS NOT NULL "
        "WHERE p.id = ? ORDER BY a.name");
    rows->bind(1, project_rowid);
    Policy policy;
    while (rows->step()) {
      policy.version = rows->column_int64(0);
      if (rows->column_is_null(1))
        continue;
      PolicyAgent agent;
      agent.name = rows->column_text(1);
      agent.settings.scopes = scopes_from_json(rows->column_text(2));
      agent.settings.role = rows->column_text(3);
      agent.settings.session_ttl_seconds = rows->column_int64(4);
      policy.agents.push_back(std::move(agent));
    }
    return policy;
  });
}

Result<std::vector<PolicyChange>> SqliteAgentStore::policy_history(std::int64_t project_rowid,
                                                                   std::string_view agent_id,
                                                                   std::size_t limit) {
  return translate_errors("read policy history", [&]() -> Result<std::vector<PolicyChange>> {
    auto db = readers_->acquire();
    auto agent = db->prepare_cached("SELECT id FROM agents WHERE project_id = ? AND uuid = ?");
    agent->bind(1, project_rowid);
    agent->bind(2, agent_id);
    if (!agent->step())
      return agent_not_found(agent_id);
    auto rows = db->prepare_cached(
        "SELECT c.version, c.kind, a.name, c.changed_by, c.old_settings, c.new_settings, "
        "c.event_uuid, c.changed_at FROM policy_changes c JOIN agents a ON a.id = c.agent_id "
        "WHERE c.agent_id = ? ORDER BY c.version DESC LIMIT ?");
    rows->bind(1, agent->column_int64(0));
    rows->bind(2, static_cast<std::int64_t>(limit));
    std::vector<PolicyChange> changes;
    while (rows->step())
      changes.push_back(read_change(*rows));
    return changes;
  });
}

}  // namespace agentsudo::server::sqlite
