# shellcheck shell=bash disable=SC2119 # helpers with optional arguments are called without
# The qlwm2m tool's main job against the simulator: send NON and CON
# payloads, with the exact step lines, the --json events and a --trace that
# parses and replays.
# shellcheck source=tests/e2e/tool_lib.sh
. "$(dirname "$0")/tool_lib.sh"

sim_up

run_tool send --con 0117 DEADBEEF
expect_rc 0
expect_steps "attached (cell 0153803F, stat registered_home)" \
    "registering ..." \
    "registered" \
    "waiting for the server to observe /19/0/0 ..." \
    "ready" \
    "delivered 2 bytes (CON seq 1)" \
    "delivered 4 bytes (CON seq 2)"
grep -qE '^\[ *[0-9]+\.[0-9]s\] ready$' "$WORK/stdout" || tool_failed "no elapsed time prefix"

run_tool send 0A0B C0FFEE
expect_rc 0
expect_steps "attached (cell 0153803F, stat registered_home)" \
    "registering ..." \
    "registered" \
    "waiting for the server to observe /19/0/0 ..." \
    "ready" \
    "sent 2 bytes (NON)" \
    "sent 3 bytes (NON)"

run_tool send --release 99
expect_rc 0
expect_stdout "sent 1 bytes (NON, release)"

[ "$(server_hex)" = "$(printf '%s\n' 0117 DEADBEEF 0A0B C0FFEE 99)" ] ||
    fail "the server did not receive each payload once, in order"
grep -qF '"mode":"CON","seq":1,"len":2,"hex":"0117"' "$WORK/out" || fail "0117 not CON seq 1"
grep -qF '"cmd":"QLWULDATA","mode":"NON","seq":0,"len":2,"hex":"0A0B"' "$WORK/out" ||
    fail "0A0B not sent with AT+QLWULDATA"
grep -qF '"mode":"NON_RELEASE","seq":0,"len":1,"hex":"99"' "$WORK/out" || fail "99 not NON with release"

# --json: one object per line; the uplink event says what happened to each payload.
run_tool --json send --con 1234
expect_rc 0
if grep -vqE '^\{"t_ms":[0-9]+,"event":"[a-z_]+".*\}$' "$WORK/stdout"; then
    tool_failed "a line is not a JSON event"
fi
expect_stdout '"event":"state","from":"registered","to":"ready","cause":"lwm2m_event"}'
expect_stdout '"event":"uplink","id":1,"result":"ok","outcome":"delivered","possible_duplicate":false,"mode":"con","seq":1,"len":2,"attempts":1,"status":"delivered","hex":"1234"}'
state=$(grep -F '"event":"state"' "$WORK/stdout" | tail -n 1 | sed -E 's/.*"to":"([a-z]+)".*/\1/')
[ "$state" = ready ] || tool_failed "last state $state, expected ready"

# --trace: the whole exchange as a transcript that parses and replays.
run_tool --trace "$WORK/send.at" send 0102
expect_rc 0
head -n 1 "$WORK/send.at" | grep -qE "^# qlwm2m [0-9.]+ trace of send on $PTY\$" ||
    fail "trace header: $(head -n 1 "$WORK/send.at")"
grep -qx '> AT+QLWULDATA=2,0102' "$WORK/send.at" || fail "no uplink command in the trace"
grep -qx '< +QLWEVTIND:3' "$WORK/send.at" || fail "no observe in the trace"
run_cmd "$TOOL" replay "$WORK/send.at"
expect_rc 0
expect_stdout '{"type":"response","command":"AT+QLWULDATA=2,0102","result":"ok","lines":[]}'

# -v adds the notices.
run_tool -v send 03
expect_rc 0
expect_stdout "lwm2m event 3 (ready)"
expect_stdout "lwm2m event 0 (registered)"

[ "$(count_events '"event":"uplink",')" = 8 ] || fail "expected 8 uplinks in all"
echo PASS
