#!/usr/bin/env bash
# The gate on divan benches, measured (not tested) on the divan fixture crate committed in a
# temporary repository: a commit whose `checksum` does 20% more rounds, and a README-only
# commit, each compared with its base both ways perfgate compares:
#
#   stored  `perfgate run --quick --profiles release` on each commit, then `perfgate compare`
#   run     `perfgate compare --run --quick --profiles release`: both sides measured in one
#           job, interleaved, one divan process per sample
#
# For each it prints the exit code and the verdict and reason of `checksum/20000`'s
# instructions and wall time, repeated REPEATS times (default 3). Writes nothing to the
# repository.
#
# Usage: scripts/divan-gate.sh [REPEATS]
set -euo pipefail

cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
repo_root=$PWD
script=divan-gate.sh
repeats=${1:-3}
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

step "build perfgate" cargo build --release -q -p perfgate
perfgate=$repo_root/target/release/perfgate
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR=$work/target
fixture_repo divan "$work/repo" divan-gate
cd "$work/repo"
printf 'baselines/\n' >.gitignore
git add .gitignore
git commit -qm "baselines stay out of the commits"
git checkout -q -b slower
sed -i 's/EXTRA_PERMILLE: u64 = 0;/EXTRA_PERMILLE: u64 = 200;/' src/lib.rs
git commit -qam "a fifth more rounds"
git checkout -q -b docs main
printf '# tally\n\nA crate to bench.\n' >README.md
git add README.md
git commit -qm "readme"
git checkout -q main

# The verdict and reason of checksum/20000's instructions and wall time in a comparison.
verdicts() {
    python3 -c '
import json, sys
c = json.load(sys.stdin)
out = {}
for s in c["series"]:
    k = s["key"]
    if k["profile"] == "release" and k["bench"] == "checksum/20000":
        out[k["metric"]] = s["verdict"] + " (" + s["reason"] + ")"
print("instructions:", out.get("instructions", "absent"), "| wall:", out.get("wall_time_ns", "absent"))
'
}

# Prints one comparison of main with $1 ($2: stored or run).
compare() {
    local head=$1 how=$2 status=0 json
    if [ "$how" = stored ]; then
        json=$("$perfgate" compare main "$head" --run-missing --quick --profiles release \
            --format json 2>"$work/stderr") || status=$?
    else
        json=$("$perfgate" compare main "$head" --run --quick --profiles release \
            --format json 2>"$work/stderr") || status=$?
    fi
    if [ "$status" -eq 2 ]; then
        cat "$work/stderr" >&2
        exit 2
    fi
    printf '%-7s %-6s exit %d  %s\n' "$head" "$how" "$status" "$(printf '%s' "$json" | verdicts)"
}

for ((r = 1; r <= repeats; r++)); do
    rm -rf baselines
    for head in slower docs; do
        compare "$head" stored
        compare "$head" run
    done
done
