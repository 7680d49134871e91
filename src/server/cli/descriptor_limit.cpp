#include "server/cli/descriptor_limit.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <filesystem>
#include <limits>

namespace agentsudo::server::cli {

namespace {

// Opened after the count of held descriptors, on demand: the webhook
// dispatcher's curl transfers (at most 16 at once, a socket each, and one
// for its resolver), its multi handle's wakeup pipe, and slack for libraries
// that open a file now and then (libsodium's /dev/urandom, the time zone).
// The SQLite connections (the writer, the stores' own and the readers' pool,
// each with the database, its -wal and its -shm) and the password threads
// (which hold none) are open already when `held` is counted.
constexpr std::size_t kOnDemandReserve = 16 * 2 + 2 + 16;
// Per I/O thread: a dashboard file being sent, or a temporary file SQLite
// opens for a large sort on that thread's reader.
constexpr std::size_t kPerThreadReserve = 2;

}  // namespace

std::size_t raise_descriptor_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    spdlog::warn("cannot read the descriptor limit; assuming 1024");
    return 1024;
  }
  rlim_t before = limit.rlim_cur;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0)
      limit.rlim_cur = before;
  }
  std::size_t now = limit.rlim_cur == RLIM_INFINITY ? std::numeric_limits<int>::max()
                                                    : static_cast<std::size_t>(limit.rlim_cur);
  if (limit.rlim_cur != before)
    spdlog::info("descriptor limit raised from {} to {}", before, now);
  else
    spdlog::info("descriptor limit {}", now);
  return now;
}

std::size_t descriptors_in_use() {
  std::error_code failed;
  std::size_t open = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", failed), end; !failed && it != end;
       it.increment(failed))
    ++open;
  return open;
}

std::size_t default_max_connections(std::size_t descriptor_limit, std::size_t held,
                                    unsigned io_threads) {
  std::size_t reserve = held + kOnDemandReserve + kPerThreadReserve * io_threads;
  if (descriptor_limit < reserve + kFewestConnections)
    return kFewestConnections;
  return descriptor_limit - reserve;
}

}  // namespace agentsudo::server::cli
