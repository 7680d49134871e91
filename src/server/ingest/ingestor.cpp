#include "server/ingest/ingestor.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

#include "core/uuid.hpp"

namespace agentsudo::server {
namespace asio = boost::asio;

namespace {

// Submits a batch to the commit queue and resumes the awaiting coroutine on
// its own executor once the writer thread reports the commit.
asio::awaitable<Result<CommittedBatch>> commit(CommitQueue& commits, EventBatch& batch) {
  return asio::async_initiate<decltype(asio::use_awaitable), void(Result<CommittedBatch>)>(
      [queue = &commits, pending = &batch](auto handler) {
        auto executor = asio::get_associated_executor(handler);
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        queue->submit(*pending, [executor, shared](Result<CommittedBatch> result) {
          asio::post(executor, [shared, result = std::move(result)]() mutable {
            (*shared)(std::move(result));
          });
        });
      },
      asio::use_awaitable);
}

Error quota_exhausted(const QuotaDecision& decision, std::size_t requested) {
  std::string message = "daily event quota of " + std::to_string(decision.limit) +
                        " reached; it resets at " + format_rfc3339(decision.resets_at);
  if (requested > 1) {
    message = "this batch of " + std::to_string(requested) + " events does not fit in the " +
              std::to_string(decision.remaining) + " left of the daily quota of " +
              std::to_string(decision.limit) + "; it resets at " +
              format_rfc3339(decision.resets_at);
  }
  return make_error(ErrorKind::kRateLimited, std::move(message));
}

}  // namespace

Ingestor::Ingestor(QuotaCounter& quota, CommitQueue& commits, const Clock& clock, Metrics& metrics)
    : quota_(quota), commits_(commits), clock_(clock), metrics_(metrics) {}

asio::awaitable<IngestOutcome> Ingestor::ingest(const KeyOwner& owner, std::vector<Event> events,
                                                std::optional<DropReport> drops) {
  IngestOutcome outcome;
  UnixMicros now = clock_.now();
  outcome.batch.received_at = now;
  auto count = static_cast<std::int64_t>(events.size());
  auto decision = quota_.reserve(owner.project_rowid, owner.daily_quota, count, now);
  if (!decision) {
    outcome.error = decision.take_error();
    co_return outcome;
  }
  outcome.quota = *decision;
  if (!decision->granted) {
    metrics_.quota_rejections.add();
    outcome.error = quota_exhausted(*decision, events.size());
    co_return outcome;
  }

  EventBatch& batch = outcome.batch;
  batch.project_rowid = owner.project_rowid;
  batch.api_key_rowid = owner.key_rowid;
  batch.event_ids.reserve(events.size());
  for (const Event& event : events)
    batch.event_ids.push_back(event.id ? *event.id : make_uuid_v7(now / 1000));
  batch.events = std::move(events);
  batch.drops = std::move(drops);
  batch.daily_quota = owner.daily_quota;

  // The batch lives in this coroutine's frame, which stays suspended until
  // the writer thread is done with it.
  auto committed = co_await commit(commits_, batch);
  if (!committed) {
    quota_.release(owner.project_rowid, decision->day, count);
    if (committed.error().kind == ErrorKind::kStorageFull)
      metrics_.ingest_storage_full.add();
    outcome.error = committed.take_error();
    co_return outcome;
  }
  outcome.committed = std::move(*committed);
  settle_quota(owner, count, outcome);
  co_return outcome;
}

// What the store's count says after the commit: another node may have
// taken the rest of the day's quota first (the batch is then refused whole),
// and the headers report the smaller of the two counts' remainders.
void Ingestor::settle_quota(const KeyOwner& owner, std::int64_t count, IngestOutcome& outcome) {
  QuotaDecision& decision = *outcome.quota;
  const CommittedBatch& committed = outcome.committed;
  quota_.observe(owner.project_rowid, decision.day, committed.day_events);
  std::int64_t store_remaining = std::max<std::int64_t>(0, decision.limit - committed.day_events);
  if (committed.over_quota) {
    quota_.release(owner.project_rowid, decision.day, count);
    metrics_.quota_rejections.add();
    decision.granted = false;
    decision.remaining = store_remaining;
    outcome.error = quota_exhausted(decision, static_cast<std::size_t>(count));
    return;
  }
  // Duplicates were reserved like the rest but not stored: not charged.
  if (auto duplicates = static_cast<std::int64_t>(committed.duplicates.size()))
    quota_.release(owner.project_rowid, decision.day, duplicates);
  // The store's count in commit order: one value per batch of the day, and
  // true across nodes. The node's counter also holds reservations not yet
  // committed, taken in another order, so two responses could repeat it.
  decision.remaining = store_remaining;
}

Result<QuotaDecision> Ingestor::quota_status(const KeyOwner& owner) {
  return quota_.reserve(owner.project_rowid, owner.daily_quota, 0, clock_.now());
}

}  // namespace agentsudo::server
