#!/usr/bin/env bash
# Builds (once, cached) the benchmark's controller-runtime peer, bench/peers/controller-runtime,
# and prints the binary's path. Used by `npm run bench` and the peer's test suite
# (`npm run test:peer`). lib.sh keys the cache on go.mod, go.sum and the Go version; the peer's
# own source is part of this repository and changes, so its hash goes into the name too.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
dir=$(cd "$here/../../bench/peers/controller-runtime" && pwd)
src=$(cat "$dir"/*.go | sha256sum | cut -c1-12)
gs_go_tool "controller-runtime-peer-$src" "$dir" .
