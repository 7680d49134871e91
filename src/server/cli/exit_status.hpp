#pragma once

#include <iostream>
#include <string_view>

namespace agentsudo::server::cli {

// What a command returns to the shell.
inline constexpr int kOk = 0;
inline constexpr int kFailed = 1;

// Says why a command failed, on stderr, and returns its exit status.
inline int fail(std::string_view message) {
  std::cerr << "agentsudo-server: " << message << "\n";
  return kFailed;
}

}  // namespace agentsudo::server::cli
