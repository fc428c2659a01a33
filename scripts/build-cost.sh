#!/usr/bin/env bash
# Build cost of the serde path (the seed's D1/D2): for the lean build (default features) and the
# serde build (`--features serde`) of the same program, `ggen-check` (the model built by hand
# or through serde derive, everything else equal), the number of
# crates config-core depends on, the wall time of a clean release build in a fresh target
# directory (median of RUNS, lean and serde alternating), and the size of the stripped binary.
# Dependencies are fetched first, so no build time is spent downloading. Measured, not tested;
# writes nothing to the repository.
#
# Usage: scripts/build-cost.sh [RUNS]
set -euo pipefail

cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
runs=${1:-3}
script=build-cost.sh
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

case $runs in
'' | *[!0-9]* | 0)
    echo "$script: RUNS must be a positive integer, not \`$runs\`" >&2
    exit 2
    ;;
esac

scratch=$(mktemp -d)
trap 'rm -rf -- "$scratch"' EXIT

# A compiler wrapper (a build cache) would make a clean build not clean.
unset RUSTC_WRAPPER CARGO_BUILD_RUSTC_WRAPPER

builds=(lean serde)
declare -A bin features
bin[lean]=ggen-check
bin[serde]=ggen-check
features[lean]=""
features[serde]="--features serde"

# deps BUILD: unique crates (name and version) in config-core's normal dependency tree, itself
# excluded; proc-macro crates and their own dependencies count.
deps() {
    local -a extra
    read -r -a extra <<<"${features[$1]}"
    cargo tree -q --locked -p config-core -e normal --prefix none "${extra[@]}" |
        awk 'NF && $1 != "config-core" { print $1, $2 }' | sort -u | wc -l
}

# build_once BUILD: seconds for one release build of BUILD's binary in a fresh target directory,
# which is kept (as `$scratch/BUILD`) for the size of its binary.
build_once() {
    local build=$1 dir start end
    local -a extra
    read -r -a extra <<<"${features[$build]}"
    rm -rf -- "${scratch:?}/$build"
    dir=$scratch/$build
    start=$EPOCHREALTIME
    CARGO_TARGET_DIR=$dir cargo build --release --locked -q -p config-core \
        "${extra[@]}" --bin "${bin[$build]}"
    end=$EPOCHREALTIME
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f\n", b - a }'
}

# median NUMBERS...: the median (the mean of the middle two for an even count).
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR % 2) printf "%.2f\n", v[(NR + 1) / 2]
        else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

step "fetch dependencies" cargo fetch -q --locked

declare -A times
for ((i = 1; i <= runs; i++)); do
    for build in "${builds[@]}"; do
        printf '==> clean build %d/%d: %s (%s)\n' "$i" "$runs" "$build" "${bin[$build]}"
        t=$(build_once "$build") || {
            echo "$script: the clean $build build failed" >&2
            exit 1
        }
        times[$build]="${times[$build]:-} $t"
    done
done

printf '\n%-6s %-18s %5s %15s %15s  %s\n' build binary deps "build (median)" "stripped bytes" "runs (s)"
for build in "${builds[@]}"; do
    exe=$scratch/$build/release/${bin[$build]}
    strip -o "$scratch/$build.stripped" "$exe"
    read -r -a samples <<<"${times[$build]}"
    printf '%-6s %-18s %5d %13s s %15d  %s\n' "$build" "${bin[$build]}" "$(deps "$build")" \
        "$(median "${samples[@]}")" "$(stat -c %s "$scratch/$build.stripped")" "${samples[*]}"
done
