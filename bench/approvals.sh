#!/usr/bin/env bash
# Approvals under load (`make bench`, its approvals part).
#
#   bench/approvals.sh BUILD_DIR
#
# Starts BUILD_DIR/bin/agentsudo-server on a free 127.0.0.1 port with a
# temporary data dir, creates a project and a management token, then:
#  1. BUILD_DIR/bin/agentsudo_approval_round_trip: an SDK thread in approval
#     mode waits on its request; the tool approves it through the management
#     API and times from just before that POST to the guarded call running,
#     APPROVAL_ROUNDS times.
#  2. bench/approval_load.py: APPROVAL_PENDING pending requests, then ingest
#     (wrk) alternately without and with APPROVAL_WAITERS long-polls held on
#     GET /v1/approvals/{id}; the server's RSS at each step.
# Prints a Markdown table (also written to bench/results/approvals.md) and
# exits non-zero on any error or when the round trip's p99 is 100 ms or more.
#
# Knobs (environment): APPROVAL_ROUNDS=100 APPROVAL_PENDING=10000 APPROVAL_WAITERS=1000
set -Eeuo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD_DIR=$1
SERVER=$(realpath -m "$BUILD_DIR/bin/agentsudo-server")
TOOL=$(realpath -m "$BUILD_DIR/bin/agentsudo_approval_round_trip")
ROUNDS=${APPROVAL_ROUNDS:-100}
PENDING=${APPROVAL_PENDING:-10000}
WAITERS=${APPROVAL_WAITERS:-1000}

for binary in "$SERVER" "$TOOL" /usr/bin/wrk; do
  [[ -x $binary ]] || { echo "bench: $binary is missing (run 'make build')" >&2; exit 1; }
done
# Each waiter holds a connection, and so does the server for each.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

work=$(mktemp -d /tmp/agentsudo-approvals.XXXXXX)
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

project=$("$SERVER" project create --data-dir "$work/data" --name approvals --json)
api_key=$(json_field api_key <<<"$project")
project_id=$(json_field project_id <<<"$project")
# The quota must not be what limits the ingest runs.
"$SERVER" project set-tier --data-dir "$work/data" --project "$project_id" --tier 1000000000 \
  >/dev/null
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

echo "bench: $ROUNDS approval round trips against $endpoint" >&2
trip=$("$TOOL" --endpoint "$endpoint" --api-key "$api_key" --project "$project_id" \
  --token "$token" --rounds "$ROUNDS")
echo "$trip" >&2
echo "bench: $PENDING pending requests, $WAITERS waiters, ingest beside them" >&2
load=$(/usr/bin/python3 "$BENCH_DIR/approval_load.py" --url "$endpoint" --api-key "$api_key" \
  --pid "$server_pid" --pending "$PENDING" --waiters "$WAITERS")
echo "$load" >&2

number() { sed -n "s/.*\"$2\": *\\([0-9.]*\\).*/\\1/p" <<<"$1"; }
mb() { awk -v kb="$1" 'BEGIN { printf "%.1f MB", kb / 1024 }'; }
p99=$(number "$trip" p99_ms)
table="| approvals | p50 | p99 | max | target |
|---|---:|---:|---:|---|
| decision's POST to the waiting SDK call running ($(number "$trip" rounds) rounds) | $(number "$trip" p50_ms) ms | ${p99} ms | $(number "$trip" max_ms) ms | p99 < 100 ms |

| server holding approvals | RSS | ingest events/s (median) |
|---|---:|---:|
| idle, before any request | $(mb "$(number "$load" rss_idle_kb)") | |
| $(number "$load" pending) pending requests (ingest measured alone) | $(mb "$(number "$load" rss_pending_kb)") | $(number "$load" ingest_without_per_s) |
| and $(number "$load" waiters) waiters held open | $(mb "$(number "$load" rss_held_kb)") | $(number "$load" ingest_held_per_s) |
| ingest with the waiters held / without (median of paired runs) | | **$(awk -v r="$(number "$load" ingest_ratio)" 'BEGIN { printf "%.2f", r }')×** |"
mkdir -p "$BENCH_DIR/results"
printf '%s\n' "$table" | tee "$BENCH_DIR/results/approvals.md"
awk -v p99="$p99" 'BEGIN { exit !(p99 < 100) }' || { echo "bench: p99 is not under 100 ms" >&2; exit 1; }
