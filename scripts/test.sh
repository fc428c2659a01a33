#!/usr/bin/env bash
# The full test suite: setup, formatting, lints, then every test of the workspace. Stops at the
# first failing step and says which one failed. Run from any directory.
set -euo pipefail

cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."

# Runs one named step; on failure prints which step failed and exits with its status.
step() {
    local name=$1
    shift
    printf '==> %s: %s\n' "$name" "$*"
    local status=0
    "$@" || status=$?
    if [ "$status" -ne 0 ]; then
        printf "test.sh: step \`%s\` failed (exit %d): %s\n" "$name" "$status" "$*" >&2
        exit "$status"
    fi
}

step setup bash scripts/setup.sh
step fmt cargo fmt --all --check
step clippy cargo clippy --workspace --all-targets -- -D warnings
step test cargo test --workspace
printf 'test.sh: all steps passed (setup, fmt, clippy, test)\n'
