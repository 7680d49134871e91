#include "server/service/webhook_service.hpp"

#include <boost/url/parse.hpp>

#include "server/auth/secret.hpp"

namespace agentsudo::server {

namespace {

constexpr std::size_t kShownSecretChars = 6;

Error invalid(std::string field, std::string message) {
  return make_error(ErrorKind::kInvalidPayload, std::move(message), std::move(field));
}

// An absolute http or https URL with a host, as Boost.URL parses RFC 3986.
Status check_url(std::string_view text) {
  if (text.size() > WebhookService::kMaxUrlBytes) {
    return invalid(
        "url", "url must be at most " + std::to_string(WebhookService::kMaxUrlBytes) + " bytes");
  }
  auto url = boost::urls::parse_absolute_uri(text);
  if (!url)
    return invalid("url", "url must be an absolute http or https URL");
  auto scheme = url->scheme_id();
  if (scheme != boost::urls::scheme::http && scheme != boost::urls::scheme::https)
    return invalid("url", "url must use http or https");
  if (!url->has_authority() || url->encoded_host().empty())
    return invalid("url", "url must name a host");
  return {};
}

Result<WebhookFormat> read_format(std::optional<std::string_view> format) {
  if (!format || *format == "json")
    return WebhookFormat::kJson;
  if (*format == "slack")
    return WebhookFormat::kSlack;
  return invalid("format", "format must be json or slack");
}

}  // namespace

WebhookService::WebhookService(WebhookStore& store, const Clock& clock)
    : store_(store), clock_(clock) {}

Result<std::vector<Webhook>> WebhookService::list(std::int64_t project_rowid) {
  return store_.list_webhooks(project_rowid);
}

Result<CreatedWebhook> WebhookService::create(std::int64_t project_rowid, std::string_view url,
                                              std::optional<std::string_view> format) {
  RETURN_IF_ERROR(check_url(url));
  ASSIGN_OR_RETURN(auto parsed_format, read_format(format));
  IssuedSecret secret = issue_secret(kWebhookSecretPrefix);
  NewWebhook webhook{std::string(url), parsed_format, secret.plaintext, clock_.now()};
  ASSIGN_OR_RETURN(auto created, store_.create_webhook(project_rowid, webhook, kMaxPerProject));
  return CreatedWebhook{std::move(created), std::move(secret.plaintext)};
}

Status WebhookService::remove(std::int64_t project_rowid, std::string_view webhook_id) {
  return store_.delete_webhook(project_rowid, webhook_id);
}

Result<std::vector<WebhookDelivery>> WebhookService::deliveries(std::int64_t project_rowid,
                                                                std::string_view webhook_id,
                                                                std::size_t limit) {
  return store_.list_deliveries(project_rowid, webhook_id, limit);
}

std::string WebhookService::secret_prefix(std::string_view secret) {
  return std::string(secret.substr(0, kWebhookSecretPrefix.size() + kShownSecretChars));
}

}  // namespace agentsudo::server
