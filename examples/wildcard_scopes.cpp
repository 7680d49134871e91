// Wildcard scopes: shell patterns (fnmatch) in the scopes an agent holds.
// The required scope is always literal.
#include <agentsudo/agentsudo.hpp>
#include <iostream>

int main() {
  agentsudo::Agent ops_bot("OpsBot", {"read:*", "write:orders*", "tickets:[!d]*"});
  agentsudo::Agent root_bot("RootBot", {"*"});

  for (const char* scope : {"read:orders", "read:customers:emails", "write:orders_archive",
                            "write:refunds", "tickets:update", "tickets:delete"}) {
    std::cout << ops_bot.name() << (ops_bot.has_scope(scope) ? " holds " : " lacks ") << scope
              << "\n";
  }
  std::cout << root_bot.name() << (root_bot.has_scope("anything:at:all") ? " holds" : " lacks")
            << " anything:at:all\n";
  return ops_bot.has_scope("write:refunds") ? 1 : 0;
}
