#pragma once

#include <cstdint>
#include <string>

#include "server/audit/chain_hash.hpp"
#include "server/audit/signing_key.hpp"
#include "server/model/clock.hpp"

namespace agentsudo::server::audit {

// A signed statement that a project's chain had `hash` at `position` (the
// event at `seq`) when the server signed it.
struct Checkpoint {
  std::string project_id;  // the project's public uuid
  std::int64_t position = 0;
  std::int64_t seq = 0;
  ChainHash hash{};
  UnixMicros signed_at = 0;
  Signature signature{};
};

// What is signed: a version byte and the fields above but the signature, in
// the canonical field encoding (docs/AUDIT.md).
std::string checkpoint_message(const Checkpoint& checkpoint);

Checkpoint sign_checkpoint(Checkpoint checkpoint, const SigningKey& key);
bool checkpoint_signature_is_valid(const Checkpoint& checkpoint, const PublicKey& key);

}  // namespace agentsudo::server::audit
