#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <string>

namespace agentsudo::server {

// One SDK instance's day in one project.
struct DeliveryKey {
  std::int64_t project_rowid = 0;
  std::string instance_id;
  std::int64_t day = 0;  // see utc_day()
  auto operator<=>(const DeliveryKey&) const = default;
};

// What an instance's events and drop reports said on a day. A sequence of 0
// means the instance sent no numbered event that day.
struct DeliveryCount {
  std::int64_t events = 0;
  std::int64_t min_sequence = 0;
  std::int64_t max_sequence = 0;
  std::int64_t dropped = 0;  // the highest cumulative AgentSudo-Dropped reported
};

// What one group commit adds to sdk_delivery, summed in memory so the store
// upserts each (project, instance, day) once per commit. Only events actually
// stored are added, so a retried duplicate is never counted twice. Not
// thread-safe: the commit writer owns one per transaction.
class DeliveryTally {
 public:
  void add_event(std::int64_t project_rowid, const std::string& instance_id, std::int64_t day,
                 std::int64_t sequence);
  void add_dropped(std::int64_t project_rowid, const std::string& instance_id, std::int64_t day,
                   std::int64_t dropped);

  const std::map<DeliveryKey, DeliveryCount>& days() const { return days_; }
  void clear() { days_.clear(); }

 private:
  std::map<DeliveryKey, DeliveryCount> days_;
};

}  // namespace agentsudo::server
