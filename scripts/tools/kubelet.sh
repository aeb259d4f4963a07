#!/usr/bin/env bash
# Prints the path of the kubelet for the real-node e2e suite (test/e2e-node/, docs/e2e-node.md),
# building it on first use from the pinned Go module test/e2e/kube/ (the same module and release
# as the e2e control plane) into the tool cache (scripts/tools/lib.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
# Stamped with the pinned release, as kube-apiserver is: the node reports it as its kubelet version.
gs_kube_version_ldflags
gs_go_tool kubelet "$here/../../test/e2e/kube" k8s.io/kubernetes/cmd/kubelet
