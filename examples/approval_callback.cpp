// Approval callback: a human or a policy decides when the agent lacks the
// scope. Here a policy approves refunds up to a limit.
#include <agentsudo/agentsudo.hpp>
#include <iostream>

int main() {
  agentsudo::Agent support_bot("SupportBot", {"read:orders"});
  double requested = 0;

  auto approve_small_refunds = [&](const agentsudo::Agent& agent, std::string_view scope,
                                   const agentsudo::CallContext& call) {
    bool approved = requested <= 50.0;
    std::cout << "approval asked: " << agent.name() << " wants " << scope << " for "
              << call.function_name << " (" << requested << ") -> "
              << (approved ? "approved" : "rejected") << "\n";
    return approved;
  };

  auto refund = agentsudo::sudo("write:refunds",
                                [](double amount) { std::cout << "refunded " << amount << "\n"; },
                                {.function_name = "refund",
                                 .on_denial = agentsudo::OnDenial::kCallback,
                                 .approve = approve_small_refunds});

  auto session = support_bot.start_session();
  for (double amount : {20.0, 500.0}) {
    requested = amount;
    try {
      refund(amount);
    } catch (const agentsudo::PermissionDenied& denied) {
      std::cout << denied.what() << "\n";
    }
  }
  return 0;
}
