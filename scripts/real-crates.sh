#!/usr/bin/env bash
# perfgate on real crates from the registry, tried as a new user would: each crate (pinned
# version, downloaded from crates.io) is copied into a fresh git repository, then
#   perfgate init && git commit
#   perfgate run --quick --profiles release
#   perfgate compare HEAD HEAD
# and one line per crate says what perfgate found: its bench targets, how many it measured,
# the series stored (build times and binary sizes left out), and the time the three commands
# took. Any command failing fails the row, and the script exits 1 after the table.
#
# The crates cover criterion 0.3 (hex, seahash), 0.4, 0.5, 0.7 and 0.8 as published; bench targets with
# `required-features` (base64, tinystr, litemap, zerovec); libtest `#[bench]` targets and the
# first `iai` crate's, which perfgate lists as not measured with the reason; a virtual workspace
# of two crates whose bench targets are both named `bench` (dtoa, zmij); and a
# `rust-toolchain.toml` (hex). No published crate of this list benches with divan, gungraun,
# iai-callgrind or Bencher Metric Format, so one bench of each is added to a real crate
# (itoa, fastrand, crc32fast, ryu), written below; everything else is the crate as published.
#
# Usage: scripts/real-crates.sh [LABEL...]   (default: every row; labels as in the table)
# Needs network access to crates.io, and what `scripts/setup.sh` installs (valgrind, the
# gungraun and iai-callgrind runners).
set -euo pipefail

cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
repo_root=$PWD
script=real-crates.sh
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

# label | crates (name@version, several for a workspace) | what is added (a function below)
ROWS=(
    "hex|hex@0.4.3|toolchain_file"
    "base64|base64@0.22.1|"
    "tinystr|tinystr@0.8.5|"
    "litemap|litemap@0.8.3|"
    "smol_str|smol_str@0.3.7|"
    "crc32fast+iai-callgrind|crc32fast@1.5.6|add_iai_callgrind_bench"
    "seahash|seahash@4.1.0|"
    "zerovec|zerovec@0.11.9|"
    "itoa+divan|itoa@1.0.15|add_divan_bench"
    "fastrand+gungraun|fastrand@2.3.0|add_gungraun_bench"
    "ryu+bmf|ryu@1.0.20|add_bmf_bench"
    "workspace(dtoa,zmij)|dtoa@1.0.11,zmij@1.0.23|"
)

step build cargo build --release -q -p perfgate
perfgate=$repo_root/target/release/perfgate

cache=$repo_root/target/real-crates/downloads
# One target directory for every crate, outside their repositories: the bench libraries
# compile once.
export CARGO_TARGET_DIR=$repo_root/target/real-crates/target
mkdir -p "$cache" "$CARGO_TARGET_DIR"

# The registry's sparse index path of crate $1.
index_path() {
    local n=$1
    case ${#n} in
    1 | 2) echo "${#n}/$n" ;;
    3) echo "3/${n:0:1}/$n" ;;
    *) echo "${n:0:2}/${n:2:2}/$n" ;;
    esac
}

# Unpacks crate $1 at version $2 into directory $3 (downloaded once into the cache).
unpack() {
    local name=$1 version=$2 into=$3 file="$cache/$1-$2.crate"
    if [ ! -s "$file" ]; then
        curl -sSfL -o "$file.tmp" "https://static.crates.io/crates/$name/$name-$version.crate"
        mv "$file.tmp" "$file"
    fi
    mkdir -p "$into"
    tar -xzf "$file" -C "$into" --strip-components=1
}

# --- what is added to some crates --------------------------------------------------------

toolchain_file() {
    printf '[toolchain]\nchannel = "stable"\nprofile = "minimal"\n' >rust-toolchain.toml
}

# Appends a `harness = false` bench target named $1 to Cargo.toml.
bench_section() {
    printf '\n[[bench]]\nname = "%s"\nharness = false\n' "$1" >>Cargo.toml
}

add_divan_bench() {
    cargo add -q --dev divan@=0.1.21
    bench_section perfgate_divan
    cat >benches/perfgate_divan.rs <<'EOF'
//! itoa's formatting under divan, one bench per size of number.

fn main() {
    divan::main();
}

#[divan::bench(args = [7u64, 65_535, u64::MAX])]
fn format(n: u64) -> usize {
    let mut buffer = itoa::Buffer::new();
    buffer.format(divan::black_box(n)).len()
}
EOF
}

add_gungraun_bench() {
    cargo add -q --dev gungraun@=0.20.0
    bench_section perfgate_gungraun
    cat >benches/perfgate_gungraun.rs <<'EOF'
//! fastrand's generator under gungraun (instructions).

use gungraun::{library_benchmark, library_benchmark_group, main};
use std::hint::black_box;

#[library_benchmark]
#[bench::thousand(1000)]
fn u64s(n: usize) -> u64 {
    let mut rng = fastrand::Rng::with_seed(7);
    (0..black_box(n)).fold(0u64, |acc, _| acc.wrapping_add(rng.u64(..)))
}

library_benchmark_group!(name = rng; benchmarks = u64s);
main!(library_benchmark_groups = rng);
EOF
}

add_iai_callgrind_bench() {
    cargo add -q --dev iai-callgrind@=0.16.1
    bench_section perfgate_iai
    cat >benches/perfgate_iai.rs <<'EOF'
//! crc32fast under iai-callgrind 0.16 (instructions).

use iai_callgrind::{library_benchmark, library_benchmark_group, main};
use std::hint::black_box;

#[library_benchmark]
#[bench::kib(vec![7u8; 1024])]
fn hash(data: Vec<u8>) -> u32 {
    black_box(crc32fast::hash(black_box(&data)))
}

library_benchmark_group!(name = hashing; benchmarks = hash);
main!(library_benchmark_groups = hashing);
EOF
}

add_bmf_bench() {
    bench_section perfgate_bmf
    cat >benches/perfgate_bmf.rs <<'EOF'
//! ryu's formatting timed by hand, reported in Bencher Metric Format: to the file perfgate
//! names in `PERFGATE_BMF_FILE`, else to stdout.

use std::hint::black_box;
use std::time::Instant;

fn main() {
    const ROUNDS: u32 = 200_000;
    let mut samples = Vec::new();
    for _ in 0..11 {
        let mut buffer = ryu::Buffer::new();
        let start = Instant::now();
        for i in 0..ROUNDS {
            black_box(buffer.format(black_box(f64::from(i) * 1.000_1)));
        }
        samples.push(start.elapsed().as_nanos() as f64 / f64::from(ROUNDS));
    }
    samples.sort_by(f64::total_cmp);
    let report = format!(
        "{{\"format/f64\": {{\"latency\": {{\"value\": {}, \"lower_value\": {}, \"upper_value\": {}}}}}}}",
        samples[5], samples[0], samples[10]
    );
    match std::env::var_os("PERFGATE_BMF_FILE") {
        Some(path) => std::fs::write(path, report).expect("write the report"),
        None => println!("{report}"),
    }
}
EOF
}

# --- one row -------------------------------------------------------------------------------

work=$(mktemp -d)
trap 'rm -rf -- "$work"' EXIT

# Measures one row into $work/<label>; prints its table line.
measure() {
    local label=$1 crates=$2 extra=$3
    local dir="$work/${label//[^A-Za-z0-9_+-]/_}" log
    log="$dir.log"
    mkdir -p "$dir"
    local specs
    IFS=, read -r -a specs <<<"$crates"
    local members=()
    if [ "${#specs[@]}" -eq 1 ]; then
        unpack "${specs[0]%@*}" "${specs[0]#*@}" "$dir"
    else
        for spec in "${specs[@]}"; do
            unpack "${spec%@*}" "${spec#*@}" "$dir/${spec%@*}"
            members+=("\"${spec%@*}\"")
        done
        printf '[workspace]\nmembers = [%s]\nresolver = "2"\n' "$(
            IFS=,
            echo "${members[*]}"
        )" >"$dir/Cargo.toml"
    fi
    (
        set -e
        cd "$dir"
        printf '/target\n' >>.gitignore
        git init -q -b main
        git -c user.name=perfgate -c user.email=perfgate@invalid add -A
        git -c user.name=perfgate -c user.email=perfgate@invalid commit -q -m "as published"
        if [ -n "$extra" ]; then
            "$extra"
            git -c user.name=perfgate -c user.email=perfgate@invalid add -A
            git -c user.name=perfgate -c user.email=perfgate@invalid commit -q -m "$extra"
        fi
    ) >"$log" 2>&1 || {
        printf '%-24s %-26s could not be set up:\n' "$label" "$crates"
        sed 's/^/    | /' "$log" | tail -15
        return 1
    }
    local start=$SECONDS status=ok
    # `&&` throughout: `set -e` does not stop a subshell whose status is tested.
    (
        cd "$dir" &&
            "$perfgate" init &&
            git -c user.name=perfgate -c user.email=perfgate@invalid add -A &&
            git -c user.name=perfgate -c user.email=perfgate@invalid commit -q -m "perfgate init" &&
            "$perfgate" run --quick --profiles release &&
            "$perfgate" compare HEAD HEAD
    ) >>"$log" 2>&1 || status=failed
    local seconds=$((SECONDS - start))
    local found measured series
    found=$(cargo metadata -q --format-version 1 --no-deps --manifest-path "$dir/Cargo.toml" 2>/dev/null |
        python3 -c 'import json, sys; print(sum(1 for p in json.load(sys.stdin)["packages"] for t in p["targets"] if "bench" in t["kind"]))' || echo "?")
    read -r measured series < <(python3 - "$dir/baselines" "$found" <<'PY' || echo "? ?"
import glob, json, sys
files = sorted(glob.glob(sys.argv[1] + "/*.json"))
if not files:
    print("- -")
    sys.exit()
b = json.load(open(files[-1]))
ms = b["profiles"]["release"]["measurements"]
bench = [m for m in ms if not m["bench"].startswith(("build/", "binary/"))]
found = int(sys.argv[2]) if sys.argv[2].isdigit() else 0
print(found - len(b.get("unmeasured") or []), len({(m["bench"], m["metric"]) for m in bench}))
PY
    )
    printf '%-24s %-26s %5s %8s %6s %6ss  %s\n' "$label" "$crates" "$found" "$measured" "$series" "$seconds" "$status"
    if [ "$status" != ok ]; then
        sed 's/^/    | /' "$log" | tail -15
        return 1
    fi
    # What perfgate listed as not measured, with its reason.
    sed -n '/^not measured/,/^baseline written/p' "$log" | sed '/^baseline written/d; s/^/    /'
}

wanted=("$@")
failed=0
total_start=$SECONDS
printf '%-24s %-26s %5s %8s %6s %7s  %s\n' crate "version(s)" found measured series time result
for row in "${ROWS[@]}"; do
    IFS='|' read -r label crates extra <<<"$row"
    if [ "${#wanted[@]}" -gt 0 ] && [[ ! " ${wanted[*]} " == *" $label "* ]]; then
        continue
    fi
    measure "$label" "$crates" "$extra" || failed=1
done
printf 'total: %ss\n' "$((SECONDS - total_start))"
exit "$failed"
