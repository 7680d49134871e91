#pragma once

#include <cstdint>

namespace agentsudo::server {

// A number that grows whenever a committed change may alter what
// ProjectStore::find_key_owner answers for a key it found before (a key
// revoked or rotated, a project's tier changed or the project deleted),
// whichever process on the store committed it. Whoever caches key owners
// trusts its entries only while this number stays the same.
//
// The order is the contract: a change is committed, then the number is
// advanced, so a reader that sees the advanced number also sees the change.
// Thread-safe.
class CredentialsGeneration {
 public:
  virtual ~CredentialsGeneration() = default;

  // The current number (an acquire load: it orders the store reads after it).
  virtual std::uint64_t current() const = 0;
  // Called right after such a commit.
  virtual void advance() = 0;
};

}  // namespace agentsudo::server
