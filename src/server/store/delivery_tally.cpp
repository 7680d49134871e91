#include "server/store/delivery_tally.hpp"

#include <algorithm>

namespace agentsudo::server {

void DeliveryTally::add_event(std::int64_t project_rowid, const std::string& instance_id,
                              std::int64_t day, std::int64_t sequence) {
  DeliveryCount& count = days_[DeliveryKey{project_rowid, instance_id, day}];
  count.min_sequence = count.events == 0 ? sequence : std::min(count.min_sequence, sequence);
  count.max_sequence = std::max(count.max_sequence, sequence);
  ++count.events;
}

void DeliveryTally::add_dropped(std::int64_t project_rowid, const std::string& instance_id,
                                std::int64_t day, std::int64_t dropped) {
  DeliveryCount& count = days_[DeliveryKey{project_rowid, instance_id, day}];
  count.dropped = std::max(count.dropped, dropped);
}

}  // namespace agentsudo::server
