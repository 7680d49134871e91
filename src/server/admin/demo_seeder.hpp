#pragma once

#include <cstdint>
#include <functional>

#include "server/model/error.hpp"
#include "server/store/event_store.hpp"

namespace agentsudo::server {

struct DemoSeedOptions {
  std::int64_t project_rowid = 0;
  std::int64_t events = 0;
  int days = 30;
  // The newest event's time; the others spread over the `days` before it.
  UnixMicros end = 0;
  std::uint64_t random_seed = 0x5eed;
};

// Called after each commit with the number of events stored so far.
using SeedProgress = std::function<void(std::int64_t stored)>;

// Fills a project with realistic synthetic events: a dozen agents with their
// own scopes, sessions of a few hundred calls, about 10% denials spread over
// the actions that deny, timestamps in order across the days. Writes through
// EventStore::append in large transactions, so the analytics aggregates are
// exactly those of ingestion. Deterministic for a given seed.
Status seed_demo_events(EventStore& store, const DemoSeedOptions& options,
                        const SeedProgress& progress = {});

}  // namespace agentsudo::server
