#!/usr/bin/env bash
# Report scale: how long `perfgate report` takes on a long generated history, and how large its
# pages get. Measured (not tested): a temporary repository gets COMMITS commits, each with a
# generated baseline of SERIES series (4 profiles × SERIES/8 benches × wall time with 10
# samples and instructions; a 5% step in the middle, 2% noise on wall time), then the report
# is rendered and timed.
#
# Usage: scripts/report-scale.sh [COMMITS] [SERIES] [OUT]   (default 1000 and 200)
#   OUT: also copy the rendered site there, to look at it
# Prints the render time, the page count, the largest page and the site's size; writes
# nothing to the repository.
set -euo pipefail

cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
repo_root=$PWD
commits=${1:-1000}
series=${2:-200}
case ${3:-} in
"" | /*) ;;
*) set -- "$1" "$2" "$PWD/$3" ;;
esac
script=report-scale.sh
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

step "build perfgate" cargo build --release -q -p perfgate
perfgate=$repo_root/target/release/perfgate
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/repo"
cd "$work/repo"
git init -q -b main
git config user.name "report scale"
git config user.email "report-scale@perfgate.invalid"

# One commit per step, through fast-import (a loop of `git commit` takes minutes).
python3 - "$commits" <<'PY' | git fast-import --quiet
import sys
n = int(sys.argv[1])
for i in range(n):
    body = f"step {i}\n"
    msg = f"step {i}: change <{i % 7}>\n"
    print("commit refs/heads/main")
    print(f"committer report scale <report-scale@perfgate.invalid> {1700000000 + 60 * i} +0000")
    print(f"data {len(msg.encode())}")
    print(msg, end="")
    print("M 644 inline work.txt")
    print(f"data {len(body.encode())}")
    print(body, end="")
    print()
PY
git checkout -q main

mkdir baselines
git log --first-parent --reverse --format='%H %ct' main >"$work/shas"
python3 - "$repo_root/docs/baseline-schema.md" "$work/shas" "$series" <<'PY'
import hashlib, json, random, sys
doc = open(sys.argv[1]).read()
start = doc.index("```json\n") + 8
template = json.loads(doc[start:start + doc[start:].index("\n```")])
lines = [l.split() for l in open(sys.argv[2])]
series = int(sys.argv[3])
profiles = ["release", "release-lto", "release-consistent", "pgo"]
benches = [f"group{b // 10}/bench-{b}" for b in range(max(1, series // 8))]
rng = random.Random(7)
n = len(lines)
for i, (sha, time) in enumerate(lines):
    b = json.loads(json.dumps(template))
    b["target"] = "scale"
    b["commit"] = {"sha": sha, "parents": [], "subject": f"step {i}", "time": int(time), "author": "report scale"}
    step = 1.05 if i >= n // 2 else 1.0
    b["profiles"] = {}
    for p, profile in enumerate(profiles):
        ms = []
        for k, bench in enumerate(benches):
            base = 1000.0 * (k + 1) * (1 - 0.05 * p) * step
            samples = [base * (1 + rng.gauss(0, 0.02)) for _ in range(10)]
            ms.append({"bench": bench, "metric": "instructions", "unit": "instructions",
                       "lower_is_better": True, "value": round(base * 1000),
                       "artifact_sha256": hashlib.sha256(sha.encode()).hexdigest()})
            ms.append({"bench": bench, "metric": "wall_time_ns", "unit": "nanoseconds",
                       "lower_is_better": True, "value": sorted(samples)[5], "samples": samples,
                       "interval": {"lower": min(samples), "upper": max(samples), "confidence": 0.95}})
        ms.sort(key=lambda m: (m["bench"], m["metric"]))
        b["profiles"][profile] = {"settings": {}, "artifacts": [], "measurements": ms}
    with open(f"baselines/{sha}.json", "w") as f:
        json.dump(b, f)
PY

echo "$script: $commits commits, $(find baselines -name '*.json' | wc -l) baselines of $series series; rendering"
start=$EPOCHREALTIME
"$perfgate" report --out "$work/site" >"$work/out" 2>"$work/err" || {
    cat "$work/err" >&2
    exit 2
}
end=$EPOCHREALTIME
cat "$work/out"
if [ -n "${3:-}" ]; then
    rm -rf "$3"
    cp -r "$work/site" "$3"
fi
pages=$(find "$work/site" -name '*.html' | wc -l)
largest=$(find "$work/site" -name '*.html' -printf '%s %P\n' | sort -n | tail -1)
total=$(du -sb "$work/site" | cut -f1)
printf '%s: rendered in %.2f s; %d pages; largest page %s bytes (%s); site %s bytes\n' \
    "$script" "$(python3 -c "print($end - $start)")" "$pages" "${largest%% *}" "${largest#* }" "$total"
