#pragma once

#include <boost/json/object.hpp>

#include "server/audit/chain_verifier.hpp"
#include "server/audit/checkpoint.hpp"

namespace agentsudo::server::audit {

// A verification's outcome as the API and `verify --json` print it
// (docs/AUDIT.md).
boost::json::object chain_report_json(const ChainReport& report);

// A checkpoint as an export line carries it: {"checkpoint": <this>}.
boost::json::object checkpoint_json(const Checkpoint& checkpoint);

}  // namespace agentsudo::server::audit
