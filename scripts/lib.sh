# Shared by the scripts: `step NAME CMD...` runs one named step and, on failure, says which
# step failed and exits with its status. Source it after setting `script` to the caller's name.

step() {
    local name=$1
    shift
    printf '==> %s: %s\n' "$name" "$*"
    local status=0
    "$@" || status=$?
    if [ "$status" -ne 0 ]; then
        printf "%s: step \`%s\` failed (exit %d): %s\n" "${script:-script}" "$name" "$status" "$*" >&2
        exit "$status"
    fi
}

# `fixture_repo FIXTURE DIR WHO`: copies `harness/tests/fixtures/FIXTURE` into a fresh git
# repository at DIR, with one commit by WHO (a name without spaces). Run from the repository
# root.
fixture_repo() {
    local fixture=$1 dir=$2 who=$3
    cp -r "harness/tests/fixtures/$fixture" "$dir"
    rm -rf "$dir/target"
    commit_repo "$dir" "$who" "$fixture fixture"
}

# `commit_repo DIR WHO MESSAGE`: makes DIR a git repository on `main` whose one commit, by WHO
# (a name without spaces), holds every file in it.
commit_repo() {
    local dir=$1 who=$2 message=$3
    git -C "$dir" init -q -b main
    git -C "$dir" config user.name "$who"
    git -C "$dir" config user.email "$who@perfgate.invalid"
    git -C "$dir" add -A
    git -C "$dir" commit -qm "$message"
}
