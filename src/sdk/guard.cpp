#include "agentsudo/guard.hpp"

#include <chrono>

#include "sdk/approval_flow.hpp"
#include "sdk/denial_message.hpp"
#include "sdk/event_clock.hpp"
#include "sdk/event_dispatcher.hpp"
#include "sdk/guard_site.hpp"
#include "sdk/managed_decision.hpp"
#include "sdk/server_connection.hpp"
#include "sdk/session_state.hpp"

namespace agentsudo {
namespace {

using SitePtr = std::shared_ptr<const detail::GuardSite>;
using Steady = EventClock::Steady;
using detail::ManagedDecision;

// Denials that no audit mode or callback may turn into a run: a managed
// agent without a policy, or one its policy does not list, fails closed.
bool fails_closed(DenialReason reason) noexcept {
  return reason == DenialReason::kNoPolicy || reason == DenialReason::kUnknownAgent;
}

DenialReason evaluate(const detail::SessionPtr* session, std::string_view scope,
                      Steady::time_point now) noexcept {
  if (session == nullptr)
    return DenialReason::kNoSession;
  const detail::SessionState& state = **session;
  if (now >= state.expires_at)
    return DenialReason::kSessionExpired;
  return state.agent.has_scope(scope) ? DenialReason::kNone : DenialReason::kScopeNotHeld;
}

// Emits one event, stamped `at`, if any sink wants it. The deciding thread
// pays for two reference counts; formatting happens in the sinks.
// A managed agent's decision also records the policy it was taken under.
// An approval-mode denial the SDK gave up on by itself names its request.
void record(Steady::time_point at, EventAction action, DenialReason reason,
            const detail::SessionPtr* session, const SitePtr& site, std::string_view check_scope,
            const ManagedDecision* managed, const std::string* approval_id = nullptr) noexcept {
  EventDispatcher& events = EventDispatcher::instance();
  if (!events.wants_events())
    return;
  try {
    EventRecord event;
    event.timestamp = EventClock::wall_time(at);
    event.action = action;
    event.allowed =
        action == EventAction::kPermissionCheck || action == EventAction::kCallbackApproved;
    event.reason = reason;
    if (session != nullptr)
      event.session = *session;
    event.site = site;
    if (!site)
      event.check_scope = check_scope;
    if (managed != nullptr) {
      event.policy = PolicyStamp{
          .version = managed->version,
          .matched = action == EventAction::kPermissionCheck ? managed->matched : std::string(),
          .role = managed->role};
    }
    if (approval_id != nullptr)
      event.approval = std::make_unique<const ApprovalDetail>(ApprovalDetail{*approval_id});
    events.dispatch(std::move(event));
  } catch (...) {
    // Out of memory while copying a scope: the event is lost, the decision stands.
  }
}

// Asks the site's callback; records and returns its answer. An exception from
// the callback counts as a rejection and reaches the caller.
bool ask_approval(const SitePtr& site, const detail::SessionPtr& session, DenialReason reason,
                  const ManagedDecision* managed) {
  CallContext call{site->scope, site->function_name, session->id, reason};
  bool approved = false;
  try {
    approved = site->approve(session->agent, site->scope, call);
  } catch (...) {
    record(EventClock::now(), EventAction::kCallbackDenied, DenialReason::kRejectedByCallback,
           &session, site, {}, managed);
    throw;
  }
  record(EventClock::now(),
         approved ? EventAction::kCallbackApproved : EventAction::kCallbackDenied,
         approved ? reason : DenialReason::kRejectedByCallback, &session, site, {}, managed);
  return approved;
}

// Asks the server for a person's approval of this call and waits for it.
// Returns if the call may run; throws PermissionDenied saying which failure
// ended it otherwise. The server records the flow's events; the SDK records
// one only when it gives up on its own.
void ask_server_approval(const SitePtr& site, const detail::SessionPtr& session,
                         const detail::CallArguments* arguments, const ManagedDecision* managed) {
  const Agent& agent = session->agent;
  ApprovalCall call{.agent_name = agent.name(),
                    .scope = site->scope,
                    .function_name = site->function_name,
                    .session_id = session->id,
                    .args_digest = arguments != nullptr ? arguments->digest() : std::string(),
                    .preview = arguments != nullptr ? arguments->preview() : std::string(),
                    .ttl_seconds = site->approval.request_ttl.count()};
  ServerConnection connection =
      resolve_server_connection(site->approval.endpoint, site->approval.api_key);
  ApprovalOutcome outcome = run_approval_flow(call, connection, site->approval);
  if (outcome.allowed)
    return;
  if (outcome.gave_up_locally) {
    record(EventClock::now(), EventAction::kPermissionDenied, outcome.reason, &session, site, {},
           managed, &outcome.approval_id);
  }
  throw make_approval_permission_denied(
      agent, site->scope, managed != nullptr ? managed->scopes : agent.scopes(), outcome.reason,
      std::move(outcome.approval_id), outcome.detail);
}

PermissionDenied denial(const detail::SessionPtr* session, std::string_view scope,
                        DenialReason reason, const ManagedDecision* managed) {
  if (managed != nullptr)
    return make_managed_permission_denied((*session)->agent, scope, *managed, reason);
  return make_permission_denied(session, scope, reason);
}

// The slow path of GuardPoint::enforce(): returns if the call may run anyway.
// `managed` is what a managed agent's check read, null for a local agent.
// Approval mode asks only about a scope not held: no session, an expired
// one or a missing policy are denied as in kRaise.
[[gnu::cold]] void handle_denial(const SitePtr& site, const detail::SessionPtr* session,
                                 DenialReason reason, Steady::time_point now,
                                 const ManagedDecision* managed,
                                 const detail::CallArguments* arguments) {
  bool asks_approval = site->on_denial == OnDenial::kApproval;
  if (session == nullptr || site->on_denial == OnDenial::kRaise || fails_closed(reason) ||
      (asks_approval && reason != DenialReason::kScopeNotHeld)) {
    record(now, EventAction::kPermissionDenied, reason, session, site, {}, managed);
    throw denial(session, site->scope, reason, managed);
  }
  if (site->on_denial == OnDenial::kLog) {
    record(now, EventAction::kAuditViolation, reason, session, site, {}, managed);
    return;
  }
  if (asks_approval) {
    ask_server_approval(site, *session, arguments, managed);
    return;
  }
  if (!ask_approval(site, *session, reason, managed))
    throw denial(session, site->scope, DenialReason::kRejectedByCallback, managed);
}

// GuardPoint::enforce() for a managed agent: the same steps, with the
// decision and what its event needs read from one policy snapshot.
void enforce_managed(const SitePtr& site, const detail::SessionPtr& session, Steady::time_point now,
                     const detail::CallArguments* arguments) {
  const detail::SessionState& state = *session;
  bool describe = EventDispatcher::instance().wants_events();
  ManagedDecision decision;
  DenialReason reason = detail::decide_managed(*state.managed, state.started_at, site->scope, now,
                                               describe, decision);
  if (reason == DenialReason::kNone) {
    if (describe)
      record(now, EventAction::kPermissionCheck, reason, &session, site, {}, &decision);
    return;
  }
  handle_denial(site, &session, reason, now, &decision, arguments);
}

// check() for a managed agent.
Decision check_managed(const detail::SessionPtr& session, std::string_view scope,
                       Steady::time_point now) noexcept {
  const detail::SessionState& state = *session;
  ManagedDecision decision;
  DenialReason reason = DenialReason::kNone;
  try {
    reason = detail::decide_managed(*state.managed, state.started_at, scope, now,
                                    EventDispatcher::instance().wants_events(), decision);
  } catch (...) {
    // Out of memory while copying the details: the decision stands, the
    // event is lost.
    return Decision{.allowed = decision.reason == DenialReason::kNone, .reason = decision.reason};
  }
  bool allowed = reason == DenialReason::kNone;
  record(now, allowed ? EventAction::kPermissionCheck : EventAction::kPermissionDenied, reason,
         &session, nullptr, scope, &decision);
  return Decision{.allowed = allowed, .reason = reason};
}

void enforce_site(const SitePtr& site, const detail::CallArguments* arguments) {
  const detail::SessionPtr* session = detail::SessionAccess::current();
  Steady::time_point now = EventClock::now();
  if (session != nullptr && (*session)->managed != nullptr) {
    enforce_managed(site, *session, now, arguments);
    return;
  }
  DenialReason reason = evaluate(session, site->scope, now);
  if (reason == DenialReason::kNone) {
    record(now, EventAction::kPermissionCheck, reason, session, site, {}, nullptr);
    return;
  }
  handle_denial(site, session, reason, now, nullptr, arguments);
}

// The server's bounds on approval_ttl_seconds.
constexpr std::chrono::seconds kMaxRequestTtl{86400};

void validate_approval(const std::string& scope, const ApprovalOptions& approval) {
  auto fail = [&](const std::string& what) {
    throw ConfigurationError("guard for '" + scope + "': " + what);
  };
  if (approval.timeout.count() <= 0)
    fail("ApprovalOptions::timeout must be positive");
  if (approval.request_ttl.count() < 1 || approval.request_ttl > kMaxRequestTtl)
    fail("ApprovalOptions::request_ttl must be 1 s to 24 h");
  if (approval.request_timeout.count() <= 0 || approval.retry_base_delay.count() <= 0 ||
      approval.retry_max_delay < approval.retry_base_delay)
    fail("ApprovalOptions intervals must be positive, retry_max_delay at least retry_base_delay");
}

}  // namespace

namespace detail {

void require_not_approval(const GuardOptions& options, const std::string& scope) {
  if (options.on_denial == OnDenial::kApproval) {
    throw ConfigurationError("guard for '" + scope +
                             "': approval mode binds the request to the call's arguments; wrap "
                             "the callable with agentsudo::sudo_approval() instead of sudo()");
  }
}

GuardOptions approval_mode(GuardOptions options, const std::string& scope) {
  if (options.on_denial != OnDenial::kRaise && options.on_denial != OnDenial::kApproval) {
    throw ConfigurationError("guard for '" + scope +
                             "': sudo_approval() is approval mode; on_denial names another");
  }
  options.on_denial = OnDenial::kApproval;
  return options;
}

}  // namespace detail

GuardPoint::GuardPoint(std::string scope, GuardOptions options) {
  if (options.on_denial == OnDenial::kCallback && !options.approve) {
    throw ConfigurationError("guard for '" + scope +
                             "': on_denial is kCallback but no approve callback is set");
  }
  if (options.on_denial == OnDenial::kApproval)
    validate_approval(scope, options.approval);
  site_ = std::make_shared<const detail::GuardSite>(detail::GuardSite{
      .scope = std::move(scope),
      .function_name = std::move(options.function_name),
      .on_denial = options.on_denial,
      .approve = std::move(options.approve),
      .approval = std::move(options.approval),
  });
}

void GuardPoint::enforce() const {
  enforce_site(site_, nullptr);
}

void GuardPoint::enforce(const detail::CallArguments& arguments) const {
  enforce_site(site_, &arguments);
}

const std::string& GuardPoint::scope() const noexcept {
  return site_->scope;
}

Decision check(std::string_view scope) noexcept {
  const detail::SessionPtr* session = detail::SessionAccess::current();
  Steady::time_point now = EventClock::now();
  if (session != nullptr && (*session)->managed != nullptr)
    return check_managed(*session, scope, now);
  DenialReason reason = evaluate(session, scope, now);
  bool allowed = reason == DenialReason::kNone;
  record(now, allowed ? EventAction::kPermissionCheck : EventAction::kPermissionDenied, reason,
         session, nullptr, scope, nullptr);
  return Decision{.allowed = allowed, .reason = reason};
}

}  // namespace agentsudo
