#include "sdk/delivery_spool.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <set>
#include <system_error>
#include <vector>

namespace agentsudo {
namespace {

constexpr const char* kSegmentPrefix = "segment-";
constexpr const char* kSegmentSuffix = ".spool";

// "segment-<first id, 20 digits>.spool": names sort in id order.
std::optional<std::uint64_t> first_id_of(const std::filesystem::path& path) {
  std::string name = path.filename().string();
  std::string prefix = kSegmentPrefix;
  std::string suffix = kSegmentSuffix;
  if (name.size() != prefix.size() + 20 + suffix.size() || !name.starts_with(prefix) ||
      !name.ends_with(suffix))
    return std::nullopt;
  std::string digits = name.substr(prefix.size(), 20);
  if (digits.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoull(digits);
}

}  // namespace

DeliverySpool::DeliverySpool(std::filesystem::path dir, std::uint64_t max_bytes,
                             std::uint64_t segment_bytes)
    : dir_(std::move(dir)), max_bytes_(max_bytes), segment_bytes_(segment_bytes) {
  std::filesystem::create_directories(dir_);
  std::filesystem::path lock_path = dir_ / "lock";
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0)
    throw std::system_error(errno, std::generic_category(), "open " + lock_path.string());
  // Two spools on one directory would write the same segment names.
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    int error = errno;
    ::close(lock_fd_);
    throw std::system_error(error, std::generic_category(),
                            "another telemetry client uses " + dir_.string());
  }
  try {
    recover();
  } catch (...) {
    ::close(lock_fd_);
    throw;
  }
}

DeliverySpool::~DeliverySpool() {
  segments_.clear();
  ::close(lock_fd_);  // Releases the flock.
}

std::filesystem::path DeliverySpool::segment_path(std::uint64_t first_id) const {
  char name[64];
  std::snprintf(name, sizeof name, "%s%020llu%s", kSegmentPrefix,
                static_cast<unsigned long long>(first_id), kSegmentSuffix);
  return dir_ / name;
}

void DeliverySpool::recover() {
  std::vector<std::pair<std::uint64_t, std::filesystem::path>> found;
  for (const auto& item : std::filesystem::directory_iterator(dir_)) {
    if (auto first = first_id_of(item.path()); first && item.is_regular_file())
      found.emplace_back(*first, item.path());
  }
  std::sort(found.begin(), found.end());
  std::set<std::uint64_t> acked;
  std::vector<std::pair<std::uint64_t, SegmentScan>> scans;
  for (auto& [first, path] : found) {
    SegmentScan scan = recover_segment(path);
    torn_records_ += scan.torn_tail ? 1 : 0;
    acked.insert(scan.acked_ids.begin(), scan.acked_ids.end());
    scans.emplace_back(first, std::move(scan));
  }
  for (auto& [first, scan] : scans) {
    Segment segment;
    for (const SpooledBatchRef& batch : scan.batches) {
      next_id_ = std::max(next_id_, batch.id + 1);
      if (acked.contains(batch.id))
        continue;
      unacked_[batch.id] = Entry{.segment = first, .where = batch};
      events_ += batch.events;
      ++offered_;
      ++segment.unacked;
    }
    std::filesystem::path path = segment_path(first);
    if (segment.unacked == 0) {
      std::filesystem::remove(path);
      continue;
    }
    segment.file = std::make_unique<SpoolSegmentFile>(path);
    bytes_ += segment.file->size();
    segments_.emplace(first, std::move(segment));
  }
  publish_next_replay();
}

void DeliverySpool::publish_next_replay() {
  next_replay_ticks_.store(
      offered_ == 0 ? kNothingOffered : replay_not_before_.time_since_epoch().count(),
      std::memory_order_relaxed);
}

std::uint64_t DeliverySpool::writable_segment(std::size_t record_bytes) {
  // The last segment may be an earlier run's: its recovery cut any torn tail,
  // so new records follow good ones.
  if (!segments_.empty()) {
    auto& [first, last] = *segments_.rbegin();
    if (last.file->size() + record_bytes <= segment_bytes_ || last.file->size() == 0)
      return first;
  }
  std::optional<std::uint64_t> previous;
  if (!segments_.empty())
    previous = segments_.rbegin()->first;
  auto file = std::make_unique<SpoolSegmentFile>(segment_path(next_id_));
  // The new name must survive a crash as well as the records synced into it.
  sync_directory(dir_);
  bytes_ += file->size();
  segments_.emplace(next_id_, Segment{.file = std::move(file), .unacked = 0});
  if (previous)
    drop_segment_if_done(*previous);  // No longer the last: deletable once all acked.
  return next_id_;
}

std::optional<std::uint64_t> DeliverySpool::append(std::string_view body, bool gzip,
                                                   std::uint32_t events) {
  std::lock_guard lock(mutex_);
  std::size_t record_bytes = kSpoolRecordHeaderBytes + body.size();
  if (bytes_ + record_bytes > max_bytes_)
    return std::nullopt;
  SpoolRecord record{.kind = SpoolRecord::Kind::kBatch,
                     .gzip = gzip,
                     .events = events,
                     .id = next_id_,
                     .payload = std::string(body)};
  std::string bytes;
  encode_spool_record(record, bytes);
  try {
    // Held under the lock: appends to one file must not interleave, and one
    // sync per batch is cheap beside the request it protects.
    std::uint64_t first = writable_segment(record_bytes);
    Segment& segment = segments_.at(first);
    std::uint64_t offset = segment.file->append(bytes, /*durable=*/true);
    bytes_ += bytes.size();
    ++segment.unacked;
    unacked_[record.id] =
        Entry{.segment = first,
              .where = SpooledBatchRef{.id = record.id,
                                       .gzip = gzip,
                                       .events = events,
                                       .payload_offset = offset + kSpoolRecordHeaderBytes,
                                       .length = static_cast<std::uint32_t>(body.size())},
              .in_flight = true};
    events_ += events;
    return next_id_++;
  } catch (const std::system_error&) {
    return std::nullopt;  // A full or failing disk must not stop delivery.
  }
}

void DeliverySpool::acknowledge(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  auto entry = unacked_.find(id);
  if (entry == unacked_.end())
    return;
  std::uint64_t first = entry->second.segment;
  events_ -= entry->second.where.events;
  if (!entry->second.in_flight) {
    --offered_;
    publish_next_replay();
  }
  unacked_.erase(entry);
  Segment& segment = segments_.at(first);
  --segment.unacked;
  std::string bytes;
  encode_spool_record(
      SpoolRecord{
          .kind = SpoolRecord::Kind::kAck, .gzip = false, .events = 0, .id = id, .payload = {}},
      bytes);
  try {
    // Into the batch's own segment, so the ack lives exactly as long as it.
    segment.file->append(bytes, /*durable=*/false);
    bytes_ += bytes.size();
  } catch (const std::system_error&) {
    // Unrecorded, the batch is replayed once more after a restart: a duplicate the server absorbs.
  }
  drop_segment_if_done(first);
}

void DeliverySpool::drop_segment_if_done(std::uint64_t first) {
  auto segment = segments_.find(first);
  bool is_last = std::next(segment) == segments_.end();
  if (segment->second.unacked != 0 || is_last)
    return;
  bytes_ -= segment->second.file->size();
  std::error_code ignored;
  std::filesystem::remove(segment->second.file->path(), ignored);
  segments_.erase(segment);
}

void DeliverySpool::release(std::uint64_t id, std::chrono::steady_clock::time_point not_before) {
  std::lock_guard lock(mutex_);
  auto entry = unacked_.find(id);
  if (entry == unacked_.end())
    return;
  if (!entry->second.in_flight)
    return;
  entry->second.in_flight = false;
  ++offered_;
  // One batch that cannot get through says the server is away: hold them all.
  replay_not_before_ = std::max(replay_not_before_, not_before);
  publish_next_replay();
}

std::optional<DeliverySpool::Batch> DeliverySpool::take_replay(
    std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (now < replay_not_before_)
    return std::nullopt;
  for (auto& [id, entry] : unacked_) {
    if (entry.in_flight)
      continue;
    try {
      std::string body =
          segments_.at(entry.segment).file->read(entry.where.payload_offset, entry.where.length);
      entry.in_flight = true;
      --offered_;
      publish_next_replay();
      return Batch{.id = id, .gzip = entry.where.gzip, .events = entry.where.events, .body = body};
    } catch (const std::system_error&) {
      // Tried again later, not at once: a failing disk must not spin the senders.
      replay_not_before_ = now + std::chrono::seconds(1);
      publish_next_replay();
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<std::chrono::steady_clock::time_point> DeliverySpool::next_replay() const {
  Ticks ticks = next_replay_ticks_.load(std::memory_order_relaxed);
  if (ticks == kNothingOffered)
    return std::nullopt;
  return std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(ticks));
}

DeliverySpool::Holdings DeliverySpool::holdings() const {
  return Holdings{.events = events_.load(std::memory_order_relaxed),
                  .bytes = bytes_.load(std::memory_order_relaxed)};
}

}  // namespace agentsudo
