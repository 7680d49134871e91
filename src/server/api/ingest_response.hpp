#pragma once

#include "server/http/message.hpp"
#include "server/ingest/ingestor.hpp"

namespace agentsudo::server::api {

// The X-RateLimit-* headers every answer to an ingesting request carries.
void set_quota_headers(http::Response& response, const QuotaDecision& quota);

// The answer to a failed ingest: the error, the quota headers once the quota
// was consulted, and Retry-After past the quota.
http::Response ingest_error_response(const IngestOutcome& outcome, const http::Request& request);

// A 4xx for a request from a known project that never reached the Ingestor,
// with its quota headers.
http::Response ingest_refusal(Ingestor& ingestor, const KeyOwner& owner, const Error& error,
                              const http::Request& request);

}  // namespace agentsudo::server::api
