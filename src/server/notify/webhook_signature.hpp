#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace agentsudo::server {

// The signature a receiver checks: HMAC-SHA256 keyed with the webhook's
// secret over "<t>.<body>", where t is the Unix time of the attempt in
// seconds. Sent as `AgentSudo-Signature: t=<t>,v1=<hex>` (docs/WEBHOOKS.md).
// Needs sodium_init(). Thread-safe.
class WebhookSignature {
 public:
  static constexpr std::string_view kHeader = "AgentSudo-Signature";

  // Lowercase hex HMAC-SHA256 of `message` under `key` (any length).
  static std::string hmac_sha256_hex(std::string_view key, std::string_view message);

  // The header's value for `body` sent at `unix_seconds`.
  static std::string header_value(std::string_view secret, std::int64_t unix_seconds,
                                  std::string_view body);
};

}  // namespace agentsudo::server
