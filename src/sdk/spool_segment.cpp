#include "sdk/spool_segment.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <system_error>

namespace agentsudo {
namespace {

constexpr std::uint32_t kMagic = 0x31505341;  // "ASP1" read little-endian.
// Larger lengths are corruption: no request body comes near it.
constexpr std::uint32_t kMaxPayload = 256u * 1024 * 1024;

[[noreturn]] void throw_errno(const std::string& what, const std::filesystem::path& path) {
  throw std::system_error(errno, std::generic_category(), what + " " + path.string());
}

void put_le(std::string& out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

std::uint64_t get_le(const unsigned char* in, int bytes) {
  std::uint64_t value = 0;
  for (int i = bytes - 1; i >= 0; --i)
    value = (value << 8) | in[i];
  return value;
}

std::uint32_t crc_of(std::string_view header, std::string_view payload) {
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, reinterpret_cast<const Bytef*>(header.data()), static_cast<uInt>(header.size()));
  crc =
      crc32(crc, reinterpret_cast<const Bytef*>(payload.data()), static_cast<uInt>(payload.size()));
  return static_cast<std::uint32_t>(crc);
}

std::string read_whole(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw_errno("open", path);
  std::string data;
  char chunk[65536];
  while (true) {
    ssize_t got = ::read(fd, chunk, sizeof chunk);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      ::close(fd);
      throw_errno("read", path);
    }
    if (got == 0)
      break;
    data.append(chunk, static_cast<std::size_t>(got));
  }
  ::close(fd);
  return data;
}

}  // namespace

void encode_spool_record(const SpoolRecord& record, std::string& out) {
  std::string header;
  header.reserve(kSpoolRecordHeaderBytes);
  put_le(header, kMagic, 4);
  put_le(header, static_cast<std::uint8_t>(record.kind), 1);
  put_le(header, record.gzip ? 1 : 0, 1);
  put_le(header, 0, 2);
  put_le(header, record.events, 4);
  put_le(header, record.id, 8);
  put_le(header, record.payload.size(), 4);
  put_le(header, crc_of(header, record.payload), 4);
  out += header;
  out += record.payload;
}

SegmentScan recover_segment(const std::filesystem::path& path) {
  std::string data = read_whole(path);
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  SegmentScan scan;
  std::uint64_t at = 0;
  while (at < data.size()) {
    if (data.size() - at < kSpoolRecordHeaderBytes)
      break;
    const unsigned char* header = bytes + at;
    auto length = static_cast<std::uint32_t>(get_le(header + 20, 4));
    auto kind = static_cast<SpoolRecord::Kind>(header[4]);
    bool known_kind = kind == SpoolRecord::Kind::kBatch || kind == SpoolRecord::Kind::kAck;
    if (get_le(header, 4) != kMagic || !known_kind || length > kMaxPayload ||
        data.size() - at - kSpoolRecordHeaderBytes < length)
      break;
    std::string_view header_view(data.data() + at, kSpoolRecordHeaderBytes - 4);
    std::string_view payload(data.data() + at + kSpoolRecordHeaderBytes, length);
    if (crc_of(header_view, payload) != get_le(header + 24, 4))
      break;
    std::uint64_t id = get_le(header + 12, 8);
    if (kind == SpoolRecord::Kind::kBatch) {
      scan.batches.push_back(
          SpooledBatchRef{.id = id,
                          .gzip = header[5] != 0,
                          .events = static_cast<std::uint32_t>(get_le(header + 8, 4)),
                          .payload_offset = at + kSpoolRecordHeaderBytes,
                          .length = length});
    } else {
      scan.acked_ids.push_back(id);
    }
    at += kSpoolRecordHeaderBytes + length;
  }
  scan.valid_bytes = at;
  if (at < data.size()) {
    scan.torn_tail = true;
    if (::truncate(path.c_str(), static_cast<off_t>(at)) != 0)
      throw_errno("truncate", path);
  }
  return scan;
}

void sync_directory(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    throw_errno("open", dir);
  int synced = ::fsync(fd);
  ::close(fd);
  if (synced != 0)
    throw_errno("fsync", dir);
}

SpoolSegmentFile::SpoolSegmentFile(const std::filesystem::path& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0)
    throw_errno("open", path);
  struct stat status {};
  if (::fstat(fd_, &status) != 0) {
    ::close(fd_);
    throw_errno("stat", path);
  }
  size_ = static_cast<std::uint64_t>(status.st_size);
}

SpoolSegmentFile::~SpoolSegmentFile() {
  ::close(fd_);
}

std::uint64_t SpoolSegmentFile::append(std::string_view bytes, bool durable) {
  std::uint64_t start = size_;
  std::size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd_, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int error = errno;
      // Cut a partial record off so that the next one starts on a boundary.
      if (::ftruncate(fd_, static_cast<off_t>(start)) != 0) {
        // The tail stays torn; recovery at the next start skips it.
      }
      errno = error;
      throw_errno("write", path_);
    }
    written += static_cast<std::size_t>(n);
  }
  size_ += bytes.size();
  if (durable && ::fdatasync(fd_) != 0)
    throw_errno("fdatasync", path_);
  return start;
}

std::string SpoolSegmentFile::read(std::uint64_t offset, std::uint32_t length) const {
  std::string out(length, '\0');
  std::size_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(fd_, out.data() + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      throw_errno("pread", path_);
    done += static_cast<std::size_t>(n);
  }
  return out;
}

}  // namespace agentsudo
