#!/usr/bin/env bash
# Edit-to-enforcement latency of managed agents (`make bench`, its policy part).
#
#   bench/policy_propagation.sh BUILD_DIR
#
# Starts BUILD_DIR/bin/agentsudo-server on a free 127.0.0.1 port with a
# temporary data dir, creates a project and a management token, then runs
# BUILD_DIR/bin/agentsudo_policy_propagation: 1,000 long-polls held open on
# GET /v1/policy, one managed agent, and PROPAGATION_EDITS edits through the
# management API's PATCH, each timed from the PATCH's response to the first
# check that grants the new scope. Prints a Markdown table (also written to
# bench/results/propagation.md) and exits non-zero when a subscriber saw an
# error or p99 is 1 s or more.
#
# Knobs (environment): PROPAGATION_SUBSCRIBERS=1000 PROPAGATION_EDITS=100
set -Eeuo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD_DIR=$1
SERVER=$(realpath -m "$BUILD_DIR/bin/agentsudo-server")
TOOL=$(realpath -m "$BUILD_DIR/bin/agentsudo_policy_propagation")
SUBSCRIBERS=${PROPAGATION_SUBSCRIBERS:-1000}
EDITS=${PROPAGATION_EDITS:-100}

for binary in "$SERVER" "$TOOL"; do
  [[ -x $binary ]] || { echo "bench: $binary is missing (run 'make build')" >&2; exit 1; }
done
# Each subscriber holds a connection; so does the server for each.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

work=$(mktemp -d /tmp/agentsudo-propagation.XXXXXX)
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

json_field() { sed -n "s/.*\"$1\": *\"\\([^\"]*\\)\".*/\\1/p"; }

project=$("$SERVER" project create --data-dir "$work/data" --name propagation --json)
api_key=$(json_field api_key <<<"$project")
project_id=$(json_field project_id <<<"$project")
token=$("$SERVER" token create --data-dir "$work/data" --json | json_field token)

"$SERVER" serve --listen 127.0.0.1:0 --data-dir "$work/data" --ready-file "$work/ready.json" \
  >"$work/server.log" 2>&1 &
server_pid=$!
deadline=$((SECONDS + 30))
until [[ -e $work/ready.json ]]; do
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  (( SECONDS < deadline )) || { echo "bench: server not ready" >&2; exit 1; }
  sleep 0.05
done
endpoint=$(json_field url <"$work/ready.json")

echo "bench: $SUBSCRIBERS subscribers, $EDITS edits against $endpoint" >&2
result=$("$TOOL" --endpoint "$endpoint" --api-key "$api_key" --project "$project_id" \
  --token "$token" --subscribers "$SUBSCRIBERS" --edits "$EDITS")
echo "$result" >&2

number() { sed -n "s/.*\"$1\": *\\([0-9.]*\\).*/\\1/p" <<<"$result"; }
p50=$(number p50_ms)
p99=$(number p99_ms)
table="| policy propagation, PATCH to enforcement | p50 | p99 | max | subscribers held open | target |
|---|---:|---:|---:|---:|---|
| $(number edits) edits | ${p50} ms | ${p99} ms | $(number max_ms) ms | $(number fewest_in_flight_at_edit) of $(number subscribers) | p99 < 1 s |"
mkdir -p "$BENCH_DIR/results"
printf '%s\n' "$table" | tee "$BENCH_DIR/results/propagation.md"
awk -v p99="$p99" 'BEGIN { exit !(p99 < 1000) }' || { echo "bench: p99 is not under 1 s" >&2; exit 1; }
