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
  kUnsupportedMediaType,
  kRateLimited,
  kInternal,
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
  // For kRateLimited: when to try again, sent as Retry-After.
  std::optional<std::int64_t> retry_after_seconds;
};

inline Error make_error(ErrorKind kind, std::string message, std::string field = {}) {
  return Error{kind, std::move(message), std::move(field), std::nullopt, std::nullopt};
}

// Either a value or an Error. Kept minimal: C++20 has no std::expected.
template <class T>
class Result {
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
class Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *error_; }

 private:
  std::optional<Error> error_;
};

}  // namespace agentsudo::server
