#!/usr/bin/env bash
# Builds the image from the Dockerfile with buildah and runs it as a cluster would
# (docs/install.md "The image"); .ci/run calls it. No image registry is reachable in CI, so:
#   - the Dockerfile's FROM images are the local bases of scripts/tools/image-base.sh (Debian's
#     libraries + the pinned Node.js 24 + npm), passed as build args;
#   - npm ci inside the build runs offline, from a copy of this machine's npm cache (CI has just
#     run npm ci, so it holds every locked package); no registry is contacted during the build;
#   - buildah keeps its storage in a temporary directory (vfs driver, chroot isolation), removed
#     at the end, so nothing is left behind and concurrent runs do not share state.
# Then the built image's entrypoint runs from the image's own filesystem as the image's own
# user, in new mount and PID namespaces: the root is mounted read-only, the certificates are a
# read-only bind mount, /tmp is a tmpfs, no new privileges. It must answer /healthz, and real
# recorded mutating and validating reviews (test/fixtures/admission-reviews) exactly as
# `gossip-safe review` of this checkout does.
# Exit codes: 0 the image built and served; 1 a step failed (one line on stderr names it).
# Needs root, buildah, util-linux (unshare, setpriv), openssl, curl. Every wait is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "image-test: $*" >&2; exit 1; }
for tool in buildah unshare setpriv openssl curl; do
  command -v "$tool" > /dev/null 2>&1 || fail "$tool is not on PATH (.ci/run installs it)"
done
[ "$(id -u)" = 0 ] || fail "needs root (buildah vfs storage, mount namespaces)"

base=$(bash scripts/tools/image-base.sh) || fail "building the base images (scripts/tools/image-base.sh) failed"
node_version=$(node --version)
node_version=${node_version#v}
tag=localhost/gossip-safe:image-test

tmp=$(mktemp -d /tmp/gossip-safe-image-test.XXXXXX)
store=(--root "$tmp/storage" --runroot "$tmp/run" --storage-driver vfs)
server_pid=""
ctr=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2> /dev/null; then
    # SIGTERM to the server (it drains and exits; unshare --fork itself ignores SIGTERM).
    pkill -TERM -P "$server_pid" 2> /dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2> /dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2> /dev/null || true
    wait "$server_pid" 2> /dev/null || true
  fi
  if [ -n "$ctr" ]; then buildah "${store[@]}" rm "$ctr" > /dev/null 2>&1 || true; fi
  buildah "${store[@]}" rmi -a -f > /dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# --- build ---------------------------------------------------------------------------------------
buildah "${store[@]}" pull -q "oci-archive:$base/node.oci.tar" > /dev/null || fail "loading the runtime base into buildah failed"
buildah "${store[@]}" pull -q "oci-archive:$base/node-build.oci.tar" > /dev/null || fail "loading the build base into buildah failed"
npm_cache=$(npm config get cache)
[ -d "$npm_cache/_cacache" ] || fail "npm's cache $npm_cache has no _cacache; run npm ci first"
mkdir -p "$tmp/npm-cache"
cp -a "$npm_cache/_cacache" "$tmp/npm-cache/_cacache"
printf 'cache=/npm-cache\noffline=true\naudit=false\nfund=false\nupdate-notifier=false\n' > "$tmp/npmrc"
echo "image-test: building $tag from the Dockerfile (bases localhost/gossip-safe-node:$node_version[-build])" >&2
if ! timeout 1200 buildah "${store[@]}" bud --isolation chroot --layers=false --pull=false \
  --build-arg "NODE_IMAGE=localhost/gossip-safe-node:$node_version" \
  --build-arg "NODE_BUILD_IMAGE=localhost/gossip-safe-node:$node_version-build" \
  --volume "$tmp/npm-cache:/npm-cache" --volume "$tmp/npmrc:/root/.npmrc:ro" \
  -f Dockerfile -t "$tag" . > "$tmp/build.log" 2>&1; then
  tail -25 "$tmp/build.log" >&2
  fail "buildah bud of the Dockerfile failed (the build output's last lines are above)"
fi

# --- run -----------------------------------------------------------------------------------------
config=$(buildah "${store[@]}" inspect --type image "$tag" | node -e 'process.stdout.write(JSON.stringify(JSON.parse(require("node:fs").readFileSync(0, "utf8")).OCIv1.config ?? {}))') ||
  fail "cannot read $tag's config"
user=$(node -e 'const c = JSON.parse(process.argv[1]); process.stdout.write(c.User ?? "")' "$config")
[[ "$user" =~ ^[1-9][0-9]*:[1-9][0-9]*$ ]] || fail "the image's USER is '$user', not a numeric non-root uid:gid"
uid=${user%%:*}
gid=${user##*:}
workdir=$(node -e 'const c = JSON.parse(process.argv[1]); process.stdout.write(c.WorkingDir || "/")' "$config")
# ENTRYPOINT and CMD as NUL-separated words; Env as the only environment.
mapfile -d '' entrypoint < <(node -e 'const c = JSON.parse(process.argv[1]); for (const w of [...(c.Entrypoint ?? []), ...(c.Cmd ?? [])]) process.stdout.write(w + "\0")' "$config")
mapfile -d '' env < <(node -e 'const c = JSON.parse(process.argv[1]); for (const e of c.Env ?? []) process.stdout.write(e + "\0")' "$config")
[ "${#entrypoint[@]}" -gt 0 ] || fail "the image has no ENTRYPOINT/CMD"

ctr=$(buildah "${store[@]}" from -q --pull=false "$tag") || fail "buildah from $tag failed"
rootfs=$(buildah "${store[@]}" mount "$ctr") || fail "buildah mount failed"
# Mount points the run needs (in the container's own layer, not in the image).
mkdir -p "$rootfs/certs" "$rootfs/proc" "$rootfs/dev" "$rootfs/tmp"

# Serving certificate for 127.0.0.1 from a throwaway CA; readable by the image's user.
mkdir "$tmp/certs"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=image-test-ca \
  -keyout "$tmp/ca.key" -out "$tmp/certs/ca.crt" 2> /dev/null || fail "openssl: CA"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=gossip-safe -keyout "$tmp/certs/tls.key" -out "$tmp/tls.csr" 2> /dev/null || fail "openssl: key"
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$tmp/san.ext"
openssl x509 -req -in "$tmp/tls.csr" -CA "$tmp/certs/ca.crt" -CAkey "$tmp/ca.key" -CAcreateserial -days 1 \
  -extfile "$tmp/san.ext" -out "$tmp/certs/tls.crt" 2> /dev/null || fail "openssl: serving certificate"
chmod 0755 "$tmp/certs"
chmod 0644 "$tmp/certs"/*

port=$(node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { process.stdout.write(String(s.address().port)); s.close(); })')
# The namespace's PID 1 mounts the read-only root and the rest, then becomes the image's user in
# the image's root and execs the entrypoint with the image's environment.
# shellcheck disable=SC2016
setup='set -e
r=$1; shift
mount --bind "$r" "$r"
mount --bind "$CERTS" "$r/certs"
mount -o remount,bind,ro "$r/certs"
mount -t proc proc "$r/proc"
mount -t tmpfs -o mode=1777,size=64m tmpfs "$r/tmp"
mount -t tmpfs -o mode=0755,size=1m tmpfs "$r/dev"
for d in null zero random urandom; do touch "$r/dev/$d"; mount --bind "/dev/$d" "$r/dev/$d"; done
mount -o remount,bind,ro "$r"
exec env -i "$@"'
CERTS="$tmp/certs" unshare --mount --pid --fork --kill-child --propagation private \
  bash -c "$setup" image-test "$rootfs" "${env[@]}" \
  setpriv --no-new-privs unshare --root="$rootfs" --wd="$workdir" --setgid "$gid" --setuid "$uid" \
  "${entrypoint[@]}" --host 127.0.0.1 --port "$port" --tls-cert-file /certs/tls.crt --tls-key-file /certs/tls.key \
  > "$tmp/server.log" 2>&1 &
server_pid=$!

curl_() { curl -sS --max-time 10 --cacert "$tmp/certs/ca.crt" "$@"; }
healthy=""
for _ in $(seq 150); do
  kill -0 "$server_pid" 2> /dev/null || { tail -20 "$tmp/server.log" >&2; fail "the image's entrypoint exited before serving (its log is above)"; }
  if [ "$(curl_ -o /dev/null -w '%{http_code}' "https://127.0.0.1:$port/healthz" 2> /dev/null)" = 200 ]; then healthy=1; break; fi
  sleep 0.2
done
[ -n "$healthy" ] || { tail -20 "$tmp/server.log" >&2; fail "no 200 from /healthz within 30 s (the server log is above)"; }

# It runs as the image's user, not root, and the root it sees is read-only. (The namespace's
# PID 1 exec'd env, setpriv, unshare and then the entrypoint: it is the server process.)
server_node=$(pgrep -P "$server_pid" | head -1 || true)
[ -n "$server_node" ] || fail "cannot find the server process (child of $server_pid)"
running_uid=$(awk '/^Uid:/ { print $2 }' "/proc/$server_node/status")
[ "$running_uid" = "$uid" ] || fail "the server runs as uid $running_uid, not the image's $uid"
root_opts=$(awk '$5 == "/" { print $6 }' "/proc/$server_node/mountinfo")
[[ ",$root_opts," == *,ro,* ]] || fail "the server's root filesystem is mounted '$root_opts', not read-only"

# Real recorded reviews: the image must answer exactly what the tested code of this checkout
# answers offline (gossip-safe review runs the same handlers).
node scripts/build.mjs > /dev/null || fail "npm run build (for the offline reference answers) failed"
same_answer() { # PATH REVIEW [review options]
  local path=$1 review=$2 got want
  shift 2
  got=$(curl_ -H 'content-type: application/json' --data "@$review" "https://127.0.0.1:$port$path") || fail "POST $path failed"
  # review exits 2 when its answer is a denial: that is an answer too.
  want=$(node dist/main.js review "$@" "$review") || [ $? = 2 ] || fail "gossip-safe review $* $review failed"
  node -e '
    const [got, want] = process.argv.slice(1).map((t) => JSON.parse(t).response);
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      console.error(`image-test: the image answered ${JSON.stringify(got).slice(0, 400)}\n  expected ${JSON.stringify(want).slice(0, 400)}`);
      process.exit(1);
    }' "$got" "$want" || fail "the image's $path answer to $review differs from gossip-safe review's"
  printf '%s' "$got"
}
answer=$(same_answer /mutate test/fixtures/admission-reviews/pod-create-from-statefulset-cassandra.json)
node -e 'const r = JSON.parse(process.argv[1]).response; process.exit(r.allowed === true && Buffer.from(r.patch ?? "", "base64").toString().includes("POD_UID") ? 0 : 1)' "$answer" ||
  fail "the image's /mutate answer to the Cassandra pod has no POD_UID patch"
answer=$(same_answer /validate/enforce test/fixtures/admission-reviews/statefulset-update-cassandra-3.11-to-4.1.json --validate --mode enforce)
node -e 'process.exit(JSON.parse(process.argv[1]).response.allowed === false ? 0 : 1)' "$answer" ||
  fail "the image's /validate/enforce allowed the Cassandra 3.11 to 4.1 jump it must deny"
echo "image-test: ok: $tag built from the Dockerfile and served /healthz, /mutate and /validate/enforce as uid $uid on a read-only root" >&2
