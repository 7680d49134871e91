#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <vector>

#include "server/api/route.hpp"
#include "server/http/message.hpp"
#include "server/ingest/ingestor.hpp"
#include "server/store/project_store.hpp"

namespace agentsudo::server::api {

// POST /ingest-event (one event, the reference's format) and POST /api/events
// (a JSON array, the official Python SDK's format). Parses and validates the
// body, hands the events to the Ingestor, and shapes the answer with the
// quota headers. Thread-safe.
class IngestHandler {
 public:
  // The routes this resource answers; see api/route.hpp.
  static std::vector<ResourceRoute<IngestHandler>> routes();

  static constexpr std::size_t kMaxEventBytes = 64 * 1024;
  static constexpr std::size_t kMaxBatchBytes = 4 * 1024 * 1024;
  static constexpr std::size_t kMaxBatchEvents = 1000;

  IngestHandler(ProjectStore& projects, Ingestor& ingestor);

  boost::asio::awaitable<Result<http::Response>> ingest_event(const http::Request& request);
  boost::asio::awaitable<Result<http::Response>> ingest_batch(const http::Request& request);

 private:
  // A request's events and what its headers report of the sender's drops.
  struct Decoded {
    std::vector<Event> events;
    std::optional<DropReport> drops;
  };

  // `max_bytes` bounds the body as JSON, also once a gzip body is inflated.
  template <class Decode>
  static Result<Decoded> decode_body(const http::Request& request, std::size_t max_bytes,
                                     Decode decode);

  ProjectStore& projects_;
  Ingestor& ingestor_;
};

}  // namespace agentsudo::server::api
