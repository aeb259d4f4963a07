#!/usr/bin/env bash
# Prints the path of kube-scheduler for the real-node e2e suite (test/e2e-node/, docs/e2e-node.md),
# building it on first use from the pinned Go module test/e2e/kube/ into the tool cache
# (scripts/tools/lib.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
gs_kube_version_ldflags
gs_go_tool kube-scheduler "$here/../../test/e2e/kube" k8s.io/kubernetes/cmd/kube-scheduler
