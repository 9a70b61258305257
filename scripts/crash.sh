#!/usr/bin/env bash
# Crash test of the durable outbox (store.h, the SQLite store).
#
# Usage: scripts/crash.sh [RUNS] [SEED] [at-least-once|at-most-once]
#   (build first: cmake -S . -B build && cmake --build build; BIN=dir overrides build/bin)
#
# One simulated module (qlwm2m-sim) stays up, as a real one would; a small
# gateway (qlwm2m-crash-app, tests/crash) with an SQLite outbox is started RUNS
# times against it, each time queueing 10 new readings, and killed with
# SIGKILL at a random moment: half the runs from outside after 0-500 ms
# (queueing, a command in flight, waiting for an acknowledgement, writing the
# store), the other half from inside at a random write or sync of the database
# (in the middle of a commit). After every kill the database must pass
# PRAGMA integrity_check. Then the gateway runs once more, unkilled, until
# everything is reported, and the script checks:
#   - every reading whose queueing committed is reported exactly once;
#   - no report without its reading, none twice;
#   - no reading reported sent or delivered that the server did not receive;
#   - no reading reported failed that the server received;
#   - at-least-once: every reading the server received twice is flagged
#     possible_duplicate; at-most-once: the server received none twice;
#   - the outbox is empty.
# It prints the figures and a last JSON line; exits 1 on any violation.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-200}
seed=${2:-$(date +%s)}
policy=${3:-at-least-once}
BIN=${BIN:-build/bin}
APP="$BIN/qlwm2m-crash-app"
SIM="$BIN/qlwm2m-sim"
RANDOM=$seed
per_run=10

for tool in "$APP" "$SIM"; do
  [ -x "$tool" ] || { echo "crash: $tool not built (needs SQLite: libsqlite3-dev)" >&2; exit 2; }
done
command -v sqlite3 >/dev/null || { echo "crash: the sqlite3 command is missing (scripts/deps.sh sqlite3)" >&2; exit 2; }
case $policy in
  at-least-once) app_opts=() ;;
  at-most-once) app_opts=(--at-most-once) ;;
  *) echo "crash: policy must be at-least-once or at-most-once" >&2; exit 2 ;;
esac

work=$(mktemp -d)
sim_pid=
cleanup() {
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
  exec 4>&- 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap '' HUP # the pty's hang-up when a gateway dies is not ours

mkfifo "$work/ctl"
"$SIM" --ncdp 198.51.100.1 --seed "$seed" --attach-delay-ms 50 --register-delay-ms 50 \
  --observe-delay-ms 100 --ack-delay-ms 40 <"$work/ctl" >"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
exec 4>"$work/ctl"
pty=
for _ in $(seq 100); do
  pty=$(head -n 1 "$work/sim.out" 2>/dev/null || true)
  case $pty in /dev/*) break ;; esac
  sleep 0.05
done
case $pty in /dev/*) ;; *) echo "crash: the simulator printed no pty" >&2; exit 2 ;; esac

db="$work/outbox.db"
q() { sqlite3 -batch -noheader "$db" "$@"; }
fail() {
  echo "crash: FAIL: $*" >&2
  echo "crash: seed $seed, policy $policy; the database and logs: $work.kept" >&2
  cp -r "$work" "$work.kept"
  exit 1
}

start=$(date +%s)
outside=0 inside=0 finished_early=0
for ((run = 1; run <= runs; run++)); do
  if ((run % 2)); then
    # from outside, at a random moment
    "$APP" "$pty" "$db" "$run" "$per_run" "${app_opts[@]}" >>"$work/app.log" 2>>"$work/app.err" &
    pid=$!
    sleep "0.$(printf '%03d' $((RANDOM % 500)))"
    if kill -KILL "$pid" 2>/dev/null; then outside=$((outside + 1)); else finished_early=$((finished_early + 1)); fi
    wait "$pid" 2>/dev/null || true
  else
    # from inside, at a random write or sync of the database
    # (in the background: bash reports a killed foreground job on stderr)
    "$APP" "$pty" "$db" "$run" "$per_run" "${app_opts[@]}" --die-at-write $((1 + RANDOM % 80)) \
      >>"$work/app.log" 2>>"$work/app.err" &
    if wait $! 2>/dev/null; then
      finished_early=$((finished_early + 1))
    else
      inside=$((inside + 1))
    fi
  fi
  [ "$(q 'PRAGMA integrity_check')" = ok ] || fail "integrity_check after run $run: $(q 'PRAGMA integrity_check')"
done

# The last start, unkilled: what is left goes out and is reported.
"$APP" "$pty" "$db" $((runs + 1)) 0 "${app_opts[@]}" >>"$work/app.log" 2>>"$work/app.err" ||
  fail "the final run did not finish: $(tail -n 3 "$work/app.err")"
[ "$(q 'PRAGMA integrity_check')" = ok ] || fail "integrity_check at the end"
elapsed=$(($(date +%s) - start))

# What the simulated server received, one payload per row.
grep -o '"event":"uplink",[^}]*"hex":"[0-9A-F]*"' "$work/sim.out" |
  sed 's/.*"hex":"\([0-9A-F]*\)"/\1/' >"$work/server.txt" || true
q "CREATE TABLE server(hex TEXT); .import $work/server.txt server" 2>/dev/null ||
  { q "CREATE TABLE IF NOT EXISTS server(hex TEXT)"; [ ! -s "$work/server.txt" ] || q ".import $work/server.txt server"; }

count() { q "$1"; }
readings=$(count "SELECT count(*) FROM readings")
reports=$(count "SELECT count(*) FROM reports")
received=$(count "SELECT count(*) FROM server")
left=$(count "SELECT count(*) FROM qlw_outbox")
not_once=$(count "SELECT count(*) FROM readings r WHERE (SELECT count(*) FROM reports p WHERE p.id = r.id) != 1")
orphan=$(count "SELECT count(*) FROM reports WHERE id NOT IN (SELECT id FROM readings)")
claimed_lost=$(count "SELECT count(*) FROM readings r JOIN reports p ON p.id = r.id
  WHERE p.outcome IN ('sent','delivered') AND r.hex NOT IN (SELECT hex FROM server)")
failed_received=$(count "SELECT count(*) FROM readings r JOIN reports p ON p.id = r.id
  WHERE p.outcome = 'failed' AND r.hex IN (SELECT hex FROM server)")
twice=$(count "SELECT count(*) FROM (SELECT hex FROM server GROUP BY hex HAVING count(*) > 1)")
unflagged=$(count "SELECT count(*) FROM readings r JOIN reports p ON p.id = r.id
  WHERE p.dup = 0 AND (SELECT count(*) FROM server s WHERE s.hex = r.hex) > 1")
flagged=$(count "SELECT count(*) FROM reports WHERE dup = 1")
foreign=$(count "SELECT count(*) FROM server WHERE hex NOT IN (SELECT hex FROM readings)")
outcomes=$(q "SELECT outcome || ' ' || count(*) FROM reports GROUP BY outcome ORDER BY outcome" | paste -sd, -)

echo "crash: $runs runs (seed $seed, $policy): $outside killed from outside, $inside killed" \
  "inside a database write, $finished_early finished before the kill; ${elapsed}s"
echo "crash: $readings readings committed, $reports reports ($outcomes), $flagged flagged" \
  "possible_duplicate; the server received $received ($twice twice)"
echo "crash: reported not exactly once $not_once, report without reading $orphan, sent/delivered" \
  "not received $claimed_lost, failed but received $failed_received, unflagged duplicates" \
  "$unflagged, received but never committed $foreign, left in the outbox $left"
printf '{"runs":%d,"seed":%d,"policy":"%s","killed_outside":%d,"killed_in_write":%d,"readings":%d,"reports":%d,"flagged":%d,"received":%d,"received_twice":%d,"not_exactly_once":%d,"orphan_reports":%d,"claimed_not_received":%d,"failed_received":%d,"unflagged_duplicates":%d,"never_committed_received":%d,"left":%d,"seconds":%d}\n' \
  "$runs" "$seed" "$policy" "$outside" "$inside" "$readings" "$reports" "$flagged" "$received" \
  "$twice" "$not_once" "$orphan" "$claimed_lost" "$failed_received" "$unflagged" "$foreign" "$left" "$elapsed"

[ "$not_once" = 0 ] || fail "$not_once readings not reported exactly once"
[ "$orphan" = 0 ] || fail "$orphan reports without a committed reading"
[ "$claimed_lost" = 0 ] || fail "$claimed_lost readings reported sent/delivered but not received"
[ "$failed_received" = 0 ] || fail "$failed_received readings reported failed but received"
[ "$left" = 0 ] || fail "$left readings left in the outbox"
[ "$foreign" = 0 ] || fail "$foreign payloads received whose queueing never committed"
if [ "$policy" = at-most-once ]; then
  [ "$twice" = 0 ] || fail "$twice readings received twice under at-most-once"
else
  [ "$unflagged" = 0 ] || fail "$unflagged readings received twice without possible_duplicate"
fi
echo "crash: PASS"
