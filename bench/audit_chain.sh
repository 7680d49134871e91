#!/usr/bin/env bash
# The audit chain's cost on the commit writer (chain on against off, in one
# run) and the speed of `agentsudo-server verify`; see bench/audit_chain.py.
#
#   bench/audit_chain.sh BUILD_DIR
#
# Knobs (environment): AUDIT_BENCH_EVENTS=1000000 events per run,
# AUDIT_BENCH_REPS=3 runs per mode (median reported), AUDIT_BENCH_THREADS=4
# connections posting batches of 1000.
set -Eeuo pipefail
[[ $# -eq 1 ]] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
exec /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/audit_chain.py" "$1/bin/agentsudo-server"
