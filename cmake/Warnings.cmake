# Every target of ours gets the same warnings; CI (via `make test`) turns them into errors.
add_library(agentsudo_warnings INTERFACE)
target_compile_options(agentsudo_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                       -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Wunused
                       -Woverloaded-virtual -Wimplicit-fallthrough)
if(AGENTSUDO_WERROR)
  target_compile_options(agentsudo_warnings INTERFACE -Werror)
endif()

if(AGENTSUDO_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
