#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace agentsudo {

// One record of a spool segment file. A batch record holds a request body
// exactly as it is POSTed; an ack record says the batch with the same id
// needs no replay.
//
// On disk, little-endian, a 28-byte header then the payload:
//   magic u32 "ASP1" | kind u8 | gzip u8 | 0 u16 | events u32 | id u64 |
//   length u32 | crc u32
// crc is zlib's crc32 over the header's bytes before it and the payload.
struct SpoolRecord {
  enum class Kind : std::uint8_t { kBatch = 1, kAck = 2 };
  Kind kind = Kind::kBatch;
  bool gzip = false;
  std::uint32_t events = 0;
  std::uint64_t id = 0;
  std::string payload;  // Empty for an ack.
};

inline constexpr std::size_t kSpoolRecordHeaderBytes = 28;

// Appends `record`'s bytes to `out`.
void encode_spool_record(const SpoolRecord& record, std::string& out);

// A batch record found in a segment: where its payload lies, not the payload.
struct SpooledBatchRef {
  std::uint64_t id = 0;
  bool gzip = false;
  std::uint32_t events = 0;
  std::uint64_t payload_offset = 0;
  std::uint32_t length = 0;
};

// What a segment holds after recovery.
struct SegmentScan {
  std::vector<SpooledBatchRef> batches;
  std::vector<std::uint64_t> acked_ids;
  // Bytes of whole, valid records from the start of the file.
  std::uint64_t valid_bytes = 0;
  // A short or corrupt record was found (a write torn by a crash) and the
  // file was truncated back to valid_bytes.
  bool torn_tail = false;
};

// Reads the segment at `path` record by record; the first record that is
// short, has a wrong magic or a wrong CRC ends it, and the file is truncated
// there so that later appends follow good records. Throws std::system_error
// when the file cannot be read or truncated.
SegmentScan recover_segment(const std::filesystem::path& path);

// fsyncs the directory `dir`, so that files created in it survive a crash.
// Throws std::system_error.
void sync_directory(const std::filesystem::path& dir);

// An open segment file, appended to with O_APPEND.
class SpoolSegmentFile {
 public:
  // Opens (creating it if needed) the segment at `path`. Throws std::system_error.
  explicit SpoolSegmentFile(const std::filesystem::path& path);
  ~SpoolSegmentFile();
  SpoolSegmentFile(const SpoolSegmentFile&) = delete;
  SpoolSegmentFile& operator=(const SpoolSegmentFile&) = delete;

  // Writes `bytes` at the end; with `durable`, waits for fdatasync. Returns
  // the offset they start at. Throws std::system_error.
  std::uint64_t append(std::string_view bytes, bool durable);

  // Reads `length` bytes at `offset`. Throws std::system_error.
  std::string read(std::uint64_t offset, std::uint32_t length) const;

  std::uint64_t size() const noexcept { return size_; }
  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

}  // namespace agentsudo
