#pragma once

#include <boost/asio/awaitable.hpp>
#include <vector>

#include "server/api/route.hpp"
#include "server/http/message.hpp"
#include "server/ingest/ingestor.hpp"
#include "server/policy/policy_cache.hpp"
#include "server/service/approval_service.hpp"
#include "server/store/project_store.hpp"

namespace agentsudo::server::api {

// POST /v1/check: the server decides one call with the project's policy,
// records the decision as one event (counted against the quota), and answers
// once that event is durable. A denied call may redeem an approval, ride a
// live grant, or ask a person (on_denial: "approval"); ApprovalService
// decides which. Governance for agents without our SDK. Thread-safe.
class CheckHandler {
 public:
  // The routes this resource answers; see api/route.hpp.
  static std::vector<ResourceRoute<CheckHandler>> routes();

  CheckHandler(ProjectStore& projects, PolicyCache& policies, Ingestor& ingestor,
               ApprovalService& approvals);

  boost::asio::awaitable<Result<http::Response>> check(const http::Request& request);

 private:
  // The approval steps for a denied call, unless the quota is used up (then
  // the denial is recorded, and refused, as before).
  Result<DenialResolution> resolve_denial(const KeyOwner& owner, const Event& event,
                                          const PolicyDecision& decision, std::int64_t version,
                                          const CheckApprovalOptions& options);

  ProjectStore& projects_;
  PolicyCache& policies_;
  Ingestor& ingestor_;
  ApprovalService& approvals_;
};

}  // namespace agentsudo::server::api
