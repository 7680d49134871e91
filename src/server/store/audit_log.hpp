#pragma once

#include <cstdint>
#include <vector>

#include "server/audit/chain_verifier.hpp"
#include "server/audit/checkpoint.hpp"
#include "server/audit/signing_key.hpp"
#include "server/model/error.hpp"

namespace agentsudo::server {

// Reads the tamper evidence of the event log: verifies a project's chain
// against its signed checkpoints, and lists the checkpoints for exports.
// Thread-safe.
class AuditLog {
 public:
  virtual ~AuditLog() = default;

  // Walks the project's events in seq order (streaming) and stops at the
  // first fault.
  virtual Result<audit::ChainReport> verify(std::int64_t project_rowid,
                                            const audit::PublicKey& key) = 0;
  // The project's checkpoints in chain order.
  virtual Result<std::vector<audit::Checkpoint>> checkpoints(std::int64_t project_rowid) = 0;
};

}  // namespace agentsudo::server
