// Checks a scope through the public API only; prints the decision so the
// packaging test can tell a working link from a silent no-op.
#include <agentsudo/agentsudo.hpp>
#include <iostream>

int main() {
  agentsudo::Agent bot("PackagingBot", {"read:*"});
  auto session = bot.start_session();
  bool read = agentsudo::check("read:orders").allowed;
  bool write = agentsudo::check("write:orders").allowed;
  std::cout << "read:orders " << (read ? "allowed" : "denied") << ", write:orders "
            << (write ? "allowed" : "denied") << "\n";
  return read && !write ? 0 : 1;
}
