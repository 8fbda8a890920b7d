#!/usr/bin/env bash
# Runs every test suite on a fresh Debian machine: installs what is missing, builds, tests.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  echo "Installing Debian's Chromium for the browser tests"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

# The gzip stream tests read with real clients: curl --compressed and Python's requests (Debian's /usr/bin/python3,
# whatever python3 comes first on PATH).
if ! command -v curl >/dev/null 2>&1 || ! /usr/bin/python3 -c 'import requests' >/dev/null 2>&1; then
  echo "Installing curl and Python requests for the compression tests"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq curl python3 python3-requests >/dev/null
fi

dotnet build EventStreams.sln -c Release
dotnet test EventStreams.sln -c Release --no-build --logger "console;verbosity=normal" "$@"

# A 30-second smoke run of the benchmark (all three servers, tiny N): fails on a broken run or a lost event.
dotnet bench/EventStreams.Bench/bin/Release/net10.0/EventStreams.Bench.dll run --smoke
