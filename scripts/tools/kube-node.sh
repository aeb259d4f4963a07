#!/usr/bin/env bash
# Builds (or finds in the cache) what the real-node e2e suite (test/e2e-node/, docs/e2e-node.md)
# adds to the e2e control plane, and prints one `NAME=PATH` line for each:
#   kubelet, kube-scheduler  built with Go from the pinned module test/e2e/kube/ (same release as
#                            the control plane);
#   image-pause, image-busybox, image-serf
#                            OCI archives of the three images the node runs, built locally with
#                            buildah (images cannot be pulled here) from Debian's busybox-static and
#                            serf and the pause.c of the pinned Kubernetes release, each stamped
#                            with the name the pods use (see IMAGES below).
# Needs (Debian): containerd, runc, containernetworking-plugins, buildah, busybox-static, serf, gcc.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

for tool in kubelet kube-scheduler; do
  path=$(bash "$here/$tool.sh") || { gs_log "building $tool for the real-node e2e failed (see above)"; exit 1; }
  printf '%s=%s\n' "$tool" "$path"
done

for cmd in buildah gcc busybox serf; do
  command -v "$cmd" > /dev/null 2>&1 || { gs_log "kube-node: $cmd is not on PATH (apt-get install buildah gcc busybox-static serf)"; exit 1; }
done
busybox=$(command -v busybox)
serf=$(command -v serf)
! ldd "$busybox" > /dev/null 2>&1 || { gs_log "kube-node: $busybox is not static; install Debian's busybox-static"; exit 1; }
kmod=$(cd "$here/../../test/e2e/kube" && go list -m -f '{{.Dir}}' k8s.io/kubernetes 2> /dev/null) || true
pause_c="$kmod/build/pause/linux/pause.c"
if [ -z "$kmod" ] || [ ! -f "$pause_c" ]; then
  (cd "$here/../../test/e2e/kube" && go mod download k8s.io/kubernetes) >&2
  kmod=$(cd "$here/../../test/e2e/kube" && go list -m -f '{{.Dir}}' k8s.io/kubernetes)
  pause_c="$kmod/build/pause/linux/pause.c"
fi

# One cache entry per content: the binaries that go in, the C source, this script.
key=$( { sha256sum "$busybox" "$serf" "$pause_c" "$0" | cut -d' ' -f1; ldd "$serf" | awk '$3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | xargs -r sha256sum | cut -d' ' -f1; buildah --version; } | sha256sum | cut -c1-16)
out="$GS_CACHE/node-images/$key"
if [ ! -f "$out/done" ]; then
  gs_log "kube-node: building the node's images into $out"
  rm -rf "$out" && mkdir -p "$out"
  work=$(mktemp -d)
  trap 'buildah --root "$work/root" --runroot "$work/run" --storage-driver vfs rm --all > /dev/null 2>&1 || true; rm -rf "$work"' EXIT
  ba() { BUILDAH_ISOLATION=chroot buildah --root "$work/root" --runroot "$work/run" --storage-driver vfs "$@"; }
  # pause: the sandbox container every pod has (registry.k8s.io/pause cannot be pulled here).
  gcc -Os -static -DVERSION=gossip-e2e -o "$work/pause" "$pause_c"
  c=$(ba from scratch)
  ba copy "$c" "$work/pause" /pause > /dev/null
  ba config --entrypoint '["/pause"]' "$c"
  ba commit -q "$c" localhost/gossip-e2e/pause:1 > /dev/null
  ba push -q localhost/gossip-e2e/pause:1 "oci-archive:$out/pause.tar:localhost/gossip-e2e/pause:1"
  # busybox: a shell and coreutils for stand-in containers.
  mkdir -p "$work/bb/bin"
  cp "$busybox" "$work/bb/bin/busybox"
  for a in $("$busybox" --list); do [ "$a" = busybox ] || ln -s busybox "$work/bb/bin/$a"; done
  c=$(ba from scratch)
  ba copy "$c" "$work/bb/" / > /dev/null
  ba config --env PATH=/bin --cmd '["/bin/sh"]' "$c"
  ba commit -q "$c" localhost/gossip-e2e/busybox:1 > /dev/null
  ba push -q localhost/gossip-e2e/busybox:1 "oci-archive:$out/busybox.tar:localhost/gossip-e2e/busybox:1"
  # serf: busybox plus Debian's serf and the libraries it links, named as the serf profile's
  # image (docker.io/hashicorp/serf) so gossip-safe recognises the pods by their image.
  mkdir -p "$work/serf/bin"
  cp "$serf" "$work/serf/bin/serf"
  for lib in $(ldd "$serf" | awk '$3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
    mkdir -p "$work/serf$(dirname "$lib")" && cp -L "$lib" "$work/serf$lib"
  done
  c=$(ba from scratch)
  ba copy "$c" "$work/bb/" / > /dev/null
  ba copy "$c" "$work/serf/" / > /dev/null
  ba config --env PATH=/bin --cmd '["/bin/serf", "agent"]' "$c"
  ba commit -q "$c" docker.io/hashicorp/serf:gossip-e2e > /dev/null
  ba push -q docker.io/hashicorp/serf:gossip-e2e "oci-archive:$out/serf.tar:docker.io/hashicorp/serf:gossip-e2e"
  touch "$out/done"
fi
printf 'image-pause=%s\nimage-busybox=%s\nimage-serf=%s\n' "$out/pause.tar" "$out/busybox.tar" "$out/serf.tar"
