#include "agentsudo/guard.hpp"

#include <chrono>

#include "sdk/denial_message.hpp"
#include "sdk/event_clock.hpp"
#include "sdk/event_dispatcher.hpp"
#include "sdk/guard_site.hpp"
#include "sdk/managed_decision.hpp"
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
void record(Steady::time_point at, EventAction action, DenialReason reason,
            const detail::SessionPtr* session, const SitePtr& site, std::string_view check_scope,
            const ManagedDecision* managed) noexcept {
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

PermissionDenied denial(const detail::SessionPtr* session, std::string_view scope,
                        DenialReason reason, const ManagedDecision* managed) {
  if (managed != nullptr)
    return make_managed_permission_denied((*session)->agent, scope, *managed, reason);
  return make_permission_denied(session, scope, reason);
}

// The slow path of GuardPoint::enforce(): returns if the call may run anyway.
// `managed` is what a managed agent's check read, null for a local agent.
[[gnu::cold]] void handle_denial(const SitePtr& site, const detail::SessionPtr* session,
                                 DenialReason reason, Steady::time_point now,
                                 const ManagedDecision* managed) {
  if (session == nullptr || site->on_denial == OnDenial::kRaise || fails_closed(reason)) {
    record(now, EventAction::kPermissionDenied, reason, session, site, {}, managed);
    throw denial(session, site->scope, reason, managed);
  }
  if (site->on_denial == OnDenial::kLog) {
    record(now, EventAction::kAuditViolation, reason, session, site, {}, managed);
    return;
  }
  if (!ask_approval(site, *session, reason, managed))
    throw denial(session, site->scope, DenialReason::kRejectedByCallback, managed);
}

// GuardPoint::enforce() for a managed agent: the same steps, with the
// decision and what its event needs read from one policy snapshot.
void enforce_managed(const SitePtr& site, const detail::SessionPtr& session,
                     Steady::time_point now) {
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
  handle_denial(site, &session, reason, now, &decision);
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

}  // namespace

GuardPoint::GuardPoint(std::string scope, GuardOptions options) {
  if (options.on_denial == OnDenial::kCallback && !options.approve) {
    throw ConfigurationError("guard for '" + scope +
                             "': on_denial is kCallback but no approve callback is set");
  }
  site_ = std::make_shared<const detail::GuardSite>(detail::GuardSite{
      .scope = std::move(scope),
      .function_name = std::move(options.function_name),
      .on_denial = options.on_denial,
      .approve = std::move(options.approve),
  });
}

void GuardPoint::enforce() const {
  const detail::SessionPtr* session = detail::SessionAccess::current();
  Steady::time_point now = EventClock::now();
  if (session != nullptr && (*session)->managed != nullptr) {
    enforce_managed(site_, *session, now);
    return;
  }
  DenialReason reason = evaluate(session, site_->scope, now);
  if (reason == DenialReason::kNone) {
    record(now, EventAction::kPermissionCheck, reason, session, site_, {}, nullptr);
    return;
  }
  handle_denial(site_, session, reason, now, nullptr);
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
