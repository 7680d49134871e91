#include "server/api/approvals_handler.hpp"

#include "server/api/approval_json.hpp"
#include "server/api/json_members.hpp"
#include "server/api/query_params.hpp"
#include "server/api/request_body.hpp"
#include "server/api/request_credentials.hpp"
#include "server/api/responses.hpp"
#include "server/auth/credentials.hpp"

namespace agentsudo::server::api {
namespace json = boost::json;

namespace {

// A decision's body: {"reason"?, "for_minutes"?}.
constexpr std::size_t kDecisionBody = 16 * 1024;

struct ListQuery {
  std::optional<ApprovalStatus> status = ApprovalStatus::kPending;
  std::string status_text = "pending";
  std::size_t limit = ApprovalService::kDefaultPageSize;
  std::optional<std::string> cursor;
};

Result<std::optional<ApprovalStatus>> parse_status(std::string_view text) {
  for (auto status : {ApprovalStatus::kPending, ApprovalStatus::kApproved, ApprovalStatus::kDenied,
                      ApprovalStatus::kExpired}) {
    if (text == to_string(status))
      return std::optional(status);
  }
  if (text == "all")
    return std::optional<ApprovalStatus>();
  return invalid_parameter("status", "status must be pending, approved, denied, expired or all");
}

Result<ListQuery> parse_list_query(std::string_view target) {
  ASSIGN_OR_RETURN(auto params, query_params(target, {"status", "limit", "cursor"}));
  ListQuery query;
  if (auto status = params.find("status"); status != params.end()) {
    ASSIGN_OR_RETURN(query.status, parse_status(status->second));
    query.status_text = status->second;
  }
  if (auto limit = params.find("limit"); limit != params.end()) {
    auto value = whole_number(limit->second);
    if (!value || *value < 1 || *value > static_cast<std::int64_t>(ApprovalService::kMaxPageSize))
      return invalid_parameter("limit", "limit must be a whole number from 1 to " +
                                            std::to_string(ApprovalService::kMaxPageSize));
    query.limit = static_cast<std::size_t>(*value);
  }
  if (auto cursor = params.find("cursor"); cursor != params.end())
    query.cursor = cursor->second;
  return query;
}

Result<int> read_wait(std::string_view target) {
  ASSIGN_OR_RETURN(auto params, query_params(target, {"wait"}));
  auto found = params.find("wait");
  if (found == params.end())
    return 0;
  return wait_seconds(found->second, ApprovalsHandler::kMaxWaitSeconds);
}

// Reads the request again once a waiter is registered, so that a decision
// in between is not missed.
std::function<bool()> still_pending(ApprovalService& approvals, std::int64_t project_rowid,
                                    std::string id) {
  return [&approvals, project_rowid, id = std::move(id)] {
    auto now = approvals.get(project_rowid, id);
    return !now || now->status != ApprovalStatus::kPending;
  };
}

// A decision may come without a body: approving once needs no members.
Result<json::value> decision_body(const http::Request& request) {
  if (request.body().empty())
    return json::value(json::object());
  return parse_json_body(request);
}

}  // namespace

std::vector<ResourceRoute<ApprovalsHandler>> ApprovalsHandler::routes() {
  using http::Verb;
  return {
      route(Verb::get, "/v1/approvals/{approval_id}", kSmallBody, Access::kApiKey,
            &ApprovalsHandler::read),
      route(Verb::get, "/api/v1/projects/{project_id}/approvals", kSmallBody, Access::kProject,
            &ApprovalsHandler::list),
      route(Verb::post, "/api/v1/projects/{project_id}/approvals/{approval_id}/approve",
            kDecisionBody, Access::kProject, &ApprovalsHandler::approve),
      route(Verb::post, "/api/v1/projects/{project_id}/approvals/{approval_id}/deny", kDecisionBody,
            Access::kProject, &ApprovalsHandler::deny),
  };
}

ApprovalsHandler::ApprovalsHandler(AccessControl& access, ProjectStore& projects,
                                   ApprovalService& approvals, ApprovalWaiters& waiters,
                                   const CursorCodec& cursors)
    : access_(access),
      projects_(projects),
      approvals_(approvals),
      waiters_(waiters),
      cursors_(cursors) {}

boost::asio::awaitable<Result<http::Response>> ApprovalsHandler::read(
    const http::Request& request, std::string_view approval_id) {
  CO_ASSIGN_OR_RETURN(auto owner, authenticate_api_key(projects_, request["X-API-Key"]));
  CO_ASSIGN_OR_RETURN(int wait, read_wait(request.target()));
  auto approval = approvals_.get(owner.project_rowid, approval_id);
  if (approval && approval->status == ApprovalStatus::kPending && wait > 0) {
    auto settled = still_pending(approvals_, owner.project_rowid, approval->id);
    co_await waiters_.wait(approval->id, std::chrono::seconds(wait), settled);
    approval = approvals_.get(owner.project_rowid, approval_id);
  }
  if (!approval)
    co_return approval.take_error();
  co_return json_response(200, approval_status_json(*approval), request.version());
}

Result<http::Response> ApprovalsHandler::list(const http::Request& request,
                                              std::string_view project_id) {
  ASSIGN_OR_RETURN(auto target, authorize_project(access_, request, project_id));
  ASSIGN_OR_RETURN(auto query, parse_list_query(request.target()));
  // A cursor is bound to its project and status filter.
  std::string cursor_scope = std::string(project_id) + "\napprovals\n" + query.status_text;
  std::optional<std::int64_t> before_seq;
  if (query.cursor) {
    before_seq = cursors_.decode(*query.cursor, cursor_scope);
    if (!before_seq)
      return invalid_parameter("cursor", "cursor was not issued for this project and status");
  }
  ASSIGN_OR_RETURN(auto page,
                   approvals_.list(target.project.rowid, query.status, before_seq, query.limit));
  json::array items;
  for (const auto& approval : page.approvals)
    items.push_back(approval_item_json(approval));
  json::value next = nullptr;
  if (page.next_before_seq)
    next = cursors_.encode(*page.next_before_seq, cursor_scope);
  return json_response(200, json::object{{"approvals", std::move(items)}, {"next_cursor", next}},
                       request.version());
}

Result<http::Response> ApprovalsHandler::approve(const http::Request& request,
                                                 std::string_view project_id,
                                                 std::string_view approval_id) {
  ASSIGN_OR_RETURN(auto target, authorize_project(access_, request, project_id));
  ASSIGN_OR_RETURN(auto body, decision_body(request));
  ASSIGN_OR_RETURN(auto members, JsonMembers::of(body, {"reason", "for_minutes"}));
  ASSIGN_OR_RETURN(auto reason, members.optional_string("reason"));
  ASSIGN_OR_RETURN(auto for_minutes, members.optional_whole_number("for_minutes"));
  ASSIGN_OR_RETURN(auto approval, approvals_.approve(target.project.rowid, approval_id,
                                                     author_of(target.principal),
                                                     reason.value_or(""), for_minutes));
  return json_response(200, approval_item_json(approval), request.version());
}

Result<http::Response> ApprovalsHandler::deny(const http::Request& request,
                                              std::string_view project_id,
                                              std::string_view approval_id) {
  ASSIGN_OR_RETURN(auto target, authorize_project(access_, request, project_id));
  ASSIGN_OR_RETURN(auto body, decision_body(request));
  ASSIGN_OR_RETURN(auto members, JsonMembers::of(body, {"reason"}));
  ASSIGN_OR_RETURN(auto reason, members.optional_string("reason"));
  ASSIGN_OR_RETURN(auto approval,
                   approvals_.deny(target.project.rowid, approval_id, author_of(target.principal),
                                   reason.value_or("")));
  return json_response(200, approval_item_json(approval), request.version());
}

}  // namespace agentsudo::server::api
