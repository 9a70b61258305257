# shellcheck shell=bash disable=SC2119 # helpers with optional arguments are called without
# The qlwm2m tool against the simulator's uplink faults: a reboot in the
# middle of an uplink, a cancelled observe, a busy module, a lost CON. Each
# time, every payload must reach the server exactly once, in order, CON
# retries keep their sequence number, and the tool reports each one done once.
# shellcheck source=tests/e2e/tool_lib.sh
. "$(dirname "$0")/tool_lib.sh"

# send_through FAULT... : a fresh simulator with FAULT, three CON payloads, all delivered.
send_through() {
    sim_up "$@"
    run_tool --json send --con 0117 DEADBEEF CAFE
    expect_rc 0
    exactly_once 0117 DEADBEEF CAFE
    con_retries_keep_seq
}

# The module reboots while it answers the first uplink: the uplink stays
# queued and goes again once the session is ready again.
send_through --reboot-on AT+QLWULDATA:1
expect_event '"event":"reboot","cause":"REBOOT_CAUSE_SECURITY_WATCHDOG"'
expect_stdout '"event":"reboot","cause":"SECURITY_WATCHDOG"}'
sim_down

# The same with NON payloads: no duplicate, no loss.
sim_up --reboot-on AT+QLWULDATA:2
run_tool --json send 01 02 03
expect_rc 0
exactly_once 01 02 03
sim_down

# The server withdraws its observation after the first uplink.
send_through --cancel-observe-after 1
expect_event '"event":"observe_cancelled"'
expect_stdout '"to":"attached","cause":"observe_cancelled"'
sim_down

# +CME ERROR: 159 twice: the uplink waits and goes again.
send_through --busy 2
[ "$(count_events '"reason":"busy"')" = 2 ] || fail "expected two busy refusals"
sim_down

# The first CON is lost (+QLWULDATASTATUS:3): resent with the same seq, flagged
# (status 3 leaves open whether the server got it).
send_through --con-fail 1
expect_event '"event":"uplink_lost","cmd":"QLWULDATAEX","seq":1,"len":2,"hex":"0117"'
grep -qF '"hex":"0117"' "$WORK/stdout" || tool_failed "no report for 0117"
expect_stdout '"result":"ok","outcome":"delivered","possible_duplicate":true,"mode":"con","seq":1,"len":2,"attempts":2,"status":"delivered","hex":"0117"}'
sim_down

# Human output of a reboot mid-uplink, lines checked.
sim_up --reboot-on AT+QLWULDATA:1
run_tool send 0A
expect_rc 0
expect_steps "attached (cell 0153803F, stat registered_home)" \
    "registering ..." \
    "registered" \
    "waiting for the server to observe /19/0/0 ..." \
    "ready" \
    "module rebooted (SECURITY_WATCHDOG)" \
    "attaching to the network ..." \
    "attached (cell 0153803F, stat registered_home)" \
    "registering ..." \
    "registered" \
    "waiting for the server to observe /19/0/0 ..." \
    "ready" \
    "sent 1 bytes (NON)"
[ "$(server_hex)" = 0A ] || fail "0A not received exactly once"
echo PASS
