#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs driver.mjs (headless Chromium through puppeteer-core) with its node packages, installing them first with
# `npm ci` from package-lock.json into NODE_DIR (the build tree's browser-node/ by default; never into the source
# tree, so they stay out of git). Exit 77, ctest's SKIP_RETURN_CODE, when node, npm or Chromium is missing.
# Usage: run.sh NODE_DIR unit|screenshot OUT.png|packet ...|knock ...
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
node_dir=$1
shift

chromium=${SESAME_CHROMIUM:-/usr/bin/chromium}
for tool in node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIPPED: $tool is not installed (scripts/install-deps installs nodejs)"
    exit 77
  fi
done
if [ ! -x "$chromium" ]; then
  echo "SKIPPED: no Chromium at $chromium (apt-get install chromium)"
  exit 77
fi

mkdir -p "$node_dir"
# Several browser tests may start at once under ctest -j: one npm ci at a time, and only when the lock file changed.
(
  flock 9
  if ! cmp -s "$here/package-lock.json" "$node_dir/package-lock.json" || [ ! -d "$node_dir/node_modules" ]; then
    cp "$here/package.json" "$here/package-lock.json" "$node_dir/"
    (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
  fi
) 9>"$node_dir/.lock"

export SESAME_NODE_MODULES=$node_dir SESAME_CHROMIUM=$chromium
exec node "$here/driver.mjs" "$@"
