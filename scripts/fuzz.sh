#!/usr/bin/env bash
# Fuzzes config-core with cargo-fuzz (libFuzzer): the targets of targets/config-core/fuzz
# (`parse`, `config`, `stream`, `differential`, or those named), one after another, each for
# SECONDS (default 450, so 30 minutes for the four). Not part of the test suite: it needs a
# nightly toolchain, which a fresh CI machine does not have.
#
# Before running, every `.toml` case of the toml-test suite (`tests/valid` and `tests/invalid`,
# from `$TOML_TEST_DIR` when set, else `../shared/toml-test` beside the repository) is copied
# into each target's corpus, `targets/config-core/fuzz/corpus/<target>/` (git-ignored, kept
# between runs, so a later run starts from what an earlier one found), with the files of
# `fuzz/seeds/<target>/` when there are any. The targets are built with debug assertions, so
# an integer overflow is a finding too.
#
# Prints, per target: executions (`stat::number_of_executed_units`), executions per second,
# coverage (libFuzzer's `cov:` edges and `ft:` features at the end), the corpus size, and the
# crash artifact if there is one. libFuzzer's output goes to
# `targets/config-core/fuzz/artifacts/<target>.log`. Exits 1 if a target found a crash (or a
# leak, a timeout or running out of memory), 2 if fuzzing cannot run here.
#
# Reproduce or minimise a finding (from targets/config-core/fuzz):
#   cargo +nightly fuzz run -a <target> artifacts/<target>/crash-…
#   cargo +nightly fuzz tmin -a <target> artifacts/<target>/crash-…
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET [TARGET...]]   (all four targets when none is named)
set -euo pipefail

cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
seconds=${1:-450}
script=fuzz.sh
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

all_targets=(parse config stream differential)
targets=("${@:2}")
[ "${#targets[@]}" -gt 0 ] || targets=("${all_targets[@]}")
for target in "${targets[@]}"; do
    case " ${all_targets[*]} " in
    *" $target "*) ;;
    *) echo "$script: unknown target \`$target\` (the targets: ${all_targets[*]})" >&2; exit 2 ;;
    esac
done
fuzz_dir=targets/config-core/fuzz

case "$seconds" in
'' | *[!0-9]* | 0) echo "$script: SECONDS_PER_TARGET must be a whole number above 0, got \`$seconds\`" >&2; exit 2 ;;
esac

if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    echo "$script: fuzzing needs a nightly toolchain (cargo-fuzz builds with -Z sanitizer flags);" >&2
    echo "$script: install it with \`rustup toolchain install nightly\`. Fuzzing is not part of the test suite." >&2
    exit 2
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    step "install cargo-fuzz" cargo install --locked cargo-fuzz
fi

# The toml-test checkout: its root or its `tests/` directory.
suite=${TOML_TEST_DIR:-../shared/toml-test}
if [ -d "$suite/tests/valid" ]; then
    suite_tests=$suite/tests
elif [ -d "$suite/valid" ]; then
    suite_tests=$suite
else
    echo "$script: toml-test suite not found at \`$suite\` (no tests/valid there); set TOML_TEST_DIR" >&2
    exit 2
fi

# Copies the suite's cases into one target's corpus, named after their path in the suite
# (`valid/array/empty.toml` becomes `valid__array__empty.toml`), and the target's own seeds.
seed() {
    local target=$1 corpus=$fuzz_dir/corpus/$1 case name
    mkdir -p -- "$corpus"
    while IFS= read -r -d '' case; do
        name=${case#"$suite_tests"/}
        cp -- "$case" "$corpus/${name//\//__}"
    done < <(find "$suite_tests/valid" "$suite_tests/invalid" -name '*.toml' -type f -print0)
    if [ -d "$fuzz_dir/seeds/$target" ]; then
        cp -- "$fuzz_dir"/seeds/"$target"/* "$corpus/"
    fi
    printf '%s: %d files\n' "$corpus" "$(find "$corpus" -type f | wc -l)"
}
for target in "${targets[@]}"; do
    step "seed $target" seed "$target"
done

step "build the fuzz targets" bash -c "cd $fuzz_dir && cargo +nightly fuzz build -a"

# Runs one target; its log is kept. Never fails: a crash is read from the log afterwards.
run_target() {
    local target=$1 log=$fuzz_dir/artifacts/$1.log
    mkdir -p -- "$fuzz_dir/artifacts/$target"
    printf '==> fuzz %s for %ss (log: %s)\n' "$target" "$seconds" "$log"
    local status=0 start=$SECONDS
    (cd "$fuzz_dir" && cargo +nightly fuzz run -a "$target" -- \
        -max_total_time="$seconds" -print_final_stats=1 -timeout=10) >"$log" 2>&1 || status=$?
    echo "$status $((SECONDS - start))" >"$fuzz_dir/artifacts/$target.status"
}

# The figures of one target's run, from its log, as one row of the summary.
summarise() {
    local target=$1 log=$fuzz_dir/artifacts/$1.log status took
    read -r status took <"$fuzz_dir/artifacts/$target.status"
    local execs rate cov ft corpus artifact
    # The log holds the crashing input's bytes when there is one: read it as text all the same.
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    # The last status line of libFuzzer (`#N DONE cov: C ft: F corp: …`) has the coverage.
    cov=$(grep -ao 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
    ft=$(grep -ao 'ft: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
    corpus=$(find "$fuzz_dir/corpus/$target" -type f | wc -l)
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    local result=ok
    if [ -n "$artifact" ]; then
        # libFuzzer names it relative to the fuzz crate or absolutely.
        case "$artifact" in
        /*) result="CRASH: $artifact" ;;
        *) result="CRASH: $fuzz_dir/${artifact#./}" ;;
        esac
    elif [ "$status" -ne 0 ]; then
        result="FAILED (exit $status, see $log)"
    fi
    printf '%-13s %7s %12s %8s %7s %8s %7s  %s\n' "$target" "$took" "${execs:-?}" \
        "${rate:-?}" "${cov:-?}" "${ft:-?}" "$corpus" "$result"
    [ "$result" = ok ]
}

for target in "${targets[@]}"; do
    run_target "$target"
done

echo
# `seconds`: the wall time of the run, its build included; a run stops early at a crash.
printf '%-13s %7s %12s %8s %7s %8s %7s  %s\n' target seconds executions exec/s cov ft corpus result
failed=0
for target in "${targets[@]}"; do
    summarise "$target" || failed=1
done
if [ "$failed" -ne 0 ]; then
    echo "$script: a target found a crash; reproduce and minimise it with \`cargo +nightly fuzz tmin -a <target> <artifact>\` in $fuzz_dir" >&2
    exit 1
fi
echo "$script: $((seconds * ${#targets[@]}))s of fuzzing, no crash"
