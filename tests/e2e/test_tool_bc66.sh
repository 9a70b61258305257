# shellcheck shell=bash disable=SC2119 # helpers with optional arguments are called without
# The qlwm2m tool on a BC66 (qlwm2m-sim --model bc66, dialect B) that boots
# with its server stored: the tool detects the dialect, adds /19/0 and /19/1,
# registers, answers the server's observe of /19/0/0, sends each payload once
# and in order as opaque AT+QLWNOTIFY, and exits 0 only when each was sent
# (NON) or acknowledged (CON, "report_ack"). Then the faults: lost and late
# finals, a reboot mid-uplink, a cancelled observe, a busy module, a negative
# "report_ack", a server that never observes; and listen.
# shellcheck source=tests/e2e/tool_lib.sh
. "$(dirname "$0")/tool_lib.sh"

MODEL=(--model bc66)

sim_up "${MODEL[@]}"
run_tool send --con 0117 DEADBEEF
expect_rc 0
expect_steps "attached (cell 0153803F, stat registered_home)" \
    "registering ..." \
    "registered" \
    "waiting for the server to observe /19/0/0 ..." \
    "ready" \
    "delivered 2 bytes (CON seq 1)" \
    "delivered 4 bytes (CON seq 2)"
expect_event '"event":"object_added","obj":19,"ins":0,"resources":1'
expect_event '"event":"object_added","obj":19,"ins":1,"resources":1'
expect_event '"event":"response","kind":"observe","msgid":1001,"result":1,"path":"/19/0/0","type":2'
grep -qF '"cmd":"QLWNOTIFY","mode":"CON"' "$WORK/out" || fail "not sent as a CON AT+QLWNOTIFY"

# NON, on the same module: the objects exist already, the registration is
# renewed (its refusals of AT+QLWADDOBJ are fine).
run_tool --trace "$WORK/b.at" send 0A0B C0FFEE
expect_rc 0
expect_stdout "sent 2 bytes (NON)"
expect_stdout "sent 3 bytes (NON)"
grep -qx '> AT+QLWNOTIFY=19,0,0,2,2,"0A0B",0,0' "$WORK/b.at" || fail "no opaque NON notify in the trace"
[ "$(server_hex)" = "$(printf '%s\n' 0117 DEADBEEF 0A0B C0FFEE)" ] ||
    fail "the server did not receive each payload once, in order"
sim_down

# send_through FAULT... : a fresh simulator with FAULT, three CON payloads, all delivered.
send_through() {
    sim_up "${MODEL[@]}" "$@"
    run_tool --json send --con 0117 DEADBEEF CAFE
    expect_rc 0
    exactly_once 0117 DEADBEEF CAFE
}

# The OK of the second notify is lost: its "report_ack" settles it.
send_through --drop-final AT+QLWNOTIFY:2
expect_event '"event":"final_dropped"'
sim_down
# ... or comes a second late.
send_through --drop-final AT+QLWNOTIFY:2 --late-final-ms 1000
sim_down
# The OK of AT+QLWREG is lost: +QLWREG: 0 says it all, nothing waits for it.
send_through --drop-final AT+QLWREG:1
sim_down
# The module restarts while it answers the second notify: objects and
# registration are gone; the session adds them again and the uplink goes.
send_through --reboot-on AT+QLWNOTIFY:2
expect_event '"event":"reboot"'
[ "$(count_events '"event":"object_added","obj":19,"ins":0')" = 2 ] || fail "objects not added again"
sim_down
# The server cancels its observe after the first uplink: registered afresh.
send_through --cancel-observe-after 1
expect_event '"event":"observe_cancelled"'
expect_stdout '"to":"attached","cause":"observe_cancelled"'
sim_down
# +CMEE ERROR: 32 once: the uplink waits and goes again.
send_through --busy 1
expect_event '"reason":"busy"'
sim_down

# A negative "report_ack": the server may have it (no ACK came), so it goes
# again (at-least-once; the library's report flags it a possible duplicate);
# the simulated server lost the first, so it has each payload once.
send_through --con-fail 1
expect_event '"event":"uplink_lost","cmd":"QLWNOTIFY","mode":"CON"'
expect_stdout '"len":2,"attempts":2,"status":"delivered","hex":"0117"}'
sim_down

# The server never observes /19/0/0: nothing is sent, the tool says why.
sim_up "${MODEL[@]}" --never-observe
run_tool -t 3 send 01
expect_rc 5
expect_stderr "never observed /19/0/0"
[ "$(count_events '"event":"uplink"')" = 0 ] || fail "an uplink went before the observe"
sim_down

# listen: a downlink (a server write of /19/1/0) is printed once and
# acknowledged; a read of an undeclared object is printed and answered 4.04.
sim_up "${MODEL[@]}"
# (-t is the listening window: the session answers until the end of it)
start_tool -t 6 listen --register
wait_stdout "ready"
ctl "downlink C0DE"
ctl "server-read 3303/0/5700"
expect_event '"event":"response","kind":"read","msgid":1003,"result":13'
RC=0
wait "$TOOL_PID" || RC=$?
expect_rc 0
expect_stdout "downlink 2 bytes: C0DE"
expect_stdout 'urc +QLWURC: "read",'
expect_event '"event":"response","kind":"write","msgid":1002,"result":2'
expect_event '"event":"response","kind":"read","msgid":1003,"result":13'
echo PASS
