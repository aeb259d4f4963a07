#!/usr/bin/env bash
# Builds (once, cached) the Go keep-alive client of the graceful-shutdown test,
# test/shutdown-client (standard library only; go.mod pins the Go version), and prints the
# binary's path. lib.sh keys the cache on go.mod, go.sum, the program's source and `go version`.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
dir=$(cd "$here/../../test/shutdown-client" && pwd)
gs_go_tool shutdown-client "$dir" .
