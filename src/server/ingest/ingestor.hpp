#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <vector>

#include "core/event.hpp"
#include "server/ingest/commit_queue.hpp"
#include "server/metrics/metrics.hpp"
#include "server/model/clock.hpp"
#include "server/model/error.hpp"
#include "server/quota/quota_counter.hpp"
#include "server/store/project_store.hpp"

namespace agentsudo::server {

// What became of a request's events.
struct IngestOutcome {
  std::optional<Error> error;          // unset when every event is durable
  std::optional<QuotaDecision> quota;  // set once the quota was consulted
  EventBatch batch;                    // the events with their ids and receipt time
  CommittedBatch committed;            // their agent ids, once stored
};

// Accepts validated events for a project: takes them out of today's quota,
// gives them their ids (the client's event_id, else a minted one), and
// completes only once the group commit has made them durable. All of a
// request's events are stored, or none; duplicates of events already stored
// are acknowledged and given back to the quota. Thread-safe.
class Ingestor {
 public:
  Ingestor(QuotaCounter& quota, CommitQueue& commits, const Clock& clock, Metrics& metrics);

  // `drops` is what the sending SDK process reported about its losses.
  boost::asio::awaitable<IngestOutcome> ingest(const KeyOwner& owner, std::vector<Event> events,
                                               std::optional<DropReport> drops = std::nullopt);

  // Where the project stands against today's quota, without using any of it.
  Result<QuotaDecision> quota_status(const KeyOwner& owner);

 private:
  void settle_quota(const KeyOwner& owner, std::int64_t count, IngestOutcome& outcome);

  QuotaCounter& quota_;
  CommitQueue& commits_;
  const Clock& clock_;
  Metrics& metrics_;
};

}  // namespace agentsudo::server
