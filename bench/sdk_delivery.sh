#!/usr/bin/env bash
# The SDK's delivery under load (issue 11's table), from one process with
# four calling threads and the CloudOptions defaults, against the real server:
#
#   bench/sdk_delivery.sh BUILD_DIR
#
# Starts BUILD_DIR/bin/agentsudo-server on a free port with a temporary data
# dir and a project whose quota is no limit, runs
# BUILD_DIR/bin/agentsudo_delivery_bench for each scenario (its own telemetry
# client each), stops the server with SIGTERM, checks that the database holds
# exactly the events the SDK counted as delivered, and prints a Markdown
# table (also bench/results/sdk-delivery.md). Exits non-zero when the counts
# disagree.
#
# Knobs (environment):
#   DELIVERY_SCENARIOS="rate:5000:10 rate:20000:10 rate:50000:10 rate:100000:10 burst:100000"
#   DELIVERY_THREADS=4
#   DELIVERY_COMPRESS=1   gzip bodies (0: plain, as the official Python SDK sends)
#   DELIVERY_SPOOL=0      1: with CloudOptions::spool_dir (a temporary one);
#                         the table goes to bench/results/sdk-delivery-spool.md
set -Eeuo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SERVER_BIN=$(realpath -m "$1/bin/agentsudo-server")
DELIVERY_BIN=$(realpath -m "$1/bin/agentsudo_delivery_bench")
SCENARIOS=${DELIVERY_SCENARIOS:-"rate:5000:10 rate:20000:10 rate:50000:10 rate:100000:10 burst:100000"}
THREADS=${DELIVERY_THREADS:-4}
COMPRESS=${DELIVERY_COMPRESS:-1}
SPOOL=${DELIVERY_SPOOL:-0}
for tool in "$SERVER_BIN" "$DELIVERY_BIN" /usr/bin/sqlite3 /usr/bin/python3; do
  [[ -x $tool ]] || { echo "sdk_delivery: $tool is missing (build the targets agentsudo-server agentsudo_delivery_bench)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/agentsudo-delivery.XXXXXX)
server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

project=$("$SERVER_BIN" project create --data-dir "$work/data" --name sdk-delivery --tier 1000000000 --json)
api_key=$(printf '%s' "$project" | python3 -c 'import json, sys; print(json.load(sys.stdin)["api_key"])')
"$SERVER_BIN" serve --listen 127.0.0.1:0 --data-dir "$work/data" --ready-file "$work/ready.json" \
  >"$work/server.log" 2>&1 &
server_pid=$!
deadline=$((SECONDS + 30))
until [[ -e $work/ready.json ]]; do
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; echo "server exited" >&2; exit 1; }
  [[ $SECONDS -lt $deadline ]] || { cat "$work/server.log" >&2; echo "server not ready" >&2; exit 1; }
  sleep 0.05
done
endpoint=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["url"])' "$work/ready.json")

echo "sdk_delivery: $THREADS threads, compress=$COMPRESS, spool=$SPOOL, against $endpoint" >&2
read -r -a scenario_list <<<"$SCENARIOS"
spool_args=()
results_name=sdk-delivery.md
if [[ $SPOOL == 1 ]]; then
  spool_args=(--spool-dir "$work/spool")
  results_name=sdk-delivery-spool.md
fi
AGENTSUDO_ENDPOINT=$endpoint AGENTSUDO_API_KEY=$api_key \
  "$DELIVERY_BIN" --threads "$THREADS" --compress "$COMPRESS" "${spool_args[@]}" "${scenario_list[@]}" \
  | tee "$work/results.txt" >&2

curl -s --max-time 5 "$endpoint/metrics" >"$work/metrics.txt" || true
kill -TERM "$server_pid"
wait "$server_pid" || true
server_pid=""
rows=$(sqlite3 "$(find "$work/data" -name '*.db' | head -1)" 'select count(*) from events')

mkdir -p "$BENCH_DIR/results"
python3 - "$work/results.txt" "$rows" "$BENCH_DIR/results/$results_name" "$work/metrics.txt" <<'PY'
import json, re, sys
results = [json.loads(line.split(" ", 1)[1]) for line in open(sys.argv[1]) if line.startswith("DELIVERY_RESULT ")]
rows = int(sys.argv[2])
def label(s):
    kind, *rest = s.split(":")
    return f"{int(rest[0]):,}/s for {rest[1]} s" if kind == "rate" else f"{int(rest[0]):,} in one burst"
out = ["| calls, %d threads | decided | delivered | dropped | failed | calling thread p50 / p99 | all stored after |" % results[0]["threads"],
       "|---|---:|---:|---:|---:|---:|---:|"]
for r in results:
    pct = 100.0 * r["delivered"] / max(1, r["decided"])
    out.append(f"| {label(r['scenario'])} | {r['decided']:,} | {pct:.1f}% | {r['dropped']:,} | {r['failed']:,} | "
               f"{r['p50_ns']} ns / {r['p99_ns']} ns | {r['until_flushed_s']:.1f} s |")
delivered = sum(r["delivered"] for r in results)
out.append("")
out.append(f"Rows in the server's database: {rows:,}; delivered by the SDK's count: {delivered:,}.")
metrics = open(sys.argv[4]).read()
def metric(pattern):
    found = re.search(pattern + r"\s+([0-9.e+]+)", metrics, re.M)
    return float(found.group(1)) if found else None
requests = metric(r'^agentsudo_http_requests_total\{[^}]*route="/api/events"[^}]*status="200"[^}]*\}') \
    or metric(r'^agentsudo_http_requests_total\{[^}]*status="200"[^}]*route="/api/events"[^}]*\}')
commits, committed = metric(r"^agentsudo_commit_batch_size_count"), metric(r"^agentsudo_commit_batch_size_sum")
if requests:
    out.append(f"Server: {requests:,.0f} requests to /api/events, {delivered / requests:,.0f} events each on average.")
if commits:
    out.append(f"Server: {commits:,.0f} commits, {committed / commits:,.0f} events each on average.")
text = "\n".join(out) + "\n"
open(sys.argv[3], "w").write(text)
print(text)
sys.exit(0 if rows == delivered else 1)
PY
