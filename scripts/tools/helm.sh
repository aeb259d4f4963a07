#!/usr/bin/env bash
# Prints the path of a helm binary built from the version pinned in test/chart/tools/go.mod
# (helm.sh/helm/v3), cached under $GOSSIP_SAFE_CACHE/bin. The chart tests and .ci/run call it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
gs_go_tool helm "$here/../../test/chart/tools" helm.sh/helm/v3/cmd/helm
