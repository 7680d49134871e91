// ScopePattern against glibc's fnmatch(pattern, scope, 0), which it promises
// to equal for every well-formed pattern, and ScopeSet against ScopePattern:
// any disagreement is a finding. The input is the
// pattern, a NUL, then the scope (fnmatch sees C strings, so neither holds a
// NUL).
#include <fnmatch.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/scope_pattern.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto nul = input.find('\0');
  if (nul == std::string_view::npos)
    return 0;
  std::string pattern(input.substr(0, nul));
  std::string scope(input.substr(nul + 1));
  if (scope.find('\0') != std::string::npos)
    return 0;

  agentsudo::ScopePattern compiled(pattern);
  bool matches = compiled.matches(scope);
  std::vector<std::string> held{pattern, "read:unrelated"};
  FUZZ_CHECK(agentsudo::ScopeSet(held).allows(scope) == (matches || scope == "read:unrelated"));
  // Patterns that are not well formed (an unclosed `[`, `[[:foo:]]`) are
  // refused where scopes are configured; glibc reads some of them in ways
  // that depend on the byte being matched, so only the others must agree.
  if (!compiled.is_well_formed())
    return 0;
  bool expected = fnmatch(pattern.c_str(), scope.c_str(), 0) == 0;
  if (matches != expected) {
    std::fprintf(stderr, "pattern \"%s\" scope \"%s\": fnmatch says %d\n", pattern.c_str(),
                 scope.c_str(), expected ? 1 : 0);
  }
  FUZZ_CHECK(matches == expected);
  return 0;
}
