#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/store/delivery_store.hpp"

namespace agentsudo::server {

// An instance's day with its loss attributed: the drops first reported that
// day, and the numbers skipped up to that day's highest that were not
// received (a number filled in later counts no more).
struct DeliveryDay {
  std::int64_t day = 0;
  std::int64_t events = 0;
  std::optional<std::int64_t> min_sequence;
  std::optional<std::int64_t> max_sequence;
  std::int64_t dropped = 0;
  std::int64_t gaps = 0;
};

struct InstanceDelivery {
  std::string instance_id;
  std::int64_t events = 0;            // numbered events stored
  std::int64_t highest_sequence = 0;  // 0 when none
  std::int64_t dropped = 0;           // the instance's latest cumulative report
  std::int64_t gaps = 0;              // highest_sequence - events, never below 0
  std::vector<DeliveryDay> days;      // oldest first
};

struct DeliveryReport {
  std::int64_t dropped = 0;
  std::int64_t gaps = 0;
  std::vector<InstanceDelivery> instances;  // most recently active first
};

// Attributes loss to instances and days from sdk_delivery's rows (ordered by
// instance, then day). Each stored event is stored once, so an instance's
// events are distinct numbers and its gaps are its highest number less them.
DeliveryReport summarize_delivery(const std::vector<InstanceDay>& rows);

}  // namespace agentsudo::server
