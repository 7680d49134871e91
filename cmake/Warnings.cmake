# Every target of ours gets the same warnings; CI (via `make test`) turns them into errors.
add_library(agentsudo_warnings INTERFACE)
target_compile_options(agentsudo_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                       -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Wunused
                       -Woverloaded-virtual -Wimplicit-fallthrough)
if(AGENTSUDO_WERROR)
  target_compile_options(agentsudo_warnings INTERFACE -Werror)
endif()

# Without vptr: UBSan probes an object's vtable through a pipe, so in a process
# out of descriptors (which test_transport_limits.py causes on purpose) it
# reports every polymorphic object as invalid and stops the server.
if(AGENTSUDO_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize=vptr -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# libFuzzer's coverage on every source, ASan and UBSan as in AGENTSUDO_SANITIZE;
# -O1 with assertions on (Boost's included) so the fuzzer is fast and strict.
# UBSan's `function` check is left out: clang 14 cannot compile it into a
# coroutine ("Cannot represent a difference across sections").
if(AGENTSUDO_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "AGENTSUDO_FUZZ needs clang: configure with CXX=clang++")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=function
                      -fno-sanitize-recover=undefined -fno-omit-frame-pointer -O1 -g)
  add_link_options(-fsanitize=address,undefined)
endif()
