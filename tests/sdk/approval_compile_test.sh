#!/usr/bin/env bash
# Checks that an argument type without an approval digest compiles in raise
# mode and fails, with the static_assert's message, in approval mode.
#   approval_compile_test.sh CXX INCLUDE_DIR
set -uo pipefail

cxx=$1
include=$2
source=$(cd "$(dirname "$0")" && pwd)/compile_fail/undigestible_argument.cpp

if ! "$cxx" -std=c++20 -fsyntax-only -I "$include" "$source"; then
  echo "raise mode should compile" >&2
  exit 1
fi
errors=$("$cxx" -std=c++20 -fsyntax-only -DAGENTSUDO_APPROVAL_MODE -I "$include" "$source" 2>&1)
if [ $? -eq 0 ]; then
  echo "approval mode with an undigestible argument compiled" >&2
  exit 1
fi
if ! grep -q "this argument type has no approval digest" <<<"$errors"; then
  printf 'approval mode failed for another reason:\n%s\n' "$errors" >&2
  exit 1
fi
exit 0
