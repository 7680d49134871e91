#pragma once

#include <concepts>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "agentsudo/agent.hpp"
#include "agentsudo/approval.hpp"
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
  // Ask a person through the server (GuardOptions::approval) and wait for the
  // decision; runs the call once if approved, else throws PermissionDenied.
  // Guards over a callable use sudo_approval(), which binds the request to
  // the call's arguments.
  kApproval,
};

struct GuardOptions {
  // Reported in events as function_name; AGENTSUDO_REQUIRE fills in __func__.
  std::string function_name;
  OnDenial on_denial = OnDenial::kRaise;
  // Required when on_denial is kCallback.
  ApprovalCallback approve;
  // Used when on_denial is kApproval.
  ApprovalOptions approval;
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
// Immutable; safe to call from any number of threads. In approval mode, any
// number of threads may wait at once, each on its own request and connection.
class GuardPoint {
 public:
  // Throws ConfigurationError when on_denial is kCallback without a callback,
  // or kApproval with approval options out of range.
  explicit GuardPoint(std::string scope, GuardOptions options = {});

  // Returns if the call may run: granted, logged in audit mode, or approved.
  // Throws PermissionDenied otherwise, and always when no session is running.
  // Emits exactly one event, except in approval mode after a denial, where
  // the server records the request, the decision and the call, and the SDK
  // records only a permission_denied of its own when it gives up (timeout,
  // server unreachable). In approval mode this blocks the calling thread
  // until a decision or ApprovalOptions::timeout; the request carries no
  // argument digest.
  void enforce() const;

  // The same, for a call whose `arguments` the approval request is bound to
  // (their digest and preview are computed only on a denial in approval
  // mode).
  void enforce(const detail::CallArguments& arguments) const;

  const std::string& scope() const noexcept;

 private:
  std::shared_ptr<const detail::GuardSite> site_;
};

namespace detail {

// Marks a Guarded that is not in approval mode: its arguments are never
// digested, so they need no approval digest.
struct NotApproval {};

// Throws ConfigurationError when sudo() is asked for approval mode, which
// needs sudo_approval() to digest the arguments.
void require_not_approval(const GuardOptions& options, const std::string& scope);
// Sets approval mode; throws ConfigurationError for another explicit mode.
GuardOptions approval_mode(GuardOptions options, const std::string& scope);

}  // namespace detail

// A callable that enforces a GuardPoint before every call. Takes the same
// arguments as the wrapped callable and returns what it returns.
// `Approval` is detail::NotApproval, or, for sudo_approval(), the preview
// (detail::NoPreview without one).
template <class F, class Approval = detail::NotApproval>
class Guarded {
 public:
  Guarded(GuardPoint point, F fn, Approval approval = {})
      : point_(std::move(point)), fn_(std::move(fn)), approval_(std::move(approval)) {}

  template <class... Args>
  requires std::invocable<const F&, Args...>
  decltype(auto) operator()(Args&&... args) const {
    enforce(args...);
    return std::invoke(fn_, std::forward<Args>(args)...);
  }

  template <class... Args>
  requires(std::invocable<F&, Args...> && !std::invocable<const F&, Args...>) decltype(auto)
  operator()(Args&&... args) {
    enforce(args...);
    return std::invoke(fn_, std::forward<Args>(args)...);
  }

  const GuardPoint& guard() const noexcept { return point_; }

 private:
  template <class... Args>
  void enforce(const Args&... args) const {
    if constexpr (std::is_same_v<Approval, detail::NotApproval>) {
      point_.enforce();
    } else {
      point_.enforce(detail::ArgumentsView<Approval, Args...>(approval_, args...));
    }
  }

  GuardPoint point_;
  F fn_;
  [[no_unique_address]] Approval approval_;
};

// Wraps `fn` so that each call first requires `scope` of the current agent:
//   auto refund = agentsudo::sudo("write:refunds", issue_refund,
//                                 {.function_name = "issue_refund"});
// Throws ConfigurationError for OnDenial::kApproval: use sudo_approval().
template <class F>
Guarded<std::decay_t<F>> sudo(std::string scope, F&& fn, GuardOptions options = {}) {
  detail::require_not_approval(options, scope);
  return Guarded<std::decay_t<F>>(GuardPoint(std::move(scope), std::move(options)),
                                  std::forward<F>(fn));
}

// As sudo(), in approval mode (OnDenial::kApproval): when the agent lacks
// `scope`, the calling thread asks the server for a person's approval of this
// exact call and waits for it (options.approval). The request carries the
// SHA-256 digest of the call's arguments (approval_digest()), never the
// arguments; and, when `preview` is given, its result cut to 256 bytes: a
// short redacted description for the person deciding, e.g.
//   auto refund = agentsudo::sudo_approval(
//       "write:refunds", issue_refund, {.function_name = "issue_refund"},
//       [](const std::string& order, double amount) {
//         return "refund " + std::to_string(amount) + " on order " + order;
//       });
// Every argument type must be digestible (see approval_digest()); the call
// does not compile otherwise. Throws ConfigurationError if options name
// another denial mode or approval options are out of range.
template <class F, class Preview = detail::NoPreview>
Guarded<std::decay_t<F>, std::decay_t<Preview>> sudo_approval(std::string scope, F&& fn,
                                                              GuardOptions options = {},
                                                              Preview&& preview = {}) {
  GuardOptions approval = detail::approval_mode(std::move(options), scope);
  return Guarded<std::decay_t<F>, std::decay_t<Preview>>(
      GuardPoint(std::move(scope), std::move(approval)), std::forward<F>(fn),
      std::forward<Preview>(preview));
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

// As AGENTSUDO_REQUIRE, with explicit GuardOptions (audit mode, callback,
// approval mode: the request then carries no argument digest).
#define AGENTSUDO_REQUIRE_WITH(scope, options)                                              \
  static const ::agentsudo::GuardPoint AGENTSUDO_DETAIL_CONCAT(agentsudo_guard_, __LINE__)( \
      scope, ::agentsudo::detail::with_function_name(options, __func__));                   \
  AGENTSUDO_DETAIL_CONCAT(agentsudo_guard_, __LINE__).enforce()
