#!/usr/bin/env bash
# Builds the memberlist lab's app (test/memberlist-lab/app, github.com/hashicorp/memberlist
# pinned in its go.mod) and prints the binary's path. Cached under $GOSSIP_SAFE_CACHE/bin.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
gs_go_tool memberlist-lab-app "$(cd "$(dirname "$0")/../../test/memberlist-lab/app" && pwd)" .
