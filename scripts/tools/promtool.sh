#!/usr/bin/env bash
# Prints the path of promtool (Prometheus' rule tester) for the alert tests. Uses promtool on
# PATH when there is one (Debian's `prometheus` package installs it); otherwise fetches Debian's
# `prometheus` package with apt-get and unpacks only promtool into $GOSSIP_SAFE_CACHE/bin, so no
# Prometheus server is installed or started.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
if command -v promtool > /dev/null 2>&1; then
  command -v promtool
  exit 0
fi
out="$GS_CACHE/bin/promtool"
if [ ! -x "$out" ]; then
  command -v apt-get > /dev/null 2>&1 || { gs_log "promtool: not on PATH and no apt-get; install Prometheus' promtool"; exit 1; }
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  gs_log "promtool: fetching Debian's prometheus package to unpack promtool into $GS_CACHE/bin"
  if ! (cd "$work" && apt-get download prometheus > /dev/null 2>&1); then
    (apt-get update -qq > /dev/null 2>&1 && cd "$work" && apt-get download prometheus > /dev/null) ||
      { gs_log "promtool: apt-get download prometheus failed"; exit 1; }
  fi
  chmod -R a+rX "$work"
  dpkg-deb -x "$work"/prometheus_*.deb "$work/root"
  mkdir -p "$GS_CACHE/bin"
  install -m 0755 "$work/root/usr/bin/promtool" "$out.tmp.$$"
  mv -f "$out.tmp.$$" "$out"
fi
"$out" --version > /dev/null 2>&1 || { gs_log "promtool: $out does not run"; exit 1; }
printf '%s\n' "$out"
