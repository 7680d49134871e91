#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/model/clock.hpp"
#include "server/model/error.hpp"
#include "server/model/webhook.hpp"
#include "server/store/webhook_store.hpp"

namespace agentsudo::server {

// The prefix of a webhook's signing secret; 43 base64url characters follow.
inline constexpr std::string_view kWebhookSecretPrefix = "whsec_";

// A webhook as its creator sees it once: with its signing secret.
struct CreatedWebhook {
  Webhook webhook;
  std::string secret;
};

// A project's webhooks as people manage them: each action validated, then
// one store transaction. Secrets are minted here. Thread-safe.
class WebhookService {
 public:
  static constexpr std::size_t kMaxPerProject = 10;
  static constexpr std::size_t kMaxUrlBytes = 2048;
  static constexpr std::size_t kDefaultDeliveries = 50;
  static constexpr std::size_t kMaxDeliveries = 200;

  WebhookService(WebhookStore& store, const Clock& clock);

  Result<std::vector<Webhook>> list(std::int64_t project_rowid);
  // kInvalidPayload naming `url` unless it is an absolute http(s) URL with a
  // host, or `format` unless it is json or slack (the default); kConflict
  // when the project holds kMaxPerProject already.
  Result<CreatedWebhook> create(std::int64_t project_rowid, std::string_view url,
                                std::optional<std::string_view> format);
  // kNotFound for an unknown webhook or one of another project.
  Status remove(std::int64_t project_rowid, std::string_view webhook_id);
  // Newest first; kNotFound as for remove.
  Result<std::vector<WebhookDelivery>> deliveries(std::int64_t project_rowid,
                                                  std::string_view webhook_id, std::size_t limit);

  // The first characters of a secret, safe to show so people can tell them apart.
  static std::string secret_prefix(std::string_view secret);

 private:
  WebhookStore& store_;
  const Clock& clock_;
};

}  // namespace agentsudo::server
