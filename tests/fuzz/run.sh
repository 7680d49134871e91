#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each, one after the other (the machine
# has two cores and other work), over its committed corpus plus a scratch
# copy that keeps what it finds; then prints the executions of each and the
# total. A crash stops the run: its input is left in the working directory
# as crash-<sha1>, to be committed under corpus/<target>/ with its fix.
#
#   tests/fuzz/run.sh BUILD_DIR SECONDS
set -euo pipefail
build_dir=${1:?build dir}
seconds=${2:?seconds per target}
here=$(cd "$(dirname "$0")" && pwd)
targets=(request_header event_decoder scope_pattern cursor credentials gzip_body)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1

declare -A runs
total=0
for target in "${targets[@]}"; do
  scratch="$build_dir/fuzz-corpus/$target"
  log="$build_dir/fuzz-$target.log"
  mkdir -p "$scratch"
  echo "fuzz: $target for ${seconds} s"
  if ! "$build_dir/bin/${target}_fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 "$scratch" "$here/corpus/$target" >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "fuzz: $target FAILED (log: $log)"
    exit 1
  fi
  count=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  runs[$target]=${count:-0}
  total=$((total + ${count:-0}))
done

printf '\n| target | executions in %s s |\n|---|---:|\n' "$seconds"
for target in "${targets[@]}"; do
  printf '| %s | %s |\n' "$target" "${runs[$target]}"
done
printf '| **total** | **%s** |\n' "$total"
