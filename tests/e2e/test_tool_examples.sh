# shellcheck shell=bash disable=SC2119 # helpers with optional arguments are called without
# The examples against simulators: uplink (one modem, the server set by the
# program, so the module reboots once) and event_loop (two modems, one of them
# busy at first, driven through one multi handle; then three with poll()).
# shellcheck source=tests/e2e/tool_lib.sh
. "$(dirname "$0")/tool_lib.sh"

# A module that has never been given a server: uplink sets it (a reboot), attaches, registers, sends.
sim_launch "${FAST[@]}"
run_cmd "$BIN_DIR/uplink" "$PTY" "$SERVER"
expect_rc 0
expect_stdout "delivered 2 bytes (seq 1, 1 attempt)"
expect_event '"event":"reboot","cause":"REBOOT_CAUSE_APPLICATION_AT"'
[ "$(server_hex)" = 0117 ] || fail "the server did not get 0117 exactly once"
run_cmd "$BIN_DIR/uplink" "$PTY"
expect_rc 2
sim_down

extra_sim A --ncdp "$SERVER"
extra_sim B --ncdp "$SERVER" --busy 1 --con-fail 1
# shellcheck disable=SC2153 # A and B are set by extra_sim
run_cmd "$BIN_DIR/event_loop" "$SERVER" "$A" "$B"
expect_rc 0
expect_stdout "$A: 3 of 3 readings delivered"
expect_stdout "$B: 3 of 3 readings delivered"
[ "$(server_hex_of "$WORK/A.out")" = "$(printf '%s\n' 010000 010001 010002)" ] ||
    fail "modem A: the server did not get each reading once, in order"
[ "$(server_hex_of "$WORK/B.out")" = "$(printf '%s\n' 010100 010101 010102)" ] ||
    fail "modem B: the server did not get each reading once, in order"

# The same with poll() instead of epoll, three modems, one of them reached
# through a stable name.
extra_sim C --ncdp "$SERVER" --link "$WORK/modem-c"
extra_sim D --ncdp "$SERVER" --busy 2
extra_sim E --ncdp "$SERVER" --con-fail 1
run_cmd "$BIN_DIR/event_loop" --poll "$SERVER" "$WORK/modem-c" "$D" "$E"
expect_rc 0
for m in C D E; do
    [ "$(server_hex_of "$WORK/$m.out" | wc -l)" = 3 ] || fail "modem $m: not three readings"
done
expect_stdout "$WORK/modem-c: 3 of 3 readings delivered (port lost 0 times, reboots 0)"
echo PASS
