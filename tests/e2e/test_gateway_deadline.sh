# qlwm2m-gateway with --deadline: readings for a module that never becomes
# ready are reported expired and never reach the server (the one handed to
# the session expires there, the others while they wait in the outbox),
# while a healthy module behind the same gateway delivers within its
# deadline. Also: a module whose port does not exist yet when the gateway
# starts is opened once it appears, and the retained state carries the
# session's counters and the signal (AT+CSQ).
# shellcheck source=tests/e2e/gw_lib.sh
. "$(dirname "$0")/gw_lib.sh"

broker_start
results_start
sim_up stuck --never-observe
sim_up ok
GW_OPTS="--deadline 3 --signal-poll 1"
gw_start stuck ok late
wait_for 20 grep -q "late: .*trying again with a back-off" "$WORK/gw.1.err" ||
    fail "the missing port was not reported"

# shellcheck disable=SC2046 # one word per reading
publish stuck con $(readings stuck 1 4)
# shellcheck disable=SC2046
publish ok con $(readings ok 1 5)
wait_results 9 120
account
[ "$(grep -a '"modem":"stuck"' "$WORK/results" | grep -c '"result":"expired"')" -ge 4 ] ||
    fail "the stuck module's readings were not all reported expired"
grep -a '"modem":"ok"' "$WORK/results" | grep -q '"result":"delivered"' ||
    fail "the healthy module delivered nothing"
# The counters in the retained state count the expired readings.
wait_for 30 eval "grep -a '^$PREFIX/stuck/state' \"\$WORK/results\" | tail -n 1 | grep -q '\"expired\":4'" ||
    fail "stuck's state does not count 4 expired readings"
# The signal of the healthy module, from the session's AT+CSQ (the simulator answers 20: -73 dBm).
wait_for 30 eval "grep -a '^$PREFIX/ok/state' \"\$WORK/results\" | tail -n 1 | grep -q '\"signal\":{\"rssi_dbm\":-73'" ||
    fail "ok's state has no signal"

# The missing module appears: the gateway opens it and it delivers.
sim_up late
wait_for 60 grep -q "late: port .* is back" "$WORK/gw.1.err" || fail "the late port was not opened"
# shellcheck disable=SC2046
publish late non $(readings late 1 3)
wait_results 12 120
account
grep -a '"modem":"late"' "$WORK/results" | grep -q '"result":"sent"' || fail "late sent nothing"
gw_term
echo PASS
