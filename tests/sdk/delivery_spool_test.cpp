// The spool across restarts: what was not acknowledged is replayed oldest
// first, acknowledged batches never, segments roll and go once acknowledged,
// the byte bound refuses, and a torn record is skipped.
#include "sdk/delivery_spool.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <system_error>

namespace agentsudo {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::uint64_t kLarge = 1 << 30;

class Spool : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "spool-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static std::string body(int n) { return "[{\"n\":" + std::to_string(n) + "}]"; }

  // Every batch offered for replay now, in the order given.
  static std::vector<std::string> replay_all(DeliverySpool& spool) {
    std::vector<std::string> bodies;
    while (auto batch = spool.take_replay(Clock::now()))
      bodies.push_back(batch->body);
    return bodies;
  }

  std::size_t segment_files() const {
    std::size_t count = 0;
    for (const auto& item : std::filesystem::directory_iterator(dir_))
      count += item.path().extension() == ".spool" ? 1 : 0;
    return count;
  }

  std::filesystem::path dir_;
};

TEST_F(Spool, ReplaysWhatWasNotAcknowledgedInOrder) {
  {
    DeliverySpool spool(dir_, kLarge);
    for (int n = 1; n <= 5; ++n)
      ASSERT_TRUE(spool.append(body(n), false, 1).has_value());
    spool.acknowledge(2);
    spool.acknowledge(4);
    EXPECT_EQ(spool.holdings().events, 3U);
    // In flight in this run: not offered until released.
    EXPECT_TRUE(replay_all(spool).empty());
  }
  DeliverySpool reopened(dir_, kLarge);
  EXPECT_EQ(reopened.holdings().events, 3U);
  EXPECT_EQ(replay_all(reopened), (std::vector<std::string>{body(1), body(3), body(5)}));
}

TEST_F(Spool, ReleasedBatchesWaitTheirTime) {
  DeliverySpool spool(dir_, kLarge);
  auto id = spool.append(body(1), true, 7);
  ASSERT_TRUE(id);
  spool.release(*id, Clock::now() + std::chrono::hours(1));
  EXPECT_FALSE(spool.take_replay(Clock::now()));
  auto later = spool.take_replay(Clock::now() + std::chrono::hours(2));
  ASSERT_TRUE(later);
  EXPECT_EQ(later->body, body(1));
  EXPECT_TRUE(later->gzip);
  EXPECT_EQ(later->events, 7U);
  // Taken again for a replay: no other sender gets it meanwhile.
  EXPECT_FALSE(spool.take_replay(Clock::now() + std::chrono::hours(2)));
  spool.acknowledge(later->id);
  EXPECT_EQ(spool.holdings().events, 0U);
}

TEST_F(Spool, AcknowledgedSegmentsAreDeleted) {
  const std::uint64_t segment_bytes = 200;  // About two records each.
  std::vector<std::uint64_t> ids;
  {
    DeliverySpool spool(dir_, kLarge, segment_bytes);
    for (int n = 1; n <= 8; ++n)
      ids.push_back(*spool.append(std::string(60, 'a' + static_cast<char>(n)), false, 1));
    EXPECT_GE(segment_files(), 3U);
    for (std::uint64_t id : ids)
      spool.acknowledge(id);
    // Only the segment still written to remains.
    EXPECT_EQ(segment_files(), 1U);
    EXPECT_EQ(spool.holdings().events, 0U);
  }
  DeliverySpool reopened(dir_, kLarge, segment_bytes);
  EXPECT_TRUE(replay_all(reopened).empty());
  EXPECT_EQ(segment_files(), 0U);
}

TEST_F(Spool, RefusesPastItsBound) {
  DeliverySpool spool(dir_, 3 * (kSpoolRecordHeaderBytes + 100));
  std::string hundred(100, 'x');
  EXPECT_TRUE(spool.append(hundred, false, 1));
  EXPECT_TRUE(spool.append(hundred, false, 1));
  EXPECT_TRUE(spool.append(hundred, false, 1));
  EXPECT_FALSE(spool.append(hundred, false, 1));
  EXPECT_EQ(spool.holdings().events, 3U);
  EXPECT_LE(spool.holdings().bytes, 3 * (kSpoolRecordHeaderBytes + 100));
}

TEST_F(Spool, TornLastRecordIsNotReplayed) {
  {
    DeliverySpool spool(dir_, kLarge);
    spool.append(body(1), false, 1);
    spool.append(body(2), false, 1);
  }
  std::filesystem::path segment;
  for (const auto& item : std::filesystem::directory_iterator(dir_)) {
    if (item.path().extension() == ".spool")
      segment = item.path();
  }
  std::filesystem::resize_file(segment, std::filesystem::file_size(segment) - 2);
  DeliverySpool reopened(dir_, kLarge);
  EXPECT_EQ(reopened.torn_records(), 1U);
  EXPECT_EQ(replay_all(reopened), std::vector<std::string>{body(1)});
}

TEST_F(Spool, OneSpoolPerDirectory) {
  {
    DeliverySpool spool(dir_, kLarge);
    EXPECT_THROW(DeliverySpool(dir_, kLarge), std::system_error);
  }
  EXPECT_NO_THROW(DeliverySpool(dir_, kLarge));
}

TEST_F(Spool, IdsKeepGrowingAcrossRestarts) {
  std::uint64_t first = 0;
  {
    DeliverySpool spool(dir_, kLarge);
    first = *spool.append(body(1), false, 1);
  }
  DeliverySpool reopened(dir_, kLarge);
  auto second = reopened.append(body(2), false, 1);
  ASSERT_TRUE(second);
  EXPECT_GT(*second, first);
  reopened.release(*second, Clock::now());
  EXPECT_EQ(replay_all(reopened), (std::vector<std::string>{body(1), body(2)}));
}

}  // namespace
}  // namespace agentsudo
