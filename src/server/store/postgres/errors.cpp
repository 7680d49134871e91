#include "server/store/postgres/errors.hpp"

#include <spdlog/spdlog.h>

namespace agentsudo::server::postgres {

Error error_from(const PgError& e, const char* doing) {
  if (e.unavailable()) {
    spdlog::warn("PostgreSQL unavailable while trying to {}: {}", doing, e.what());
    return Error{ErrorKind::kStoreUnavailable,
                 std::string("the database is unavailable; could not ") + doing,
                 {},
                 std::nullopt,
                 kUnavailableRetrySeconds};
  }
  // A NUL character (Params refuses one; PostgreSQL text cannot hold it):
  // the caller's value, not the store, is at fault.
  if (e.sqlstate() == "22021")
    return make_error(ErrorKind::kInvalidParameter,
                      std::string("could not ") + doing + ": a value contains a NUL character");
  if (e.unique_violation())
    return make_error(ErrorKind::kConflict, std::string("could not ") + doing + ": already exists");
  spdlog::error("PostgreSQL error while trying to {}: {} (SQLSTATE {})", doing, e.what(),
                e.sqlstate());
  return make_error(ErrorKind::kInternal, std::string("could not ") + doing);
}

}  // namespace agentsudo::server::postgres
