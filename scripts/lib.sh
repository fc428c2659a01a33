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
