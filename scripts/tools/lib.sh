# Shared by the scripts that build or fetch the real components the labs, the e2e suite, the
# chart tests and the benchmark run (docs/development.md). Source it; it defines no side effects.
#
# Built tools are cached outside the clone, so a fresh clone on the same machine reuses them:
#   $GOSSIP_SAFE_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/gossip-safe)
# Nothing under it is ever committed. Go's own module and build caches are used as they are.

GS_CACHE=${GOSSIP_SAFE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gossip-safe}

gs_log() { printf 'gossip-safe tools: %s\n' "$*" >&2; }

# gs_go_tool NAME MODULE_DIR PACKAGE
# Builds PACKAGE (e.g. k8s.io/kubernetes/cmd/kube-apiserver) with the Go module in MODULE_DIR,
# whose go.mod and go.sum pin every version, and prints the path of the cached binary. The cache
# key is go.mod + go.sum + the module's own *.go files + the package + `go version`, so a changed
# pin, a changed source of the project's own program, or another Go rebuilds it.
gs_go_tool() {
  local name=$1 dir=$2 pkg=$3 key out tmp
  command -v go > /dev/null 2>&1 || { gs_log "$name: go is not on PATH; install Go 1.26+"; return 1; }
  key=$( {
    cat "$dir/go.mod" "$dir/go.sum" 2> /dev/null
    find "$dir" -name '*.go' -type f | LC_ALL=C sort | while IFS= read -r f; do printf '%s\n' "${f#"$dir"/}"; cat "$f"; done
    printf '%s\n' "$pkg" "${GS_GO_LDFLAGS:-}"
    go version
  } | sha256sum | cut -c1-16)
  out="$GS_CACHE/bin/$name-$key"
  if [ ! -x "$out" ]; then
    mkdir -p "$GS_CACHE/bin"
    tmp="$out.tmp.$$"
    gs_log "building $name ($pkg) from $dir; the first build takes a while, later runs reuse $out"
    if ! (cd "$dir" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -trimpath -ldflags="-s -w ${GS_GO_LDFLAGS:-}" -o "$tmp" "$pkg"); then
      rm -f "$tmp"
      gs_log "$name: go build of $pkg in $dir failed (see above)"
      return 1
    fi
    mv -f "$tmp" "$out"
  fi
  printf '%s\n' "$out"
}

# gs_kube_version_ldflags: sets GS_GO_LDFLAGS to stamp the k8s.io/kubernetes release pinned in
# test/e2e/kube/go.mod into a Kubernetes binary (a plain go build reports v0.0.0-master).
gs_kube_version_ldflags() {
  local mod kver kmajor kminor vpkg=k8s.io/component-base/version
  mod="$(dirname "${BASH_SOURCE[0]}")/../../test/e2e/kube/go.mod"
  kver=$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v[0-9]/ { print $2; exit }' "$mod")
  [ -n "$kver" ] || { gs_log "no k8s.io/kubernetes version in $mod"; return 1; }
  kmajor=${kver#v}; kmajor=${kmajor%%.*}
  kminor=${kver#v*.}; kminor=${kminor%%.*}
  export GS_GO_LDFLAGS="-X $vpkg.gitVersion=$kver -X $vpkg.gitMajor=$kmajor -X $vpkg.gitMinor=$kminor -X $vpkg.gitTreeState=clean"
}
