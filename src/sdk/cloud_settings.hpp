#pragma once

#include <optional>

#include "agentsudo/telemetry.hpp"

namespace agentsudo {

// The options (after environment and defaults) of the telemetry client
// configure_cloud() set up last, or nullopt if it was never called. Lets the
// policy subscription reuse the key and endpoint given there. Thread-safe.
std::optional<CloudOptions> active_cloud_options();

}  // namespace agentsudo
