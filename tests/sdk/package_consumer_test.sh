#!/usr/bin/env bash
# Builds and runs tests/sdk/consumer against libagentsudo the way a user would:
#   package_consumer_test.sh install     BUILD_DIR  (cmake --install, find_package, pkg-config)
#   package_consumer_test.sh subdirectory SOURCE_DIR (add_subdirectory of the source tree)
set -euo pipefail

mode=$1
from=$(realpath "$2")
consumer=$(cd "$(dirname "$0")/consumer" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
expected="read:orders allowed, write:orders denied"

run_consumer() {
  local output
  output=$("$@")
  echo "$output"
  [ "$output" = "$expected" ] || { echo "expected: $expected" >&2; exit 1; }
}

case $mode in
  install)
    cmake --install "$from" --prefix "$work/prefix" --component sdk
    cmake -S "$consumer" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix"
    cmake --build "$work/build"
    run_consumer "$work/build/consumer"
    # The pkg-config file, for builds that do not use CMake.
    pc_dir=$(dirname "$(find "$work/prefix" -name agentsudo.pc)")
    pc_flags=$(PKG_CONFIG_PATH="$pc_dir" pkg-config --cflags --libs --static agentsudo)
    # shellcheck disable=SC2086
    c++ -std=c++20 "$consumer/main.cpp" -o "$work/consumer-pc" $pc_flags
    run_consumer "$work/consumer-pc"
    ;;
  subdirectory)
    cmake -S "$consumer" -B "$work/build" -G Ninja -DAGENTSUDO_SOURCE_DIR="$from"
    cmake --build "$work/build" -j 2
    run_consumer "$work/build/consumer"
    ;;
  *)
    echo "usage: $0 install BUILD_DIR | subdirectory SOURCE_DIR" >&2
    exit 2
    ;;
esac
