#!/usr/bin/env bash
# The main job: set up, then measure. Until the perfgate harness can drive it, this runs
# config-core's benchmarks directly: criterion `parse` and `scaling` (wall time), iai-callgrind
# `iai` (instruction counts) and `alloc` (heap allocations per parse).
#
# Usage: scripts/run.sh [--full]
#   (default)  quick criterion sampling: 0.2 s warm-up, 0.5 s measurement, 10 samples, no plots
#   --full     criterion's default sampling (slower, tighter confidence intervals)
#
# Each harness gets only its own flags: criterion and iai-callgrind reject each other's.
# Results: target/criterion/ (criterion JSON) and target/iai/ (callgrind summaries).
set -euo pipefail

cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."

usage() {
    cat <<'USAGE'
Usage: scripts/run.sh [--full]
  (default)  quick criterion sampling: 0.2 s warm-up, 0.5 s measurement, 10 samples, no plots
  --full     criterion's default sampling (slower, tighter confidence intervals)
USAGE
}

quick=1
for arg in "$@"; do
    case $arg in
    --full) quick=0 ;;
    -h | --help)
        usage
        exit 0
        ;;
    *)
        printf "run.sh: unknown argument \`%s\`; the options are \`--full\` and \`--help\`\n" "$arg" >&2
        exit 2
        ;;
    esac
done

criterion_flags=()
if [ "$quick" -eq 1 ]; then
    criterion_flags=(--warm-up-time 0.2 --measurement-time 0.5 --sample-size 10 --noplot)
    printf "run.sh: quick mode (pass --full for criterion's default sampling)\n"
else
    printf "run.sh: full mode (criterion's default sampling)\n"
fi

script=run.sh
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

step setup bash scripts/setup.sh
for bench in parse scaling; do
    step "bench $bench" cargo bench -p config-core --bench "$bench" -- "${criterion_flags[@]}"
done
step "bench iai" cargo bench -p config-core --bench iai
step "bench alloc" cargo bench -p config-core --bench alloc
printf 'run.sh: done; criterion results in target/criterion/, callgrind summaries in target/iai/\n'
