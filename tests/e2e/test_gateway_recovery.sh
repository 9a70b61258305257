# qlwm2m-gateway when parts go away: a module's port disappears mid-stream
# and comes back at the same path (the others go on meanwhile), then the
# broker restarts mid-stream. Every reading is accounted for.
# shellcheck source=tests/e2e/gw_lib.sh
. "$(dirname "$0")/gw_lib.sh"

broker_start
results_start
sim_up m1
sim_up m2 --ack-delay-ms 1000
sim_up m3
gw_start m1 m2 m3

# 1. m2's port goes away while it has readings queued.
# shellcheck disable=SC2046 # one word per reading
publish m2 con $(readings m2 1 10)
wait_for 60 eval '[ "$(results_count)" -ge 2 ]' || fail "m2 made no progress"
[ "$(results_count)" -lt 10 ] || fail "m2 finished before its port went away"
sim_kill m2
wait_for 30 grep -q "m2: port .* lost" "$WORK/gw.1.err" || fail "the lost port was not noticed"
# The others are not held up while m2 is away.
# shellcheck disable=SC2046
publish m1 con $(readings m1 1 5)
# shellcheck disable=SC2046
publish m3 non $(readings m3 1 5)
wait_for 60 eval '[ "$(grep -ac "\"modem\":\"m[13]\"" "$WORK/results")" -ge 10 ]' ||
    fail "m1 and m3 were held up by m2"
wait_for 20 eval "grep -a '^$PREFIX/m2/state' \"\$WORK/results\" | tail -n 1 | grep -q '\"port\":\"lost\"'" ||
    fail "m2's state does not say its port is lost"
# The module comes back at the same path: m2 resumes by itself.
sim_up m2
wait_for 60 grep -q "m2: port .* is back" "$WORK/gw.1.err" || fail "the port's return was not logged"
wait_results 20 120
account

# 2. The broker restarts mid-stream (it keeps its sessions on disk).
# shellcheck disable=SC2046
publish m1 con $(readings m1 6 25)
wait_for 60 eval '[ "$(results_count)" -ge 22 ]' || fail "no progress before the broker restart"
broker_stop
sleep 1
broker_start
# shellcheck disable=SC2046
publish m3 con $(readings m3 6 10)
wait_results 45 120
account
grep -q "connected to .*the broker kept our session" "$WORK/gw.1.err" || fail "no reconnection"

# 3. SIGTERM with a CON on the air and more queued: the one on the air is
# followed to its result, the rest stays in the outbox for the next run.
sim_kill m3
sim_up m3 --ack-delay-ms 1500
wait_for 60 eval "grep -a '^$PREFIX/m3/state' \"\$WORK/results\" | tail -n 1 | grep -q '\"state\":\"ready\"'" ||
    fail "m3 not ready again"
# shellcheck disable=SC2046
publish m3 con $(readings m3 11 15)
wait_for 30 eval '[ "$(server_count m3 6D332D30303131)" -ge 1 ]' || fail "m3-0011 never went out"
gw_term
grep -q '"hex":"6D332D30303131","result":"delivered"' "$WORK/results" ||
    fail "the uplink on the air at SIGTERM was not followed to its result"
[ "$(server_count m3 6D332D30303135)" = 0 ] || fail "a queued reading went out after SIGTERM"
gw_start m1 m2 m3
wait_results 50 120
gw_term
account
echo PASS
