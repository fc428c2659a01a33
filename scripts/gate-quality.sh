#!/usr/bin/env bash
# Gate quality: how often `perfgate compare` is wrong, measured (not tested) on the tiny
# fixture crate committed at several settings in a temporary repository.
#
#   aa        same work, different binaries (a changed SALT): false gate failures
#   slow10    EXTRA_PERMILLE = 100 (10% more loop rounds): how often the gate fails
#   slow20    EXTRA_PERMILLE = 200 (20% more loop rounds)
#   slow05    EXTRA_PERMILLE = 5: marked notable, never failing, on instructions
#
# Usage: scripts/gate-quality.sh [REPEATS] [MODE] [SCENARIOS]
#   REPEATS    repeats per scenario (default 20; each one measures two commits)
#   MODE       `run` (default): `perfgate compare --run`, both sides measured in one job,
#              interleaved, noisy regressions confirmed; `stored`: each side measured by its
#              own `perfgate run` (`--run-missing`), the comparison of stored baselines
#   SCENARIOS  a comma-separated subset of aa,slow10,slow20,slow05 (default: all four)
# Prints one line per repeat and a summary; writes nothing to the repository.
set -euo pipefail

cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
repo_root=$PWD
script=gate-quality.sh
repeats=${1:-20}
mode=${2:-run}
IFS=, read -r -a scenarios <<<"${3:-aa,slow10,slow20,slow05}"
case $mode in
run) how=(--run) ;;
stored) how=(--run-missing) ;;
*)
    echo "$script: MODE must be \`run\` or \`stored\`, not \`$mode\`" >&2
    exit 2
    ;;
esac
for scenario in "${scenarios[@]}"; do
    case $scenario in
    aa | slow10 | slow20 | slow05) ;;
    *)
        echo "$script: unknown scenario \`$scenario\`; the scenarios are aa, slow10, slow20, slow05" >&2
        exit 2
        ;;
    esac
done
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

step "build perfgate" cargo build --release -q -p perfgate
perfgate=$repo_root/target/release/perfgate
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR=$work/target
fixture_repo tiny "$work/repo" gate-quality
cd "$work/repo"

# Commits the fixture with SALT=$1 and EXTRA_PERMILLE=$2 on the current branch; prints the sha.
variant() {
    sed -i -e "s/pub const SALT: u64 = [0-9]*;/pub const SALT: u64 = $1;/" \
        -e "s/pub const EXTRA_PERMILLE: u64 = [0-9]*;/pub const EXTRA_PERMILLE: u64 = $2;/" src/lib.rs
    git commit -qam "salt $1, extra $2"
    git rev-parse HEAD
}

# From the comparison's JSON: the verdicts of the checksum.large instructions and the
# checksum/1000 wall time, whether any instruction series and any noisy series fails the
# gate, and the failing series.
verdicts() {
    python3 -c '
import json, sys
c = json.load(sys.stdin)
want = {("checksum/1000", "wall_time_ns"): "wall", ("instr::work::checksum.large", "instructions"): "ir"}
out = {}
for s in c["series"]:
    k = (s["key"]["bench"], s["key"]["metric"])
    if s["key"]["profile"] == "release" and k in want:
        out[want[k]] = s["verdict"] + ("+notable" if s["notable"] else "")
fails = [s for s in c["series"] if s["verdict"] == "regressed" and not s["advisory"] and not s["acknowledged"] and not s["ignored"]]
ir_fail = any(s["key"]["metric"] == "instructions" for s in fails)
noisy_fail = any(s["class"] == "noisy" for s in fails)
failing = [s["key"]["bench"] + ":" + s["key"]["metric"] + "(" + s["reason"] + ")" for s in fails]
print(out.get("ir", "absent"), out.get("wall", "absent"), int(ir_fail), int(noisy_fail), "|".join(failing).replace(" ", "_") or "-")
'
}

declare -A fails=()
declare -A ir_fails=()
declare -A noisy_fails=()
declare -A ir_counts=()
declare -A wall_counts=()
salt=0
for scenario in "${scenarios[@]}"; do
    case $scenario in
    aa) extra=0 ;;
    slow10) extra=100 ;;
    slow20) extra=200 ;;
    slow05) extra=5 ;;
    esac
    for ((r = 1; r <= repeats; r++)); do
        # The base goes on main; the head on a branch of its own, as a pull request would,
        # so main's history (which the noise fences are computed from) holds same-work
        # commits only.
        git checkout -q main
        salt=$((salt + 1))
        base=$(variant "$salt" 0)
        git checkout -q -b "$scenario-$r"
        salt=$((salt + 1))
        head=$(variant "$salt" "$extra")
        git checkout -q main
        status=0
        json=$("$perfgate" compare "$base" "$head" "${how[@]}" --quick --profiles release \
            --format json 2>"$work/stderr") || status=$?
        if [ "$status" -eq 2 ]; then
            cat "$work/stderr" >&2
            exit 2
        fi
        read -r ir wall ir_fail noisy_fail failing < <(printf '%s' "$json" | verdicts)
        printf '%-7s %2d  exit %d  instructions %-22s wall %-22s failing: %s\n' "$scenario" "$r" "$status" "$ir" "$wall" "$failing"
        [ "$status" -eq 1 ] && fails[$scenario]=$((${fails[$scenario]:-0} + 1))
        ir_fails[$scenario]=$((${ir_fails[$scenario]:-0} + ir_fail))
        noisy_fails[$scenario]=$((${noisy_fails[$scenario]:-0} + noisy_fail))
        ir_counts[$scenario:$ir]=$((${ir_counts[$scenario:$ir]:-0} + 1))
        wall_counts[$scenario:$wall]=$((${wall_counts[$scenario:$wall]:-0} + 1))
    done
done

echo
echo "summary over $repeats repeats per scenario, mode $mode (gate failures = exit 1):"
for scenario in "${scenarios[@]}"; do
    printf '  %-7s gate failures %2d (on instructions %d, on noisy series %d);' "$scenario" \
        "${fails[$scenario]:-0}" "${ir_fails[$scenario]:-0}" "${noisy_fails[$scenario]:-0}"
    for key in "${!ir_counts[@]}"; do
        [[ $key == "$scenario:"* ]] && printf ' instructions %s ×%d;' "${key#*:}" "${ir_counts[$key]}"
    done
    for key in "${!wall_counts[@]}"; do
        [[ $key == "$scenario:"* ]] && printf ' wall %s ×%d;' "${key#*:}" "${wall_counts[$key]}"
    done
    echo
done
