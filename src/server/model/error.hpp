#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace agentsudo::server {

// What went wrong, in the server's own terms. The API layer maps each kind to
// an HTTP status and a reference error code in one table (api/responses.cpp).
enum class ErrorKind {
  kInvalidPayload,
  kInvalidParameter,
  kInvalidApiKey,
  kUnauthorized,
  kForbidden,
  kCsrfFailed,
  kNotFound,
  kMethodNotAllowed,
  kConflict,
  kPayloadTooLarge,
  kHeaderTooLarge,
  kRequestTimeout,
  kUnsupportedMediaType,
  kRateLimited,
  // The disk under the data directory is full: nothing was written; a retry may succeed.
  kStorageFull,
  // The shared database (PostgreSQL) cannot be reached: nothing was written;
  // a retry may succeed once it is back.
  kStoreUnavailable,
  kInternal,
  kNotImplemented,
};

// An error as a value: inside the server nothing throws across layers.
struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  // A sentence a person understands, without secrets.
  std::string message;
  // The JSON member or query parameter at fault, when there is one.
  std::string field;
  // The position of the bad item in a batch, when there is one.
  std::optional<std::size_t> index;
  // For kRateLimited, kStorageFull and kStoreUnavailable: when to try again, sent as Retry-After.
  std::optional<std::int64_t> retry_after_seconds;
};

inline Error make_error(ErrorKind kind, std::string message, std::string field = {}) {
  return Error{kind, std::move(message), std::move(field), std::nullopt, std::nullopt};
}

// Either a value or an Error. Kept minimal: C++20 has no std::expected.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& operator*() { return std::get<0>(state_); }
  const T& operator*() const { return std::get<0>(state_); }
  T* operator->() { return &std::get<0>(state_); }
  const T* operator->() const { return &std::get<0>(state_); }

  const Error& error() const { return std::get<1>(state_); }
  Error take_error() { return std::move(std::get<1>(state_)); }

 private:
  std::variant<T, Error> state_;
};

// The outcome of an operation with no value: ok, or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *error_; }

 private:
  std::optional<Error> error_;
};

// The error inside a failed Result or Status, for the macros below.
template <class T>
Error error_of(Result<T>&& result) {
  return result.take_error();
}
inline Error error_of(Status&& status) {
  return status.error();
}

}  // namespace agentsudo::server

// The one way to pass an error up inside the server. `expr` is a Result or a
// Status; on error the enclosing function returns that error (its return type
// must be constructible from an Error: a Result or a Status).
//
//   ASSIGN_OR_RETURN(auto project, projects.find_project(id));  // project: Project
//   RETURN_IF_ERROR(projects.set_tier(id, tier));
//
// The CO_ forms do the same in a coroutine (co_return).
#define ASSIGN_OR_RETURN(declaration, expr) \
  AGENTSUDO_ASSIGN_OR_(return, AGENTSUDO_UNIQUE_(result_), declaration, expr)
#define CO_ASSIGN_OR_RETURN(declaration, expr) \
  AGENTSUDO_ASSIGN_OR_(co_return, AGENTSUDO_UNIQUE_(result_), declaration, expr)
#define RETURN_IF_ERROR(expr) AGENTSUDO_IF_ERROR_(return, AGENTSUDO_UNIQUE_(status_), expr)
#define CO_RETURN_IF_ERROR(expr) AGENTSUDO_IF_ERROR_(co_return, AGENTSUDO_UNIQUE_(status_), expr)

#define AGENTSUDO_CONCAT_INNER_(a, b) a##b
#define AGENTSUDO_CONCAT_(a, b) AGENTSUDO_CONCAT_INNER_(a, b)
#define AGENTSUDO_UNIQUE_(name) AGENTSUDO_CONCAT_(name, __LINE__)
#define AGENTSUDO_ASSIGN_OR_(ret, temporary, declaration, expr) \
  auto temporary = (expr);                                      \
  if (!temporary)                                               \
    ret ::agentsudo::server::error_of(std::move(temporary));    \
  declaration = std::move(*temporary)
#define AGENTSUDO_IF_ERROR_(ret, temporary, expr) \
  if (auto temporary = (expr); !temporary)        \
  ret ::agentsudo::server::error_of(std::move(temporary))
