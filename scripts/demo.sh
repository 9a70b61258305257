#!/usr/bin/env bash
# Shows qlwm2m working without hardware: builds what it needs, starts the
# simulated BC68 (qlwm2m-sim, a pseudo-terminal with a virtual LwM2M server
# behind it), sends confirmable and non-confirmable payloads with the qlwm2m
# tool, and shows what the server received. Exits 0 only if the server got
# every payload exactly once.
# On a fresh Debian 12 machine run it as root: it installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${QLWM2M_BUILD_DIR:-build}
jobs=$(nproc 2>/dev/null || echo 2)

step() { printf '\n== %s\n' "$*"; }

CON_PAYLOADS=(0117 DEADBEEF)
NON_PAYLOADS=(C0FFEE)

step "build ($build/)"
if [ "$(id -u)" -eq 0 ]; then
  scripts/deps.sh
elif ! command -v cmake >/dev/null; then
  echo "demo: cmake is missing; run as root (or sudo scripts/deps.sh) first" >&2
  exit 1
fi
log=$(mktemp)
if ! { cmake -S . -B "$build" -DQLWM2M_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
  cmake --build "$build" -j"$jobs" --target qlwm2m_tool qlwm2m_sim; } >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  echo "demo: the build failed (above)" >&2
  exit 1
fi
rm -f "$log"
echo "built $build/bin/qlwm2m and $build/bin/qlwm2m-sim"

work=$(mktemp -d)
sim_pid=
# shellcheck disable=SC2317 # called by the EXIT trap
stop_sim() {
  if [ -n "$sim_pid" ]; then
    kill "$sim_pid" 2>/dev/null || true
    wait "$sim_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap stop_sim EXIT

step "start the simulated module (server 198.51.100.1 set, short delays)"
"$build/bin/qlwm2m-sim" --ncdp 198.51.100.1 --attach-delay-ms 300 --register-delay-ms 300 \
  --observe-delay-ms 800 --ack-delay-ms 300 </dev/null >"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
pty=
for _ in $(seq 100); do
  pty=$(head -n 1 "$work/sim.out" 2>/dev/null || true)
  case $pty in /dev/*) break ;; esac
  sleep 0.05
done
case $pty in /dev/*) ;; *)
  cat "$work/sim.err" >&2
  echo "demo: the simulator did not start" >&2
  exit 1
  ;;
esac
echo "qlwm2m-sim is a BC68 on $pty"

tool() {
  echo "\$ qlwm2m -p $pty $*"
  timeout 120 "$build/bin/qlwm2m" -p "$pty" "$@"
}

status=0
step "send two confirmable payloads: each waits for the server's acknowledgement"
tool send --con "${CON_PAYLOADS[@]}" || status=1
step "send a non-confirmable payload"
tool send "${NON_PAYLOADS[@]}" || status=1
step "what the module says about itself now"
tool info || status=1

step "what the simulated LwM2M server received"
grep -F '"event":"uplink",' "$work/sim.out" || true

want=$(printf '%s\n' "${CON_PAYLOADS[@]}" "${NON_PAYLOADS[@]}")
got=$(grep -F '"event":"uplink",' "$work/sim.out" | sed -E 's/.*"hex":"([0-9A-F]*)".*/\1/' || true)
step "result"
if [ "$status" -eq 0 ] && [ "$got" = "$want" ]; then
  echo "every payload reached the server exactly once, in order ($(wc -l <<<"$want") payloads)"
  exit 0
fi
echo "demo: the server received [$(tr '\n' ' ' <<<"$got")], expected [$(tr '\n' ' ' <<<"$want")]" >&2
exit 1
