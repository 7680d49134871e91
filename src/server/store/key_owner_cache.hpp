#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <unordered_map>

#include "server/model/project.hpp"
#include "server/model/secret.hpp"

namespace agentsudo::server {

// The owners of API keys found recently, each valid for the credentials
// generation (see CredentialsGeneration) it was read under. Entries of an
// older generation are never answered and are dropped by the next insert of a
// newer one; when full, everything is dropped (a working set of keys refills
// it in one request each). Thread-safe: lookups share a lock, inserts take it
// alone.
class KeyOwnerCache {
 public:
  static constexpr std::size_t kDefaultCapacity = 10'000;

  explicit KeyOwnerCache(std::size_t capacity = kDefaultCapacity);

  // The owner remembered for `digest` if it was read under `generation`.
  std::optional<KeyOwner> find(const SecretDigest& digest, std::uint64_t generation) const;
  // Remembers an owner read from the store while the generation was
  // `generation` both before and after the read. Ignored when the cache
  // already holds a newer generation.
  void insert(const SecretDigest& digest, const KeyOwner& owner, std::uint64_t generation);
  std::size_t size() const;

 private:
  // The digest is a BLAKE2b output: any 8 of its bytes are a uniform hash.
  struct DigestHash {
    std::size_t operator()(const SecretDigest& digest) const noexcept;
  };

  const std::size_t capacity_;
  mutable std::shared_mutex mutex_;
  std::uint64_t generation_ = 0;                                   // guarded by mutex_
  std::unordered_map<SecretDigest, KeyOwner, DigestHash> owners_;  // guarded by mutex_
};

}  // namespace agentsudo::server
