#!/usr/bin/env bash
# Runs a command against a fresh agentsudo-server on 127.0.0.1:
#   run_with_local_server.sh SERVER_BINARY COMMAND [ARGS...]
# The command sees AGENTSUDO_ENDPOINT and AGENTSUDO_API_KEY of a new project.
set -euo pipefail

server=$1
shift
data_dir=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$data_dir"
}
trap cleanup EXIT

project=$("$server" project create --data-dir "$data_dir" --name sdk-example --json)
api_key=$(printf '%s' "$project" | sed -n 's/.*"api_key": *"\([^"]*\)".*/\1/p')

"$server" serve --listen 127.0.0.1:0 --data-dir "$data_dir" >"$data_dir/server.out" 2>"$data_dir/server.err" &
server_pid=$!
endpoint=""
for _ in $(seq 1 100); do
  endpoint=$(sed -n 's/^agentsudo-server listening on \(http:[^ ]*\).*/\1/p' "$data_dir/server.out")
  [ -n "$endpoint" ] && break
  sleep 0.1
done
if [ -z "$endpoint" ]; then
  echo "server did not start:" >&2
  cat "$data_dir/server.err" >&2
  exit 1
fi

AGENTSUDO_ENDPOINT=$endpoint AGENTSUDO_API_KEY=$api_key "$@"
