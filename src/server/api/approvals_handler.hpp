#pragma once

#include <boost/asio/awaitable.hpp>
#include <string_view>
#include <vector>

#include "server/api/cursor.hpp"
#include "server/api/route.hpp"
#include "server/approvals/approval_waiters.hpp"
#include "server/auth/access_control.hpp"
#include "server/http/message.hpp"
#include "server/service/approval_service.hpp"
#include "server/store/project_store.hpp"

namespace agentsudo::server::api {

// Approval requests: the requester (a project key) reads one and waits for
// its decision at /v1/approvals/{id}?wait=SECONDS; people list and decide
// them at /api/v1/projects/{project_id}/approvals. Thread-safe.
class ApprovalsHandler {
 public:
  // The routes this resource answers; see api/route.hpp.
  static std::vector<ResourceRoute<ApprovalsHandler>> routes();

  // A wait is held at most this long; a proxy in front must allow more.
  static constexpr int kMaxWaitSeconds = 60;

  ApprovalsHandler(AccessControl& access, ProjectStore& projects, ApprovalService& approvals,
                   ApprovalWaiters& waiters, const CursorCodec& cursors);

  boost::asio::awaitable<Result<http::Response>> read(const http::Request& request,
                                                      std::string_view approval_id);
  Result<http::Response> list(const http::Request& request, std::string_view project_id);
  Result<http::Response> approve(const http::Request& request, std::string_view project_id,
                                 std::string_view approval_id);
  Result<http::Response> deny(const http::Request& request, std::string_view project_id,
                              std::string_view approval_id);

 private:
  AccessControl& access_;
  ProjectStore& projects_;
  ApprovalService& approvals_;
  ApprovalWaiters& waiters_;
  const CursorCodec& cursors_;
};

}  // namespace agentsudo::server::api
