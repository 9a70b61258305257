# shellcheck shell=bash disable=SC2119 # helpers with optional arguments are called without
# The qlwm2m tool against a noisy or unhelpful module and network: URC floods,
# garbage bytes, echo on, a server that never observes, a network that
# denies the attach, a module that does not answer, and Ctrl-C.
# shellcheck source=tests/e2e/tool_lib.sh
. "$(dirname "$0")/tool_lib.sh"

for fault in "--flood 200" "--garbage" "--echo"; do
    # shellcheck disable=SC2086 # the fault switch and its value are two words
    sim_up $fault
    run_tool --json send --con 0117 DEADBEEF
    expect_rc 0
    exactly_once 0117 DEADBEEF
    con_retries_keep_seq
    run_tool --json send AA55
    expect_rc 0
    [ "$(server_hex | tail -n 1)" = AA55 ] || fail "AA55 not received last ($fault)"
    [ "$(count_events '"event":"uplink",')" = 3 ] || fail "expected 3 uplinks ($fault)"
    sim_down
done

# The server never observes /19/0/0: exit 5, nothing sent, a message that helps.
sim_up --never-observe
run_tool -t 3 send 0117
expect_rc 5
expect_stderr "error: the server never observed /19/0/0 within 3 s (is the IMEI provisioned on the server?)"
expect_stdout "not sent: 2 bytes (NON)"
[ "$(count_events '"event":"uplink",')" = 0 ] || fail "an uplink went out before the observe"
sim_down

# The network denies the attach: exit 1 at once, saying so.
sim_up --deny
run_tool -t 20 send 0117
expect_rc 1
expect_stderr "denied"
run_tool -t 20 attach
expect_rc 1
expect_stderr "error: the network denied registration"
sim_down

# The module stops answering (its first three final results never come):
# exit 3, naming the port.
sim_up --drop-final AT:1 --drop-final AT:2 --drop-final AT:3
run_tool -t 20 info
expect_rc 3
expect_stderr "error: reading the module's identity: the module did not answer in time"
sim_down
# A lost answer is retried (twice per command), so only a module that stays
# silent makes the session give up: the simulator stopped, its port open.
sim_up
kill -STOP "$SIM_PID"
run_tool -t 30 register
kill -CONT "$SIM_PID"
expect_rc 3
expect_stderr "error: the module does not answer on $PTY"
sim_down

# Ctrl-C while waiting for the observe: queued payloads reported not sent, exit 130.
sim_up --never-observe
start_tool send 01 02
wait_stdout 'waiting for the server to observe'
stop_tool INT
expect_rc 130
[ "$(steps | grep -c '^not sent: 1 bytes (NON)$')" = 2 ] || tool_failed "expected two 'not sent' lines"
expect_stderr "interrupted: 2 of 2 payloads not sent"
[ "$(count_events '"event":"uplink",')" = 0 ] || fail "an uplink went out after Ctrl-C"
sim_down

# SIGTERM while a CON waits for its acknowledgement: the one that went out is
# said to have gone (fate unknown), the next is not sent; the server has the first once.
sim_up --ack-delay-ms 5000
start_tool send --con 0117 DEADBEEF
expect_event '"event":"uplink",'
stop_tool TERM
expect_rc 130
expect_stdout "unknown: 2 bytes (CON seq 1) went to the module; its fate was not awaited"
expect_stdout "not sent: 4 bytes (CON seq 2)"
[ "$(server_hex)" = 0117 ] || fail "the server did not get 0117 exactly once"
sim_down

# Time runs out after READY, while a CON waits for its acknowledgement: exit 3.
sim_up --ack-delay-ms 5000
run_tool -t 2 send --con 0117
expect_rc 3
expect_stdout "unknown: 2 bytes (CON seq 1) went to the module; its fate was not awaited"
expect_stderr "error: timed out after 2 s: 1 of 1 payloads did not go"
sim_down

# Ctrl-C ends listen too.
sim_up
start_tool listen
wait_stdout attached
stop_tool INT
expect_rc 130
echo PASS
