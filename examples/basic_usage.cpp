// The SDK in one screen: an agent, a session, a guarded tool, a denial.
#include <agentsudo/agentsudo.hpp>
#include <iostream>

double issue_refund(int order_id, double amount) {
  std::cout << "refunded " << amount << " on order " << order_id << "\n";
  return amount;
}

std::string read_order(int order_id) {
  AGENTSUDO_REQUIRE("read:orders");  // Statement form, first line of the body.
  return "order " + std::to_string(order_id) + ": 1 mug, shipped";
}

int main() {
  agentsudo::Agent support_bot("SupportBot", {"read:orders", "write:refunds"});
  agentsudo::Agent analytics_bot("AnalyticsBot", {"read:orders"});

  // Wrap any callable; the wrapper keeps its signature and return type.
  auto refund = agentsudo::sudo("write:refunds", issue_refund, {.function_name = "issue_refund"});

  {
    auto session = support_bot.start_session();  // SupportBot is current until `}`.
    std::cout << read_order(4411) << "\n";
    refund(4411, 12.50);
  }

  auto session = analytics_bot.start_session();
  std::cout << read_order(4411) << "\n";
  try {
    refund(4411, 12.50);
  } catch (const agentsudo::PermissionDenied& denied) {
    std::cout << denied.what() << "\n";
  }

  // A plain check returns the decision instead of throwing.
  if (!agentsudo::check("write:refunds"))
    std::cout << "AnalyticsBot may not refund\n";
  return 0;
}
