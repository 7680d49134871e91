#!/usr/bin/env bash
# Latency of the analytics routes with a large project (`make bench`).
#
#   bench/analytics.sh BUILD_DIR
#
# Seeds BENCH_ANALYTICS_EVENTS synthetic events (default 10 million, over 90
# days) with `agentsudo-server seed-demo` into BUILD_DIR/bench-analytics once
# (reruns reuse it while the event count, the schema and the generator match),
# starts the server on it, and times each analytics, usage and scope-preview
# request, and an agent's scope-change preview (SupportBot, the busiest
# seeded agent, for 7 and 30 days), BENCH_ANALYTICS_REPS times in a row on
# one keep-alive connection.
# Prints a Markdown table (median and p99, client-side) and writes it to
# bench/results/analytics.md. Exits non-zero when a request fails.
#
# BENCH_ANALYTICS_STORE=postgres does the same on PostgreSQL: a private
# cluster in BUILD_DIR/bench-analytics-pg (seeded afresh each run, since a
# cluster is not kept between runs), results in bench/results/analytics-postgres.md.
set -Eeuo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD_DIR=$(realpath "$1")
SERVER_BIN=$BUILD_DIR/bin/agentsudo-server
EVENTS=${BENCH_ANALYTICS_EVENTS:-10000000}
DAYS=${BENCH_ANALYTICS_DAYS:-90}
REPS=${BENCH_ANALYTICS_REPS:-200}
STORE=${BENCH_ANALYTICS_STORE:-sqlite}
CACHE=$BUILD_DIR/bench-analytics
RESULTS=analytics.md
[[ $STORE == postgres ]] && CACHE=$BUILD_DIR/bench-analytics-pg && RESULTS=analytics-postgres.md
# The seeded data is reused while the schema and the generator are unchanged.
SOURCE_HASH=$(cat "$BENCH_DIR/../src/server/store/sqlite/schema.cpp" \
  "$BENCH_DIR/../src/server/admin/demo_seeder.cpp" | sha1sum | cut -c1-10)
DATA=$CACHE/data-$EVENTS-$DAYS-$SOURCE_HASH
PY=/usr/bin/python3

log() { printf 'bench-analytics: %s\n' "$*" >&2; }
die() { printf 'bench-analytics: ERROR: %s\n' "$*" >&2; exit 1; }
[[ -x $SERVER_BIN ]] || die "server binary not found: $SERVER_BIN"

SERVER_PID=
CLUSTER=
cleanup() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ -n $CLUSTER ]]; then
    "$PY" "$BENCH_DIR/../tests/support/postgres_cluster.py" stop "$CLUSTER" >/dev/null || true
  fi
}
trap cleanup EXIT

STORE_ARGS=(--data-dir "$DATA")
if [[ $STORE == postgres ]]; then
  rm -rf "$CACHE"; mkdir -p "$DATA"
  CLUSTER=$CACHE/cluster
  CLUSTER_URL=$("$PY" "$BENCH_DIR/../tests/support/postgres_cluster.py" start "$CLUSTER")
  psql -q "$CLUSTER_URL" -c "CREATE DATABASE bench"
  DB_URL=${CLUSTER_URL/\/\/\/postgres\?/\/\/\/bench\?}
  STORE_ARGS+=(--database-url "$DB_URL")
fi
if [[ ! -f $DATA/seeded.json ]]; then
  [[ $STORE == postgres ]] || rm -rf "$CACHE"/data-*
  mkdir -p "$DATA"
  log "seeding $EVENTS events over $DAYS days into the $STORE store (SQLite: once; reruns reuse it)"
  "$SERVER_BIN" seed-demo "${STORE_ARGS[@]}" --events "$EVENTS" --days "$DAYS" \
    --project bench --json >"$DATA/seeded.tmp"
  mv "$DATA/seeded.tmp" "$DATA/seeded.json"
fi
SEED_SECONDS=$("$PY" -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["seconds"], 1))' "$DATA/seeded.json")
PROJECT_ID=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["project_id"])' "$DATA/seeded.json")
TOKEN=$("$SERVER_BIN" token create "${STORE_ARGS[@]}" --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["token"])')
if [[ $STORE == postgres ]]; then
  psql -q "$DB_URL" -c "VACUUM ANALYZE"
  DB_MB=$(psql -tA "$DB_URL" -c "SELECT pg_database_size(current_database()) / 1048576")
else
  DB_MB=$(( $(stat -c %s "$DATA/agentsudo.db") / 1024 / 1024 ))
fi

stdbuf -oL "$SERVER_BIN" serve --listen 127.0.0.1:0 "${STORE_ARGS[@]}" >"$CACHE/server.out" 2>"$CACHE/server.err" &
SERVER_PID=$!
URL=
for _ in $(seq 100); do
  URL=$(grep -m1 -oE 'http://127\.0\.0\.1:[0-9]+' "$CACHE/server.out" 2>/dev/null || true)
  [[ -n $URL ]] && break
  kill -0 "$SERVER_PID" 2>/dev/null || die "server exited at start: $(tail -5 "$CACHE/server.err")"
  sleep 0.1
done
[[ -n $URL ]] || die "server did not start"
log "server on $URL, project $PROJECT_ID ($EVENTS events, database $DB_MB MB, seeded in $SEED_SECONDS s)"

mkdir -p "$BENCH_DIR/results"
"$PY" - "$URL" "$TOKEN" "$PROJECT_ID" "$REPS" "$EVENTS" "$SEED_SECONDS" "$DB_MB" "$STORE" <<'EOF_PY' | tee "$BENCH_DIR/results/$RESULTS"
import http.client, json, os, statistics, sys, time, datetime
url, token, project, reps, events, seed_s, db_mb, store = sys.argv[1:9]
store = "PostgreSQL" if store == "postgres" else "SQLite"
reps = int(reps)
host, port = url.removeprefix("http://").split(":")
conn = http.client.HTTPConnection(host, int(port), timeout=30)
auth = {"Authorization": f"Bearer {token}"}
base = f"/api/v1/projects/{project}"

# The seeder's SupportBot uses read:orders, read:customers, read:tickets and
# write:tickets and is refused write:refunds and delete:customers; read:* plus
# write:refunds denies its write:tickets calls and grants its write:refunds
# ones, so the preview has calls to count both ways.
conn.request("GET", f"{base}/agents", headers=auth)
resp = conn.getresponse()
listing = resp.read()
if resp.status != 200:
    sys.exit(f"GET {base}/agents answered {resp.status}: {listing[:300]!r}")
agent_ids = [a["id"] for a in json.loads(listing)["agents"] if a["name"] == "SupportBot"]
if not agent_ids:
    sys.exit("the seeded project has no agent SupportBot")
preview = f"{base}/agents/{agent_ids[0]}/preview"
preview_scopes = ["read:*", "write:refunds"]

routes = [
    ("GET", f"{base}/analytics?days=1", None),
    ("GET", f"{base}/analytics?days=7", None),
    ("GET", f"{base}/analytics?days=30", None),
    ("GET", f"{base}/analytics?days=90", None),
    ("GET", f"{base}/usage", None),
    ("POST", f"{base}/scope-preview", {"scopes": ["read:*", "write:orders", "send:email"]}),
    ("GET", f"{base}/events?limit=50", None),
    ("POST", preview, {"scopes": preview_scopes, "days": 7}),
    ("POST", preview, {"scopes": preview_scopes, "days": 30}),
]
def machine_ticks():
    """(busy, total) jiffies of all CPUs: other work on the machine during the
    timed requests inflates their tails, so the table says how busy it was."""
    f = [int(x) for x in open("/proc/stat").readline().split()[1:9]]
    return sum(f) - f[3] - f[4], sum(f)

rows = []
busy0, total0 = machine_ticks()
for method, path, body in routes:
    data = json.dumps(body).encode() if body is not None else None
    headers = dict(auth, **({"Content-Type": "application/json"} if data else {}))
    samples = []
    answer = None
    for i in range(reps + 3):  # three warm-up requests
        t0 = time.perf_counter()
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        raw = resp.read()
        elapsed = (time.perf_counter() - t0) * 1000
        if resp.status != 200:
            sys.exit(f"{method} {path} answered {resp.status}: {raw[:300]!r}")
        if i >= 3:
            samples.append(elapsed)
        answer = raw
    samples.sort()
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    note = ""
    doc = json.loads(answer)
    if "totals" in doc:
        note = f"{doc['totals']['events']:,} events, {len(doc['series'])} buckets"
    elif "today" in doc:
        note = f"{sum(d['events'] for d in doc['days']):,} events in 30 days"
    elif "newly_denied" in doc:
        note = (f"{doc['calls']:,} calls: {doc['newly_denied']:,} newly denied "
                f"({', '.join(d['scope'] for d in doc['denied_scopes'])}), "
                f"{doc['newly_granted']:,} newly granted "
                f"({', '.join(g['scope'] for g in doc['granted_scopes'])})")
    elif "granted" in doc:
        note = f"{len(doc['granted'])} granted, {len(doc['denied'])} denied"
    name = f"`{method} {path.replace(preview, '…/agents/{SupportBot}/preview').replace(base, '…')}`"
    if body is not None and "days" in body:
        name += f" `{json.dumps(body)}`"
    limit = 100 if path == preview else 50
    rows.append((name, statistics.median(samples), p99, max(samples), note, limit))

busy1, total1 = machine_ticks()
busy_pct = 100.0 * os.cpu_count() * (busy1 - busy0) / max(1, total1 - total0)
print(f"## Analytics latency with {int(events):,} events stored in {store} ({datetime.datetime.now(datetime.timezone.utc):%Y-%m-%dT%H:%M:%SZ})\n")
print(f"One project seeded by `seed-demo` ({int(events):,} events over 90 days, 12 agents, "
      f"seeded in {seed_s} s; database {db_mb} MB). {reps} sequential requests per route on one "
      f"keep-alive connection after 3 warm-ups; client-side time (request sent to body read). "
      f"The machine was {busy_pct:.0f}% busy (of {os.cpu_count() * 100}%) while they ran, "
      "server and this client included.\n")
print("| request | median | p99 | max | answer |\n|---|---:|---:|---:|---|")
for name, med, p99, mx, note, limit in rows:
    flag = f"(< {limit} ms {'✅' if p99 < limit else '❌'})"
    print(f"| {name} | {med:.2f} ms | {p99:.2f} ms {flag} | {mx:.2f} ms | {note} |")
print("\nTargets: each analytics request under 50 ms, an agent's preview under 100 ms "
      "(issue 8), p99 shown against them.")
EOF_PY
