#!/usr/bin/env bash
# Prints the path of kube-controller-manager for the e2e control plane (test/e2e/), building it on first use from
# the pinned Go module test/e2e/kube/ (go.mod/go.sum) into the tool cache (scripts/tools/lib.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
gs_go_tool kube-controller-manager "$here/../../test/e2e/kube" k8s.io/kubernetes/cmd/kube-controller-manager
