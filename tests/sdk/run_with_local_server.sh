#!/usr/bin/env bash
# Runs a command against a fresh agentsudo-server on 127.0.0.1:
#   run_with_local_server.sh SERVER_BINARY COMMAND [ARGS...]
# The command sees AGENTSUDO_ENDPOINT and AGENTSUDO_API_KEY of a new project;
# the script exits with the command's status.
set -euo pipefail

server=$1
shift
work=$(mktemp -d)
data_dir=$work/data
ready_file=$work/ready.json
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

project=$("$server" project create --data-dir "$data_dir" --name sdk-example --json)
api_key=$(printf '%s' "$project" | sed -n 's/.*"api_key": *"\([^"]*\)".*/\1/p')

"$server" serve --listen 127.0.0.1:0 --data-dir "$data_dir" --ready-file "$ready_file" \
  >"$work/server.log" 2>&1 &
server_pid=$!

# The server writes the ready file atomically once it listens. Give up when
# the server exits first, or after 30 s: a hang guard, not a timing bound.
not_ready() {
  echo "server not ready: $1" >&2
  cat "$work/server.log" >&2
  exit 1
}
deadline=$((SECONDS + 30))
until [ -e "$ready_file" ]; do
  kill -0 "$server_pid" 2>/dev/null || not_ready "it exited"
  [ "$SECONDS" -lt "$deadline" ] || not_ready "still starting after 30 s"
  sleep 0.05
done
endpoint=$(sed -n 's/.*"url": *"\([^"]*\)".*/\1/p' "$ready_file")
[ -n "$endpoint" ] || not_ready "no url in $(cat "$ready_file")"

AGENTSUDO_ENDPOINT=$endpoint AGENTSUDO_API_KEY=$api_key "$@"
