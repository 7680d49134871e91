#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace agentsudo {

// The literal scopes an agent holds, for the exact-match check that most
// guarded calls take. Open addressing over a power-of-two table, so a lookup
// is one hash, a mask and usually one comparison: no division by a prime
// bucket count and no pointer chasing, as in std::unordered_set.
//
// Each literal carries a caller-chosen tag (the held scope's position), so a
// hit can say which held scope granted it at no extra cost.
//
// Immutable after construction; safe to share between threads.
class LiteralScopeTable {
 public:
  // What find() returns when no literal equals the scope.
  static constexpr std::uint32_t kNotFound = UINT32_MAX;

  // A literal scope and its tag.
  struct Entry {
    std::string scope;
    std::uint32_t tag;
  };

  LiteralScopeTable() = default;
  // When a scope appears twice, the first entry's tag is kept.
  explicit LiteralScopeTable(const std::vector<Entry>& entries) {
    std::size_t capacity = 4;
    while (capacity < entries.size() * 2)
      capacity *= 2;
    slots_.resize(capacity);
    for (const Entry& entry : entries)
      insert(entry);
  }

  bool contains(std::string_view scope) const noexcept { return find(scope) != kNotFound; }

  // The tag of the literal equal to `scope`, or kNotFound.
  std::uint32_t find(std::string_view scope) const noexcept {
    if (slots_.empty())
      return kNotFound;
    std::size_t hash = std::hash<std::string_view>{}(scope);
    for (std::size_t i = hash & mask();; i = (i + 1) & mask()) {
      const Slot& slot = slots_[i];
      if (!slot.used)
        return kNotFound;
      if (slot.hash == hash && slot.scope == scope)
        return slot.tag;
    }
  }

 private:
  struct Slot {
    std::string scope;
    std::size_t hash = 0;
    std::uint32_t tag = kNotFound;
    bool used = false;
  };

  std::size_t mask() const noexcept { return slots_.size() - 1; }

  void insert(const Entry& entry) {
    std::size_t hash = std::hash<std::string_view>{}(entry.scope);
    std::size_t i = hash & mask();
    while (slots_[i].used) {
      if (slots_[i].hash == hash && slots_[i].scope == entry.scope)
        return;
      i = (i + 1) & mask();
    }
    slots_[i] = Slot{entry.scope, hash, entry.tag, true};
  }

  // At most half full, so probes stay short and always reach an empty slot.
  std::vector<Slot> slots_;
};

}  // namespace agentsudo
