// The telemetry queue's bounds and batches, without threads or HTTP.
#include "sdk/event_queue.hpp"

#include <gtest/gtest.h>

#include <string>

namespace agentsudo {
namespace {

EventRecord event_with_scope(std::string scope, UnixMicros timestamp = 0) {
  EventRecord event;
  event.timestamp = timestamp;
  event.check_scope = std::move(scope);
  return event;
}

TEST(EventQueue, ChargesTheRecordAndItsOwnStrings) {
  EventRecord small = event_with_scope("read:x");
  EXPECT_EQ(EventQueue::cost_of(small), sizeof(EventRecord));
  EventRecord long_scope = event_with_scope(std::string(300, 's'));
  EXPECT_GE(EventQueue::cost_of(long_scope), sizeof(EventRecord) + 301);
  EventRecord guardrail = event_with_scope("");
  guardrail.guardrail = std::make_unique<const GuardrailDetail>(
      GuardrailDetail{"blocked_keyword", "contains a blocked keyword", std::string(200, 'p')});
  EXPECT_GE(EventQueue::cost_of(guardrail), sizeof(EventRecord) + sizeof(GuardrailDetail) + 201);
}

TEST(EventQueue, RefusesWhatPassesTheByteBound) {
  std::size_t cost = EventQueue::cost_of(event_with_scope("read:x"));
  EventQueue queue(/*batch_size=*/4, /*max_bytes=*/10 * cost, /*max_events=*/0);
  for (int i = 0; i < 10; ++i) {
    EventRecord event = event_with_scope("read:x");
    EXPECT_NE(queue.push(std::move(event), cost), EventQueue::PushResult::kRefused) << i;
  }
  EventRecord refused = event_with_scope("read:kept-by-the-caller");
  EXPECT_EQ(queue.push(std::move(refused), cost), EventQueue::PushResult::kRefused);
  EXPECT_EQ(refused.check_scope, "read:kept-by-the-caller");
  EXPECT_EQ(queue.size(), 10U);
  EXPECT_EQ(queue.bytes(), 10 * cost);

  // A taken batch stays charged until it is given back.
  EventBatch batch = queue.take_batch();
  EXPECT_EQ(batch.count, 4U);
  EXPECT_EQ(queue.size(), 6U);
  EventRecord still_refused = event_with_scope("read:x");
  EXPECT_EQ(queue.push(std::move(still_refused), cost), EventQueue::PushResult::kRefused);
  batch.events.clear();
  queue.give_back(std::move(batch));
  EXPECT_EQ(queue.bytes(), 6 * cost);
  EventRecord fits = event_with_scope("read:x");
  EXPECT_NE(queue.push(std::move(fits), cost), EventQueue::PushResult::kRefused);
}

TEST(EventQueue, RefusesWhatPassesTheEventBound) {
  EventQueue queue(2, 1 << 20, 3);
  for (int i = 0; i < 3; ++i)
    ASSERT_NE(queue.push(event_with_scope("a"), 1), EventQueue::PushResult::kRefused);
  EXPECT_EQ(queue.push(event_with_scope("a"), 1), EventQueue::PushResult::kRefused);
}

TEST(EventQueue, HandsOutBatchesOldestFirstAndSaysWhenOneFills) {
  EventQueue queue(3, 1 << 20, 0);
  EXPECT_EQ(queue.push(event_with_scope("1", 10), 1), EventQueue::PushResult::kQueued);
  EXPECT_EQ(queue.push(event_with_scope("2", 20), 1), EventQueue::PushResult::kQueued);
  EXPECT_FALSE(queue.has_full_batch());
  EXPECT_EQ(queue.push(event_with_scope("3", 30), 1), EventQueue::PushResult::kFilledBatch);
  EXPECT_TRUE(queue.has_full_batch());
  EXPECT_EQ(queue.push(event_with_scope("4", 40), 1), EventQueue::PushResult::kQueued);
  EXPECT_EQ(queue.oldest_timestamp(), 10);
  EventBatch first = queue.take_batch();
  ASSERT_EQ(first.events.size(), 3U);
  EXPECT_EQ(first.events[0].check_scope, "1");
  EXPECT_EQ(first.events[2].check_scope, "3");
  EXPECT_EQ(queue.oldest_timestamp(), 40);
  EventBatch partial = queue.take_batch();
  EXPECT_EQ(partial.count, 1U);
  EXPECT_TRUE(queue.empty());
}

TEST(EventQueue, ReleaseDropsAndRefusesAfterwards) {
  EventQueue queue(3, 1 << 20, 0);
  for (int i = 0; i < 5; ++i)
    queue.push(event_with_scope("a"), 1);
  EXPECT_EQ(queue.release(), 5U);
  EXPECT_EQ(queue.bytes(), 0U);
  EXPECT_EQ(queue.push(event_with_scope("a"), 1), EventQueue::PushResult::kRefused);
}

}  // namespace
}  // namespace agentsudo
