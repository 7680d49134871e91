#include "server/store/sqlite/sqlite_agent_store.hpp"

#include <boost/json.hpp>

#include "core/uuid.hpp"
#include "server/model/clock.hpp"
#include "server/store/sqlite/crash_point.hpp"

namespace agentsudo::server::sqlite {
namespace json = boost::json;

namespace {

UnixMicros now() {
  return SystemClock().now();
}

constexpr const char* kAgentColumns =
    "uuid, name, scopes, role, session_ttl_seconds, created_at, last_seen_at";

std::string scopes_to_json(const std::vector<std::string>& scopes) {
  json::array array;
  for (const auto& scope : scopes)
    array.emplace_back(scope);
  return json::serialize(array);
}

// Scopes as stored; a value this server did not write reads as no scopes.
std::vector<std::string> scopes_from_json(std::string_view text) {
  std::vector<std::string> scopes;
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec || !value.is_array())
    return scopes;
  for (const auto& item : value.get_array()) {
    if (item.is_string())
      scopes.emplace_back(item.get_string());
  }
  return scopes;
}

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

void write_settings(Database& db, std::int64_t agent_rowid, const AgentSettings& settings) {
  auto update = db.prepare_cached(
      "UPDATE agents SET scopes = ?, role = ?, session_ttl_seconds = ?, deleted_at = NULL "
      "WHERE id = ?");
  update->bind(1, scopes_to_json(settings.scopes));
  update->bind(2, settings.role);
  update->bind(3, settings.session_ttl_seconds);
  update->bind(4, agent_rowid);
  update->run();
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
                                             const AgentSettings& settings) {
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
    write_settings(*writer_, *existing, settings);
    auto agent = lookup_agent(*writer_, project_rowid, agent_id);
    tx.commit();
    return agent;
  });
}

Result<Agent> SqliteAgentStore::update_agent(std::int64_t project_rowid, std::string_view agent_id,
                                             const AgentSettingsChange& change) {
  return translate_errors("update agent", [&]() -> Result<Agent> {
    std::lock_guard lock(write_mutex_);
    Transaction tx(*writer_);
    std::int64_t rowid = 0;
    {
      auto row = writer_->prepare_cached(
          "SELECT id FROM agents WHERE project_id = ? AND uuid = ? AND deleted_at IS NULL");
      row->bind(1, project_rowid);
      row->bind(2, agent_id);
      if (!row->step())
        return agent_not_found(agent_id);
      rowid = row->column_int64(0);
    }
    ASSIGN_OR_RETURN(auto agent, lookup_agent(*writer_, project_rowid, agent_id));
    change.apply_to(agent.settings);
    write_settings(*writer_, rowid, agent.settings);
    tx.commit();
    return agent;
  });
}

Status SqliteAgentStore::delete_agent(std::int64_t project_rowid, std::string_view agent_id) {
  return translate_errors("delete agent", [&]() -> Status {
    std::lock_guard lock(write_mutex_);
    auto update = writer_->prepare_cached(
        "UPDATE agents SET deleted_at = ?, scopes = '[]' "
        "WHERE project_id = ? AND uuid = ? AND deleted_at IS NULL");
    update->bind(1, now());
    update->bind(2, project_rowid);
    update->bind(3, agent_id);
    update->run();
    if (writer_->changes() == 0)
      return agent_not_found(agent_id);
    return {};
  });
}

}  // namespace agentsudo::server::sqlite
