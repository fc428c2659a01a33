#!/usr/bin/env bash
# The main job: set up, then `perfgate run` on the embedded default target (config-core, all
# four profiles; see perfgate.toml), which stores one baseline for the current commit in
# baselines/ and prints the summary table, then `perfgate report`, which writes the trend site
# to reports/ (open reports/index.html).
#
# Usage: scripts/run.sh [--full]
#   (default)  quick mode: short criterion sampling, 20 start-up runs, one clean build timed
#   --full     full mode: criterion's default sampling, 200 start-up runs, 3 clean builds
set -euo pipefail

cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."

usage() {
    cat <<'USAGE'
Usage: scripts/run.sh [--full]
  (default)  quick mode: short criterion sampling, 20 start-up runs, one clean build timed
  --full     full mode: criterion's default sampling, 200 start-up runs, 3 clean builds
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

script=run.sh
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

mode_flags=(--quick)
if [ "$quick" -eq 1 ]; then
    printf "run.sh: quick mode (pass --full for full sampling)\n"
else
    mode_flags=()
    printf "run.sh: full mode\n"
fi

step setup bash scripts/setup.sh
step "build perfgate" cargo build --release -p perfgate
# perfgate.toml at the root names the target (config-core), its benches and the profiles.
step "perfgate run" ./target/release/perfgate run "${mode_flags[@]}"
step "perfgate report" ./target/release/perfgate report
printf 'run.sh: done; the baseline is in baselines/, the summary above, the report in reports/index.html\n'
