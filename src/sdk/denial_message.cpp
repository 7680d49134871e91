#include "sdk/denial_message.hpp"

#include <chrono>
#include <string>

namespace agentsudo {
namespace {

std::string quoted(std::string_view text) {
  return "'" + std::string(text) + "'";
}

std::string joined(const std::vector<std::string>& scopes) {
  if (scopes.empty())
    return "none";
  std::string out;
  for (const std::string& scope : scopes) {
    if (!out.empty())
      out += ", ";
    out += scope;
  }
  return out;
}

std::string no_session_message(std::string_view scope) {
  return "permission denied: " + quoted(scope) +
         " requires an agent, but no agent session is running on this thread. Start one "
         "with `auto session = agent.start_session();` before the call, or carry the "
         "caller's session to this thread with agentsudo::bind_session() or "
         "SessionContext::activate()";
}

// The denial of an agent that holds scopes: `who` names it, `held` lists them.
std::string holder_message(const std::string& who, const std::string& held,
                           std::chrono::seconds ttl, std::string_view scope, DenialReason reason) {
  switch (reason) {
    case DenialReason::kSessionExpired:
      return "permission denied: the session of " + who + " expired after its TTL of " +
             std::to_string(ttl.count()) + " s; start a new session to use " + quoted(scope);
    case DenialReason::kRejectedByCallback:
      return "permission denied: the approval callback rejected " + quoted(scope) + " for " + who +
             held;
    default:
      return "permission denied: " + who + " lacks scope " + quoted(scope) + held;
  }
}

std::string agent_message(const Agent& agent, std::string_view scope, DenialReason reason) {
  return holder_message("agent " + quoted(agent.name()) + " (role " + agent.role() + ")",
                        " (holds: " + joined(agent.scopes()) + ")", agent.session_ttl(), scope,
                        reason);
}

std::string managed_message(const Agent& agent, std::string_view scope,
                            const detail::ManagedDecision& decision, DenialReason reason) {
  std::string version = std::to_string(decision.version);
  switch (reason) {
    case DenialReason::kNoPolicy:
      return "permission denied: " + quoted(scope) + " for managed agent " + quoted(agent.name()) +
             ": no policy has arrived from the server yet, so every call is denied. Call "
             "agentsudo::configure_policy() (with a cache_path to start from the last known "
             "policy) and wait for the first one with PolicyOptions::startup_wait or "
             "agentsudo::wait_for_policy()";
    case DenialReason::kUnknownAgent:
      return "permission denied: " + quoted(scope) + ": the server does not know agent " +
             quoted(agent.name()) + " (policy version " + version +
             " lists no agent of that name), so every call is denied until the project "
             "has one";
    default:
      break;
  }
  return holder_message("agent " + quoted(agent.name()) + " (role " + decision.role +
                            ", policy version " + version + ")",
                        " (holds: " + joined(decision.scopes) + ")", decision.session_ttl, scope,
                        reason);
}

}  // namespace

PermissionDenied make_managed_permission_denied(const Agent& agent, std::string_view scope,
                                                const detail::ManagedDecision& decision,
                                                DenialReason reason) {
  return PermissionDenied(managed_message(agent, scope, decision, reason), agent.name(),
                          std::string(scope), decision.scopes, reason);
}

PermissionDenied make_approval_permission_denied(const Agent& agent, std::string_view scope,
                                                 std::vector<std::string> held, DenialReason reason,
                                                 std::string approval_id,
                                                 const std::string& detail) {
  std::string message = "permission denied (" + std::string(to_string(reason)) + "): agent " +
                        quoted(agent.name()) + " lacks scope " + quoted(scope) +
                        " and approval did not let the call run: " + detail;
  return PermissionDenied(std::move(message), agent.name(), std::string(scope), std::move(held),
                          reason, std::move(approval_id));
}

PermissionDenied make_permission_denied(const detail::SessionPtr* session, std::string_view scope,
                                        DenialReason reason) {
  if (session == nullptr) {
    return PermissionDenied(no_session_message(scope), "", std::string(scope), {}, reason);
  }
  const Agent& agent = (*session)->agent;
  return PermissionDenied(agent_message(agent, scope, reason), agent.name(), std::string(scope),
                          agent.scopes(), reason);
}

}  // namespace agentsudo
