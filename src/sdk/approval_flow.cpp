#include "sdk/approval_flow.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "sdk/http_client.hpp"
#include "sdk/retry_backoff.hpp"

namespace agentsudo {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Below the server's bound of 60 s, so that proxies with a one-minute idle
// limit never cut a long-poll.
constexpr std::chrono::seconds kMaxWait{55};
// How much of an answer goes into a message.
constexpr std::size_t kQuotedBodyBytes = 200;

std::string seconds_text(milliseconds duration) {
  std::string text = std::to_string(duration.count() / 1000);
  if (duration.count() % 1000 != 0)
    text += "." + std::to_string(duration.count() % 1000 / 100);
  return text + " s";
}

// Statuses worth asking again: the server is restarting or overloaded.
bool transient(const HttpResponse& response) {
  return response.status == 0 || response.status == 429 || response.status >= 500;
}

std::string describe_failure(const HttpResponse& response) {
  if (response.status == 0)
    return response.error;
  return "HTTP " + std::to_string(response.status) + ": " +
         response.body.substr(0, kQuotedBodyBytes);
}

class ApprovalFlow {
 public:
  ApprovalFlow(const ApprovalCall& call, const ServerConnection& connection,
               const ApprovalOptions& options)
      : call_(call),
        connection_(connection),
        options_(options),
        deadline_(Clock::now() + options.timeout),
        backoff_(options.retry_base_delay, options.retry_max_delay) {}

  ApprovalOutcome run() {
    if (connection_.api_key.empty()) {
      return gave_up(DenialReason::kApprovalUnreachable,
                     "no API key is configured to ask the server (ApprovalOptions::api_key, "
                     "AGENTSUDO_API_KEY, configure_policy() or configure_cloud())");
    }
    std::string body = check_request_json(call_, nullptr);
    HttpResponse response = client_.exchange(connection_.base_url + "/v1/check", &body,
                                             connection_.api_key, request_limit(), request_limit());
    if (response.status == 0) {
      return gave_up(DenialReason::kApprovalUnreachable,
                     "the server at " + connection_.base_url +
                         " could not be reached to request approval: " + response.error);
    }
    std::optional<CheckAnswer> answer = read_check(response);
    if (!answer)
      return refused("the server refused the approval request: " + describe_failure(response));
    if (answer->kind == CheckAnswer::Kind::kAllowed)
      return allowed(answer->approval_id);
    if (answer->kind == CheckAnswer::Kind::kDenied) {
      return refused("the server denied the call without creating an approval request: " +
                     answer->reason);
    }
    ticket_ = ApprovalTicket{.id = answer->approval_id, .nonce = answer->nonce};
    expires_at_ = answer->expires_at;
    announce_pending();
    return wait_for_decision();
  }

 private:
  ApprovalOutcome wait_for_decision() {
    int failures = 0;
    std::string last_error;
    for (;;) {
      milliseconds left = remaining();
      if (left.count() <= 0)
        break;
      // Whole seconds, rounded up: the last poll may end under a second late.
      auto wait = std::min(kMaxWait, std::chrono::ceil<std::chrono::seconds>(left));
      Clock::time_point asked_at = Clock::now();
      HttpResponse response = client_.exchange(
          connection_.base_url + "/v1/approvals/" + ticket_.id +
              "?wait=" + std::to_string(wait.count()),
          nullptr, connection_.api_key, wait + options_.request_timeout, request_limit());
      if (transient(response)) {
        last_error = describe_failure(response);
        if (!pause(failures++))
          break;
        continue;
      }
      last_error.clear();
      std::optional<ApprovalStatusAnswer> status =
          response.status == 200 ? parse_status_answer(response.body) : std::nullopt;
      if (!status) {
        return refused("the server answered the wait for approval " + ticket_.id + " with " +
                       describe_failure(response));
      }
      if (status->status == "pending") {
        // A pending answer long before the wait it was asked for comes from
        // a server shutting down: pause rather than ask again at once.
        if (Clock::now() - asked_at < milliseconds(wait) / 2) {
          if (!pause(failures++))
            break;
        } else {
          failures = 0;
        }
        continue;
      }
      return decided(*status);
    }
    if (!last_error.empty()) {
      return gave_up(DenialReason::kApprovalUnreachable,
                     "the server at " + connection_.base_url +
                         " stopped answering while the call waited for approval " + ticket_.id +
                         ", and did not answer again within the SDK's timeout of " +
                         seconds_text(options_.timeout) + ": " + last_error);
    }
    return gave_up(DenialReason::kApprovalTimeout,
                   "no decision on approval " + ticket_.id + " within the SDK's timeout of " +
                       seconds_text(options_.timeout) +
                       " (ApprovalOptions::timeout); the request stays pending on the server "
                       "until " +
                       expires_at_);
  }

  ApprovalOutcome decided(const ApprovalStatusAnswer& status) {
    if (status.status == "approved")
      return redeem();
    if (status.status == "denied") {
      std::string detail = "approval " + ticket_.id + " was denied by " +
                           (status.decided_by.empty() ? "(unknown)" : status.decided_by);
      if (!status.reason.empty())
        detail += ": " + status.reason;
      return outcome(DenialReason::kApprovalDenied, std::move(detail), false);
    }
    if (status.status == "expired") {
      return outcome(DenialReason::kApprovalExpired,
                     "approval " + ticket_.id + " expired at " +
                         (status.expires_at.empty() ? expires_at_ : status.expires_at) +
                         " before anyone decided",
                     false);
    }
    return refused("the server reported approval " + ticket_.id + " as '" + status.status + "'");
  }

  // Spends the approval on this call. Retried while the server is away: a
  // redemption that took effect unseen makes the next attempt fail as
  // spent, which denies; it never runs the call twice.
  ApprovalOutcome redeem() {
    std::string body = check_request_json(call_, &ticket_);
    int failures = 0;
    std::string last_error;
    while (remaining().count() > 0) {
      HttpResponse response =
          client_.exchange(connection_.base_url + "/v1/check", &body, connection_.api_key,
                           request_limit(), request_limit());
      if (transient(response)) {
        last_error = describe_failure(response);
        if (!pause(failures++))
          break;
        continue;
      }
      std::optional<CheckAnswer> answer = read_check(response);
      if (answer && answer->kind == CheckAnswer::Kind::kAllowed)
        return allowed(ticket_.id);
      return refused("approval " + ticket_.id +
                     " was approved, but the server refused to redeem it: " +
                     (answer ? answer->reason : describe_failure(response)));
    }
    return gave_up(
        last_error.empty() ? DenialReason::kApprovalTimeout : DenialReason::kApprovalUnreachable,
        "approval " + ticket_.id +
            " was approved, but redeeming it did not complete within the SDK's "
            "timeout of " +
            seconds_text(options_.timeout) +
            (last_error.empty() ? std::string() : ": " + last_error));
  }

  std::optional<CheckAnswer> read_check(const HttpResponse& response) const {
    if (response.status != 200)
      return std::nullopt;
    return parse_check_answer(response.body);
  }

  void announce_pending() const {
    if (!options_.on_pending)
      return;
    try {
      options_.on_pending(PendingApproval{.id = ticket_.id, .expires_at = expires_at_});
    } catch (...) {
      // A notification must not decide the call.
    }
  }

  milliseconds remaining() const {
    return std::chrono::duration_cast<milliseconds>(deadline_ - Clock::now());
  }

  // A limit for one short request: request_timeout, cut to what is left
  // (at least 1 ms: curl reads 0 as no limit).
  milliseconds request_limit() const {
    return std::max(milliseconds(1), std::min(options_.request_timeout, remaining()));
  }

  // Sleeps before retry `attempt`; false when the deadline comes first.
  bool pause(int attempt) {
    milliseconds left = remaining();
    if (left.count() <= 0)
      return false;
    std::this_thread::sleep_for(std::min(backoff_.delay(attempt), left));
    return remaining().count() > 0;
  }

  ApprovalOutcome allowed(std::string approval_id) const {
    ApprovalOutcome outcome;
    outcome.allowed = true;
    outcome.approval_id = std::move(approval_id);
    return outcome;
  }
  ApprovalOutcome outcome(DenialReason reason, std::string detail, bool gave_up_locally) const {
    return ApprovalOutcome{.allowed = false,
                           .reason = reason,
                           .approval_id = ticket_.id,
                           .detail = std::move(detail),
                           .gave_up_locally = gave_up_locally};
  }
  ApprovalOutcome refused(std::string detail) const {
    return outcome(DenialReason::kApprovalRefused, std::move(detail), false);
  }
  ApprovalOutcome gave_up(DenialReason reason, std::string detail) const {
    return outcome(reason, std::move(detail), true);
  }

  const ApprovalCall& call_;
  const ServerConnection& connection_;
  const ApprovalOptions& options_;
  const Clock::time_point deadline_;
  HttpClient client_;
  RetryBackoff backoff_;
  ApprovalTicket ticket_;
  std::string expires_at_;
};

}  // namespace

ApprovalOutcome run_approval_flow(const ApprovalCall& call, const ServerConnection& connection,
                                  const ApprovalOptions& options) {
  return ApprovalFlow(call, connection, options).run();
}

}  // namespace agentsudo
