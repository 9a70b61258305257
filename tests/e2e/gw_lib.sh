# shellcheck shell=bash
# Helpers for the qlwm2m-gateway end-to-end tests (sourced; not a test
# itself): a real mosquitto broker on a free loopback port, qlwm2m-sim
# modules behind stable --link paths, the gateway, and mosquitto_pub /
# mosquitto_sub for the application's side.
# ctest runs each test as: bash test_gateway_x.sh <build/bin dir> <tests dir>
set -euo pipefail

BIN_DIR=${1:?usage: $0 <build/bin dir> <tests dir>}
TESTS_DIR=${2:?usage: $0 <build/bin dir> <tests dir>}
SIM="$BIN_DIR/qlwm2m-sim"
GW="$BIN_DIR/qlwm2m-gateway"
WORK=$(mktemp -d)
PREFIX=qlwm2m
CLIENT_ID=gw-test
FAST=(--ncdp 198.51.100.1 --attach-delay-ms 100 --register-delay-ms 100 --observe-delay-ms 300
    --ack-delay-ms 50)
declare -A SIM_PIDS=() SIM_RUNS=()
BROKER_PID=
GW_PID=
SUB_PID=
GW_RUNS=0
BROKER_PORT=

trap '' HUP

cleanup() {
    set +e
    [ -n "$GW_PID" ] && kill -9 "$GW_PID" 2>/dev/null
    [ -n "$SUB_PID" ] && kill "$SUB_PID" 2>/dev/null
    for p in "${SIM_PIDS[@]}"; do kill "$p" 2>/dev/null; done
    [ -n "$BROKER_PID" ] && kill "$BROKER_PID" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    local f
    for f in "$WORK"/gw.*.err; do
        [ -f "$f" ] || continue
        echo "--- $f (last 40 lines)" >&2
        tail -n 40 "$f" >&2
    done
    echo "--- results" >&2
    tail -n 20 "$WORK/results" >&2 || true
    exit 1
}

command -v mosquitto >/dev/null || PATH=$PATH:/usr/sbin
command -v mosquitto >/dev/null || fail "mosquitto not installed (scripts/deps.sh mosquitto)"
command -v mosquitto_pub >/dev/null || fail "mosquitto-clients not installed"
[ -x "$GW" ] || fail "$GW not built"

# wait_for SECONDS COMMAND...: polls until COMMAND succeeds (only catches hangs).
wait_for() {
    local t=$1 i
    shift
    for ((i = 0; i < t * 10; i++)); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# broker_start: mosquitto on 127.0.0.1 only, persistent (sessions and queued
# messages survive a restart of the broker).
broker_start() {
    [ -n "$BROKER_PORT" ] || BROKER_PORT=$(free_port)
    mkdir -p "$WORK/broker"
    cat >"$WORK/broker/mosquitto.conf" <<CONF
listener $BROKER_PORT 127.0.0.1
allow_anonymous true
# Started as root, mosquitto would switch to the "mosquitto" user, who cannot
# write its database here; as anyone else it stays who it is.
user $(id -un)
persistence true
persistence_location $WORK/broker/
autosave_interval 1
max_queued_messages 100000
CONF
    mosquitto -c "$WORK/broker/mosquitto.conf" >>"$WORK/broker/log" 2>&1 &
    BROKER_PID=$!
    wait_for 20 mosquitto_pub -p "$BROKER_PORT" -t probe -n 2>/dev/null || fail "the broker did not start"
}

# broker_stop: a clean stop (it saves its database).
broker_stop() {
    kill "$BROKER_PID"
    wait "$BROKER_PID" 2>/dev/null || true
    BROKER_PID=
}

# sim_up NAME [OPTION...]: a module at $WORK/NAME.tty; its server log in $WORK/NAME.out.N.
sim_up() {
    local name=$1 run
    shift
    run=$((${SIM_RUNS[$name]:-0} + 1))
    SIM_RUNS[$name]=$run
    "$SIM" "${FAST[@]}" --link "$WORK/$name.tty" "$@" </dev/null >"$WORK/$name.out.$run" \
        2>"$WORK/$name.err.$run" &
    SIM_PIDS[$name]=$!
    wait_for 20 test -e "$WORK/$name.tty" || fail "simulator $name did not start"
}

sim_kill() {
    kill -9 "${SIM_PIDS[$1]}" 2>/dev/null || true
    wait "${SIM_PIDS[$1]}" 2>/dev/null || true
    rm -f "$WORK/$1.tty"
    unset "SIM_PIDS[$1]"
}

# results_start: a persistent subscriber to every result, state and status.
results_start() {
    mosquitto_sub -p "$BROKER_PORT" -i results-$$ -c -q 1 -F '%t %p' \
        -t "$PREFIX/+/up/result" -t "$PREFIX/+/state" -t "$PREFIX/+/down" \
        -t "$PREFIX/gateway/+/status" -t "$PREFIX/probe" >>"$WORK/results" 2>/dev/null &
    SUB_PID=$!
    wait_for 20 probe_seen || fail "the result subscriber did not start"
}

probe_seen() {
    mosquitto_pub -p "$BROKER_PORT" -t "$PREFIX/probe" -m probe
    grep -q "^$PREFIX/probe" "$WORK/results" 2>/dev/null
}

# gw_start MODEM_NAME...: the gateway on those modules (extra options in $GW_OPTS).
gw_start() {
    local args=() n
    for n in "$@"; do args+=(--modem "$n=$WORK/$n.tty"); done
    GW_RUNS=$((GW_RUNS + 1))
    # shellcheck disable=SC2086 # GW_OPTS holds several words
    "$GW" --broker "127.0.0.1:$BROKER_PORT" --state "$WORK/state" --client-id "$CLIENT_ID" \
        "${args[@]}" ${GW_OPTS:-} -v 2>"$WORK/gw.$GW_RUNS.err" &
    GW_PID=$!
    wait_for 30 grep -q "connected to" "$WORK/gw.$GW_RUNS.err" || fail "the gateway did not connect"
}

# gw_term: SIGTERM; the gateway must exit 0 within 30 s.
gw_term() {
    local rc=0
    kill -TERM "$GW_PID"
    wait_for 30 gw_gone || fail "the gateway did not exit within 30 s of SIGTERM"
    wait "$GW_PID" || rc=$?
    GW_PID=
    [ "$rc" = 0 ] || fail "the gateway exited $rc after SIGTERM"
}

gw_gone() {
    ! kill -0 "$GW_PID" 2>/dev/null
}

gw_kill9() {
    kill -9 "$GW_PID" 2>/dev/null || true
    wait "$GW_PID" 2>/dev/null || true
    GW_PID=
}

# publish NAME MODE PAYLOAD...: one reading per payload (text), to P/NAME/up or P/NAME/up/non;
# each is remembered for the accounting.
publish() {
    local name=$1 mode=$2 topic
    shift 2
    topic="$PREFIX/$name/up"
    [ "$mode" = non ] && topic="$topic/non"
    printf '%s\n' "$@" | mosquitto_pub -p "$BROKER_PORT" -q 1 -t "$topic" -l ||
        fail "mosquitto_pub failed"
    local p
    for p in "$@"; do
        printf '%s %s %s\n' "$name" "$mode" "$(printf '%s' "$p" | od -An -tx1 | tr -d ' \n' |
            tr a-f A-F)" >>"$WORK/published"
    done
}

# server_count NAME HEX: how many times the simulated servers of NAME got HEX.
server_count() {
    cat "$WORK/$1".out.* | grep -c "\"event\":\"uplink\".*\"hex\":\"$2\"" || true
}

# readings NAME FROM TO: payload texts NAME-FROM .. NAME-TO.
readings() {
    local i
    for ((i = $2; i <= $3; i++)); do printf '%s-%04d ' "$1" "$i"; done
}

# results_count: distinct reading ids with a result so far.
results_count() {
    grep ' {"id":' "$WORK/results" 2>/dev/null | sed 's/.*{"id":\([0-9]*\),.*/\1/' | sort -u | wc -l
}

# wait_results N [SECONDS]: until N distinct readings have a result.
wait_results() {
    local want=$1 t=${2:-120}
    wait_for "$t" eval '[ "$(results_count)" -ge "$want" ]' ||
        fail "only $(results_count) of $want readings have a result"
}

# account: every reading published has exactly one result (by id, duplicates
# of the same id allowed), the simulated servers agree with each result, and
# no reading reached a server twice unless its result says possible_duplicate.
account() {
    python3 - "$WORK" <<'PY'
import glob, json, os, sys, collections
work = sys.argv[1]
published = [l.split() for l in open(os.path.join(work, "published"))]
results = {}
for line in open(os.path.join(work, "results"), errors="replace"):
    topic, _, payload = line.rstrip("\n").partition(" ")
    if not topic.endswith("/up/result"):
        continue
    r = json.loads(payload)
    old = results.get(r["id"])
    if old is not None and (old["hex"], old["result"]) != (r["hex"], r["result"]):
        sys.exit(f"id {r['id']} published with two different results: {old} / {r}")
    results[r["id"]] = r
server = collections.Counter()
for f in glob.glob(os.path.join(work, "*.out.*")):
    name = os.path.basename(f).split(".out.")[0]
    for line in open(f):
        if line.startswith("{"):
            e = json.loads(line)
            if e.get("event") == "uplink":
                server[(name, e["hex"])] += 1
by_payload = collections.defaultdict(list)
for r in results.values():
    by_payload[(r["modem"], r["hex"])].append(r)
errors = []
counts = collections.Counter()
for name, mode, hexp in published:
    rs = by_payload.get((name, hexp), [])
    if len(rs) != 1:
        errors.append(f"{name} {hexp}: {len(rs)} results (ids {[r['id'] for r in rs]})")
        continue
    r = rs[0]
    got = server[(name, hexp)]
    counts[r["result"]] += 1
    if r["mode"] != mode:
        errors.append(f"{name} {hexp}: mode {r['mode']}, published as {mode}")
    if r["result"] in ("delivered", "sent") and got == 0:
        errors.append(f"{name} {hexp}: result {r['result']} but the server never got it")
    if r["result"] in ("failed", "expired") and got > 0:
        errors.append(f"{name} {hexp}: result {r['result']} but the server got it")
    if got > 1 and not r["possible_duplicate"]:
        errors.append(f"{name} {hexp}: the server got it {got} times, not flagged")
    if r["result"] == "delivered" and r["attempts"] < 1:
        errors.append(f"{name} {hexp}: delivered after {r['attempts']} attempts")
extra = set(by_payload) - {(n, h) for n, _, h in published}
if extra:
    errors.append(f"results for readings never published: {sorted(extra)[:5]}")
flagged = sum(1 for r in results.values() if r["possible_duplicate"])
dups = sum(1 for k, v in server.items() if v > 1)
print(f"account: {len(published)} published, {len(results)} results {dict(counts)}, "
      f"{flagged} flagged possible_duplicate, {dups} received twice")
if errors:
    print("\n".join(errors[:20]))
    sys.exit(1)
PY
}
