#pragma once

#include <atomic>
#include <cstdint>

#include "server/store/credentials_generation.hpp"

namespace agentsudo::server::postgres {

// The credentials generation when several nodes share the database: another
// node's revocation reaches this one only through the database, and a
// notification could arrive after the revoked key's next request. So this
// number never stays the same: every key lookup reads the database (one
// indexed query), and a revoked key is refused on its very next request,
// whichever node it reaches.
class SharedGeneration : public CredentialsGeneration {
 public:
  std::uint64_t current() const override { return next_.fetch_add(1, std::memory_order_acq_rel); }
  void advance() override {}

 private:
  mutable std::atomic<std::uint64_t> next_{0};
};

}  // namespace agentsudo::server::postgres
