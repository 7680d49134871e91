#!/usr/bin/env bash
# HTTP benchmark of agentsudo-server against an nginx ceiling (`make bench`).
#
#   bench/run.sh BUILD_DIR
#
# In one run: starts nginx (fixed `return 201`, one worker per core) and
# BUILD_DIR/bin/agentsudo-server on free ports on 127.0.0.1 with a temporary
# data dir, creates a project with a huge quota whose policy gives SupportBot
# ["read:*"] (through the management API), runs wrk against both
# (POST /ingest-event with one event, POST /api/events with a batch of 100,
# POST /v1/check granted; every 200 of a check stores one event), then
# BUILD_DIR/bin/agentsudo_open_loop against both at a fixed rate of checks
# (latency from each request's scheduled send), repeating each measurement
# and alternating the two targets, samples the
# server's peak RSS, stops it with SIGTERM, checks that the database holds at
# least every acknowledged event, and prints a Markdown table (also written
# to bench/results/latest.md). Exits non-zero when any measured response was
# not 2xx, on socket errors, or when acknowledged events are missing.
#
# Knobs (environment):
#   BENCH_DURATION=10      seconds per measured wrk run
#   BENCH_WARMUP=3         seconds of the warm-up run (per target and route)
#   BENCH_REPS=3           measured runs per target and route (median reported)
#   BENCH_THREADS=2 BENCH_CONNECTIONS=64
#   BENCH_BATCH_SIZE=100   events per /api/events request
#   BENCH_ROUTES="ingest batch check check_rate"   what to measure, in order
#   BENCH_CHECK_RATE=10000 checks/s of the open-loop run (check_rate)
#   BENCH_CHECK_CONNECTIONS=64  its keep-alive connections
#   BENCH_OPEN_LOOP_WARMUP=2    seconds at that rate before it measures
#   BENCH_NGINX_ONLY=1     measure only the nginx ceiling (no server needed)
#   BENCH_KEEP_TMP=1       keep the temporary directory (data dir, logs)
set -Eeuo pipefail

usage() { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
[[ $# -eq 1 ]] || usage

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD_DIR=$1
SERVER_BIN=$(realpath -m "$BUILD_DIR/bin/agentsudo-server")
RESULTS_DIR=$BENCH_DIR/results
PY=/usr/bin/python3
WRK=/usr/bin/wrk
NGINX=/usr/sbin/nginx
OPEN_LOOP=$(realpath -m "$BUILD_DIR/bin/agentsudo_open_loop")

DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-3}
REPS=${BENCH_REPS:-3}
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
BATCH_SIZE=${BENCH_BATCH_SIZE:-100}
NGINX_ONLY=${BENCH_NGINX_ONLY:-0}
read -r -a ROUTES <<<"${BENCH_ROUTES:-ingest batch check check_rate}"
CHECK_RATE=${BENCH_CHECK_RATE:-10000}
CHECK_CONNECTIONS=${BENCH_CHECK_CONNECTIONS:-64}
OPEN_LOOP_WARMUP=${BENCH_OPEN_LOOP_WARMUP:-2}
# The check every route and the smoke test send: SupportBot holds read:*.
CHECK_BODY='{"agent_name": "SupportBot", "scope": "read:orders", "function_name": "get_order"}'
SERVER_START_TIMEOUT=10   # seconds
SERVER_STOP_TIMEOUT=20    # seconds, after SIGTERM

log() { printf 'bench: %s\n' "$*" >&2; }
die() { printf '\nbench: ERROR: %s\n\n' "$*" >&2; exit 1; }

for tool in "$PY" "$WRK" "$NGINX" /usr/bin/curl /usr/bin/sqlite3 /usr/bin/timeout; do
  [[ -x $tool ]] || die "$tool is missing"
done
if [[ $NGINX_ONLY != 1 && ! -x $SERVER_BIN ]]; then
  die "server binary not found: $SERVER_BIN (run 'make build' first)"
fi
for route in "${ROUTES[@]}"; do
  case $route in
    ingest | batch | check) ;;
    check_rate) [[ -x $OPEN_LOOP ]] || die "load generator not found: $OPEN_LOOP (build the target agentsudo_open_loop)" ;;
    *) die "unknown route in BENCH_ROUTES: $route" ;;
  esac
done
if [[ $(id -u) -ne 0 ]]; then
  log "warning: not root; nginx will run as $(id -un)"
fi

TMP=$(mktemp -d /tmp/agentsudo-bench.XXXXXX)
NGINX_PID=
SERVER_PID=
WRK_PID=

# Stop one process we started: SIGTERM, wait up to $2 seconds, then SIGKILL.
stop_pid() {
  local pid=$1 grace=$2 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  log "pid $pid did not exit within ${grace}s of SIGTERM; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  [[ -n $WRK_PID ]] && stop_pid "$WRK_PID" 2
  if [[ -n $SERVER_PID ]]; then
    stop_pid "$SERVER_PID" "$SERVER_STOP_TIMEOUT"
  fi
  if [[ -n $NGINX_PID ]]; then
    local workers
    workers=$(pgrep -P "$NGINX_PID" 2>/dev/null)
    stop_pid "$NGINX_PID" 5
    for w in $workers; do stop_pid "$w" 2; done
  fi
  wait 2>/dev/null
  if [[ ${BENCH_KEEP_TMP:-0} == 1 ]]; then
    log "kept temporary files in $TMP"
  else
    rm -rf "$TMP"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# ---------------------------------------------------------------- nginx ----
start_nginx() {
  local dir=$TMP/nginx port
  mkdir -p "$dir"
  port=$(free_port)
  local user_line=""
  [[ $(id -u) -eq 0 ]] && user_line="user root root;"
  cat >"$dir/nginx.conf" <<EOF
# Generated by bench/run.sh: the machine's HTTP ceiling, a fixed 201.
worker_processes 2;   # one per core
daemon off;
$user_line
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/client_body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 75s;
  server {
    listen 127.0.0.1:$port;
    location / {
      default_type application/json;
      return 201 '{"ok":true}';
    }
  }
}
EOF
  "$NGINX" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" >"$dir/stdout.log" 2>&1 &
  NGINX_PID=$!
  local i
  for ((i = 0; i < 50; i++)); do
    if ! kill -0 "$NGINX_PID" 2>/dev/null; then
      cat "$dir/stdout.log" "$dir/error.log" >&2 2>/dev/null
      die "nginx exited at start"
    fi
    if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/"; then
      NGINX_URL=http://127.0.0.1:$port
      log "nginx (pid $NGINX_PID, $(pgrep -c -P "$NGINX_PID") workers) on $NGINX_URL"
      return 0
    fi
    sleep 0.1
  done
  die "nginx did not answer on 127.0.0.1:$port within 5 s"
}

# --------------------------------------------------------------- server ----
start_server() {
  mkdir -p "$TMP/data"
  # stdbuf: the "listening on" line must reach the file even if stdout is
  # block-buffered when it is not a terminal.
  stdbuf -oL -eL "$SERVER_BIN" serve --listen 127.0.0.1:0 --data-dir "$TMP/data" \
    >"$TMP/server.out" 2>"$TMP/server.err" &
  SERVER_PID=$!
  local i line
  for ((i = 0; i < SERVER_START_TIMEOUT * 10; i++)); do
    line=$(grep -m1 -oE 'listening on http://127\.0\.0\.1:[0-9]+' "$TMP/server.out" 2>/dev/null || true)
    if [[ -n $line ]]; then
      SERVER_URL=${line#listening on }
      log "agentsudo-server (pid $SERVER_PID) on $SERVER_URL, started in ~$((i * 100)) ms"
      return 0
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      local rc=0
      wait "$SERVER_PID" || rc=$?
      SERVER_PID=
      echo "--- server stdout ---" >&2; cat "$TMP/server.out" >&2
      echo "--- server stderr ---" >&2; tail -n 50 "$TMP/server.err" >&2
      die "agentsudo-server exited with status $rc at start"
    fi
    sleep 0.1
  done
  echo "--- server stdout ---" >&2; cat "$TMP/server.out" >&2
  echo "--- server stderr ---" >&2; tail -n 50 "$TMP/server.err" >&2
  die "agentsudo-server did not print 'listening on http://127.0.0.1:PORT' within ${SERVER_START_TIMEOUT} s"
}

server_alive() {
  kill -0 "$SERVER_PID" 2>/dev/null && return 0
  echo "--- server stderr ---" >&2; tail -n 50 "$TMP/server.err" >&2
  die "agentsudo-server (pid $SERVER_PID) died during the benchmark"
}

rss_kb() {  # rss_kb FIELD -> kB value of VmHWM / VmRSS of the server
  awk -v f="$1:" '$1 == f { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0
}

create_project() {
  local out
  out=$(timeout 30 "$SERVER_BIN" project create --data-dir "$TMP/data" --name bench \
        --tier 1000000000 --json 2>"$TMP/project.err") \
    || { cat "$TMP/project.err" >&2; die "'project create' failed"; }
  API_KEY=$(printf '%s' "$out" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["api_key"])') \
    || die "'project create --json' printed no JSON object with api_key: $out"
  [[ $API_KEY == as_* ]] || die "api key does not start with as_: ${API_KEY:0:6}..."
  PROJECT_ID=$(printf '%s' "$out" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["project_id"])') \
    || die "'project create --json' printed no project_id: $out"
  log "project 'bench' created (key ${API_KEY:0:8}...)"
}

# The policy /v1/check decides with: SupportBot holding read:*, set through
# the management API as a person would (before any event names SupportBot,
# so the agent is created rather than adopted from the events). This writes
# one policy_changed event, which is a row but no acknowledged check.
create_policy() {
  local token status
  token=$(timeout 30 "$SERVER_BIN" token create --data-dir "$TMP/data" --json 2>"$TMP/token.err" \
          | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["token"])') \
    || { cat "$TMP/token.err" >&2; die "'token create --json' failed"; }
  status=$(curl -s -o "$TMP/agent.body" -w '%{http_code}' --max-time 10 -X POST \
           -H 'Content-Type: application/json' -H "Authorization: Bearer $token" \
           --data-binary '{"name": "SupportBot", "scopes": ["read:*"]}' \
           "$SERVER_URL/api/v1/projects/$PROJECT_ID/agents") || status=000
  [[ $status == 201 ]] || die "creating the agent SupportBot answered $status: $(head -c 500 "$TMP/agent.body")"
  log "policy: SupportBot holds [\"read:*\"] ($(head -c 200 "$TMP/agent.body"))"
}

# One POST with curl, checking the status; prints the body on failure.
smoke() {  # smoke URL PATH BODYFILE EXPECTED_STATUS KEY
  local status
  status=$(curl -s -o "$TMP/smoke.body" -D "$TMP/smoke.headers" -w '%{http_code}' --max-time 10 \
           -X POST -H 'Content-Type: application/json' -H "X-API-Key: $5" \
           --data-binary @"$3" "$1$2") || status=000
  if [[ $status != "$4" ]]; then
    echo "--- response headers ---" >&2; cat "$TMP/smoke.headers" >&2 2>/dev/null
    echo "--- response body ---" >&2; head -c 2000 "$TMP/smoke.body" >&2 2>/dev/null; echo >&2
    die "smoke test: POST $1$2 answered $status, expected $4"
  fi
}

# ------------------------------------------------------------ CPU use ----
# Read without forking, so that sampling costs next to nothing.
CLK_TCK=$(getconf CLK_TCK)
NCPU=$(nproc)
TICKS=0
ticks_of() {  # TICKS += utime + stime of each PID given (0 if gone)
  local pid st rest f
  for pid in "$@"; do
    st=
    read -r st <"/proc/$pid/stat" 2>/dev/null || continue
    rest=${st##*) }            # fields from 3 (state) on; comm may hold spaces
    read -r -a f <<<"$rest"
    TICKS=$((TICKS + f[11] + f[12]))   # fields 14 and 15
  done
}
MACHINE_BUSY=0 MACHINE_TOTAL=0 MACHINE_IRQ=0
machine_ticks() {  # all CPUs: busy, interrupt and total ticks from /proc/stat
  local cpu user nice system idle iowait irq softirq steal rest
  read -r cpu user nice system idle iowait irq softirq steal rest </proc/stat
  MACHINE_TOTAL=$((user + nice + system + idle + iowait + irq + softirq + steal))
  MACHINE_BUSY=$((MACHINE_TOTAL - idle - iowait))
  MACHINE_IRQ=$((irq + softirq))   # loopback TCP is mostly softirq, charged to no process
}
target_pids() {  # the processes that serve the load
  if [[ $1 == nginx ]]; then pgrep -P "$NGINX_PID" | tr '\n' ' '; else echo "$SERVER_PID"; fi
}

# ------------------------------------------------------------------ wrk ----
RESULTS_JSONL=$TMP/runs.jsonl
: >"$RESULTS_JSONL"
RUN_NO=0

# run_wrk TARGET(nginx|server) ROUTE(ingest|batch|check|check_rate) PHASE(warmup|measure) SECONDS
# check_rate runs the open-loop generator instead of wrk, with the same CPU
# accounting (its CPU shows in the wrk column).
run_wrk() {
  local target=$1 route=$2 phase=$3 secs=$4 url script key
  RUN_NO=$((RUN_NO + 1))
  if [[ $target == nginx ]]; then url=$NGINX_URL; key=as_nginx_ceiling_key_000000000000000000
  else url=$SERVER_URL; key=$API_KEY; server_alive; fi
  script=$BENCH_DIR/$route.lua
  local out=$TMP/wrk-$RUN_NO-$target-$route-$phase.out
  local rc=0
  if [[ $route == check_rate ]]; then
    # nginx's fixed answer has no "allowed"; the server's must grant.
    local expect='"allowed":true'
    [[ $target == nginx ]] && expect='"ok":true'
    timeout -k 5 $((secs + OPEN_LOOP_WARMUP + 30)) "$OPEN_LOOP" --url "$url" --path /v1/check \
      --body "$CHECK_BODY" --header "X-API-Key: $key" --expect-substring "$expect" \
      --rate "$CHECK_RATE" --connections "$CHECK_CONNECTIONS" --duration "$secs" \
      --warmup "$OPEN_LOOP_WARMUP" --label "$target $route $phase" >"$out" 2>&1 &
  else
    BENCH_API_KEY=$key BENCH_LABEL="$target $route $phase" BENCH_BATCH_SIZE=$BATCH_SIZE \
      timeout -k 5 $((secs + 30)) "$WRK" -t"$THREADS" -c"$CONNECTIONS" -d"${secs}s" --latency \
        -s "$script" "$url" >"$out" 2>&1 &
  fi
  WRK_PID=$!
  # CPU accounting: the target's processes, wrk itself (sampled every 0.2 s
  # while it runs, so its last fraction of a second is missed) and the whole
  # machine; what is left is other work that disturbed the measurement.
  local pids t0 m0b m0t wrk_pid=
  pids=$(target_pids "$target")
  TICKS=0; ticks_of $pids; t0=$TICKS
  machine_ticks; m0b=$MACHINE_BUSY; m0t=$MACHINE_TOTAL; local m0i=$MACHINE_IRQ
  local wrk_ticks=0 t_start=$EPOCHREALTIME
  while kill -0 "$WRK_PID" 2>/dev/null; do
    [[ -z $wrk_pid ]] && wrk_pid=$(pgrep -P "$WRK_PID" -n 2>/dev/null || true)
    if [[ -n $wrk_pid ]]; then TICKS=0; ticks_of "$wrk_pid"; ((TICKS > 0)) && wrk_ticks=$TICKS; fi
    sleep 0.2
  done
  wait "$WRK_PID" || rc=$?
  WRK_PID=
  TICKS=0; ticks_of $pids; local target_ticks=$((TICKS - t0))
  machine_ticks
  local cpu_json
  cpu_json=$("$PY" -c '
import sys, json
tt, wt, mb, mi, mt, hz, n, secs = (float(x) for x in sys.argv[1:])
def pct(ticks): return round(100.0 * ticks / hz / secs, 1)
machine = round(100.0 * n * mb / mt, 1) if mt else 0.0
irq = round(100.0 * n * mi / mt, 1) if mt else 0.0
print(json.dumps({"cpu_target_pct": pct(tt), "cpu_wrk_pct": pct(wt), "cpu_machine_pct": machine,
                  "cpu_irq_pct": irq,
                  "cpu_other_pct": round(max(0.0, machine - irq - pct(tt) - pct(wt)), 1),
                  "cpu_target_s": round(tt / hz, 2)})[1:-1])
' "$target_ticks" "$wrk_ticks" "$((MACHINE_BUSY - m0b))" "$((MACHINE_IRQ - m0i))" "$((MACHINE_TOTAL - m0t))" "$CLK_TCK" "$NCPU" \
    "$(awk -v a="$t_start" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')")
  local line
  if [[ $route == check_rate ]]; then
    # A failed request makes the generator exit 1: the run is recorded as
    # invalid (and fails the report) rather than aborting the script.
    line=$(grep -m1 '^OPEN_LOOP_RESULT {' "$out" | cut -d' ' -f2- || true)
    [[ -n $line ]] && line=$(printf '%s\n' "$line" | "$PY" "$BENCH_DIR/report.py" openloop)
    if [[ -z $line || ($rc -ne 0 && $rc -ne 1) ]]; then
      cat "$out" >&2
      die "agentsudo_open_loop ($target $route $phase) failed with status $rc"
    fi
    grep -F 'OPEN LOOP INVALID' "$out" >&2 || true
  else
    line=$(grep -m1 '^BENCH_RESULT {' "$out" | cut -d' ' -f2- || true)
    if [[ $rc -ne 0 || -z $line ]]; then
      cat "$out" >&2
      die "wrk ($target $route $phase) failed with status $rc"
    fi
    # Loud lines from common.lua go to wrk's stderr, which is in $out.
    grep -F 'BENCH INVALID' "$out" >&2 || true
  fi
  local extra=""
  if [[ $target == server ]]; then
    extra=",\"rss_hwm_kb\":$(rss_kb VmHWM),\"rss_kb\":$(rss_kb VmRSS)"
  fi
  line="{\"run\":$RUN_NO,\"target\":\"$target\",\"route\":\"$route\",\"phase\":\"$phase\"$extra,$cpu_json,${line#\{}"
  printf '%s\n' "$line" >>"$RESULTS_JSONL"
  printf '%s\n' "$line" | "$PY" "$BENCH_DIR/report.py" line >&2
}

# Per-thread CPU seconds of the server ("name:seconds ..."), to show which
# thread bounds it.
server_threads_cpu() {
  local task st rest name f out=""
  for task in /proc/"$SERVER_PID"/task/*; do
    read -r st <"$task/stat" 2>/dev/null || continue
    name=${st#*(}; name=${name%%) *}; name=${name// /_}
    rest=${st##*) }
    read -r -a f <<<"$rest"
    out+="${name}:$(( (f[11] + f[12]) * 100 / CLK_TCK )) "
  done
  echo "$out"   # hundredths of a second
}

# ----------------------------------------------------------------- main ----
START_TS=$(date +%s)
machine_ticks; b0=$MACHINE_BUSY; t0=$MACHINE_TOTAL
sleep 2
machine_ticks
IDLE_BUSY_PCT=$(( NCPU * 100 * (MACHINE_BUSY - b0) / (MACHINE_TOTAL - t0 + 1) ))
if ((IDLE_BUSY_PCT > 20)); then
  log "WARNING: the machine is already ${IDLE_BUSY_PCT}% busy (of $((NCPU * 100))%) before the benchmark; figures will be low"
fi
log "wrk -t$THREADS -c$CONNECTIONS, ${DURATION}s x $REPS per target and route (+${WARMUP}s warm-up), batch of $BATCH_SIZE; routes: ${ROUTES[*]}"
start_nginx
TARGETS=(nginx)
if [[ $NGINX_ONLY != 1 ]]; then
  start_server
  create_project
  create_policy
  TARGETS=(nginx server)
fi

# Request bodies for the smoke tests, the same as the Lua scripts send.
"$PY" - "$TMP" "$BATCH_SIZE" <<'EOF'
import sys
d, n = sys.argv[1], int(sys.argv[2])
ev = ('{{"timestamp": "2026-01-15T10:30:{:02d}.{:06d}Z", "agent_name": "SupportBot", '
      '"action": "permission_check", "scope": "read:orders", "allowed": true, '
      '"function_name": "get_order", "metadata": {{}}}}')
open(f"{d}/one.json", "w").write('{"agent_name": "SupportBot", "action": "permission_check", '
    '"scope": "read:orders", "allowed": true, "function_name": "get_order", "metadata": {}}')
open(f"{d}/check.json", "w").write('{"agent_name": "SupportBot", "scope": "read:orders", '
    '"function_name": "get_order"}')
open(f"{d}/batch.json", "w").write("[" + ", ".join(ev.format(i % 60, (123456 + i * 1009) % 1000000) for i in range(n)) + "]")
EOF
smoke "$NGINX_URL" /ingest-event "$TMP/one.json" 201 x
SMOKE_EVENTS=0
if [[ $NGINX_ONLY != 1 ]]; then
  smoke "$SERVER_URL" /ingest-event "$TMP/one.json" 201 "$API_KEY"
  log "smoke: POST /ingest-event -> 201 $(head -c 300 "$TMP/smoke.body")"
  smoke "$SERVER_URL" /api/events "$TMP/batch.json" 200 "$API_KEY"
  log "smoke: POST /api/events ($BATCH_SIZE events) -> 200 $(head -c 300 "$TMP/smoke.body")"
  smoke "$SERVER_URL" /v1/check "$TMP/check.json" 200 "$API_KEY"
  grep -qF '"allowed":true' "$TMP/smoke.body" \
    || die "smoke: POST /v1/check was not granted: $(head -c 500 "$TMP/smoke.body")"
  log "smoke: POST /v1/check -> 200 $(head -c 300 "$TMP/smoke.body")"
  SMOKE_EVENTS=$((1 + BATCH_SIZE + 1))
  curl -s --max-time 5 "$SERVER_URL/metrics" >"$TMP/metrics-before.txt" || true
fi

for route in "${ROUTES[@]}"; do
  # The open-loop run warms up inside each run, at its own rate.
  if [[ $route != check_rate ]]; then
    for target in "${TARGETS[@]}"; do
      run_wrk "$target" "$route" warmup "$WARMUP"
    done
  fi
  for ((rep = 1; rep <= REPS; rep++)); do
    # Alternate which target goes first (n s, s n, n s, ...) so drift in the
    # machine's speed hits both alike.
    order=("${TARGETS[@]}")
    if ((rep % 2 == 0)) && ((${#TARGETS[@]} == 2)); then order=(server nginx); fi
    for target in "${order[@]}"; do
      run_wrk "$target" "$route" measure "$DURATION"
    done
  done
done

FACTS=$TMP/facts.json
SERVER_EXIT=
SERVER_THREADS=
DB_FILE=
DB_ROWS=
HWM_KB=
RSS_KB=
if [[ $NGINX_ONLY != 1 ]]; then
  server_alive
  HWM_KB=$(rss_kb VmHWM)
  SERVER_THREADS=$(server_threads_cpu)
  RSS_KB=$(rss_kb VmRSS)
  curl -s --max-time 5 "$SERVER_URL/metrics" >"$TMP/metrics-after.txt" || true
  log "peak RSS (VmHWM) $((HWM_KB / 1024)) MB, RSS now $((RSS_KB / 1024)) MB; stopping the server with SIGTERM"
  kill -TERM "$SERVER_PID"
  for ((i = 0; i < SERVER_STOP_TIMEOUT * 10; i++)); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    log "server still running ${SERVER_STOP_TIMEOUT}s after SIGTERM: SIGKILL"
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_EXIT=0
  wait "$SERVER_PID" || SERVER_EXIT=$?
  SERVER_PID=
  log "server exited with status $SERVER_EXIT"
  # The database: any *.db in the data dir with an events table.
  while IFS= read -r f; do
    if n=$(timeout 60 sqlite3 "$f" 'select count(*) from events' 2>/dev/null); then
      DB_FILE=$f; DB_ROWS=$n; break
    fi
  done < <(find "$TMP/data" -name '*.db' -type f | sort)
  [[ -n $DB_FILE ]] || log "no *.db with an events table under the data dir: $(find "$TMP/data" -type f | tr '\n' ' ')"
fi

mkdir -p "$RESULTS_DIR"
cp "$RESULTS_JSONL" "$RESULTS_DIR/latest.jsonl"
[[ -f $TMP/metrics-after.txt ]] && cp "$TMP/metrics-after.txt" "$RESULTS_DIR/latest-metrics.txt"
[[ -f $TMP/server.err ]] && cp "$TMP/server.err" "$RESULTS_DIR/latest-server-stderr.log"

"$PY" - "$FACTS" <<EOF
import json, sys
def num(s):
    return int(s) if s not in ("", None) else None
json.dump({
    "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
    "host_cpus": $(nproc),
    "cpu_model": """$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')""",
    "git": """$(git -C "$BENCH_DIR/.." rev-parse --short HEAD 2>/dev/null || echo none)$( [[ -n $(git -C "$BENCH_DIR/.." status --porcelain 2>/dev/null | head -1) ]] && echo ' (dirty)')""",
    "wrk": "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency (keep-alive), ${WARMUP}s warm-up, $REPS runs each",
    "nginx": """$("$NGINX" -v 2>&1 | sed 's/.*: //')""",
    "batch_size": $BATCH_SIZE,
    "check_rate": $CHECK_RATE,
    "check_connections": $CHECK_CONNECTIONS,
    "open_loop_warmup_s": $OPEN_LOOP_WARMUP,
    "routes": "${ROUTES[*]}",
    "nginx_only": "$NGINX_ONLY" == "1",
    "smoke_events": $SMOKE_EVENTS,
    "rss_hwm_kb": num("$HWM_KB"),
    "rss_kb": num("$RSS_KB"),
    "server_exit": num("$SERVER_EXIT"),
    "db_file": "${DB_FILE#$TMP/}" or None,
    "db_rows": num("$DB_ROWS"),
    "elapsed_s": $(( $(date +%s) - START_TS )),
    "busy_before_pct": $IDLE_BUSY_PCT,
    "server_threads": "${SERVER_THREADS:-}",
    "metrics_before": "$TMP/metrics-before.txt",
    "metrics_after": "$TMP/metrics-after.txt",
}, open(sys.argv[1], "w"))
EOF

rc=0
"$PY" "$BENCH_DIR/report.py" table "$RESULTS_JSONL" "$FACTS" "$RESULTS_DIR/latest.md" || rc=$?
log "table written to ${RESULTS_DIR#"$PWD"/}/latest.md (runs: latest.jsonl)"
exit "$rc"
