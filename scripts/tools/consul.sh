#!/usr/bin/env bash
# Builds the Consul agent for the Consul lab (test/consul-lab) and prints the binary's path.
# The version is pinned in test/consul-lab/consul/go.mod: Consul v1.14.8, MPL 2.0 (see the
# LICENSE in its module zip; Consul releases from August 2023 on are not open source).
# Cached under $GOSSIP_SAFE_CACHE/bin; never committed. The first build takes several minutes.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
gs_go_tool consul "$(cd "$(dirname "$0")/../../test/consul-lab/consul" && pwd)" .
