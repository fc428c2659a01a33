#!/usr/bin/env bash
# Peak memory of the streaming reader (the seed's C1): generates a configuration of SIZE MiB
# (default 1024) of the generator's shape (a project, 64 templates, then `[[generators]]`
# entries with their inputs and env tables until the size is reached), checks it with
# `ggen-config stream` under `/usr/bin/time -v`, and prints the peak resident set size and the
# time. Then appends a second `[templates.t0]` header and checks that the duplicate is found
# on the last line. Measured, not tested. The file is written to a temporary directory and
# removed.
#
# Usage: scripts/stream-rss.sh [SIZE_MIB]
set -euo pipefail

cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
size_mib=${1:-1024}
script=stream-rss.sh
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

case "$size_mib" in
'' | *[!0-9]*) echo "$script: SIZE_MIB must be a whole number of MiB, got \`$size_mib\`" >&2; exit 2 ;;
esac
[ -x /usr/bin/time ] || { echo "$script: /usr/bin/time is missing; run scripts/setup.sh" >&2; exit 2; }

step "build ggen-config" cargo build --release -q -p config-core --bin ggen-config
exe=target/release/ggen-config
work=$(mktemp -d)
trap 'rm -rf -- "$work"' EXIT
config=$work/huge.toml

step "generate a ${size_mib} MiB configuration" python3 - "$config" "$size_mib" <<'PY'
import sys
path, size = sys.argv[1], int(sys.argv[2]) << 20
head = ['[project]\nname = "huge"\nversion = "1.0.0"\noutput_dir = "out"\n\n[paths]\n'
        'schemas = "schemas"\ntemplates = "templates"\n']
for t in range(64):
    head.append(f'\n[templates.t{t}]\nsource = "templates/t{t}.tmpl"\n'
                f'output = "src/gen/{{name}}_{t}.rs"\nglobs = ["*.json", "*.yaml"]\n'
                f'variables = {{ lang = "rust", edition = "2024" }}\n')
written = 0
with open(path, "w", buffering=1 << 20) as out:
    text = "".join(head)
    out.write(text)
    written += len(text)
    i = 0
    while written < size:
        inputs = ",\n".join(f'    "schemas/g{i}/entity_{k}.json"' for k in range(40))
        block = (f'\n# generator {i}\n[[generators]]\nname = "gen-{i}"\n'
                 f'templates = ["t{i % 64}", "t{(i * 7) % 64}"]\ninputs = [\n{inputs},\n]\n'
                 f'[generators.env]\nRUST_LOG = "info"\nSHARD = "{i % 16}"\n')
        out.write(block)
        written += len(block)
        i += 1
print(f"{written} bytes, {i} generators")
PY

measure() {
    /usr/bin/time -v "$exe" stream "$config" 2>"$work/time.txt" >"$work/out.txt" || true
    sed -n 's/^ggen-config: //p' "$work/time.txt"
    cat "$work/out.txt"
    python3 - "$work/time.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text).group(1)
status = re.search(r"Exit status: (\d+)", text).group(1)
print(f"peak RSS {rss / 1024:.1f} MiB, wall {wall}, exit {status}")
PY
}

echo "==> ggen-config stream ($(stat -c %s "$config") bytes)"
measure
printf '\n[templates.t0]\nsource = "again.tmpl"\n' >>"$config"
lines=$(wc -l <"$config")
echo "==> the same with a duplicate [templates.t0] appended (line $((lines - 1)))"
measure
