#include "agentsudo/guard.hpp"

#include <chrono>

#include "sdk/denial_message.hpp"
#include "sdk/event_clock.hpp"
#include "sdk/event_dispatcher.hpp"
#include "sdk/guard_site.hpp"
#include "sdk/session_state.hpp"

namespace agentsudo {
namespace {

using SitePtr = std::shared_ptr<const detail::GuardSite>;
using Steady = EventClock::Steady;

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
void record(Steady::time_point at, EventAction action, DenialReason reason,
            const detail::SessionPtr* session, const SitePtr& site,
            std::string_view check_scope = {}) noexcept {
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
    events.dispatch(std::move(event));
  } catch (...) {
    // Out of memory while copying a scope: the event is lost, the decision stands.
  }
}

// Asks the site's callback; records and returns its answer. An exception from
// the callback counts as a rejection and reaches the caller.
bool ask_approval(const SitePtr& site, const detail::SessionPtr& session, DenialReason reason) {
  CallContext call{site->scope, site->function_name, session->id, reason};
  bool approved = false;
  try {
    approved = site->approve(session->agent, site->scope, call);
  } catch (...) {
    record(EventClock::now(), EventAction::kCallbackDenied, DenialReason::kRejectedByCallback,
           &session, site);
    throw;
  }
  record(EventClock::now(),
         approved ? EventAction::kCallbackApproved : EventAction::kCallbackDenied,
         approved ? reason : DenialReason::kRejectedByCallback, &session, site);
  return approved;
}

// The slow path of GuardPoint::enforce(): returns if the call may run anyway.
[[gnu::cold]] void handle_denial(const SitePtr& site, const detail::SessionPtr* session,
                                 DenialReason reason, Steady::time_point now) {
  if (session == nullptr || site->on_denial == OnDenial::kRaise) {
    record(now, EventAction::kPermissionDenied, reason, session, site);
    throw make_permission_denied(session, site->scope, reason);
  }
  if (site->on_denial == OnDenial::kLog) {
    record(now, EventAction::kAuditViolation, reason, session, site);
    return;
  }
  if (!ask_approval(site, *session, reason)) {
    throw make_permission_denied(session, site->scope, DenialReason::kRejectedByCallback);
  }
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
  DenialReason reason = evaluate(session, site_->scope, now);
  if (reason == DenialReason::kNone) {
    record(now, EventAction::kPermissionCheck, reason, session, site_);
    return;
  }
  handle_denial(site_, session, reason, now);
}

const std::string& GuardPoint::scope() const noexcept {
  return site_->scope;
}

Decision check(std::string_view scope) noexcept {
  const detail::SessionPtr* session = detail::SessionAccess::current();
  Steady::time_point now = EventClock::now();
  DenialReason reason = evaluate(session, scope, now);
  bool allowed = reason == DenialReason::kNone;
  record(now, allowed ? EventAction::kPermissionCheck : EventAction::kPermissionDenied, reason,
         session, nullptr, scope);
  return Decision{.allowed = allowed, .reason = reason};
}

}  // namespace agentsudo
