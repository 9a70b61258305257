# shellcheck shell=bash disable=SC2119 # helpers with optional arguments are called without
# The qlwm2m tool on a BC26 (qlwm2m-sim --model bc26, dialect A) that boots
# with its server stored (AT+QLWSERV, AT+QLWCONF): the tool detects the
# dialect, sets hex data, adds /19/0 and /19/1, opens (CONNECT OK), waits for
# +QLWOBSERVE, sends each payload once and in order with AT+QLWDATASEND, and
# exits 0 only when each was sent (NON: OK) or acknowledged (CON: SEND OK).
# Then the faults: lost and late finals, a reboot mid-uplink, a cancelled
# observe, SEND FAIL (sent again), a server that never observes; and listen.
# shellcheck source=tests/e2e/tool_lib.sh
. "$(dirname "$0")/tool_lib.sh"

MODEL=(--model bc26)

sim_up "${MODEL[@]}"
run_tool --trace "$WORK/a.at" send --con 0117 DEADBEEF
expect_rc 0
expect_steps "attached (cell 0153803F, stat registered_home)" \
    "registering ..." \
    "registered" \
    "waiting for the server to observe /19/0/0 ..." \
    "ready" \
    "delivered 2 bytes (CON seq 1)" \
    "delivered 4 bytes (CON seq 2)"
grep -qx '> AT+QLWCFG="dataformat",1,1' "$WORK/a.at" || fail "hex data format not set"
grep -qx '> AT+QLWADDOBJ=19,0,1,"0"' "$WORK/a.at" || fail "/19/0 not added"
grep -qx '> AT+QLWADDOBJ=19,1,1,"0"' "$WORK/a.at" || fail "/19/1 not added"
grep -qx '> AT+QLWDATASEND=19,0,0,2,0117,0x0100' "$WORK/a.at" || fail "no CON send in the trace"
grep -qx '< SEND OK' "$WORK/a.at" || fail "no SEND OK in the trace"

# NON on the same module: the open registration is closed and opened again.
run_tool send 0A0B C0FFEE
expect_rc 0
expect_stdout "sent 2 bytes (NON)"
expect_stdout "sent 3 bytes (NON)"
[ "$(server_hex)" = "$(printf '%s\n' 0117 DEADBEEF 0A0B C0FFEE)" ] ||
    fail "the server did not receive each payload once, in order"
sim_down

send_through() {
    sim_up "${MODEL[@]}" "$@"
    run_tool --json send --con 0117 DEADBEEF CAFE
    expect_rc 0
    exactly_once 0117 DEADBEEF CAFE
}

# The OK of the second send is lost: its SEND OK settles it.
send_through --drop-final AT+QLWDATASEND:2
expect_event '"event":"final_dropped"'
sim_down
send_through --drop-final AT+QLWDATASEND:2 --late-final-ms 1000
sim_down
# Lost OKs while registering: an object's (carry on) and AT+QLWOPEN's
# (CONNECT OK says it all).
send_through --drop-final AT+QLWADDOBJ:1 --drop-final AT+QLWOPEN:1
sim_down
# A restart while the module answers the second send: set up and registered again.
send_through --reboot-on AT+QLWDATASEND:2
expect_event '"event":"reboot"'
sim_down
# +QLWOBSERVE: 1,19,0,0 after the first uplink: closed and opened afresh.
send_through --cancel-observe-after 1
expect_event '"event":"observe_cancelled"'
expect_stdout '"to":"attached","cause":"observe_cancelled"'
sim_down

# SEND FAIL: no ACK, the server may have it: sent again (the library's
# report flags a possible duplicate); the simulated server lost the first.
send_through --con-fail 1
expect_event '"event":"uplink_lost","cmd":"QLWDATASEND","mode":"CON"'
expect_stdout '"len":2,"attempts":2,"status":"delivered","hex":"0117"}'
sim_down

# A lost OK of a NON send: A prints nothing after it, so nobody can tell
# whether it left. At-least-once hands it over again: the server has it
# twice, the tool reports it once (the library's report says possible
# duplicate), and the next payload follows.
sim_up "${MODEL[@]}" --drop-final AT+QLWDATASEND:1
run_tool send 01 02
expect_rc 0
[ "$(server_hex)" = "$(printf '%s\n' 01 01 02)" ] || fail "expected 01 twice (flagged), then 02"
[ "$(grep -c "sent 1 bytes (NON)" "$WORK/stdout")" = 2 ] || tool_failed "expected two reports"
sim_down

sim_up "${MODEL[@]}" --never-observe
run_tool -t 3 send 01
expect_rc 5
expect_stderr "never observed /19/0/0"
[ "$(count_events '"event":"uplink"')" = 0 ] || fail "an uplink went before the observe"
sim_down

# listen: +QLWDATARECV is printed once as a downlink.
sim_up "${MODEL[@]}"
start_tool listen --register --count 1
wait_stdout "ready"
ctl "downlink C0DE"
RC=0
wait "$TOOL_PID" || RC=$?
expect_rc 0
expect_stdout "downlink 2 bytes: C0DE"
echo PASS
