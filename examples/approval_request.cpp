// Approval mode: an agent without write:refunds asks a person, through the
// AgentSudo server, to approve one refund, and waits for the decision.
//
//   AGENTSUDO_URL=http://127.0.0.1:8080 AGENTSUDO_API_KEY=as_... ./example_approval_request
//
// Prints "waiting for approval" once the request is on the server (approve or
// deny it in the dashboard's Approvals page), then "refund issued" if it was
// approved. Exits 0 if the refund ran, 3 if it was denied (by a person, or
// because the request expired, the wait timed out or the server was away:
// stderr says which), 2 without the environment it needs.
// AGENTSUDO_APPROVAL_TIMEOUT_SECONDS bounds the wait (default 300).
#include <agentsudo/agentsudo.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

namespace {

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

void issue_refund(const std::string& order, double amount) {
  std::cerr << "refunding " << amount << " on order " << order << "\n";
  std::cout << "refund issued" << std::endl;
}

// What the person deciding sees: enough to decide, nothing secret.
std::string describe_refund(const std::string& order, double amount) {
  char text[128];
  std::snprintf(text, sizeof text, "refund %.2f on order %s", amount, order.c_str());
  return text;
}

}  // namespace

int main() {
  std::string url = environment("AGENTSUDO_URL");
  if (url.empty())
    url = environment("AGENTSUDO_ENDPOINT");
  std::string api_key = environment("AGENTSUDO_API_KEY");
  if (url.empty() || api_key.empty()) {
    std::cerr << "set AGENTSUDO_URL and AGENTSUDO_API_KEY\n";
    return 2;
  }
  std::string timeout = environment("AGENTSUDO_APPROVAL_TIMEOUT_SECONDS");

  agentsudo::Agent support_bot("SupportBot", {"read:orders"});
  auto refund = agentsudo::sudo_approval(
      "write:refunds", issue_refund,
      {.function_name = "issue_refund",
       .approval = {.timeout = std::chrono::seconds(timeout.empty() ? 300 : std::stoi(timeout)),
                    .api_key = api_key,
                    .endpoint = url,
                    .on_pending =
                        [](const agentsudo::PendingApproval& pending) {
                          std::cerr << "approval " << pending.id << " pending until "
                                    << pending.expires_at << "\n";
                          std::cout << "waiting for approval" << std::endl;
                        }}},
      describe_refund);

  auto session = support_bot.start_session();
  try {
    refund(std::string("A-1001"), 42.0);
  } catch (const agentsudo::PermissionDenied& denied) {
    std::cerr << denied.what() << "\n";
    return 3;
  }
  return 0;
}
