# shellcheck shell=bash disable=SC2119 # helpers with optional arguments are called without
# A lost port is a state, not the end: `qlwm2m send` with a queue of 50
# confirmable readings on a simulator reached through a stable name (its
# --link symlink); the simulator is killed (-9) in the middle and another one
# started at the same path, as a module power-cycled with its USB port. The
# tool rides over it within its -t: every reading has exactly one report, all
# delivered; what the two simulated servers received together holds every
# reading once, or twice when its report says possible_duplicate.
# shellcheck source=tests/e2e/tool_lib.sh
. "$(dirname "$0")/tool_lib.sh"

LINK="$WORK/modem-by-id"
N=50
SIMP=

# start_linked NAME [OPTION...]: a simulator at $LINK, its stdout in $WORK/NAME.out.
start_linked() {
    local name=$1
    shift
    "$SIM" "${FAST[@]}" --ncdp "$SERVER" --link "$LINK" "$@" </dev/null >"$WORK/$name.out" \
        2>"$WORK/$name.err" &
    SIMP=$!
    EXTRA_PIDS+=("$SIMP")
    for _ in $(seq 200); do
        case $(head -n 1 "$WORK/$name.out" 2>/dev/null || true) in /dev/*) return ;; esac
        sleep 0.05
    done
    fail "simulator $name did not start"
}

uplinks_in() { grep -c -F '"event":"uplink",' "$WORK/$1.out" || true; }

start_linked first
PAYLOADS=()
for i in $(seq "$N"); do PAYLOADS+=("$(printf 'B0%02X' "$i")"); done
timeout 120 "${WRAP[@]}" "$TOOL" --json -t 100 -p "$LINK" send --con "${PAYLOADS[@]}" \
    >"$WORK/stdout" 2>"$WORK/stderr" &
TOOL_PID=$!

# In the middle of the queue: the module and its port vanish at once.
for _ in $(seq 600); do
    [ "$(uplinks_in first)" -ge 15 ] && break
    sleep 0.05
done
[ "$(uplinks_in first)" -ge 15 ] || fail "the first simulator got fewer than 15 uplinks"
kill -9 "$SIMP"
wait "$SIMP" 2>/dev/null || true
sleep 1 # the port is away for a while (the stale link leads nowhere)
start_linked second

RC=0
wait "$TOOL_PID" || RC=$?
if [ "$RC" != 0 ]; then
    cat "$WORK/stdout" "$WORK/stderr" >&2
    fail "the tool exited $RC"
fi
grep -q -F '"event":"port_lost"' "$WORK/stdout" || fail "no port_lost event"
grep -q -F '"event":"port_back"' "$WORK/stdout" || fail "no port_back event"
grep -q -F '"port_losses":1,' "$WORK/stdout" || fail "the counters do not show one lost port"
[ "$(uplinks_in second)" -ge 1 ] || fail "nothing went out after the restart"

reports=$(grep -F '"event":"uplink",' "$WORK/stdout")
[ "$(printf '%s\n' "$reports" | wc -l)" = "$N" ] || fail "not exactly $N reports"
for p in "${PAYLOADS[@]}"; do
    rep=$(printf '%s\n' "$reports" | grep -F "\"hex\":\"$p\"")
    [ "$(printf '%s\n' "$rep" | wc -l)" = 1 ] || fail "$p: not exactly one report"
    case $rep in *'"outcome":"delivered"'*) ;; *) fail "$p: not delivered: $rep" ;; esac
    got=$(cat "$WORK/first.out" "$WORK/second.out" | grep -F '"event":"uplink",' |
        grep -c -F "\"hex\":\"$p\"" || true)
    case $got in
    1) ;;
    2) case $rep in *'"possible_duplicate":true'*) ;;
       *) fail "$p: received twice, the report does not say so" ;; esac ;;
    *) fail "$p: the servers received it $got times" ;;
    esac
done
grep -F -e port_ -e possible_duplicate\":true -e \"stats\" "$WORK/stdout" | head -5

# A port that does not come back: the tool gives up at its -t and names the port.
kill "$SIMP"
wait "$SIMP" 2>/dev/null || true
start_linked third --never-observe
timeout 60 "${WRAP[@]}" "$TOOL" -t 6 -p "$LINK" send --con 0A0B >"$WORK/stdout" 2>"$WORK/stderr" &
TOOL_PID=$!
for _ in $(seq 200); do
    grep -q -F '"event":"registered"' "$WORK/third.out" && break
    sleep 0.05
done
kill -9 "$SIMP"
RC=0
wait "$TOOL_PID" || RC=$?
[ "$RC" = 4 ] || fail "a port that stays away: exit $RC, not 4"
grep -q -F "was lost and did not come back within 6 s" "$WORK/stderr" ||
    fail "the error does not name the lost port: $(cat "$WORK/stderr")"
echo PASS
