#include "server/api/ingest_response.hpp"

#include <algorithm>

#include "server/api/responses.hpp"

namespace agentsudo::server::api {

void set_quota_headers(http::Response& response, const QuotaDecision& quota) {
  response.set("X-RateLimit-Limit", std::to_string(quota.limit));
  response.set("X-RateLimit-Remaining", std::to_string(quota.remaining));
  response.set("X-RateLimit-Reset", std::to_string(quota.resets_at / kMicrosPerSecond));
}

http::Response ingest_error_response(const IngestOutcome& outcome, const http::Request& request) {
  http::Response response = error_response(*outcome.error, request.version());
  if (outcome.quota) {
    set_quota_headers(response, *outcome.quota);
    if (outcome.error->kind == ErrorKind::kRateLimited) {
      auto seconds_left =
          (outcome.quota->resets_at - outcome.batch.received_at + kMicrosPerSecond - 1) /
          kMicrosPerSecond;
      response.set(http::Field::retry_after,
                   std::to_string(std::max<std::int64_t>(1, seconds_left)));
    }
  }
  return response;
}

http::Response ingest_refusal(Ingestor& ingestor, const KeyOwner& owner, const Error& error,
                              const http::Request& request) {
  http::Response response = error_response(error, request.version());
  if (auto quota = ingestor.quota_status(owner))
    set_quota_headers(response, *quota);
  return response;
}

}  // namespace agentsudo::server::api
