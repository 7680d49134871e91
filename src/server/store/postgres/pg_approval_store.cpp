#include "server/store/postgres/pg_approval_store.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "core/uuid.hpp"
#include "server/store/approval_event_metadata.hpp"
#include "server/store/postgres/approval_journal.hpp"
#include "server/store/postgres/errors.hpp"

namespace agentsudo::server::postgres {
namespace {

constexpr const char* kSelectApproval =
    "SELECT a.id, a.uuid, a.project_id, p.uuid, g.name, a.scope, a.function_name, "
    "a.args_digest, a.preview, a.denial_reason, a.status, a.requested_at, a.expires_at, "
    "a.decided_by, a.decided_at, a.decision_reason, a.grant_until, a.spent_at, a.nonce_sha256, "
    "a.agent_id FROM approvals a JOIN agents g ON g.id = a.agent_id "
    "JOIN projects p ON p.id = a.project_id ";
constexpr int kSeqColumn = 0;
constexpr int kNonceColumn = 18;
constexpr int kAgentColumn = 19;

ApprovalStatus status_from(std::string_view text) {
  if (text == "approved")
    return ApprovalStatus::kApproved;
  if (text == "denied")
    return ApprovalStatus::kDenied;
  if (text == "expired")
    return ApprovalStatus::kExpired;
  return ApprovalStatus::kPending;
}

Approval read_approval(const Rows& rows, int row) {
  Approval approval;
  approval.id = rows.string(row, 1);
  approval.project_rowid = rows.int64(row, 2);
  approval.project_id = rows.string(row, 3);
  approval.agent_name = rows.string(row, 4);
  approval.scope = rows.string(row, 5);
  approval.function_name = rows.string(row, 6);
  approval.args_digest = rows.string(row, 7);
  approval.preview = rows.string(row, 8);
  approval.denial_reason = rows.string(row, 9);
  approval.status = status_from(rows.text(row, 10));
  approval.requested_at = rows.int64(row, 11);
  approval.expires_at = rows.int64(row, 12);
  approval.decided_by = rows.optional_text(row, 13).value_or("");
  approval.decided_at = rows.optional_int64(row, 14).value_or(0);
  approval.decision_reason = rows.optional_text(row, 15).value_or("");
  approval.grant_until = rows.optional_int64(row, 16);
  approval.spent_at = rows.optional_int64(row, 17);
  return approval;
}

NonceDigest read_nonce(const Rows& rows, int row) {
  NonceDigest digest{};
  std::string bytes = rows.bytes(row, kNonceColumn);
  std::memcpy(digest.data(), bytes.data(), std::min(bytes.size(), digest.size()));
  return digest;
}

// The approval with that id, as this connection sees it now, with its agent.
std::pair<Approval, std::int64_t> approval_by_seq(Connection& conn, std::int64_t seq) {
  auto rows = conn.exec(std::string(kSelectApproval) + "WHERE a.id = $1", Params().add(seq));
  return {read_approval(rows, 0), rows.int64(0, kAgentColumn)};
}

Error not_found(std::string_view id) {
  return make_error(ErrorKind::kNotFound, "no approval with id " + std::string(id));
}

// The agent's row, registered on first sight as the ingest path does; a node
// registering the same agent at the same moment makes ON CONFLICT find it.
std::int64_t resolve_agent(Connection& conn, std::int64_t project_rowid, std::string_view name,
                           UnixMicros now) {
  auto inserted = conn.exec(
      "INSERT INTO agents (uuid, project_id, name, created_at) VALUES ($1, $2, $3, $4) "
      "ON CONFLICT (project_id, name) DO NOTHING RETURNING id",
      Params()
          .add(std::string_view(make_uuid_v7(now / 1000)))
          .add(project_rowid)
          .add(name)
          .add(now));
  if (!inserted.empty())
    return inserted.int64(0, 0);
  auto found = conn.exec("SELECT id FROM agents WHERE project_id = $1 AND name = $2",
                         Params().add(project_rowid).add(name));
  return found.int64(0, 0);
}

// Why a request cannot be decided, as the 409 says it.
Error already_settled(const Approval& approval) {
  std::string what = "approval " + approval.id;
  if (approval.status == ApprovalStatus::kApproved || approval.status == ApprovalStatus::kDenied) {
    what += std::string(" was already ") + to_string(approval.status) + " by " +
            approval.decided_by + " at " + format_rfc3339(approval.decided_at);
  } else {
    what += " expired at " + format_rfc3339(approval.expires_at);
  }
  return make_error(ErrorKind::kConflict, what);
}

std::optional<std::int64_t> seq_of(Connection& conn, std::int64_t project_rowid,
                                   std::string_view id) {
  auto rows = conn.exec("SELECT id FROM approvals WHERE project_id = $1 AND uuid = $2",
                        Params().add(project_rowid).add(id));
  if (rows.empty())
    return std::nullopt;
  return rows.int64(0, 0);
}

// The page's statement and its parameters, numbered as they are added.
std::pair<std::string, Params> list_statement(const ApprovalListQuery& query) {
  Params params;
  params.add(query.project_rowid);
  std::string sql = std::string(kSelectApproval) + "WHERE a.project_id = $1";
  auto next = [&params] { return "$" + std::to_string(params.size() + 1); };
  if (query.status) {
    switch (*query.status) {
      case ApprovalStatus::kPending:
        sql += " AND a.status = 'pending' AND a.expires_at > " + next();
        params.add(query.now);
        break;
      case ApprovalStatus::kExpired:
        sql += " AND (a.status = 'expired' OR (a.status = 'pending' AND a.expires_at <= " + next() +
               "))";
        params.add(query.now);
        break;
      case ApprovalStatus::kApproved:
      case ApprovalStatus::kDenied:
        sql += " AND a.status = " + next();
        params.add(to_string(*query.status));
        break;
    }
  }
  if (query.before_seq) {
    sql += " AND a.id < " + next();
    params.add(*query.before_seq);
  }
  sql += " ORDER BY a.id DESC LIMIT " + next();
  params.add(static_cast<std::int64_t>(query.limit));
  return {std::move(sql), std::move(params)};
}

// Serializes the project's request creations on every node until the
// transaction ends, so that counting and inserting hold max_pending
// together. NO KEY UPDATE (PostgreSQL's weaker row lock) leaves the foreign
// key checks of concurrent inserts into the project's other tables alone.
void lock_project_requests(Connection& conn, std::int64_t project_rowid) {
  conn.exec("SELECT id FROM projects WHERE id = $1 FOR NO KEY UPDATE", Params().add(project_rowid));
}

// Requests still waiting at `now`; counted on the pending index.
std::int64_t pending_count(Connection& conn, std::int64_t project_rowid, UnixMicros now) {
  auto rows = conn.exec(
      "SELECT count(*) FROM approvals WHERE project_id = $1 AND status = 'pending' "
      "AND expires_at > $2",
      Params().add(project_rowid).add(now));
  return rows.int64(0, 0);
}

std::int64_t insert_pending(Connection& conn, const ApprovalRequestRecord& request,
                            std::int64_t agent) {
  const Approval& approval = request.approval;
  std::string_view nonce(reinterpret_cast<const char*>(request.nonce_digest.data()),
                         request.nonce_digest.size());
  auto rows = conn.exec(
      "INSERT INTO approvals (uuid, project_id, agent_id, scope, function_name, args_digest, "
      "preview, denial_reason, nonce_sha256, status, requested_at, expires_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $11) RETURNING id",
      Params()
          .add(std::string_view(approval.id))
          .add(approval.project_rowid)
          .add(agent)
          .add(std::string_view(approval.scope))
          .add(std::string_view(approval.function_name))
          .add(std::string_view(approval.args_digest))
          .add(std::string_view(approval.preview))
          .add(std::string_view(approval.denial_reason))
          .add_bytes(nonce)
          .add(approval.requested_at)
          .add(approval.expires_at));
  return rows.int64(0, 0);
}

std::optional<std::string> unless_empty(const std::string& text) {
  if (text.empty())
    return std::nullopt;
  return text;
}

}  // namespace

PgApprovalStore::PgApprovalStore(std::shared_ptr<ConnectionPool> pool) : pool_(std::move(pool)) {}

Result<RequestedApproval> PgApprovalStore::create(const ApprovalRequestRecord& request) {
  return translate_errors("create approval", [&]() -> Result<RequestedApproval> {
    const Approval& approval = request.approval;
    auto conn = pool_->acquire();
    Transaction tx(*conn);
    lock_project_requests(*conn, approval.project_rowid);
    if (pending_count(*conn, approval.project_rowid, approval.requested_at) >=
        request.max_pending) {
      return make_error(ErrorKind::kRateLimited,
                        "the project already has " + std::to_string(request.max_pending) +
                            " approval requests waiting, the most it may hold; decide some or "
                            "let them expire");
    }
    std::int64_t agent =
        resolve_agent(*conn, approval.project_rowid, approval.agent_name, approval.requested_at);
    std::int64_t seq = insert_pending(*conn, request, agent);
    RequestedApproval created{approval_by_seq(*conn, seq).first, {}};
    created.event_id = record_approval_event(
        *conn, created.approval, agent, "approval_requested", false,
        requested_metadata(created.approval, request.policy_version), approval.requested_at);
    tx.commit();
    return created;
  });
}

Result<Approval> PgApprovalStore::decide(std::int64_t project_rowid, std::string_view id,
                                         const ApprovalDecision& decision) {
  return translate_errors("decide approval", [&]() -> Result<Approval> {
    auto conn = pool_->acquire();
    Transaction tx(*conn);
    // Only a pending request within its time changes. A node deciding the
    // same request at once waits on the row, then finds it no longer
    // pending (READ COMMITTED re-reads the row it waited for), so exactly
    // one decision wins and the other is told what happened first.
    auto updated = conn->exec(
        "UPDATE approvals SET status = $1, decided_by = $2, decided_at = $3, "
        "decision_reason = $4, grant_until = $5 "
        "WHERE project_id = $6 AND uuid = $7 AND status = 'pending' AND expires_at > $3 "
        "RETURNING id",
        Params()
            .add(decision.approve ? "approved" : "denied")
            .add(std::string_view(decision.decided_by))
            .add(decision.decided_at)
            .add(unless_empty(decision.reason))
            .add(decision.grant_until)
            .add(project_rowid)
            .add(id));
    if (updated.empty()) {
      auto existing = seq_of(*conn, project_rowid, id);
      if (!existing)
        return not_found(id);
      return already_settled(approval_by_seq(*conn, *existing).first);
    }
    auto [approval, agent] = approval_by_seq(*conn, updated.int64(0, 0));
    record_approval_event(
        *conn, approval, agent, decision.approve ? "approval_granted" : "approval_denied",
        decision.approve, decided_metadata(approval, decision.for_minutes), decision.decided_at);
    tx.commit();
    return approval;
  });
}

Result<std::optional<Approval>> PgApprovalStore::redeem(std::int64_t project_rowid,
                                                        std::string_view id,
                                                        const ApprovalBinding& binding,
                                                        UnixMicros decided_since, UnixMicros now) {
  return translate_errors("redeem approval", [&]() -> Result<std::optional<Approval>> {
    auto conn = pool_->acquire();
    Transaction tx(*conn);
    // `spent_at IS NULL` is checked again on the row after any concurrent
    // redemption commits, so two nodes never both spend one approval.
    auto spent = conn->exec(
        "UPDATE approvals SET spent_at = $1 WHERE project_id = $2 AND uuid = $3 "
        "AND status = 'approved' AND grant_until IS NULL AND spent_at IS NULL "
        "AND decided_at >= $4 AND scope = $5 AND function_name = $6 AND args_digest = $7 "
        "AND agent_id = (SELECT id FROM agents WHERE project_id = $2 AND name = $8) "
        "RETURNING id",
        Params()
            .add(now)
            .add(project_rowid)
            .add(id)
            .add(decided_since)
            .add(std::string_view(binding.scope))
            .add(std::string_view(binding.function_name))
            .add(std::string_view(binding.args_digest))
            .add(std::string_view(binding.agent_name)));
    if (spent.empty())
      return std::optional<Approval>();
    Approval approval = approval_by_seq(*conn, spent.int64(0, 0)).first;
    tx.commit();
    return std::optional(std::move(approval));
  });
}

Result<std::optional<Approval>> PgApprovalStore::find_grant(std::int64_t project_rowid,
                                                            std::string_view agent_name,
                                                            std::string_view scope,
                                                            UnixMicros now) {
  return translate_errors("find grant", [&]() -> Result<std::optional<Approval>> {
    auto conn = pool_->acquire();
    auto rows = conn->exec(
        std::string(kSelectApproval) +
            "WHERE a.project_id = $1 AND a.agent_id = (SELECT id FROM agents WHERE project_id = "
            "$1 AND name = $2) AND a.scope = $3 AND a.grant_until > $4 AND a.status = 'approved' "
            "ORDER BY a.grant_until DESC LIMIT 1",
        Params().add(project_rowid).add(agent_name).add(scope).add(now));
    if (rows.empty())
      return std::optional<Approval>();
    return std::optional(read_approval(rows, 0));
  });
}

Result<Approval> PgApprovalStore::find(std::int64_t project_rowid, std::string_view id) {
  ASSIGN_OR_RETURN(auto found, find_with_nonce(project_rowid, id));
  return std::move(found.approval);
}

Result<ApprovalWithNonce> PgApprovalStore::find_with_nonce(std::int64_t project_rowid,
                                                           std::string_view id) {
  return translate_errors("find approval", [&]() -> Result<ApprovalWithNonce> {
    auto conn = pool_->acquire();
    auto rows = conn->exec(std::string(kSelectApproval) + "WHERE a.project_id = $1 AND a.uuid = $2",
                           Params().add(project_rowid).add(id));
    if (rows.empty())
      return not_found(id);
    return ApprovalWithNonce{read_approval(rows, 0), read_nonce(rows, 0)};
  });
}

Result<std::vector<ListedApproval>> PgApprovalStore::list(const ApprovalListQuery& query) {
  return translate_errors("list approvals", [&]() -> Result<std::vector<ListedApproval>> {
    auto conn = pool_->acquire();
    auto [sql, params] = list_statement(query);
    auto rows = conn->exec(sql, params);
    std::vector<ListedApproval> page;
    for (int row = 0; row < rows.size(); ++row)
      page.push_back({rows.int64(row, kSeqColumn), read_approval(rows, row)});
    return page;
  });
}

Result<std::vector<Approval>> PgApprovalStore::expire_due(UnixMicros now, std::size_t limit) {
  return translate_errors("expire approvals", [&]() -> Result<std::vector<Approval>> {
    auto conn = pool_->acquire();
    Transaction tx(*conn);
    // SKIP LOCKED (PostgreSQL's, not plain SQL) lets each node's sweeper
    // take requests no other sweeper or decision holds, so none is expired
    // twice and none waits on another node.
    auto due = conn->exec(
        "UPDATE approvals SET status = 'expired' WHERE status = 'pending' AND id IN "
        "(SELECT id FROM approvals WHERE status = 'pending' AND expires_at <= $1 "
        "ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING project_id, id",
        Params().add(now).add(static_cast<std::int64_t>(limit)));
    std::vector<std::pair<std::int64_t, std::int64_t>> expired_ids;
    for (int row = 0; row < due.size(); ++row)
      expired_ids.emplace_back(due.int64(row, 0), due.int64(row, 1));
    // One project's chain head after another, in the same order on every
    // node, so that two sweepers appending events cannot deadlock.
    std::sort(expired_ids.begin(), expired_ids.end());
    std::vector<Approval> expired;
    for (const auto& [project, seq] : expired_ids) {
      auto [approval, agent] = approval_by_seq(*conn, seq);
      record_approval_event(*conn, approval, agent, "approval_expired", false, {}, now);
      expired.push_back(std::move(approval));
    }
    tx.commit();
    return expired;
  });
}

Result<std::optional<UnixMicros>> PgApprovalStore::earliest_pending_expiry() {
  return translate_errors("read next expiry", [&]() -> Result<std::optional<UnixMicros>> {
    auto conn = pool_->acquire();
    auto rows = conn->exec("SELECT min(expires_at) FROM approvals WHERE status = 'pending'");
    return rows.optional_int64(0, 0);
  });
}

}  // namespace agentsudo::server::postgres
