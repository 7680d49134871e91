#!/usr/bin/env bash
# Runs examples/approval_request against a fresh server with a one-second
# wait that nobody answers: it must announce the wait, not issue the refund,
# and exit 3 (denied).
#   approval_example_test.sh SERVER_BINARY EXAMPLE_BINARY
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
output=$(AGENTSUDO_APPROVAL_TIMEOUT_SECONDS=1 "$here/run_with_local_server.sh" "$1" "$2")
status=$?
printf '%s\n' "$output"
if [ "$status" -ne 3 ]; then echo "expected exit 3, got $status" >&2; exit 1; fi
if ! grep -qx 'waiting for approval' <<<"$output"; then echo "no 'waiting for approval'" >&2; exit 1; fi
if grep -q 'refund issued' <<<"$output"; then echo "the refund ran" >&2; exit 1; fi
exit 0
