# shellcheck shell=bash disable=SC2119 # helpers with optional arguments are called without
# examples/temperature_3303 (an IPSO Temperature sensor, object 3303) on a
# simulated BC66: the program adds /3303/0 before registering; the virtual
# server reads a value and the whole instance, writes the units (and repeats
# the write: answered again, applied once), executes Reset Min and Max, reads
# an object nobody declared (4.04), observes 5700 and gets notifies.
# shellcheck source=tests/e2e/tool_lib.sh
. "$(dirname "$0")/tool_lib.sh"

sim_up --model bc66
RC=0
timeout "$RUN_TIMEOUT" "${WRAP[@]}" "$BIN_DIR/temperature_3303" "$PTY" 6 >"$WORK/stdout" 2>"$WORK/stderr" &
PID=$!
wait_stdout "ready"
expect_event '"event":"object_added","obj":3303,"ins":0,"resources":5'
ctl "server-read 3303/0/5700"
expect_event '"kind":"read","msgid":1002,"result":1,"path":"/3303/0/5700","type":4'
ctl "server-read 3303/0"
expect_event '"path":"/3303/0/5701","type":1,"len":3,"index":0,"value":"Cel"'
ctl "server-write 3303/0/5701 1 Far"
expect_event '"kind":"write","msgid":1004,"result":2'
ctl "server-repeat"
expect_event '"event":"request_repeated"'
ctl "server-execute 3303/0/5605"
expect_event '"kind":"execute","msgid":1005,"result":2'
ctl "server-read 3311/0/5850"
expect_event '"kind":"read","msgid":1006,"result":13'
ctl "server-observe 3303/0/5700"
expect_event '"kind":"observe","msgid":1007,"result":1,"path":"/3303/0/5700"'
expect_event '"event":"notify","path":"/3303/0/5700","type":4'
wait "$PID" || RC=$?
expect_rc 0
expect_stdout "units set to Far"
[ "$(grep -c "units set to" "$WORK/stdout")" = 1 ] || tool_failed "the repeated write was applied twice"
expect_stdout "server write /3303/0/5701: answered 2 (again)"
expect_stdout "min and max reset"
expect_stdout "server read /3311/0/5850: answered 13"
[ "$(grep -cF '"kind":"write","msgid":1004,"result":2' "$WORK/out")" = 2 ] ||
    fail "the repeated write was not answered again"
grep -qE '"event":"response","kind":"read","msgid":1003,"result":1,"path":"/3303/0/5700",.*"index":3' "$WORK/out" ||
    fail "the whole instance did not start with index 3"
echo PASS
