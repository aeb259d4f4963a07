#!/usr/bin/env bash
# Builds (or finds in the cache) everything the e2e control plane runs and prints one
# `NAME=PATH` line per binary: etcd, kube-apiserver, kube-controller-manager and a kubectl of
# the same release. The first build compiles Kubernetes and takes a while; later runs reuse it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for tool in etcd kube-apiserver kube-controller-manager kubectl; do
  path=$(bash "$here/$tool.sh") || { echo "gossip-safe tools: building $tool for the e2e control plane failed (see above)" >&2; exit 1; }
  printf '%s=%s\n' "$tool" "$path"
done
