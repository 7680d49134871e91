#pragma once

#include <cstdint>

#include "server/model/error.hpp"
#include "server/store/postgres/connection.hpp"

namespace agentsudo::server::postgres {

// How long a client refused while the database is away is told to wait.
inline constexpr std::int64_t kUnavailableRetrySeconds = 2;

// The Error value for a PgError: kStoreUnavailable (with Retry-After) when
// the database is away, kConflict for a unique violation, else kInternal.
Error error_from(const PgError& e, const char* doing);

// Runs `body`, turning a PgError into an Error value: the one place where
// this wrapper's exceptions become the server's error style.
template <class Body>
auto translate_errors(const char* doing, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const PgError& e) {
    return error_from(e, doing);
  }
}

}  // namespace agentsudo::server::postgres
