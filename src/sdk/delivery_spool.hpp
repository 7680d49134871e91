#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "sdk/spool_segment.hpp"

namespace agentsudo {

// Request bodies the server has not acknowledged, kept in segment files in
// one directory so that an outage or a restart loses none of them. A body is
// written (and fdatasync'd) before its first attempt and acknowledged once
// the server answered it for good; what is left when a client starts is
// replayed oldest first. Replays resend the exact bytes, whose event ids the
// server stores once.
//
// Acks are not synced: an ack lost in a crash costs one replay, which the
// server recognises as duplicates.
//
// Thread-safe: every member may be called from any thread.
class DeliverySpool {
 public:
  struct Batch {
    std::uint64_t id = 0;
    bool gzip = false;
    std::uint32_t events = 0;
    std::string body;
  };

  struct Holdings {
    std::uint64_t events = 0;  // In batches not yet acknowledged.
    std::uint64_t bytes = 0;   // Segment files on disk.
  };

  // Opens `dir` (creating it), takes its lock (one spool per directory, in
  // this process or another), recovers its segments (truncating a torn last
  // record) and lists what they hold unacknowledged for replay. Throws
  // std::system_error when the directory cannot be used or is in use.
  DeliverySpool(std::filesystem::path dir, std::uint64_t max_bytes,
                std::uint64_t segment_bytes = kDefaultSegmentBytes);
  ~DeliverySpool();
  DeliverySpool(const DeliverySpool&) = delete;
  DeliverySpool& operator=(const DeliverySpool&) = delete;

  static constexpr std::uint64_t kDefaultSegmentBytes = 8 * 1024 * 1024;

  // Writes `body` durably and returns its id; the batch counts as in flight
  // (not offered for replay) until release() or acknowledge(). nullopt when
  // it would pass max_bytes, or on an I/O error: the batch goes unprotected.
  std::optional<std::uint64_t> append(std::string_view body, bool gzip, std::uint32_t events);

  // The server answered batch `id` for good: it is never replayed.
  void acknowledge(std::uint64_t id);

  // Batch `id` could not be delivered now: offer it for replay, after
  // `not_before`.
  void release(std::uint64_t id, std::chrono::steady_clock::time_point not_before);

  // The oldest batch offered for replay whose time has come, marked in flight.
  std::optional<Batch> take_replay(std::chrono::steady_clock::time_point now);

  // When the next replay is due; nullopt when nothing is offered. Lock-free:
  // the client asks under its own mutex while another sender may be syncing.
  std::optional<std::chrono::steady_clock::time_point> next_replay() const;

  // Lock-free, as next_replay().
  Holdings holdings() const;

  // Records torn by a crash found (and cut off) at open.
  std::uint64_t torn_records() const noexcept { return torn_records_; }

 private:
  struct Segment {
    std::unique_ptr<SpoolSegmentFile> file;
    std::size_t unacked = 0;
  };
  struct Entry {
    std::uint64_t segment = 0;  // The first id of its segment: the key in segments_.
    SpooledBatchRef where;
    bool in_flight = false;
  };

  void recover();
  // The first id of the segment to append `record_bytes` to, rolled when
  // the last is full. REQUIRES: mutex_ held.
  std::uint64_t writable_segment(std::size_t record_bytes);
  // Deletes a segment every batch of which is acknowledged, unless it is the
  // one written to. REQUIRES: mutex_ held.
  void drop_segment_if_done(std::uint64_t first_id);
  // Publishes next_replay()'s answer. REQUIRES: mutex_ held.
  void publish_next_replay();
  std::filesystem::path segment_path(std::uint64_t first_id) const;

  const std::filesystem::path dir_;
  int lock_fd_ = -1;  // flock'd while this spool is open.
  const std::uint64_t max_bytes_;
  const std::uint64_t segment_bytes_;

  mutable std::mutex mutex_;
  std::map<std::uint64_t, Segment> segments_;  // By first id; the last is written to.
  std::map<std::uint64_t, Entry> unacked_;     // By id: replay order.
  std::uint64_t next_id_ = 1;
  std::uint64_t torn_records_ = 0;
  std::size_t offered_ = 0;  // Unacked entries not in flight.
  std::chrono::steady_clock::time_point replay_not_before_{};
  // Written under mutex_, read without it.
  std::atomic<std::uint64_t> bytes_{0};
  std::atomic<std::uint64_t> events_{0};
  using Ticks = std::chrono::steady_clock::rep;
  static constexpr Ticks kNothingOffered = std::numeric_limits<Ticks>::max();
  std::atomic<Ticks> next_replay_ticks_{kNothingOffered};
};

}  // namespace agentsudo
