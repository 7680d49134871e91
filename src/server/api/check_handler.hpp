#pragma once

#include <boost/asio/awaitable.hpp>
#include <vector>

#include "server/api/route.hpp"
#include "server/http/message.hpp"
#include "server/ingest/ingestor.hpp"
#include "server/policy/policy_cache.hpp"
#include "server/store/project_store.hpp"

namespace agentsudo::server::api {

// POST /v1/check: the server decides one call with the project's policy,
// records the decision as one event (counted against the quota), and answers
// once that event is durable. Governance for agents without our SDK.
// Thread-safe.
class CheckHandler {
 public:
  // The routes this resource answers; see api/route.hpp.
  static std::vector<ResourceRoute<CheckHandler>> routes();

  CheckHandler(ProjectStore& projects, PolicyCache& policies, Ingestor& ingestor);

  boost::asio::awaitable<Result<http::Response>> check(const http::Request& request);

 private:
  ProjectStore& projects_;
  PolicyCache& policies_;
  Ingestor& ingestor_;
};

}  // namespace agentsudo::server::api
