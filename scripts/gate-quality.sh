#!/usr/bin/env bash
# Gate quality: how often `perfgate compare` is wrong, measured (not tested) on a target
# committed at several settings in a temporary repository: the tiny fixture crate, whose
# knob `EXTRA_PERMILLE` adds that share of loop rounds to `checksum`, or config-core, whose
# `parse` is given the same knob in the copy (it first hashes that share of the input's
# bytes, one at a time).
#
#   aa        same work, different binaries (a changed SALT): false gate failures
#   wall10    about +10% wall time (the gate, 10%): tiny `checksum/1000` with
#             EXTRA_PERMILLE = 160, config-core `parse/medium/config-core` with 210
#   wall05g3  about +5% wall time under a 3% gate (`[gate.benches]`, for `checksum/*` or
#             `parse/*/config-core`): EXTRA_PERMILLE = 90 (tiny), 105 (config-core)
#   slow10    EXTRA_PERMILLE = 100 (tiny: 10% more loop rounds)
#   slow20    EXTRA_PERMILLE = 200 (tiny: 20% more loop rounds)
#   slow05    EXTRA_PERMILLE = 5 (tiny): marked notable, never failing, on instructions
#   xN        EXTRA_PERMILLE = N, to calibrate a knob (`x160`)
#
# The wall-time knobs were calibrated with `scripts/gate-quality.sh 3 run x80,x160` and
# `scripts/gate-quality.sh --target config-core 2 run x40,x80` (+1.8%, +3.8% on
# `parse/medium/config-core`); the measured change is printed beside every verdict, and its
# median in the summary.
#
# Usage: scripts/gate-quality.sh [--load] [--target tiny|config-core] [REPEATS] [MODE] [SCENARIOS]
#   --load     keep one of the machine's cores busy during the campaign with a load
#              generator: one shell process spinning (`while :; do :; done`) at normal
#              priority, started before the first repeat and stopped at the end
#   --target   the crate measured (default tiny); config-core on its `parse` bench target's
#              medium input (`[target] filter` keeps `parse/medium/config-core` and leaves
#              the rival parsers and the other inputs out: each series the rounds wait for
#              adds to a decision's time), release profile
#   REPEATS    repeats per scenario (default 20; each one measures two commits)
#   MODE       `run` (default): `perfgate compare --run`, both sides measured in one job in
#              paired rounds; `stored`: each side measured by its own `perfgate run`
#              (`--run-missing`), the comparison of stored baselines
#   SCENARIOS  a comma-separated list of the scenarios above (default:
#              aa,wall10,wall05g3,slow05)
# Prints one line per repeat (exit code, verdicts, the measured wall-time change, the rounds
# the paired decision took, the seconds the comparison took) and a summary; writes nothing to
# the repository.
set -euo pipefail

cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
repo_root=$PWD
script=gate-quality.sh
load=0
target=tiny
while [ $# -gt 0 ]; do
    case $1 in
    --load) load=1 ;;
    --target)
        target=${2:-}
        shift
        ;;
    *) break ;;
    esac
    shift
done
case $target in
tiny) wall_bench=checksum/1000 gated='checksum/*' ;;
config-core) wall_bench=parse/medium/config-core gated='parse/*/config-core' ;;
*)
    echo "$script: --target must be \`tiny\` or \`config-core\`, not \`$target\`" >&2
    exit 2
    ;;
esac
repeats=${1:-20}
mode=${2:-run}
IFS=, read -r -a scenarios <<<"${3:-aa,wall10,wall05g3,slow05}"
case $mode in
run) how=(--run) ;;
stored) how=(--run-missing) ;;
*)
    echo "$script: MODE must be \`run\` or \`stored\`, not \`$mode\`" >&2
    exit 2
    ;;
esac
# The knob of a scenario (on the target).
extra_of() {
    case $target:$1 in
    *:aa) echo 0 ;;
    tiny:wall10) echo 160 ;;
    tiny:wall05g3) echo 90 ;;
    config-core:wall10) echo 210 ;;
    config-core:wall05g3) echo 105 ;;
    config-core:slow*) return 1 ;;
    *:slow10) echo 100 ;;
    *:slow20) echo 200 ;;
    *:slow05) echo 5 ;;
    *:x[0-9]*) echo "${1#x}" ;;
    *) return 1 ;;
    esac
}
for scenario in "${scenarios[@]}"; do
    if ! extra_of "$scenario" >/dev/null; then
        echo "$script: unknown scenario \`$scenario\` for $target; the scenarios are aa, wall10, wall05g3, xN and (tiny) slow10, slow20, slow05" >&2
        exit 2
    fi
done
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

step "build perfgate" cargo build --release -q -p perfgate
perfgate=$repo_root/target/release/perfgate
work=$(mktemp -d)
load_pid=
cleanup() {
    if [ -n "$load_pid" ]; then kill "$load_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
export CARGO_TARGET_DIR=$work/target
if [ "$target" = tiny ]; then
    fixture_repo tiny "$work/repo" gate-quality
    knobs=src/lib.rs
else
    # config-core at the root of a workspace of its own, `parse` given the knob.
    mkdir "$work/repo"
    cp -r targets/config-core "$work/repo/config-core"
    cp Cargo.lock "$work/repo/"
    sed 's|members = \["harness", "targets/config-core"\]|members = ["config-core"]|' Cargo.toml \
        >"$work/repo/Cargo.toml"
    printf '[target]\npath = "config-core"\nbenches = ["parse"]\nfilter = "^parse/medium/config-core$"\n\n[run]\nprofiles = ["release"]\nbuild_time_samples = 1\n' \
        >"$work/repo/perfgate.toml"
    printf 'target/\n' >"$work/repo/.gitignore"
    knobs=config-core/src/lib.rs
    python3 - "$work/repo/$knobs" <<'PY'
import sys
path = sys.argv[1]
src = open(path).read()
entry = "pub fn parse(src: &str) -> Result<Document<'_>, ParseError> {\n"
assert entry in src, "config-core's parse entry point moved"
knob = (
    "/// The gate-quality knob: the share (per mille) of the input hashed before parsing.\n"
    "pub const EXTRA_PERMILLE: u64 = 0;\n"
    "/// Changes the executable, not the work.\n"
    "pub const SALT: u64 = 0;\n\n"
)
body = (
    "    let extra = src.len() * EXTRA_PERMILLE as usize / 1000;\n"
    "    let mut h = SALT;\n"
    "    for &b in &src.as_bytes()[..extra] {\n"
    "        h = std::hint::black_box(h.wrapping_mul(31) ^ u64::from(b));\n"
    "    }\n"
    "    std::hint::black_box(h);\n"
)
doc = "/// Parses a TOML 1.0 document."
start = src.index(doc)
open(path, "w").write(src[:start] + knob + src[start:].replace(entry, entry + body, 1))
PY
    commit_repo "$work/repo" gate-quality "config-core with a knob"
fi
cd "$work/repo"
# The 3% gate of wall05g3: the target's config and a bench gate.
cp perfgate.toml "$work/gate3.toml"
printf '\n[gate.benches]\n"%s" = 3\n' "$gated" >>"$work/gate3.toml"

if [ "$load" -eq 1 ]; then
    bash -c 'while :; do :; done' &
    load_pid=$!
    printf '%s: load: one core kept busy by pid %s\n' "$script" "$load_pid"
fi

# Commits the target with SALT=$1 and EXTRA_PERMILLE=$2 on the current branch; prints the sha.
variant() {
    sed -i -e "s/pub const SALT: u64 = [0-9]*;/pub const SALT: u64 = $1;/" \
        -e "s/pub const EXTRA_PERMILLE: u64 = [0-9]*;/pub const EXTRA_PERMILLE: u64 = $2;/" "$knobs"
    git commit -qam "salt $1, extra $2"
    git rev-parse HEAD
}

# From the comparison's JSON: the verdicts of the checksum.large instructions (tiny) and the
# wall time of the target's measured bench, whether any instruction series and any noisy
# series fails the gate, the measured wall-time change, the rounds its decision took, and the
# failing series.
verdicts() {
    python3 -c '
import json, sys
c = json.load(sys.stdin)
want = {(sys.argv[1], "wall_time_ns"): "wall", ("instr::work::checksum.large", "instructions"): "ir"}
out = {}
change, rounds = "nan", "-"
for s in c["series"]:
    k = (s["key"]["bench"], s["key"]["metric"])
    if s["key"]["profile"] == "release" and k in want:
        out[want[k]] = s["verdict"] + ("+notable" if s["notable"] else "")
        if want[k] == "wall":
            if s.get("change") is not None:
                change = "%+.2f" % (100 * s["change"])
            rounds = str(s.get("rounds", "-"))
fails = [s for s in c["series"] if s["verdict"] == "regressed" and not s["advisory"] and not s["acknowledged"] and not s["ignored"]]
ir_fail = any(s["key"]["metric"] == "instructions" for s in fails)
noisy_fail = any(s["class"] == "noisy" for s in fails)
failing = [s["key"]["bench"] + ":" + s["key"]["metric"] for s in fails]
print(out.get("ir", "absent"), out.get("wall", "absent"), int(ir_fail), int(noisy_fail), change, rounds, ",".join(failing) or "-")
' "$wall_bench"
}

# The median of the numbers on stdin.
median() {
    python3 -c '
import statistics, sys
xs = [float(x) for x in sys.stdin.read().split() if x != "nan"]
print("%.2f" % statistics.median(xs) if xs else "-")
'
}

declare -A fails=() ir_fails=() noisy_fails=() ir_counts=() wall_counts=()
declare -A changes=() seconds=() rounds_of=()
salt=0
for scenario in "${scenarios[@]}"; do
    extra=$(extra_of "$scenario")
    config=()
    [ "$scenario" = wall05g3 ] && config=(--config "$work/gate3.toml")
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
        start=$(date +%s.%N)
        json=$("$perfgate" compare "$base" "$head" "${how[@]}" --quick --profiles release \
            "${config[@]}" --format json 2>"$work/stderr") || status=$?
        took=$(python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$start" "$(date +%s.%N)")
        if [ "$status" -eq 2 ]; then
            cat "$work/stderr" >&2
            exit 2
        fi
        read -r ir wall ir_fail noisy_fail change rounds failing < <(printf '%s' "$json" | verdicts)
        printf '%-8s %2d  exit %d  instructions %-22s wall %-22s %7s%%  rounds %-3s %6ss  failing: %s\n' \
            "$scenario" "$r" "$status" "$ir" "$wall" "$change" "$rounds" "$took" "$failing"
        [ "$status" -eq 1 ] && fails[$scenario]=$((${fails[$scenario]:-0} + 1))
        ir_fails[$scenario]=$((${ir_fails[$scenario]:-0} + ir_fail))
        noisy_fails[$scenario]=$((${noisy_fails[$scenario]:-0} + noisy_fail))
        ir_counts[$scenario:$ir]=$((${ir_counts[$scenario:$ir]:-0} + 1))
        wall_counts[$scenario:$wall]=$((${wall_counts[$scenario:$wall]:-0} + 1))
        changes[$scenario]="${changes[$scenario]:-} $change"
        seconds[$scenario]="${seconds[$scenario]:-} $took"
        [ "$rounds" != - ] && rounds_of[$scenario]="${rounds_of[$scenario]:-} $rounds"
    done
done

echo
loaded=idle
[ "$load" -eq 1 ] && loaded="one core busy"
echo "summary: $target ($wall_bench), $repeats repeats per scenario, mode $mode, $loaded (gate failures = exit 1):"
for scenario in "${scenarios[@]}"; do
    printf '  %-8s gate failures %2d (on instructions %d, on noisy series %d); wall change median %s%%; rounds median %s; seconds median %s;' \
        "$scenario" "${fails[$scenario]:-0}" "${ir_fails[$scenario]:-0}" "${noisy_fails[$scenario]:-0}" \
        "$(median <<<"${changes[$scenario]:-}")" "$(median <<<"${rounds_of[$scenario]:-}")" \
        "$(median <<<"${seconds[$scenario]:-}")"
    for key in "${!ir_counts[@]}"; do
        [[ $key == "$scenario:"* ]] && printf ' instructions %s ×%d;' "${key#*:}" "${ir_counts[$key]}"
    done
    for key in "${!wall_counts[@]}"; do
        [[ $key == "$scenario:"* ]] && printf ' wall %s ×%d;' "${key#*:}" "${wall_counts[$key]}"
    done
    echo
done
