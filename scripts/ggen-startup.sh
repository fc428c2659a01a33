#!/usr/bin/env bash
# Start-up latency of `ggen-config check` on the committed medium generator config (the seed's
# B1): RUNS processes (default 200) after 20 discarded warm-up runs, each timed from spawn to
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
import os, sys, time
exe, config, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
devnull = os.open(os.devnull, os.O_WRONLY)
def once():
    # posix_spawn and waitpid: the least a spawner can add to each sample (no pipes, no fd scan).
    start = time.perf_counter_ns()
    pid = os.posix_spawn(exe, [exe, "check", config], os.environ,
                         file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1)])
    _, status = os.waitpid(pid, 0)
    elapsed = time.perf_counter_ns() - start
    if status != 0:
        sys.exit(f"ggen-startup.sh: `{exe} check {config}` failed (wait status {status})")
    return elapsed
for _ in range(20):
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
