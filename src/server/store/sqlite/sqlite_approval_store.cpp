#include "server/store/sqlite/sqlite_approval_store.hpp"

#include <algorithm>
#include <cstring>

#include "core/uuid.hpp"
#include "server/store/approval_event_metadata.hpp"
#include "server/store/sqlite/approval_journal.hpp"

namespace agentsudo::server::sqlite {
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

std::optional<UnixMicros> optional_time(const Statement& row, int column) {
  if (row.column_is_null(column))
    return std::nullopt;
  return row.column_int64(column);
}

Approval read_approval(const Statement& row) {
  Approval approval;
  approval.id = row.column_text(1);
  approval.project_rowid = row.column_int64(2);
  approval.project_id = row.column_text(3);
  approval.agent_name = row.column_text(4);
  approval.scope = row.column_text(5);
  approval.function_name = row.column_text(6);
  approval.args_digest = row.column_text(7);
  approval.preview = row.column_text(8);
  approval.denial_reason = row.column_text(9);
  approval.status = status_from(row.column_text(10));
  approval.requested_at = row.column_int64(11);
  approval.expires_at = row.column_int64(12);
  approval.decided_by = row.column_text(13);
  approval.decided_at = optional_time(row, 14).value_or(0);
  approval.decision_reason = row.column_text(15);
  approval.grant_until = optional_time(row, 16);
  approval.spent_at = optional_time(row, 17);
  return approval;
}

NonceDigest read_nonce(const Statement& row) {
  NonceDigest digest{};
  std::string_view bytes = row.column_blob(kNonceColumn);
  std::memcpy(digest.data(), bytes.data(), std::min(bytes.size(), digest.size()));
  return digest;
}

// The approval with that rowid, as this connection sees it now.
Approval approval_by_seq(Database& db, std::int64_t seq) {
  auto row = db.prepare_cached(std::string(kSelectApproval) + "WHERE a.id = ?");
  row->bind(1, seq);
  row->step();
  return read_approval(*row);
}

std::int64_t agent_of(Database& db, std::int64_t seq) {
  auto row = db.prepare_cached("SELECT agent_id FROM approvals WHERE id = ?");
  row->bind(1, seq);
  row->step();
  return row->column_int64(0);
}

Error not_found(std::string_view id) {
  return make_error(ErrorKind::kNotFound, "no approval with id " + std::string(id));
}

// The agent's row, registered on first sight as the ingest path does.
std::int64_t resolve_agent(Database& db, std::int64_t project_rowid, std::string_view name,
                           UnixMicros now) {
  {
    auto find = db.prepare_cached("SELECT id FROM agents WHERE project_id = ? AND name = ?");
    find->bind(1, project_rowid);
    find->bind(2, name);
    if (find->step())
      return find->column_int64(0);
  }
  auto insert = db.prepare_cached(
      "INSERT INTO agents (uuid, project_id, name, created_at) VALUES (?, ?, ?, ?)");
  insert->bind(1, make_uuid_v7(now / 1000));
  insert->bind(2, project_rowid);
  insert->bind(3, name);
  insert->bind(4, now);
  insert->run();
  return db.last_insert_rowid();
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

std::optional<std::int64_t> seq_of(Database& db, std::int64_t project_rowid, std::string_view id) {
  auto row = db.prepare_cached("SELECT id FROM approvals WHERE project_id = ? AND uuid = ?");
  row->bind(1, project_rowid);
  row->bind(2, id);
  if (!row->step())
    return std::nullopt;
  return row->column_int64(0);
}

std::string list_sql(const ApprovalListQuery& query) {
  std::string sql = std::string(kSelectApproval) + "WHERE a.project_id = ?";
  if (query.status) {
    switch (*query.status) {
      case ApprovalStatus::kPending:
        sql += " AND a.status = 'pending' AND a.expires_at > ?";
        break;
      case ApprovalStatus::kExpired:
        sql += " AND (a.status = 'expired' OR (a.status = 'pending' AND a.expires_at <= ?))";
        break;
      case ApprovalStatus::kApproved:
      case ApprovalStatus::kDenied:
        sql += " AND a.status = ?";
        break;
    }
  }
  if (query.before_seq)
    sql += " AND a.id < ?";
  sql += " ORDER BY a.id DESC LIMIT ?";
  return sql;
}

void bind_list(Statement& statement, const ApprovalListQuery& query) {
  int index = 1;
  statement.bind(index++, query.project_rowid);
  if (query.status) {
    if (*query.status == ApprovalStatus::kPending || *query.status == ApprovalStatus::kExpired)
      statement.bind(index++, query.now);
    else
      statement.bind(index++, std::string_view(to_string(*query.status)));
  }
  if (query.before_seq)
    statement.bind(index++, *query.before_seq);
  statement.bind(index, static_cast<std::int64_t>(query.limit));
}

// Requests still waiting at `now`; counted on the pending index.
std::int64_t pending_count(Database& db, std::int64_t project_rowid, UnixMicros now) {
  auto count = db.prepare_cached(
      "SELECT count(*) FROM approvals WHERE project_id = ? AND status = 'pending' "
      "AND expires_at > ?");
  count->bind(1, project_rowid);
  count->bind(2, now);
  count->step();
  std::int64_t pending = count->column_int64(0);
  count->reset();
  return pending;
}

}  // namespace

SqliteApprovalStore::SqliteApprovalStore(std::unique_ptr<Database> writer,
                                         std::shared_ptr<ConnectionPool> readers)
    : writer_(std::move(writer)), readers_(std::move(readers)) {}

Result<RequestedApproval> SqliteApprovalStore::create(const ApprovalRequestRecord& request) {
  return translate_errors("create approval", [&]() -> Result<RequestedApproval> {
    const Approval& approval = request.approval;
    std::lock_guard lock(write_mutex_);
    Transaction tx(*writer_);
    if (pending_count(*writer_, approval.project_rowid, approval.requested_at) >=
        request.max_pending) {
      return make_error(ErrorKind::kRateLimited,
                        "the project already has " + std::to_string(request.max_pending) +
                            " approval requests waiting, the most it may hold; decide some or "
                            "let them expire");
    }
    std::int64_t agent =
        resolve_agent(*writer_, approval.project_rowid, approval.agent_name, approval.requested_at);
    auto insert = writer_->prepare_cached(
        "INSERT INTO approvals (uuid, project_id, agent_id, scope, function_name, args_digest, "
        "preview, denial_reason, nonce_sha256, status, requested_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)");
    insert->bind(1, approval.id);
    insert->bind(2, approval.project_rowid);
    insert->bind(3, agent);
    insert->bind(4, approval.scope);
    insert->bind(5, approval.function_name);
    insert->bind(6, approval.args_digest);
    insert->bind(7, approval.preview);
    insert->bind(8, approval.denial_reason);
    insert->bind_blob(9, request.nonce_digest.data(), request.nonce_digest.size());
    insert->bind(10, approval.requested_at);
    insert->bind(11, approval.expires_at);
    insert->run();
    RequestedApproval created{approval_by_seq(*writer_, writer_->last_insert_rowid()), {}};
    created.event_id = record_approval_event(
        *writer_, created.approval, agent, "approval_requested", false,
        requested_metadata(created.approval, request.policy_version), approval.requested_at);
    tx.commit();
    return created;
  });
}

Result<Approval> SqliteApprovalStore::decide(std::int64_t project_rowid, std::string_view id,
                                             const ApprovalDecision& decision) {
  return translate_errors("decide approval", [&]() -> Result<Approval> {
    std::lock_guard lock(write_mutex_);
    Transaction tx(*writer_);
    std::optional<std::int64_t> seq;
    {
      // Only a pending request within its time changes; anything else was
      // settled first, and the row says how.
      auto update = writer_->prepare_cached(
          "UPDATE approvals SET status = ?, decided_by = ?, decided_at = ?, "
          "decision_reason = ?, grant_until = ? "
          "WHERE project_id = ? AND uuid = ? AND status = 'pending' AND expires_at > ? "
          "RETURNING id");
      update->bind(1, std::string_view(decision.approve ? "approved" : "denied"));
      update->bind(2, decision.decided_by);
      update->bind(3, decision.decided_at);
      if (decision.reason.empty())
        update->bind_null(4);
      else
        update->bind(4, decision.reason);
      if (decision.grant_until)
        update->bind(5, *decision.grant_until);
      else
        update->bind_null(5);
      update->bind(6, project_rowid);
      update->bind(7, id);
      update->bind(8, decision.decided_at);
      if (update->step())
        seq = update->column_int64(0);
    }
    if (!seq) {
      auto existing = seq_of(*writer_, project_rowid, id);
      if (!existing)
        return not_found(id);
      return already_settled(approval_by_seq(*writer_, *existing));
    }
    Approval approval = approval_by_seq(*writer_, *seq);
    record_approval_event(*writer_, approval, agent_of(*writer_, *seq),
                          decision.approve ? "approval_granted" : "approval_denied",
                          decision.approve, decided_metadata(approval, decision.for_minutes),
                          decision.decided_at);
    tx.commit();
    return approval;
  });
}

Result<std::optional<Approval>> SqliteApprovalStore::redeem(std::int64_t project_rowid,
                                                            std::string_view id,
                                                            const ApprovalBinding& binding,
                                                            UnixMicros decided_since,
                                                            UnixMicros now) {
  return translate_errors("redeem approval", [&]() -> Result<std::optional<Approval>> {
    std::lock_guard lock(write_mutex_);
    Transaction tx(*writer_);
    std::optional<std::int64_t> seq;
    {
      auto spend = writer_->prepare_cached(
          "UPDATE approvals SET spent_at = ? WHERE project_id = ? AND uuid = ? "
          "AND status = 'approved' AND grant_until IS NULL AND spent_at IS NULL "
          "AND decided_at >= ? AND scope = ? AND function_name = ? AND args_digest = ? "
          "AND agent_id = (SELECT id FROM agents WHERE project_id = ? AND name = ?) "
          "RETURNING id");
      spend->bind(1, now);
      spend->bind(2, project_rowid);
      spend->bind(3, id);
      spend->bind(4, decided_since);
      spend->bind(5, binding.scope);
      spend->bind(6, binding.function_name);
      spend->bind(7, binding.args_digest);
      spend->bind(8, project_rowid);
      spend->bind(9, binding.agent_name);
      if (spend->step())
        seq = spend->column_int64(0);
    }
    if (!seq)
      return std::optional<Approval>();
    Approval approval = approval_by_seq(*writer_, *seq);
    tx.commit();
    return std::optional(std::move(approval));
  });
}

Result<std::optional<Approval>> SqliteApprovalStore::find_grant(std::int64_t project_rowid,
                                                                std::string_view agent_name,
                                                                std::string_view scope,
                                                                UnixMicros now) {
  return translate_errors("find grant", [&]() -> Result<std::optional<Approval>> {
    auto db = readers_->acquire();
    auto row = db->prepare_cached(
        std::string(kSelectApproval) +
        "WHERE a.project_id = ? AND a.agent_id = (SELECT id FROM agents WHERE project_id = ? "
        "AND name = ?) AND a.scope = ? AND a.grant_until > ? AND a.status = 'approved' "
        "ORDER BY a.grant_until DESC LIMIT 1");
    row->bind(1, project_rowid);
    row->bind(2, project_rowid);
    row->bind(3, agent_name);
    row->bind(4, scope);
    row->bind(5, now);
    if (!row->step())
      return std::optional<Approval>();
    return std::optional(read_approval(*row));
  });
}

Result<Approval> SqliteApprovalStore::find(std::int64_t project_rowid, std::string_view id) {
  ASSIGN_OR_RETURN(auto found, find_with_nonce(project_rowid, id));
  return std::move(found.approval);
}

Result<ApprovalWithNonce> SqliteApprovalStore::find_with_nonce(std::int64_t project_rowid,
                                                               std::string_view id) {
  return translate_errors("find approval", [&]() -> Result<ApprovalWithNonce> {
    auto db = readers_->acquire();
    auto row =
        db->prepare_cached(std::string(kSelectApproval) + "WHERE a.project_id = ? AND a.uuid = ?");
    row->bind(1, project_rowid);
    row->bind(2, id);
    if (!row->step())
      return not_found(id);
    return ApprovalWithNonce{read_approval(*row), read_nonce(*row)};
  });
}

Result<std::vector<ListedApproval>> SqliteApprovalStore::list(const ApprovalListQuery& query) {
  return translate_errors("list approvals", [&]() -> Result<std::vector<ListedApproval>> {
    auto db = readers_->acquire();
    auto rows = db->prepare_cached(list_sql(query));
    bind_list(*rows, query);
    std::vector<ListedApproval> page;
    while (rows->step())
      page.push_back({rows->column_int64(kSeqColumn), read_approval(*rows)});
    return page;
  });
}

Result<std::vector<Approval>> SqliteApprovalStore::expire_due(UnixMicros now, std::size_t limit) {
  return translate_errors("expire approvals", [&]() -> Result<std::vector<Approval>> {
    std::lock_guard lock(write_mutex_);
    Transaction tx(*writer_);
    std::vector<std::int64_t> due;
    {
      auto update = writer_->prepare_cached(
          "UPDATE approvals SET status = 'expired' WHERE id IN (SELECT id FROM approvals "
          "WHERE status = 'pending' AND expires_at <= ? ORDER BY expires_at LIMIT ?) "
          "RETURNING id");
      update->bind(1, now);
      update->bind(2, static_cast<std::int64_t>(limit));
      while (update->step())
        due.push_back(update->column_int64(0));
    }
    std::vector<Approval> expired;
    for (std::int64_t seq : due) {
      auto row = writer_->prepare_cached(std::string(kSelectApproval) + "WHERE a.id = ?");
      row->bind(1, seq);
      row->step();
      expired.push_back(read_approval(*row));
      std::int64_t agent = row->column_int64(kAgentColumn);
      record_approval_event(*writer_, expired.back(), agent, "approval_expired", false, {}, now);
    }
    tx.commit();
    return expired;
  });
}

Result<std::optional<UnixMicros>> SqliteApprovalStore::earliest_pending_expiry() {
  return translate_errors("read next expiry", [&]() -> Result<std::optional<UnixMicros>> {
    auto db = readers_->acquire();
    auto row = db->prepare_cached("SELECT min(expires_at) FROM approvals WHERE status = 'pending'");
    row->step();
    return optional_time(*row, 0);
  });
}

}  // namespace agentsudo::server::sqlite
