#pragma once

#include <concepts>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "agentsudo/agent.hpp"
#include "agentsudo/errors.hpp"

namespace agentsudo {

namespace detail {
struct GuardSite;
}  // namespace detail

// What an approval callback learns about the call it is asked to approve.
struct CallContext {
  std::string_view scope;
  // The name given at wrap time; empty when none was given.
  std::string_view function_name;
  std::string_view session_id;
  DenialReason reason = DenialReason::kScopeNotHeld;
};

// Decides whether a call the agent lacks the scope for may run anyway: a human
// in the loop or a policy. Called on the thread making the call; it may block.
using ApprovalCallback =
    std::function<bool(const Agent& agent, std::string_view scope, const CallContext& call)>;

// What a guarded call does when the agent lacks the scope.
enum class OnDenial {
  kRaise,     // Throw PermissionDenied; the call does not run (event permission_denied).
  kLog,       // Audit mode: record the violation and run the call (event audit_violation).
  kCallback,  // Ask GuardOptions::approve (callback_approved or callback_denied).
};

struct GuardOptions {
  // Reported in events as function_name; AGENTSUDO_REQUIRE fills in __func__.
  std::string function_name;
  OnDenial on_denial = OnDenial::kRaise;
  // Required when on_denial is kCallback.
  ApprovalCallback approve;
};

// The outcome of check().
struct Decision {
  bool allowed = false;
  DenialReason reason = DenialReason::kNone;

  explicit operator bool() const noexcept { return allowed; }
};

// One guarded place in the code: a required scope and a denial policy,
// prepared once. enforce() checks the calling thread's current agent.
//
// Immutable; safe to call from any number of threads.
class GuardPoint {
 public:
  // Throws ConfigurationError when on_denial is kCallback without a callback.
  explicit GuardPoint(std::string scope, GuardOptions options = {});

  // Returns if the call may run: granted, logged in audit mode, or approved.
  // Throws PermissionDenied otherwise, and always when no session is running.
  // Emits exactly one event.
  void enforce() const;

  const std::string& scope() const noexcept;

 private:
  std::shared_ptr<const detail::GuardSite> site_;
};

// A callable that enforces a GuardPoint before every call. Takes the same
// arguments as the wrapped callable and returns what it returns.
template <class F>
class Guarded {
 public:
  Guarded(GuardPoint point, F fn) : point_(std::move(point)), fn_(std::move(fn)) {}

  template <class... Args>
  requires std::invocable<const F&, Args...>
  decltype(auto) operator()(Args&&... args) const {
    point_.enforce();
    return std::invoke(fn_, std::forward<Args>(args)...);
  }

  template <class... Args>
  requires(std::invocable<F&, Args...> && !std::invocable<const F&, Args...>) decltype(auto)
  operator()(Args&&... args) {
    point_.enforce();
    return std::invoke(fn_, std::forward<Args>(args)...);
  }

  const GuardPoint& guard() const noexcept { return point_; }

 private:
  GuardPoint point_;
  F fn_;
};

// Wraps `fn` so that each call first requires `scope` of the current agent:
//   auto refund = agentsudo::sudo("write:refunds", issue_refund,
//                                 {.function_name = "issue_refund"});
template <class F>
Guarded<std::decay_t<F>> sudo(std::string scope, F&& fn, GuardOptions options = {}) {
  return Guarded<std::decay_t<F>>(GuardPoint(std::move(scope), std::move(options)),
                                  std::forward<F>(fn));
}

// Checks `scope` against the current agent and reports the decision without
// throwing. Emits a permission_check or permission_denied event.
Decision check(std::string_view scope) noexcept;

namespace detail {

// `options`, naming the function `function_name` unless they name one already.
inline GuardOptions with_function_name(GuardOptions options, const char* function_name) {
  if (options.function_name.empty())
    options.function_name = function_name;
  return options;
}

}  // namespace detail

}  // namespace agentsudo

#define AGENTSUDO_DETAIL_CONCAT2(a, b) a##b
#define AGENTSUDO_DETAIL_CONCAT(a, b) AGENTSUDO_DETAIL_CONCAT2(a, b)

// Statement form for the first line of a function body: requires `scope` of
// the current agent, throwing PermissionDenied on denial. The guard is built
// once per call site; events name the enclosing function (__func__).
#define AGENTSUDO_REQUIRE(scope) AGENTSUDO_REQUIRE_WITH(scope, ::agentsudo::GuardOptions())

// As AGENTSUDO_REQUIRE, with explicit GuardOptions (audit mode, callback...).
#define AGENTSUDO_REQUIRE_WITH(scope, options)                                              \
  static const ::agentsudo::GuardPoint AGENTSUDO_DETAIL_CONCAT(agentsudo_guard_, __LINE__)( \
      scope, ::agentsudo::detail::with_function_name(options, __func__));                   \
  AGENTSUDO_DETAIL_CONCAT(agentsudo_guard_, __LINE__).enforce()
