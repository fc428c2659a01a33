#!/usr/bin/env bash
# The README's picture of the pull request's comment: the comment body of the snapshot test
# (`harness/src/render/comment/snapshots/`) rendered the way GitHub renders a comment —
# GitHub-flavoured markdown to HTML with `marked`, styled with `github-markdown-css` — and
# screenshot in headless Chromium to docs/images/pr-comment.png.
#
# The two npm packages are pinned and installed under target/tools/comment-render (git ignores
# target/). Needs node, npm and chromium (scripts/setup.sh installs them); the colour emoji
# font of the verdict marks is installed with apt when missing.
#
# Usage: scripts/comment-screenshot.sh
set -euo pipefail

cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
script=comment-screenshot.sh
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

MARKED_VERSION=15.0.12
CSS_VERSION=5.8.1
tools=target/tools/comment-render
snapshot=harness/src/render/comment/snapshots/perfgate__render__comment__tests__comment.snap
out=docs/images/pr-comment.png

if [ ! -f "$tools/node_modules/marked/package.json" ] ||
    ! grep -q "\"version\": \"$MARKED_VERSION\"" "$tools/node_modules/marked/package.json" ||
    ! grep -q "\"version\": \"$CSS_VERSION\"" "$tools/node_modules/github-markdown-css/package.json"; then
    mkdir -p "$tools"
    step "install marked and github-markdown-css" npm install --silent --no-audit --no-fund \
        --prefix "$tools" "marked@$MARKED_VERSION" "github-markdown-css@$CSS_VERSION"
fi

if ! dpkg -s fonts-noto-color-emoji >/dev/null 2>&1; then
    step "install the emoji font" apt-get install -y -q fonts-noto-color-emoji
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The snapshot's body: everything after insta's header (the second `---` line).
awk 'seen >= 2 { print; next } /^---$/ { seen++ }' "$snapshot" >"$work/body.md"
NODE_PATH=$PWD/$tools/node_modules node - "$work/body.md" "$PWD/$tools/node_modules/github-markdown-css/github-markdown-light.css" >"$work/comment.html" <<'JS'
const fs = require("fs");
const { marked } = require("marked");
const [body, css] = process.argv.slice(2);
const html = marked.parse(fs.readFileSync(body, "utf8"), { gfm: true });
process.stdout.write(`<!doctype html><meta charset="utf-8">
<style>${fs.readFileSync(css, "utf8")}
body { margin: 0; background: #fff; }
.comment { border: 1px solid #d0d7de; border-radius: 6px; margin: 16px; max-width: 1200px; }
.header { background: #f6f8fa; border-bottom: 1px solid #d0d7de; padding: 8px 16px;
  font: 14px -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #57606a; }
.markdown-body { padding: 16px; font-size: 14px; }
</style>
<div class="comment"><div class="header"><b>github-actions</b> bot commented</div>
<div class="markdown-body">${html}</div></div>`);
JS
step "screenshot" chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --force-device-scale-factor=1 --window-size=1240,800 \
    --screenshot="$PWD/$out" "file://$work/comment.html"
printf 'comment-screenshot.sh: wrote %s\n' "$out"
