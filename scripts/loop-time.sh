#!/usr/bin/env bash
# Loop time: how long a pull request waits for perfgate on config-core, measured (not tested)
# on a copy of this repository's HEAD in a temporary directory, with the dependencies built
# once first (a warm cache, as a CI cache restores it).
#
#   readme    a commit that changes only README.md: `perfgate run --quick` (all four profiles),
#             then `perfgate compare HEAD~1 HEAD`, which must pass; prints how many of the
#             head's measurements were taken over from the base (`reused`)
#   function  a commit that changes one function of config-core's scanner (`skip_comment`):
#             `perfgate run --quick`, all four profiles in one job
#   gate      the gate job on the last `function` commit, its base's baseline present:
#             `perfgate compare --explain HEAD~1 HEAD`, then `perfgate report`
#   shards    a commit changing the scanner again, measured as the workflow's matrix does:
#             one job per profile and shard (`run --quick --profiles P --shard K/N
#             --partial`), one after the other; prints each job's time, the slowest, and the
#             time of `perfgate merge HEAD`
#   newcomer  a fresh clone, nothing built: `scripts/run.sh` (tools already installed)
#
# Usage: scripts/loop-time.sh [REPEATS] [SCENARIOS] [SHARDS]
#   REPEATS    repeats of `readme` and `function` (default 3; the median is printed)
#   SCENARIOS  comma-separated (default readme,function,gate,shards; `newcomer` is opt-in: it
#              builds everything from nothing, about 20 minutes)
#   SHARDS     N of `--shard K/N` in `shards` (default 2; 1 runs without `--shard`)
# Prints one line per timed step and a summary; writes nothing to this repository.
set -euo pipefail

cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
repo_root=$PWD
script=loop-time.sh
repeats=${1:-3}
IFS=, read -r -a scenarios <<<"${2:-readme,function,gate,shards}"
shards=${3:-2}
for scenario in "${scenarios[@]}"; do
    case $scenario in
    readme | function | gate | shards | newcomer) ;;
    *)
        echo "$script: unknown scenario \`$scenario\`; the scenarios are readme, function, gate, shards and newcomer" >&2
        exit 2
        ;;
    esac
done
if ! [[ $repeats =~ ^[1-9][0-9]*$ && $shards =~ ^[1-9][0-9]*$ ]]; then
    echo "$script: REPEATS and SHARDS must be positive whole numbers, not \`$repeats\` and \`$shards\`" >&2
    exit 2
fi
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

step "build perfgate" cargo build --release -q -p perfgate
perfgate=$repo_root/target/release/perfgate
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone -q "$repo_root" "$work/repo"
cd "$work/repo"
git config user.name loop-time
git config user.email loop-time@perfgate.invalid
unset CARGO_TARGET_DIR
summary=()

# `timed LABEL CMD...`: runs CMD (its output to $work/log), prints and keeps its seconds in
# $took; a failure stops the script with the log's end.
timed() {
    local label=$1
    shift
    local start end status=0
    start=$(date +%s.%N)
    "$@" >"$work/log" 2>&1 || status=$?
    end=$(date +%s.%N)
    took=$(python3 -c "print(f'{$end - $start:.1f}')")
    if [ "$status" -gt 1 ]; then
        tail -n 30 "$work/log" >&2
        echo "$script: \`$*\` failed (exit $status) in $label" >&2
        exit "$status"
    fi
    printf '%-44s %7s s  (exit %d)\n' "$label" "$took" "$status"
    last_status=$status
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# `reused`: how many of HEAD's stored measurements were taken over from another commit, of all.
reused() {
    python3 - "baselines/$(git rev-parse HEAD).json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
ms = [m for p in b["profiles"].values() for m in p["measurements"]]
print(f"{sum(1 for m in ms if m.get('reused_from'))}/{len(ms)}")
PY
}

# `change_scanner N`: commits skip_comment with a different body (N ≥ 1), a real code change.
change_scanner() {
    python3 - targets/config-core/src/scan.rs "$1" <<'PY'
import re, sys
path, n = sys.argv[1], sys.argv[2]
src = open(path).read()
call = re.compile(r"text_run_end\(bytes, pos \+ 1, CONTROL, None\)( \+ std::hint::black_box\(0usize\) \* \d+)?")
assert call.search(src), "skip_comment moved"
src = call.sub(f"text_run_end(bytes, pos + 1, CONTROL, None) + std::hint::black_box(0usize) * {n}", src, count=1)
open(path, "w").write(src)
PY
    git commit -qam "loop-time: scanner change $1"
}

timed "warm-up: perfgate run --quick (cold build)" "$perfgate" run --quick
summary+=("cold run (everything built): $took s")

for scenario in "${scenarios[@]}"; do
    case $scenario in
    readme)
        times=()
        for i in $(seq "$repeats"); do
            printf '\nloop-time %s\n' "$i" >>README.md
            git commit -qam "loop-time: README $i"
            timed "readme $i: perfgate run --quick" "$perfgate" run --quick
            times+=("$took")
        done
        timed "readme: perfgate compare HEAD~1 HEAD" "$perfgate" compare HEAD~1 HEAD
        [ "$last_status" -eq 0 ] || {
            tail -n 40 "$work/log" >&2
            echo "$script: a README-only commit failed the gate" >&2
            exit 1
        }
        summary+=("readme: run --quick median $(median "${times[@]}") s of ${times[*]}; reused $(reused) measurements; compare passed")
        ;;
    function)
        times=()
        for i in $(seq "$repeats"); do
            change_scanner "$i"
            timed "function $i: perfgate run --quick" "$perfgate" run --quick
            times+=("$took")
        done
        summary+=("function: run --quick median $(median "${times[@]}") s of ${times[*]}; reused $(reused)")
        ;;
    gate)
        [ -f "baselines/$(git rev-parse HEAD~1).json" ] || "$perfgate" run --quick --rev HEAD~1 >"$work/log" 2>&1
        timed "gate: perfgate compare --explain HEAD~1 HEAD" "$perfgate" compare --explain HEAD~1 HEAD
        explain=$took
        timed "gate: perfgate report" "$perfgate" report
        summary+=("gate: compare --explain $explain s + report $took s = $(python3 -c "print(f'{$explain + $took:.1f}')") s")
        ;;
    shards)
        change_scanner 100
        slowest=0
        jobs=()
        for profile in release release-lto release-consistent pgo; do
            for k in $(seq "$shards"); do
                shard=()
                [ "$shards" -gt 1 ] && shard=(--shard "$k/$shards")
                timed "shards: $profile ${shard[*]:-(one job)}" \
                    "$perfgate" run --quick --partial --profiles "$profile" "${shard[@]}"
                jobs+=("$took")
                slowest=$(python3 -c "print(max($slowest, $took))")
            done
        done
        timed "shards: perfgate merge HEAD" "$perfgate" merge HEAD
        summary+=("shards: $shards per profile, 4 profiles: slowest job $slowest s of ${jobs[*]}; merge $took s")
        ;;
    newcomer)
        fresh=$work/newcomer
        git clone -q "$work/repo" "$fresh/repo"
        ln -s "$repo_root/../shared" "$fresh/shared"
        timed "newcomer: scripts/run.sh on a fresh clone" bash "$fresh/repo/scripts/run.sh"
        summary+=("newcomer: scripts/run.sh $took s")
        ;;
    esac
done

printf '\nsummary (config-core, %s):\n' "$(git -C "$repo_root" rev-parse --short HEAD)"
printf '  %s\n' "${summary[@]}"
