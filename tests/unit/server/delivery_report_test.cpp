// summarize_delivery: loss attributed to SDK instances and days from the
// rows the commit writer keeps.

#include "server/service/delivery_report.hpp"

#include <gtest/gtest.h>

namespace agentsudo::server {
namespace {

InstanceDay row(std::string instance, std::int64_t day, std::int64_t events, std::int64_t low,
                std::int64_t high, std::int64_t dropped) {
  return InstanceDay{std::move(instance), day, events, low, high, dropped};
}

TEST(SummarizeDelivery, NoRowsIsNoLoss) {
  DeliveryReport report = summarize_delivery({});
  EXPECT_EQ(report.dropped, 0);
  EXPECT_EQ(report.gaps, 0);
  EXPECT_TRUE(report.instances.empty());
}

TEST(SummarizeDelivery, GapsAreTheHighestNumberLessTheNumbersReceived) {
  // Sequences 1, 2 and 5 received: 3 and 4 never were.
  DeliveryReport report = summarize_delivery({row("a", 100, 3, 1, 5, 0)});
  ASSERT_EQ(report.instances.size(), 1u);
  EXPECT_EQ(report.instances[0].gaps, 2);
  EXPECT_EQ(report.instances[0].highest_sequence, 5);
  EXPECT_EQ(report.instances[0].days[0].gaps, 2);
  EXPECT_EQ(report.gaps, 2);
}

TEST(SummarizeDelivery, EachDayGetsTheDropsAndGapsFirstSeenThatDay) {
  DeliveryReport report = summarize_delivery({
      row("a", 100, 10, 1, 10, 3),  // none missing, 3 dropped so far
      row("a", 101, 5, 14, 20, 7),  // 11..20 minus 5 received: 5 gaps, 4 more dropped
  });
  const InstanceDelivery& instance = report.instances.at(0);
  EXPECT_EQ(instance.days.at(0).gaps, 0);
  EXPECT_EQ(instance.days.at(0).dropped, 3);
  EXPECT_EQ(instance.days.at(1).gaps, 5);
  EXPECT_EQ(instance.days.at(1).dropped, 4);
  EXPECT_EQ(instance.gaps, 5);
  EXPECT_EQ(instance.dropped, 7);
}

TEST(SummarizeDelivery, ADropReportWithoutEventsCountsDropsOnly) {
  InstanceDay only_drops{"b", 100, 0, std::nullopt, std::nullopt, 9};
  DeliveryReport report = summarize_delivery({only_drops});
  EXPECT_EQ(report.dropped, 9);
  EXPECT_EQ(report.gaps, 0);
  EXPECT_EQ(report.instances.at(0).highest_sequence, 0);
}

TEST(SummarizeDelivery, InstancesAddUpAndTheLatestComesFirst) {
  DeliveryReport report = summarize_delivery({
      row("a", 100, 2, 1, 4, 1),
      row("b", 102, 1, 2, 2, 0),
  });
  ASSERT_EQ(report.instances.size(), 2u);
  EXPECT_EQ(report.instances[0].instance_id, "b");
  EXPECT_EQ(report.gaps, 2 + 1);
  EXPECT_EQ(report.dropped, 1);
}

}  // namespace
}  // namespace agentsudo::server
