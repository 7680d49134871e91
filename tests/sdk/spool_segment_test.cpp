// The spool's record format: a round trip, and a torn or corrupt last record
// (what a crash mid-write leaves) skipped and cut off, never read as a batch.
#include "sdk/spool_segment.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace agentsudo {
namespace {

class SpoolSegment : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "spool-seg-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = dir_ / "segment";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static SpoolRecord batch(std::uint64_t id, std::string payload) {
    return SpoolRecord{.kind = SpoolRecord::Kind::kBatch,
                       .gzip = id % 2 == 0,
                       .events = static_cast<std::uint32_t>(id * 10),
                       .id = id,
                       .payload = std::move(payload)};
  }

  // Writes three batch records and an ack; returns the file's size after each.
  std::vector<std::uint64_t> write_three_and_an_ack() {
    SpoolSegmentFile file(path_);
    std::vector<std::uint64_t> ends;
    for (std::uint64_t id = 1; id <= 3; ++id) {
      std::string bytes;
      encode_spool_record(batch(id, "[{\"n\":" + std::to_string(id) + "}]"), bytes);
      file.append(bytes, true);
      ends.push_back(file.size());
    }
    std::string ack;
    encode_spool_record(SpoolRecord{.kind = SpoolRecord::Kind::kAck, .id = 2}, ack);
    file.append(ack, false);
    ends.push_back(file.size());
    return ends;
  }

  std::filesystem::path dir_;
  std::filesystem::path path_;
};

TEST_F(SpoolSegment, RecordsRoundTrip) {
  write_three_and_an_ack();
  SegmentScan scan = recover_segment(path_);
  EXPECT_FALSE(scan.torn_tail);
  ASSERT_EQ(scan.batches.size(), 3U);
  EXPECT_EQ(scan.acked_ids, std::vector<std::uint64_t>{2});
  SpoolSegmentFile file(path_);
  for (std::uint64_t id = 1; id <= 3; ++id) {
    const SpooledBatchRef& ref = scan.batches[id - 1];
    EXPECT_EQ(ref.id, id);
    EXPECT_EQ(ref.gzip, id % 2 == 0);
    EXPECT_EQ(ref.events, id * 10);
    EXPECT_EQ(file.read(ref.payload_offset, ref.length), "[{\"n\":" + std::to_string(id) + "}]");
  }
  EXPECT_EQ(scan.valid_bytes, std::filesystem::file_size(path_));
}

TEST_F(SpoolSegment, TornLastRecordIsSkippedAndCutOff) {
  auto ends = write_three_and_an_ack();
  // A crash in the middle of the third record: its header whole, payload short.
  std::filesystem::resize_file(path_, ends[1] + kSpoolRecordHeaderBytes + 3);
  SegmentScan scan = recover_segment(path_);
  EXPECT_TRUE(scan.torn_tail);
  ASSERT_EQ(scan.batches.size(), 2U);
  EXPECT_TRUE(scan.acked_ids.empty());
  EXPECT_EQ(scan.valid_bytes, ends[1]);
  EXPECT_EQ(std::filesystem::file_size(path_), ends[1]);
}

TEST_F(SpoolSegment, ShortHeaderIsSkippedAndCutOff) {
  auto ends = write_three_and_an_ack();
  std::filesystem::resize_file(path_, ends[2] + 5);
  SegmentScan scan = recover_segment(path_);
  EXPECT_TRUE(scan.torn_tail);
  EXPECT_EQ(scan.batches.size(), 3U);
  EXPECT_EQ(std::filesystem::file_size(path_), ends[2]);
}

TEST_F(SpoolSegment, BadCrcEndsTheSegmentThere) {
  auto ends = write_three_and_an_ack();
  {
    // One payload byte of the third record changed behind the spool's back.
    std::fstream file(path_, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(ends[1] + kSpoolRecordHeaderBytes + 1));
    file.put('X');
  }
  SegmentScan scan = recover_segment(path_);
  EXPECT_TRUE(scan.torn_tail);
  ASSERT_EQ(scan.batches.size(), 2U);
  EXPECT_EQ(scan.batches.back().id, 2U);
  EXPECT_EQ(std::filesystem::file_size(path_), ends[1]);
  // Appends after recovery follow the good records and read back whole.
  {
    SpoolSegmentFile file(path_);
    std::string bytes;
    encode_spool_record(batch(9, "[]"), bytes);
    file.append(bytes, true);
  }
  SegmentScan again = recover_segment(path_);
  EXPECT_FALSE(again.torn_tail);
  ASSERT_EQ(again.batches.size(), 3U);
  EXPECT_EQ(again.batches.back().id, 9U);
}

TEST_F(SpoolSegment, AFlippedStoredCrcEndsTheSegmentThere) {
  auto ends = write_three_and_an_ack();
  {
    std::fstream file(path_, std::ios::in | std::ios::out | std::ios::binary);
    // The first byte of the third record's stored CRC (the header's last field).
    auto at = static_cast<std::streamoff>(ends[1] + kSpoolRecordHeaderBytes - 4);
    file.seekg(at);
    char byte = 0;
    file.get(byte);
    file.seekp(at);
    file.put(static_cast<char>(byte ^ 0x01));
  }
  SegmentScan scan = recover_segment(path_);
  EXPECT_TRUE(scan.torn_tail);
  EXPECT_EQ(scan.batches.size(), 2U);
  EXPECT_EQ(std::filesystem::file_size(path_), ends[1]);
}

TEST_F(SpoolSegment, GarbageIsNotARecord) {
  std::ofstream(path_, std::ios::binary) << std::string(100, 'z');
  SegmentScan scan = recover_segment(path_);
  EXPECT_TRUE(scan.torn_tail);
  EXPECT_TRUE(scan.batches.empty());
  EXPECT_EQ(std::filesystem::file_size(path_), 0U);
}

}  // namespace
}  // namespace agentsudo
