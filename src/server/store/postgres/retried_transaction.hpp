#pragma once

#include "server/store/postgres/connection.hpp"

namespace agentsudo::server::postgres {

inline constexpr int kTransactionAttempts = 3;

// Runs `body`, one whole transaction, again when PostgreSQL made it a
// deadlock's victim or failed its serialization: nothing of it was
// committed, so running it again is safe. Other errors pass through.
template <class Body>
auto retried_transaction(Body&& body) -> decltype(body()) {
  for (int attempt = 1;; ++attempt) {
    try {
      return body();
    } catch (const PgError& e) {
      if (!e.retryable() || attempt == kTransactionAttempts)
        throw;
    }
  }
}

}  // namespace agentsudo::server::postgres
