#!/usr/bin/env bash
# Installs the Debian packages qlwm2m needs to build, test and document itself.
# Usage: scripts/deps.sh [EXTRA_PACKAGE...]
set -euo pipefail

packages=(build-essential cmake pkg-config libserialport-dev libsqlite3-dev libcmocka-dev doxygen "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all present (${packages[*]})"
  exit 0
fi
echo "deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "deps: not root; run: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# A mirror in the middle of a sync can fail one index; the lists it did
# fetch (or the ones already here) are still good enough to install from.
apt-get update -qq || echo "deps: apt-get update reported errors; installing from the lists at hand" >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}"
