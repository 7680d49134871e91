#pragma once

#include <cstddef>

namespace agentsudo::server::cli {

// Raises the soft RLIMIT_NOFILE to the hard limit: the usual soft default
// (1,024) would cap connections long before memory does. Logs the result and
// returns the soft limit now in force.
std::size_t raise_descriptor_limit();

// Descriptors open in this process now (from /proc/self/fd).
std::size_t descriptors_in_use();

// The default for `serve --max-connections`: what `descriptor_limit` leaves
// once `held` (the descriptors open once the store is open and the listener
// bound) and a reserve for what is opened later are set aside, and at least
// kFewestConnections.
std::size_t default_max_connections(std::size_t descriptor_limit, std::size_t held,
                                    unsigned io_threads);

inline constexpr std::size_t kFewestConnections = 16;

}  // namespace agentsudo::server::cli
