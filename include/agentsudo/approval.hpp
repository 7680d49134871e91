#pragma once

#include <charconv>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>

namespace agentsudo {

// What a guarded call in approval mode learns once the server has created
// its approval request, just before the calling thread starts to wait.
struct PendingApproval {
  std::string_view id;
  // When the server will expire the request (RFC 3339, as the server sent it).
  std::string_view expires_at;
};

// How a guard in approval mode (OnDenial::kApproval) asks the server for a
// person's decision and waits for it.
struct ApprovalOptions {
  // How long the calling thread waits in total, from the local denial to the
  // call running: the request, the wait for a decision and the redemption.
  // When it passes, PermissionDenied (kApprovalTimeout). The last long-poll
  // may finish up to a second after it.
  std::chrono::milliseconds timeout = std::chrono::minutes(5);
  // How long the server keeps the request open for a decision
  // (approval_ttl_seconds; 1 s to 24 h).
  std::chrono::seconds request_ttl{300};
  // The project's API key. Empty: AGENTSUDO_API_KEY, else the key given to
  // configure_policy(), else the one given to configure_cloud().
  std::string api_key;
  // The server's base URL. Empty: AGENTSUDO_ENDPOINT, else configure_policy()'s,
  // else configure_cloud()'s, else http://127.0.0.1:8080.
  std::string endpoint;
  // Limit on connecting, and on each request beyond the server's own wait.
  std::chrono::milliseconds request_timeout{10000};
  // Backoff while the server is unreachable mid-wait: about base * 2^n,
  // capped, with jitter.
  std::chrono::milliseconds retry_base_delay{250};
  std::chrono::milliseconds retry_max_delay{5000};
  // Called on the calling thread once the request exists, before it waits
  // (to tell a user, log the id...). Exceptions from it are ignored.
  std::function<void(const PendingApproval&)> on_pending;
};

// Builds the canonical bytes an approval digest is taken over: a version
// label, the number of arguments, then one record per argument: a type tag
// byte, the payload's length as 8 bytes big-endian, and the payload. Tags
// keep the string "1" apart from the integer 1, and lengths keep ("ab", "c")
// apart from ("a", "bc").
//
// A plain value; not synchronized.
class ApprovalArgumentEncoder {
 public:
  explicit ApprovalArgumentEncoder(std::size_t argument_count) {
    bytes_.assign("agentsudo.approval-args.v1");
    append_u64(argument_count);
  }

  // Integers by value, whatever their width: int 7 and long 7 agree.
  void add_signed(std::int64_t value) {
    record('i', big_endian(static_cast<std::uint64_t>(value)));
  }
  void add_unsigned(std::uint64_t value) { record('u', big_endian(value)); }
  void add_bool(bool value) { record('b', value ? "\x01" : std::string_view("\x00", 1)); }
  // Floating point by exact value (hexadecimal): 1.5f and 1.5 agree, 0.0
  // and -0.0 do not.
  template <std::floating_point T>
  void add_floating(T value) {
    char text[64];
    auto [end, error] = std::to_chars(text, text + sizeof text, value, std::chars_format::hex);
    record('f', error == std::errc() ? std::string_view(text, end - text) : "?");
  }
  void add_text(std::string_view text) { record('s', text); }
  void add_null_text() { record('n', {}); }
  // What agentsudo_approval_bytes() returned for a user type.
  void add_custom(std::string_view bytes) { record('x', bytes); }

  const std::string& bytes() const noexcept { return bytes_; }

 private:
  static std::string big_endian(std::uint64_t value) {
    std::string out(8, '\0');
    for (int i = 7; i >= 0; --i, value >>= 8)
      out[i] = static_cast<char>(value & 0xff);
    return out;
  }
  void append_u64(std::uint64_t value) { bytes_ += big_endian(value); }
  void record(char tag, std::string_view payload) {
    bytes_.push_back(tag);
    append_u64(payload.size());
    bytes_.append(payload);
  }

  std::string bytes_;
};

// The lowercase hex SHA-256 of `encoded` (64 characters).
std::string approval_digest_of(std::string_view encoded);

namespace approval_detail {

// Only argument-dependent lookup may find the customization point.
void agentsudo_approval_bytes() = delete;

template <class T>
concept HasApprovalBytes = requires(const T& value) {
  { agentsudo_approval_bytes(value) } -> std::convertible_to<std::string_view>;
};

template <class T>
concept IsCharacter = std::same_as<T, char> || std::same_as<T, signed char> ||
    std::same_as<T, unsigned char> || std::same_as<T, char8_t>;

template <class T>
concept Digestible = HasApprovalBytes<T> || std::is_arithmetic_v<T> ||
    std::convertible_to<const T&, std::string_view>;

template <class T>
void encode(ApprovalArgumentEncoder& encoder, const T& value) {
  static_assert(Digestible<T>,
                "agentsudo approval mode: this argument type has no approval digest. Approval "
                "mode binds the request to the call's arguments, so each must be an integer, "
                "floating point, bool or string (std::string, std::string_view, const char*), "
                "or a type T with `std::string agentsudo_approval_bytes(const T&)` declared in "
                "T's namespace, returning the bytes that identify the value (docs/SDK.md, "
                "\"Approval mode\").");
  if constexpr (HasApprovalBytes<T>) {
    encoder.add_custom(agentsudo_approval_bytes(value));
  } else if constexpr (std::same_as<T, bool>) {
    encoder.add_bool(value);
  } else if constexpr (IsCharacter<T>) {
    encoder.add_text(std::string_view(reinterpret_cast<const char*>(&value), 1));
  } else if constexpr (std::signed_integral<T>) {
    encoder.add_signed(value);
  } else if constexpr (std::unsigned_integral<T>) {
    encoder.add_unsigned(value);
  } else if constexpr (std::floating_point<T>) {
    encoder.add_floating(value);
  } else if constexpr (std::is_pointer_v<T> && Digestible<T>) {
    if (value == nullptr)
      encoder.add_null_text();
    else
      encoder.add_text(std::string_view(value));
  } else if constexpr (Digestible<T>) {
    encoder.add_text(std::string_view(value));
  }
}

}  // namespace approval_detail

// The digest an approval request binds the call to: the lowercase hex
// SHA-256 of the canonical encoding of `args` (see ApprovalArgumentEncoder).
// Equal arguments give equal digests; any change in a value, a type kind
// (text, integer, floating point, bool) or the order gives another.
// User types take part through `agentsudo_approval_bytes(const T&)`, found
// by argument-dependent lookup; any other type fails to compile here.
template <class... Args>
std::string approval_digest(const Args&... args) {
  ApprovalArgumentEncoder encoder(sizeof...(Args));
  (approval_detail::encode(encoder, args), ...);
  return approval_digest_of(encoder.bytes());
}

namespace detail {

// A guarded call's arguments as approval mode needs them: the digest and the
// caller's preview, computed only when asked (on a denial in approval mode),
// so that allowed calls pay nothing for them.
class CallArguments {
 public:
  virtual std::string digest() const = 0;
  // The caller's redacted preview; empty without one.
  virtual std::string preview() const = 0;

 protected:
  ~CallArguments() = default;
};

// Marks a Guarded built by sudo_approval() without a preview.
struct NoPreview {};

// References to one call's arguments, valid for the length of the check.
template <class Preview, class... Args>
class ArgumentsView final : public CallArguments {
 public:
  ArgumentsView(const Preview& preview, const Args&... args) : preview_(preview), args_(args...) {}

  std::string digest() const override {
    return std::apply([](const Args&... values) { return approval_digest(values...); }, args_);
  }

  std::string preview() const override {
    if constexpr (std::is_same_v<Preview, NoPreview>) {
      return {};
    } else {
      static_assert(std::is_invocable_v<const Preview&, const Args&...>,
                    "agentsudo approval preview: the preview must be callable with the guarded "
                    "call's arguments (as const references)");
      return std::string(std::apply(preview_, args_));
    }
  }

 private:
  const Preview& preview_;
  std::tuple<const Args&...> args_;
};

}  // namespace detail

}  // namespace agentsudo
