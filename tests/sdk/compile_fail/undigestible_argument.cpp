// Compiled by approval_compile_test.sh: a type without agentsudo_approval_bytes
// is fine as an argument of a guard in raise mode, and must fail to compile,
// with the static_assert's message, as an argument of a guard in approval mode.
#include <agentsudo/agentsudo.hpp>

struct Opaque {
  int value = 0;
};

int main() {
  auto take = [](const Opaque& opaque) { return opaque.value; };
#ifdef AGENTSUDO_APPROVAL_MODE
  auto guarded = agentsudo::sudo_approval("write:things", take);
#else
  auto guarded = agentsudo::sudo("write:things", take);
#endif
  return guarded(Opaque{});
}
