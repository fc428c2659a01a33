#!/usr/bin/env bash
# Start-up latency of `ggen-config check` on the committed medium generator config (the seed's
# B1): RUNS processes (default 200) after one discarded warm-up run, each timed from spawn to
# exit; prints p50, p95, p99, p99/p50 and the binary's size. Measured, not tested.
#
# Usage: scripts/ggen-startup.sh [RUNS]
set -euo pipefail

cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
runs=${1:-200}
script=ggen-startup.sh
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

step "build ggen-config" cargo build --release -q -p config-core --bin ggen-config
exe=target/release/ggen-config
config=targets/config-core/benches/data/generator/ggen.toml
python3 - "$exe" "$config" "$runs" <<'PY'
import os, subprocess, sys, time
exe, config, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
def once():
    start = time.perf_counter_ns()
    subprocess.run([exe, "check", config], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter_ns() - start
once()
samples = sorted(once() for _ in range(runs))
def q(p):
    h = (len(samples) - 1) * p
    i = int(h)
    return samples[i] + (h - i) * (samples[min(i + 1, len(samples) - 1)] - samples[i])
p50, p95, p99 = q(0.5), q(0.95), q(0.99)
print(f"ggen-config check ({runs} runs): p50 {p50/1e6:.3f} ms, p95 {p95/1e6:.3f} ms, "
      f"p99 {p99/1e6:.3f} ms, p99/p50 {p99/p50:.2f}; binary {os.path.getsize(exe)} bytes")
PY
