#!/usr/bin/env bash
# Builds the two base images the Dockerfile uses in CI, where no image registry is reachable
# (docs/install.md "The image"), and prints the cache directory holding them as OCI archives:
#   node.oci.tar        localhost/gossip-safe-node:24.22.3        runtime: glibc, libstdc++ and
#                       libgcc from Debian, Node.js from scripts/tools/node.sh, /etc/passwd with
#                       the image's user 10001, an empty /tmp; no shell, no package manager
#   node-build.oci.tar  localhost/gossip-safe-node:24.22.3-build  the same plus dash as /bin/sh
#                       and npm (npm registry, integrity pinned below), for the build stages
# Debian packages come from the machine's apt sources (`apt-get download`; run apt-get update
# first); their versions are part of the cache key, so a Debian security update rebuilds the
# base on the next run. Cached under $GOSSIP_SAFE_CACHE/image-base/KEY; takes ~1 min cold.
# Needs buildah (Debian's package) and root. Exit 1 with one line on stderr on any failure.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

NPM_VERSION=11.19.1
NPM_INTEGRITY=sha512-ztsxKxt/kkIaAs+2i0GU6I+DRmUdrNasxTZKJe9TCdSjKxlhah/4r/hl5ygMD6XAg1qZ9c2TNomR4qgOydp10g==
RUNTIME_DEBS=(libc6 libgcc-s1 libstdc++6)
BUILD_DEBS=(dash)

fail() { gs_log "image base: $*"; exit 1; }
command -v buildah > /dev/null 2>&1 || fail "buildah is not on PATH (apt-get install buildah)"
node_bin=$(bash "$here/node.sh") || fail "scripts/tools/node.sh failed"
node_version=$("$node_bin/node" --version)
node_version=${node_version#v}

versions=""
for p in "${RUNTIME_DEBS[@]}" "${BUILD_DEBS[@]}"; do
  v=$(apt-cache show --no-all-versions "$p" 2> /dev/null | sed -n 's/^Version: //p' | head -1)
  [ -n "$v" ] || fail "apt-cache knows no $p (run apt-get update)"
  versions+="$p=$v "
done
key=$( { cat "$0"; printf '%s\n' "$node_version" "$NPM_VERSION" "$versions"; } | sha256sum | cut -c1-16)
out="$GS_CACHE/image-base/$key"
if [ -f "$out/node.oci.tar" ] && [ -f "$out/node-build.oci.tar" ]; then
  printf '%s\n' "$out"
  exit 0
fi

mkdir -p "$GS_CACHE/image-base"
tmp=$(mktemp -d "$GS_CACHE/image-base/.build.XXXXXX")
store=(--root "$tmp/storage" --runroot "$tmp/run" --storage-driver vfs)
ctrs=()
cleanup() {
  for c in "${ctrs[@]}"; do buildah "${store[@]}" rm "$c" > /dev/null 2>&1 || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
gs_log "building the image bases (Node.js $node_version, $versions) into $out"

# Debian packages, unpacked (not installed: no maintainer scripts, no dpkg database).
mkdir -p "$tmp/debs" "$tmp/rootfs" "$tmp/npm"
(cd "$tmp/debs" && timeout 300 apt-get download -q "${RUNTIME_DEBS[@]}" "${BUILD_DEBS[@]}" > "$tmp/apt.log" 2>&1) || { cat "$tmp/apt.log" >&2; false; } ||
  fail "apt-get download ${RUNTIME_DEBS[*]} ${BUILD_DEBS[*]} failed"
root=$tmp/rootfs
for p in "${RUNTIME_DEBS[@]}"; do dpkg-deb -x "$(ls "$tmp/debs/$p"_*.deb)" "$root"; done
# Keep the copyright files (licences), drop the rest of the documentation and the locales.
find "$root/usr/share/doc" -type f ! -name copyright -delete 2> /dev/null || true
rm -rf "$root/usr/share/man" "$root/usr/share/info" "$root/usr/share/lintian" "$root/usr/share/locale" "$root/usr/lib/x86_64-linux-gnu/gconv"
install -D -m 0755 "$node_bin/node" "$root/usr/local/bin/node"
install -D -m 0644 "$node_bin/../LICENSE" "$root/usr/local/share/doc/node/LICENSE"
mkdir -p "$root/etc" "$root/app"
install -d -m 1777 "$root/tmp"
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\ngossip-safe:x:10001:10001:gossip-safe:/nonexistent:/usr/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\ngossip-safe:x:10001:\n' > "$root/etc/group"

# The build variant: dash as /bin/sh (npm runs scripts with sh) and npm from the npm registry.
build=$tmp/rootfs-build
cp -a "$root" "$build"
for p in "${BUILD_DEBS[@]}"; do dpkg-deb -x "$(ls "$tmp/debs/$p"_*.deb)" "$build"; done
ln -sf dash "$build/bin/sh"
mkdir -p "$build/root"
(cd "$tmp/npm" && timeout 300 npm pack "npm@$NPM_VERSION" --silent > /dev/null) || fail "npm pack npm@$NPM_VERSION failed"
got="$(node -e 'process.stdout.write("sha512-" + require("node:crypto").createHash("sha512").update(require("node:fs").readFileSync(process.argv[1])).digest("base64"))' "$tmp/npm/npm-$NPM_VERSION.tgz")"
[ "$got" = "$NPM_INTEGRITY" ] || fail "npm-$NPM_VERSION.tgz has integrity $got, pinned is $NPM_INTEGRITY"
mkdir -p "$build/usr/local/lib/node_modules"
tar -xzf "$tmp/npm/npm-$NPM_VERSION.tgz" -C "$build/usr/local/lib/node_modules"
mv "$build/usr/local/lib/node_modules/package" "$build/usr/local/lib/node_modules/npm"
for tool in npm npx; do
  printf '#!/bin/sh\nexec /usr/local/bin/node /usr/local/lib/node_modules/npm/bin/%s-cli.js "$@"\n' "$tool" > "$build/usr/local/bin/$tool"
  chmod 0755 "$build/usr/local/bin/$tool"
done

commit() { # ROOTFS TAG ARCHIVE
  local c
  c=$(buildah "${store[@]}" from scratch) || fail "buildah from scratch failed"
  ctrs+=("$c")
  buildah "${store[@]}" copy "$c" "$1" / > /dev/null || fail "buildah copy into the base failed"
  buildah "${store[@]}" config --env PATH=/usr/local/bin:/usr/bin:/bin --env HOME=/root \
    --label org.opencontainers.image.description="gossip-safe base: Debian ${versions% } + Node.js $node_version" "$c" ||
    fail "buildah config failed"
  buildah "${store[@]}" commit -q "$c" "oci-archive:$3:$2" > /dev/null || fail "buildah commit $2 failed"
}
mkdir "$tmp/out"
commit "$root" "localhost/gossip-safe-node:$node_version" "$tmp/out/node.oci.tar"
commit "$build" "localhost/gossip-safe-node:$node_version-build" "$tmp/out/node-build.oci.tar"
printf '%s\n' "$versions" > "$tmp/out/debian-packages.txt"
mv -T "$tmp/out" "$out" 2> /dev/null || [ -f "$out/node.oci.tar" ] || fail "could not move the bases into $out"
# Bases of older keys (another Node.js, Debian update or script) are not used again.
find "$GS_CACHE/image-base" -mindepth 1 -maxdepth 1 -type d ! -name '.*' ! -name "$key" -exec rm -rf {} +
printf '%s\n' "$out"
