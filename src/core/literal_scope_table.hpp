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
// Immutable after construction; safe to share between threads.
class LiteralScopeTable {
 public:
  LiteralScopeTable() = default;
  explicit LiteralScopeTable(const std::vector<std::string>& scopes) {
    std::size_t capacity = 4;
    while (capacity < scopes.size() * 2)
      capacity *= 2;
    slots_.resize(capacity);
    for (const std::string& scope : scopes)
      insert(scope);
  }

  bool contains(std::string_view scope) const noexcept {
    if (slots_.empty())
      return false;
    std::size_t hash = std::hash<std::string_view>{}(scope);
    for (std::size_t i = hash & mask();; i = (i + 1) & mask()) {
      const Slot& slot = slots_[i];
      if (!slot.used)
        return false;
      if (slot.hash == hash && slot.scope == scope)
        return true;
    }
  }

 private:
  struct Slot {
    std::string scope;
    std::size_t hash = 0;
    bool used = false;
  };

  std::size_t mask() const noexcept { return slots_.size() - 1; }

  void insert(const std::string& scope) {
    std::size_t hash = std::hash<std::string_view>{}(scope);
    std::size_t i = hash & mask();
    while (slots_[i].used) {
      if (slots_[i].hash == hash && slots_[i].scope == scope)
        return;
      i = (i + 1) & mask();
    }
    slots_[i] = Slot{scope, hash, true};
  }

  // At most half full, so probes stay short and always reach an empty slot.
  std::vector<Slot> slots_;
};

}  // namespace agentsudo
