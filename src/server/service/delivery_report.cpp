#include "server/service/delivery_report.hpp"

#include <algorithm>

namespace agentsudo::server {
namespace {

// The rows of one instance, oldest day first, into its report.
InstanceDelivery summarize_instance(std::vector<InstanceDay>::const_iterator first,
                                    std::vector<InstanceDay>::const_iterator last) {
  InstanceDelivery instance;
  instance.instance_id = first->instance_id;
  std::int64_t highest_before = 0;
  std::int64_t dropped_before = 0;
  for (auto row = first; row != last; ++row) {
    DeliveryDay day{row->day, row->events, row->min_sequence, row->max_sequence, 0, 0};
    day.dropped = std::max<std::int64_t>(0, row->dropped - dropped_before);
    dropped_before = std::max(dropped_before, row->dropped);
    if (row->max_sequence && *row->max_sequence > highest_before) {
      day.gaps = std::max<std::int64_t>(0, *row->max_sequence - highest_before - row->events);
      highest_before = *row->max_sequence;
    }
    instance.events += row->events;
    instance.days.push_back(day);
  }
  instance.highest_sequence = highest_before;
  instance.dropped = dropped_before;
  instance.gaps = std::max<std::int64_t>(0, instance.highest_sequence - instance.events);
  return instance;
}

}  // namespace

DeliveryReport summarize_delivery(const std::vector<InstanceDay>& rows) {
  DeliveryReport report;
  for (auto first = rows.begin(); first != rows.end();) {
    auto last = std::find_if(first, rows.end(), [&](const InstanceDay& row) {
      return row.instance_id != first->instance_id;
    });
    report.instances.push_back(summarize_instance(first, last));
    report.dropped += report.instances.back().dropped;
    report.gaps += report.instances.back().gaps;
    first = last;
  }
  std::stable_sort(report.instances.begin(), report.instances.end(),
                   [](const InstanceDelivery& a, const InstanceDelivery& b) {
                     return a.days.back().day > b.days.back().day;
                   });
  return report;
}

}  // namespace agentsudo::server
