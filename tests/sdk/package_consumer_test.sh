#!/usr/bin/env bash
# Builds and runs tests/sdk/consumer against libagentsudo the way a user would,
# and exits non-zero if any route fails to build, fails to run, or prints
# something other than the expected decision:
#   package_consumer_test.sh install      BUILD_DIR  (cmake --install, then find_package and pkg-config)
#   package_consumer_test.sh subdirectory SOURCE_DIR (add_subdirectory of the source tree)
set -euo pipefail

mode=$1
from=$(realpath "$2")
consumer=$(cd "$(dirname "$0")/consumer" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
expected="read:orders allowed, write:orders denied"

fail() {
  echo "FAILED: $*" >&2
  exit 1
}

# run_consumer ROUTE PROGRAM: runs PROGRAM, which must exit 0 and print exactly
# the expected line.
run_consumer() {
  local route=$1 program=$2 output status=0
  output=$("$program") || status=$?
  echo "$route: $output"
  [ "$status" -eq 0 ] || fail "$route: the consumer exited with status $status"
  [ "$output" = "$expected" ] || fail "$route: expected '$expected'"
}

case $mode in
  install)
    prefix=$work/prefix
    cmake --install "$from" --prefix "$prefix" --component sdk ||
      fail "cmake --install"
    # Only the public headers are installed: the SDK's private headers and
    # src/core stay out of a consumer's include path.
    stray=$(find "$prefix/include" -type f ! -path "$prefix/include/agentsudo/*.hpp")
    [ -z "$stray" ] || fail "installed headers outside include/agentsudo: $stray"

    cmake -S "$consumer" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" ||
      fail "find_package: configure"
    cmake --build "$work/build" || fail "find_package: build"
    run_consumer find_package "$work/build/consumer"

    # The pkg-config route for builds that do not use CMake, with the command
    # docs/SDK.md documents (no --static: that would also ask for every private
    # dependency of libcurl, which the documented packages do not install).
    pc_dir=$(dirname "$(find "$prefix" -name agentsudo.pc)")
    pc_flags=$(PKG_CONFIG_PATH="$pc_dir" pkg-config --cflags --libs agentsudo) ||
      fail "pkg-config --cflags --libs agentsudo"
    echo "pkg-config: $pc_flags"
    # shellcheck disable=SC2086
    c++ -std=c++20 "$consumer/main.cpp" -o "$work/consumer-pc" $pc_flags ||
      fail "pkg-config: compile and link"
    run_consumer pkg-config "$work/consumer-pc"
    ;;
  subdirectory)
    cmake -S "$consumer" -B "$work/build" -G Ninja -DAGENTSUDO_SOURCE_DIR="$from" ||
      fail "add_subdirectory: configure"
    cmake --build "$work/build" -j 2 || fail "add_subdirectory: build"
    run_consumer add_subdirectory "$work/build/consumer"
    ;;
  *)
    echo "usage: $0 install BUILD_DIR | subdirectory SOURCE_DIR" >&2
    exit 2
    ;;
esac
