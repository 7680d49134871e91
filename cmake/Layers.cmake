# agentsudo_layer(<target> DIR <folder under src/> SOURCES ... [DEPENDS ...])
#
# One library per layer of the code. A layer's headers are visible only to
# the targets that link it: instead of putting all of src/ on the include
# path, each layer publishes an include root of its own that holds links to
# its folder's headers alone (not its subfolders'). An #include of a layer
# that is not among a target's dependencies therefore fails to compile, and
# a call into one fails to link: the build enforces the layering that
# docs/ARCHITECTURE.md draws. DEPENDS are linked PUBLIC, so what a layer's
# headers include is visible to whoever includes them.
#
# PRECOMPILED layers reuse one precompiled header of Asio, Beast and the
# standard headers most of the server includes: each of their sources
# otherwise spends most of its compile time parsing Asio and Beast again.
# Only header-only libraries whose targets add no compile definitions go in
# it, since a definition that differs between targets invalidates the header.
add_library(agentsudo_precompiled STATIC ${PROJECT_SOURCE_DIR}/cmake/precompiled.cpp)
target_link_libraries(agentsudo_precompiled PRIVATE Boost::headers agentsudo_warnings)
target_precompile_headers(agentsudo_precompiled PRIVATE
  <boost/asio/awaitable.hpp> <boost/asio/co_spawn.hpp> <boost/asio/io_context.hpp>
  <boost/asio/ip/tcp.hpp> <boost/asio/post.hpp> <boost/asio/steady_timer.hpp>
  <boost/asio/use_awaitable.hpp> <boost/beast/core.hpp> <boost/beast/http.hpp>
  <chrono> <functional> <map> <memory> <optional> <string> <string_view> <variant> <vector>)
set_target_properties(agentsudo_precompiled PROPERTIES POSITION_INDEPENDENT_CODE ON)

function(agentsudo_layer target)
  cmake_parse_arguments(PARSE_ARGV 1 layer "PRECOMPILED" "DIR" "SOURCES;DEPENDS")
  set(root ${CMAKE_BINARY_DIR}/layers/${target})
  file(GLOB headers CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${layer_DIR}/*.hpp)
  file(REMOVE_RECURSE ${root})
  file(MAKE_DIRECTORY ${root}/${layer_DIR})
  foreach(header IN LISTS headers)
    cmake_path(GET header FILENAME name)
    file(CREATE_LINK ${header} ${root}/${layer_DIR}/${name} SYMBOLIC)
  endforeach()

  add_library(${target} STATIC ${layer_SOURCES})
  target_include_directories(${target} PUBLIC ${root})
  target_link_libraries(${target} PUBLIC ${layer_DEPENDS} PRIVATE agentsudo_warnings)
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  if(layer_PRECOMPILED)
    target_precompile_headers(${target} REUSE_FROM agentsudo_precompiled)
  endif()
endfunction()
