#include "server/store/sqlite/crash_point.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace agentsudo::server::sqlite {

void crash_if_armed(std::string_view point) {
  // Read once: the variable names one point for the life of the process.
  static const std::string armed = [] {
    const char* value = std::getenv("AGENTSUDO_CRASH_AT");
    return value == nullptr ? std::string() : std::string(value);
  }();
  if (armed.empty() || armed != point)
    return;
  // Said on stderr (unbuffered) so a test can tell this crash from any other.
  std::fprintf(stderr, "agentsudo-server: crash point %s reached, killing the process\n",
               armed.c_str());
  std::raise(SIGKILL);
}

}  // namespace agentsudo::server::sqlite
