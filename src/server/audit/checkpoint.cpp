#include "server/audit/checkpoint.hpp"

#include "server/audit/canonical_writer.hpp"

namespace agentsudo::server::audit {

std::string checkpoint_message(const Checkpoint& checkpoint) {
  std::string message;
  CanonicalWriter writer(message);
  writer.raw_byte(0x01);
  writer.string("agentsudo-checkpoint");
  writer.string(checkpoint.project_id);
  writer.integer(checkpoint.position);
  writer.integer(checkpoint.seq);
  writer.string(as_bytes(checkpoint.hash));
  writer.integer(checkpoint.signed_at);
  return message;
}

Checkpoint sign_checkpoint(Checkpoint checkpoint, const SigningKey& key) {
  checkpoint.signature = key.sign(checkpoint_message(checkpoint));
  return checkpoint;
}

bool checkpoint_signature_is_valid(const Checkpoint& checkpoint, const PublicKey& key) {
  return signature_is_valid(key, checkpoint_message(checkpoint), checkpoint.signature);
}

}  // namespace agentsudo::server::audit
