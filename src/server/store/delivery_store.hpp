#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/model/error.hpp"

namespace agentsudo::server {

// One SDK instance's day in a project, as sdk_delivery holds it.
struct InstanceDay {
  std::string instance_id;
  std::int64_t day = 0;  // see utc_day()
  std::int64_t events = 0;
  std::optional<std::int64_t> min_sequence;  // unset: no numbered event that day
  std::optional<std::int64_t> max_sequence;
  std::int64_t dropped = 0;  // the highest cumulative drop count reported that day
};

// Loss across every project and instance: what the instances reported
// dropping, and the sequence numbers never received.
struct DeliveryTotals {
  std::int64_t dropped = 0;
  std::int64_t gaps = 0;
};

// Reads of what the commit writer keeps about SDK delivery (EventStore::append).
// Thread-safe.
class DeliveryStore {
 public:
  virtual ~DeliveryStore() = default;

  // Every day of the project's `max_instances` instances most recently
  // active on or after `since_day`, by instance then day.
  virtual Result<std::vector<InstanceDay>> instance_days(std::int64_t project_rowid,
                                                         std::int64_t since_day,
                                                         std::size_t max_instances) = 0;

  virtual Result<DeliveryTotals> totals() = 0;
};

}  // namespace agentsudo::server
