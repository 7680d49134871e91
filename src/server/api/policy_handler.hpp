#pragma once

#include <boost/asio/awaitable.hpp>
#include <vector>

#include "server/api/route.hpp"
#include "server/http/message.hpp"
#include "server/policy/policy_cache.hpp"
#include "server/store/project_store.hpp"

namespace agentsudo::server::api {

// GET /v1/policy: a project key reads its own project's policy (never its
// events), with an ETag, and long-polls for the next version with
// ?after=VERSION&wait=SECONDS. Thread-safe.
class PolicyHandler {
 public:
  // The routes this resource answers; see api/route.hpp.
  static std::vector<ResourceRoute<PolicyHandler>> routes();

  // A long-poll is held at most this long; a proxy in front must allow more.
  static constexpr int kMaxWaitSeconds = 60;

  PolicyHandler(ProjectStore& projects, PolicyCache& policies);

  boost::asio::awaitable<Result<http::Response>> read(const http::Request& request);

 private:
  ProjectStore& projects_;
  PolicyCache& policies_;
};

}  // namespace agentsudo::server::api
