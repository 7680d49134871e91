#!/usr/bin/env bash
# The PostgreSQL commit writer against PostgreSQL's own ceiling on the same
# rows (plain multi-row INSERTs, same batch size), in a private cluster
# started and stopped here; see bench/store/pg_group_commit.cpp.
#
#   bench/pg_group_commit.sh BUILD_DIR [BATCH_SIZE...]   (default: 100 500)
set -Eeuo pipefail
[[ $# -ge 1 ]] || { echo "usage: $0 BUILD_DIR [BATCH_SIZE...]" >&2; exit 2; }
build=$1; shift
if [[ $# -ge 1 ]]; then sizes=("$@"); else sizes=(100 500); fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cluster=$(mktemp -d /tmp/agentsudo-pg-bench.XXXXXX)
trap 'python3 "$here/../tests/support/postgres_cluster.py" stop "$cluster" >/dev/null; rm -rf "$cluster"' EXIT
url=$(python3 "$here/../tests/support/postgres_cluster.py" start "$cluster")
for size in "${sizes[@]}"; do
  db="bench_$size"
  psql -q "$url" -c "CREATE DATABASE $db"
  "$build/bin/agentsudo_pg_group_commit_bench" "${url/\/\/\/postgres\?/\/\/\/$db\?}" \
    "$size" "$((30000 / size))"
done
