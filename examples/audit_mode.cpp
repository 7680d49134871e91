// Audit mode: a missing scope is recorded, and the call runs anyway. Useful
// while rolling permissions out: see what would break before enforcing.
#include <agentsudo/agentsudo.hpp>
#include <iostream>

int main() {
  // Every decision as one JSON line on stdout.
  agentsudo::enable_json_log(std::cout);

  agentsudo::Agent reporter("ReportBot", {"read:orders"});
  auto export_customers = agentsudo::sudo(
      "read:customers", [] { return 1250; },
      {.function_name = "export_customers", .on_denial = agentsudo::OnDenial::kLog});

  auto session = reporter.start_session();
  int exported = export_customers();  // Runs: audit_violation is logged.
  std::cout << "exported " << exported << " customers (audited, not enforced)\n";
  return exported == 1250 ? 0 : 1;
}
