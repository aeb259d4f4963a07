#!/usr/bin/env bash
# Prints the path of kube-apiserver for the e2e control plane (test/e2e/), building it on first use from
# the pinned Go module test/e2e/kube/ (go.mod/go.sum) into the tool cache (scripts/tools/lib.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
# A go build of k8s.io/kubernetes reports /version as v0.0.0-master unless the release is stamped
# in (the Kubernetes build does it with the same -X flags); helm install refuses a chart's
# kubeVersion against v0.0.0, so stamp the pinned release from go.mod.
kver=$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v[0-9]/ { print $2; exit }' "$here/../../test/e2e/kube/go.mod")
[ -n "$kver" ] || { gs_log "kube-apiserver: no k8s.io/kubernetes version in test/e2e/kube/go.mod"; exit 1; }
kmajor=${kver#v}; kmajor=${kmajor%%.*}
kminor=${kver#v*.}; kminor=${kminor%%.*}
vpkg=k8s.io/component-base/version
export GS_GO_LDFLAGS="-X $vpkg.gitVersion=$kver -X $vpkg.gitMajor=$kmajor -X $vpkg.gitMinor=$kminor -X $vpkg.gitTreeState=clean"
gs_go_tool kube-apiserver "$here/../../test/e2e/kube" k8s.io/kubernetes/cmd/kube-apiserver
