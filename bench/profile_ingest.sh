#!/usr/bin/env bash
# Where an ingest request's CPU goes: perf under the `make bench` load.
#
#   bench/profile_ingest.sh BUILD_DIR [OUT_DIR]
#
# Starts BUILD_DIR/bin/agentsudo-server on a free port with a temporary data
# dir, creates a project with a huge quota, warms up with wrk, then records
# the server with `perf record --call-graph dwarf -p PID` while
# `wrk -t2 -c64 -d10s -s bench/ingest.lua` runs (the load of bench/run.sh's
# ingest route), and writes to OUT_DIR (default: a new /tmp directory):
#   perf.data, self.txt (hottest functions by self time), children.txt
#   (landmarks of the request path, including callees), self-all.txt and
#   children-all.txt (every symbol), wrk.out. Needs root or
#   kernel.perf_event_paranoid <= 1. Exits non-zero if any response was not 2xx.
#
# Knobs: PROFILE_SECONDS=10, PROFILE_WARMUP=3, PROFILE_TOP=40.
set -Eeuo pipefail

[[ $# -ge 1 && $# -le 2 ]] || { echo "usage: $0 BUILD_DIR [OUT_DIR]" >&2; exit 2; }
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SERVER_BIN=$(realpath "$1/bin/agentsudo-server")
OUT=${2:-$(mktemp -d /tmp/agentsudo-profile.XXXXXX)}
SECONDS_RECORDED=${PROFILE_SECONDS:-10}
WARMUP=${PROFILE_WARMUP:-3}
TOP=${PROFILE_TOP:-40}
mkdir -p "$OUT"
DATA=$(mktemp -d /tmp/agentsudo-profile-data.XXXXXX)
SERVER_PID=

cleanup() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" || true
  fi
  rm -rf "$DATA"
}
trap cleanup EXIT

stdbuf -oL "$SERVER_BIN" serve --listen 127.0.0.1:0 --data-dir "$DATA" >"$OUT/server.out" \
  2>"$OUT/server.err" &
SERVER_PID=$!
URL=
for _ in $(seq 100); do
  URL=$(grep -m1 -oE 'http://127\.0\.0\.1:[0-9]+' "$OUT/server.out" 2>/dev/null || true)
  [[ -n $URL ]] && break
  kill -0 "$SERVER_PID" || { cat "$OUT/server.err" >&2; exit 1; }
  sleep 0.1
done
[[ -n $URL ]] || { echo "server did not start" >&2; exit 1; }

KEY=$("$SERVER_BIN" project create --data-dir "$DATA" --name profile --tier 1000000000 --json \
      | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["api_key"])')

run_wrk() {  # run_wrk SECONDS OUTFILE
  BENCH_API_KEY=$KEY wrk -t2 -c64 -d"$1s" --latency -s "$BENCH_DIR/ingest.lua" "$URL" >"$2" 2>&1
  if grep -q 'BENCH INVALID' "$2"; then cat "$2" >&2; exit 1; fi
}

run_wrk "$WARMUP" "$OUT/warmup.out"
perf record -q --call-graph dwarf,16384 -F 2999 -o "$OUT/perf.data" -p "$SERVER_PID" \
  -- sleep "$SECONDS_RECORDED" 2>"$OUT/perf.err" &
PERF_PID=$!
run_wrk "$SECONDS_RECORDED" "$OUT/wrk.out"
wait "$PERF_PID"

# Whole reports first, then cut: `head` on a live pipe would stop perf early.
perf report -i "$OUT/perf.data" --no-children --sort symbol --stdio -g none 2>/dev/null \
  | grep -v -e '^$' -e '^#' | cut -c1-200 | sed 's/ *$//' >"$OUT/self-all.txt"
perf report -i "$OUT/perf.data" --children --sort symbol --stdio -g none 2>/dev/null \
  | grep -v -e '^$' -e '^#' | cut -c1-200 | sed 's/ *$//' >"$OUT/children-all.txt"
head -n "$TOP" "$OUT/self-all.txt" >"$OUT/self.txt"
# The request path's landmarks, with their callees (first match of each).
for f in 'HttpServer::serve$' 'IngestHandler::ingest_event$' 'authenticate_api_key$' \
  'find_key_owner$' 'decode_event$' 'Ingestor::ingest$' 'CommitQueue::run$' 'fdatasync$' \
  '__libc_sendmsg$' '__libc_recvmsg$' 'malloc \(inlined\)$' '_int_free$'; do
  grep -m1 -E "$f" "$OUT/children-all.txt" || true
done >"$OUT/children.txt"
grep -E 'Requests/sec|Latency|99%' "$OUT/wrk.out" || true
echo "profile in $OUT (self.txt, children.txt, perf.data)"
