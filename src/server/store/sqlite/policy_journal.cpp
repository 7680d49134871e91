#include "server/store/sqlite/policy_journal.hpp"

#include <boost/json.hpp>

#include "core/uuid.hpp"
#include "server/model/clock.hpp"
#include "server/store/sqlite/chain_append.hpp"

namespace agentsudo::server::sqlite {
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

// The event's metadata: the agent, both sides of the change, and who made it,
// so an audit search for the event answers "who gave this agent write:*?".
std::string event_metadata(const PolicyChangeRecord& change, std::int64_t version) {
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

std::int64_t bump_version(Database& db, std::int64_t project_rowid) {
  auto bump = db.prepare_cached(
      "UPDATE projects SET policy_version = policy_version + 1 WHERE id = ? "
      "RETURNING policy_version");
  bump->bind(1, project_rowid);
  bump->step();
  std::int64_t version = bump->column_int64(0);
  bump->reset();
  return version;
}

void insert_event(Database& db, const PolicyChangeRecord& change, std::string_view event_id,
                  std::int64_t version, UnixMicros now) {
  std::string metadata = event_metadata(change, version);
  audit::ChainedEvent chained;
  chained.event_id = event_id;
  chained.action = "policy_changed";
  chained.allowed = true;
  chained.metadata_json = metadata;
  chained.timestamp = now;
  chained.received_at = now;
  ChainLink link = link_single_event(db, change.project_rowid, change.agent_rowid, chained);
  auto insert = db.prepare_cached(
      "INSERT INTO events (uuid, project_id, agent_id, action, scope, allowed, function_name, "
      "metadata, ts, received_at, seq, chain_position, chain_hash) "
      "VALUES (?, ?, ?, 'policy_changed', NULL, 1, NULL, ?, ?, ?, ?, ?, ?)");
  insert->bind(1, event_id);
  insert->bind(2, change.project_rowid);
  insert->bind(3, change.agent_rowid);
  insert->bind(4, metadata);
  insert->bind(5, now);
  insert->bind(6, now);
  insert->bind(7, link.seq);
  insert->bind(8, link.position);
  insert->bind_blob(9, link.hash.data(), link.hash.size());
  insert->run();
}

void insert_history(Database& db, const PolicyChangeRecord& change, std::string_view event_id,
                    std::int64_t version, UnixMicros now) {
  auto insert = db.prepare_cached(
      "INSERT INTO policy_changes (project_id, version, agent_id, kind, changed_by, "
      "old_settings, new_settings, event_uuid, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert->bind(1, change.project_rowid);
  insert->bind(2, version);
  insert->bind(3, change.agent_rowid);
  insert->bind(4, std::string_view(to_string(change.kind)));
  insert->bind(5, change.author->name);
  if (change.old_settings)
    insert->bind(6, settings_to_json(*change.old_settings));
  else
    insert->bind_null(6);
  if (change.new_settings)
    insert->bind(7, settings_to_json(*change.new_settings));
  else
    insert->bind_null(7);
  insert->bind(8, event_id);
  insert->bind(9, now);
  insert->run();
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

std::int64_t record_policy_change(Database& db, const PolicyChangeRecord& change) {
  UnixMicros now = SystemClock().now();
  std::int64_t version = bump_version(db, change.project_rowid);
  std::string event_id = make_uuid_v7(now / 1000);
  insert_event(db, change, event_id, version, now);
  insert_history(db, change, event_id, version, now);
  return version;
}

}  // namespace agentsudo::server::sqlite
