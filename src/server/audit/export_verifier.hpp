#pragma once

#include <filesystem>

#include "server/audit/chain_verifier.hpp"
#include "server/audit/signing_key.hpp"
#include "server/model/error.hpp"

namespace agentsudo::server::audit {

// Checks an NDJSON export of one project (GET .../events/export?format=ndjson,
// unfiltered) offline: its events' chain in seq order and its checkpoints
// against `key`. The metadata hashed is the raw text of each line's
// "metadata" member, so nothing is re-serialised. Errors only for a file
// that cannot be read or is no export; a tampered export is a report with a
// fault.
Result<ChainReport> verify_export(const std::filesystem::path& file, const PublicKey& key);

}  // namespace agentsudo::server::audit
