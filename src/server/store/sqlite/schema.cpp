#include "server/store/sqlite/schema.hpp"

#include <array>
#include <string>

namespace agentsudo::server::sqlite {
namespace {

// Migration N (1-based) moves the schema from version N-1 to N. Append only:
// a released migration is never edited.
constexpr std::array kMigrations = {
    R"sql(
CREATE TABLE projects (
  id          INTEGER PRIMARY KEY,
  uuid        TEXT    NOT NULL UNIQUE,
  name        TEXT    NOT NULL,
  tier        TEXT    NOT NULL,
  daily_quota INTEGER NOT NULL,
  created_at  INTEGER NOT NULL
);
CREATE TABLE api_keys (
  id          INTEGER PRIMARY KEY,
  uuid        TEXT    NOT NULL UNIQUE,
  project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  key_hash    BLOB    NOT NULL UNIQUE,
  prefix      TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  revoked_at  INTEGER
);
CREATE INDEX api_keys_by_project ON api_keys(project_id);
CREATE TABLE management_tokens (
  id          INTEGER PRIMARY KEY,
  uuid        TEXT    NOT NULL UNIQUE,
  token_hash  BLOB    NOT NULL UNIQUE,
  prefix      TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  revoked_at  INTEGER
);
CREATE TABLE agents (
  id          INTEGER PRIMARY KEY,
  uuid        TEXT    NOT NULL UNIQUE,
  project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name        TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  UNIQUE (project_id, name)
);
-- seq is the integer rowid, so inserts append to the B-tree; the event's
-- public uuid (v7) sits beside it.
CREATE TABLE events (
  seq           INTEGER PRIMARY KEY,
  uuid          TEXT    NOT NULL,
  project_id    INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  agent_id      INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  action        TEXT    NOT NULL,
  scope         TEXT,
  allowed       INTEGER NOT NULL,
  function_name TEXT,
  metadata      TEXT    NOT NULL,
  ts            INTEGER NOT NULL,
  received_at   INTEGER NOT NULL
);
CREATE INDEX events_by_project ON events(project_id, seq);
-- Events received per project and UTC day: what the quota counts.
CREATE TABLE usage_daily (
  project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  day         INTEGER NOT NULL,
  events      INTEGER NOT NULL,
  PRIMARY KEY (project_id, day)
) WITHOUT ROWID;
CREATE TABLE settings (
  name        TEXT PRIMARY KEY,
  value       BLOB NOT NULL
) WITHOUT ROWID;
)sql",
    // 2: people (users, sessions, project membership) and agent settings.
    R"sql(
CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  uuid          TEXT    NOT NULL UNIQUE,
  email         TEXT    NOT NULL UNIQUE,
  password_hash TEXT    NOT NULL,
  is_admin      INTEGER NOT NULL DEFAULT 0,
  created_at    INTEGER NOT NULL
);
-- Only a digest of the session token is kept; the CSRF token is no secret
-- on its own (it is useless without the cookie).
CREATE TABLE sessions (
  id          INTEGER PRIMARY KEY,
  token_hash  BLOB    NOT NULL UNIQUE,
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token  TEXT    NOT NULL,
  expires_at  INTEGER NOT NULL,
  created_at  INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions(user_id);
CREATE TABLE project_members (
  project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (project_id, user_id)
) WITHOUT ROWID;
CREATE INDEX project_members_by_user ON project_members(user_id, project_id);
ALTER TABLE agents ADD COLUMN scopes TEXT NOT NULL DEFAULT '[]';
ALTER TABLE agents ADD COLUMN role TEXT NOT NULL DEFAULT 'worker';
ALTER TABLE agents ADD COLUMN session_ttl_seconds INTEGER NOT NULL DEFAULT 3600;
ALTER TABLE agents ADD COLUMN deleted_at INTEGER;
ALTER TABLE agents ADD COLUMN last_seen_at INTEGER;
ALTER TABLE api_keys ADD COLUMN last_used_at INTEGER;
)sql",
    // 3: analytics aggregates, kept by the commit writer in the same transaction
    // as the events they count. `period` is 0 for hours, 1 for days; `bucket`
    // counts those since 1970 in the event's timestamp (UTC).
    R"sql(
CREATE TABLE activity_buckets (
  project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  period      INTEGER NOT NULL,
  bucket      INTEGER NOT NULL,
  allowed     INTEGER NOT NULL,
  denied      INTEGER NOT NULL,
  PRIMARY KEY (project_id, period, bucket)
) WITHOUT ROWID;
CREATE TABLE agent_buckets (
  project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  period      INTEGER NOT NULL,
  bucket      INTEGER NOT NULL,
  agent_id    INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  events      INTEGER NOT NULL,
  denials     INTEGER NOT NULL,
  last_active INTEGER NOT NULL,
  PRIMARY KEY (project_id, period, bucket, agent_id)
) WITHOUT ROWID;
CREATE TABLE scope_buckets (
  project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  period      INTEGER NOT NULL,
  bucket      INTEGER NOT NULL,
  scope       TEXT    NOT NULL,
  requests    INTEGER NOT NULL,
  denials     INTEGER NOT NULL,
  PRIMARY KEY (project_id, period, bucket, scope)
) WITHOUT ROWID;
-- Which agents used a scope in a bucket: distinct agents per scope.
CREATE TABLE scope_agent_buckets (
  project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  period      INTEGER NOT NULL,
  bucket      INTEGER NOT NULL,
  scope       TEXT    NOT NULL,
  agent_id    INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  PRIMARY KEY (project_id, period, bucket, scope, agent_id)
) WITHOUT ROWID;
-- Each session's first and last event (session_key: a 64-bit digest of the
-- session); the index counts the sessions active in a window without a sort.
CREATE TABLE agent_sessions (
  project_id   INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  session_key  INTEGER NOT NULL,
  first_active INTEGER NOT NULL,
  last_active  INTEGER NOT NULL,
  PRIMARY KEY (project_id, session_key)
) WITHOUT ROWID;
CREATE INDEX agent_sessions_by_last_active
  ON agent_sessions(project_id, last_active, first_active);
)sql",
    // 4: central policy. A project's policy is its agents that a person has
    // configured (agents.policy_version set); every change bumps the
    // project's version and is kept in policy_changes. Each agent's use of
    // each scope is counted, so a change can be previewed against traffic.
    R"sql(
ALTER TABLE projects ADD COLUMN policy_version INTEGER NOT NULL DEFAULT 0;
-- The version that last set the agent's settings; NULL for an agent only
-- seen in events, which is not part of the policy.
ALTER TABLE agents ADD COLUMN policy_version INTEGER;
UPDATE agents SET policy_version = 0 WHERE deleted_at IS NULL;
CREATE TABLE policy_changes (
  id          INTEGER PRIMARY KEY,
  project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  version     INTEGER NOT NULL,
  agent_id    INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  kind        TEXT    NOT NULL,  -- created, updated or deleted
  changed_by  TEXT    NOT NULL,
  old_settings TEXT,             -- as JSON; NULL when created
  new_settings TEXT,             -- NULL when deleted
  event_uuid  TEXT    NOT NULL,  -- its policy_changed event
  changed_at  INTEGER NOT NULL,
  UNIQUE (project_id, version)
);
CREATE INDEX policy_changes_by_agent ON policy_changes(agent_id, version);
ALTER TABLE scope_agent_buckets ADD COLUMN requests INTEGER NOT NULL DEFAULT 0;
ALTER TABLE scope_agent_buckets ADD COLUMN denials INTEGER NOT NULL DEFAULT 0;
UPDATE scope_agent_buckets AS b SET requests = c.requests, denials = c.denials
  FROM (SELECT project_id, ts / 86400000000 AS bucket, scope, agent_id,
               count(*) AS requests, sum(allowed = 0) AS denials
        FROM events WHERE scope IS NOT NULL GROUP BY 1, 2, 3, 4) AS c
  WHERE b.period = 1 AND b.project_id = c.project_id AND b.bucket = c.bucket
    AND b.scope = c.scope AND b.agent_id = c.agent_id;
UPDATE scope_agent_buckets AS b SET requests = c.requests, denials = c.denials
  FROM (SELECT project_id, ts / 3600000000 AS bucket, scope, agent_id,
               count(*) AS requests, sum(allowed = 0) AS denials
        FROM events WHERE scope IS NOT NULL GROUP BY 1, 2, 3, 4) AS c
  WHERE b.period = 0 AND b.project_id = c.project_id AND b.bucket = c.bucket
    AND b.scope = c.scope AND b.agent_id = c.agent_id;
CREATE INDEX scope_agent_buckets_by_agent
  ON scope_agent_buckets(project_id, agent_id, period, bucket);
)sql",
    // 5: approval requests: a denied call a person may let run once, or let
    // the agent's scope through for a while. Only the SHA-256 of the
    // requester's nonce is kept.
    R"sql(
CREATE TABLE approvals (
  id              INTEGER PRIMARY KEY,
  uuid            TEXT    NOT NULL UNIQUE,
  project_id      INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  agent_id        INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  scope           TEXT    NOT NULL,
  function_name   TEXT    NOT NULL,  -- '' when the caller named none
  args_digest     TEXT    NOT NULL,  -- '' when the caller sent none
  preview         TEXT    NOT NULL,
  denial_reason   TEXT    NOT NULL,
  nonce_sha256    BLOB    NOT NULL,
  status          TEXT    NOT NULL,  -- pending, approved, denied or expired
  requested_at    INTEGER NOT NULL,
  expires_at      INTEGER NOT NULL,
  decided_by      TEXT,
  decided_at      INTEGER,
  decision_reason TEXT,
  grant_until     INTEGER,           -- set for "approve for N minutes"
  spent_at        INTEGER            -- set once a once-approval's call ran
);
-- The sweeper's next expiry, and a project's pending requests by expiry.
CREATE INDEX approvals_pending_by_expiry ON approvals(expires_at) WHERE status = 'pending';
CREATE INDEX approvals_pending_by_project ON approvals(project_id, expires_at)
  WHERE status = 'pending';
-- A project's requests newest first, by status.
CREATE INDEX approvals_by_project ON approvals(project_id, status, id);
-- The live grants of an agent and scope.
CREATE INDEX approvals_grants ON approvals(project_id, agent_id, scope, grant_until)
  WHERE grant_until IS NOT NULL;
)sql",
    // 6: approval notifications: a project's webhooks, and webhook_deliveries,
    // the durable outbox the dispatcher sends from and the log people read.
    // next_attempt_at is NULL once a delivery is delivered or given up.
    R"sql(
CREATE TABLE webhooks (
  id          INTEGER PRIMARY KEY,
  uuid        TEXT    NOT NULL UNIQUE,
  project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  url         TEXT    NOT NULL,
  format      TEXT    NOT NULL,  -- json or slack
  secret      TEXT    NOT NULL,  -- the HMAC key itself: signing needs it back
  created_at  INTEGER NOT NULL
);
CREATE INDEX webhooks_by_project ON webhooks(project_id);
CREATE TABLE webhook_deliveries (
  id              INTEGER PRIMARY KEY,
  uuid            TEXT    NOT NULL UNIQUE,
  webhook_id      INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  project_id      INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  type            TEXT    NOT NULL,
  payload         TEXT    NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  last_status     INTEGER,  -- the receiver's HTTP status; NULL when it never answered
  last_error      TEXT,
  delivered_at    INTEGER,
  created_at      INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at)
  WHERE next_attempt_at IS NOT NULL;
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries(webhook_id, id);
CREATE INDEX webhook_deliveries_by_project ON webhook_deliveries(project_id);
)sql",
    // 7: management tokens get an optional name and expiry, so that they can
    // be told apart, listed and revoked (revoked_at existed since 1).
    R"sql(
ALTER TABLE management_tokens ADD COLUMN name TEXT;
ALTER TABLE management_tokens ADD COLUMN expires_at INTEGER;
)sql",
    // 8: exactly-once delivery. An event's uuid is unique within its project,
    // so a client's event_id sent again is found and not stored twice (the
    // same id in two projects is two events: nothing is shared across
    // tenants). sdk_delivery keeps, per SDK instance and UTC day, what its
    // numbered events and drop reports say about loss.
    R"sql(
CREATE UNIQUE INDEX events_by_uuid ON events(project_id, uuid);
CREATE TABLE sdk_delivery (
  project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  instance_id TEXT    NOT NULL,
  day         INTEGER NOT NULL,
  events      INTEGER NOT NULL,  -- numbered events stored (duplicates are not)
  min_seq     INTEGER,           -- their lowest and highest sequence
  max_seq     INTEGER,
  dropped     INTEGER NOT NULL,  -- highest AgentSudo-Dropped it sent that day (cumulative)
  PRIMARY KEY (project_id, instance_id, day)
) WITHOUT ROWID;
)sql",
    // 9: the audit chain: each event's place in its project's hash chain and
    // its link (docs/AUDIT.md), the chain's end per project, and the signed
    // checkpoints. Events stored before this migration keep NULLs: the chain
    // starts after them.
    R"sql(
ALTER TABLE events ADD COLUMN chain_position INTEGER;
ALTER TABLE events ADD COLUMN chain_hash BLOB;
CREATE TABLE audit_chain_heads (
  project_id  INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  position    INTEGER NOT NULL,
  seq         INTEGER NOT NULL,
  hash        BLOB    NOT NULL
);
CREATE TABLE audit_checkpoints (
  id          INTEGER PRIMARY KEY,
  project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  position    INTEGER NOT NULL,
  seq         INTEGER NOT NULL,
  hash        BLOB    NOT NULL,
  signed_at   INTEGER NOT NULL,
  signature   BLOB    NOT NULL
);
CREATE INDEX audit_checkpoints_by_project ON audit_checkpoints(project_id, position);
)sql",
    // 10: retention. retention_days NULL keeps everything; retained_since is
    // the cutoff of the last sweep that removed events (NULL before any).
    // audit_retention_horizons records where a project's chain now starts:
    // the last removed position and its hash, so verify can start after it.
    R"sql(
ALTER TABLE projects ADD COLUMN retention_days INTEGER;
ALTER TABLE projects ADD COLUMN retained_since INTEGER;
CREATE TABLE audit_retention_horizons (
  project_id  INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  position    INTEGER NOT NULL,
  seq         INTEGER NOT NULL,
  hash        BLOB    NOT NULL
);
)sql",
};

}  // namespace

int known_schema_version() {
  return static_cast<int>(kMigrations.size());
}

int schema_version(Database& db) {
  auto statement = db.prepare_cached("PRAGMA user_version");
  statement->step();
  return static_cast<int>(statement->column_int64(0));
}

void migrate(Database& db) {
  for (;;) {
    Transaction tx(db);
    int version = schema_version(db);
    int known = static_cast<int>(kMigrations.size());
    if (version > known) {
      throw SqliteError(SQLITE_ERROR,
                        "the database's schema is version " + std::to_string(version) +
                            ", newer than this server knows (" + std::to_string(known) +
                            "): run a server at least as new as the one that migrated it");
    }
    if (version == known)
      return;
    db.exec(kMigrations[static_cast<std::size_t>(version)]);
    db.exec("PRAGMA user_version = " + std::to_string(version + 1));
    tx.commit();
  }
}

}  // namespace agentsudo::server::sqlite
