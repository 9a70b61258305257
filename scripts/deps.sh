#!/usr/bin/env bash
# Installs the Debian packages qlwm2m needs to build, test and document itself.
# Usage: scripts/deps.sh [EXTRA_PACKAGE...]
#
# It prints one line per step; apt's own output goes to a log file (build/deps.log
# when build/ exists, else ${TMPDIR:-/tmp}/qlwm2m-deps.log, or $QLWM2M_DEPS_LOG),
# which a failing step names and shows the end of.
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
if [ "$(id -u)" -ne 0 ]; then
  echo "deps: missing ${missing[*]}; not root; run: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

root=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${QLWM2M_DEPS_LOG:-}" ]; then
  log=$QLWM2M_DEPS_LOG
elif [ -d "$root/build" ]; then
  log=$root/build/deps.log
else
  log=${TMPDIR:-/tmp}/qlwm2m-deps.log
fi
: >"$log"

# run WHAT CMD...: runs CMD with its output in the log; 1 when it failed.
run() {
  local what=$1
  shift
  printf '\n== %s: %s\n' "$what" "$*" >>"$log"
  "$@" >>"$log" 2>&1
}
# fail WHAT: says which step failed, where its output is, and its end.
fail() {
  echo "deps: $1 failed; apt's output is in $log, its last lines:" >&2
  tail -n 20 "$log" | sed 's/^/  | /' >&2
  exit 1
}

export DEBIAN_FRONTEND=noninteractive
echo "deps: updating package lists"
# A mirror in the middle of a sync can fail one index; the lists it did
# fetch (or the ones already here) are still good enough to install from.
run update apt-get -o DPkg::Lock::Timeout=600 update ||
  echo "deps: apt-get update reported errors (see $log); installing from the lists at hand" >&2
echo "deps: installing ${missing[*]}"
run install apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}" ||
  fail "apt-get install ${missing[*]}"
echo "deps: installed ${missing[*]} (apt's output: $log)"
