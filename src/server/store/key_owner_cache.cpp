#include "server/store/key_owner_cache.hpp"

#include <cstring>
#include <mutex>

namespace agentsudo::server {

std::size_t KeyOwnerCache::DigestHash::operator()(const SecretDigest& digest) const noexcept {
  std::size_t hash = 0;
  std::memcpy(&hash, digest.data(), sizeof hash);
  return hash;
}

KeyOwnerCache::KeyOwnerCache(std::size_t capacity) : capacity_(capacity) {}

std::optional<KeyOwner> KeyOwnerCache::find(const SecretDigest& digest,
                                            std::uint64_t generation) const {
  std::shared_lock lock(mutex_);
  if (generation != generation_)
    return std::nullopt;
  auto found = owners_.find(digest);
  if (found == owners_.end())
    return std::nullopt;
  return found->second;
}

void KeyOwnerCache::insert(const SecretDigest& digest, const KeyOwner& owner,
                           std::uint64_t generation) {
  std::unique_lock lock(mutex_);
  if (generation < generation_)
    return;
  if (generation > generation_ || owners_.size() >= capacity_) {
    owners_.clear();
    generation_ = generation;
  }
  if (capacity_ != 0)
    owners_.insert_or_assign(digest, owner);
}

std::size_t KeyOwnerCache::size() const {
  std::shared_lock lock(mutex_);
  return owners_.size();
}

}  // namespace agentsudo::server
