# qlwm2m-gateway killed with SIGKILL: mid-stream, in each narrow window
# (a reading stored but its PUBACK not written; a reading marked handed; a
# result recorded but not published; a reading queued into its session
# before its handed mark is committed: nothing may reach the module then), and while a CON waits for its
# acknowledgement; readings published while it is down. After each restart
# with the same --state and --client-id: every reading has its result,
# none is lost, a reading the server got twice is flagged.
# shellcheck source=tests/e2e/gw_lib.sh
. "$(dirname "$0")/gw_lib.sh"

broker_start
results_start
sim_up m1
sim_up m2
n1=0
n2=0
more() { # more COUNT: COUNT more readings on each module
    # shellcheck disable=SC2046 # one word per reading
    publish m1 con $(readings m1 $((n1 + 1)) $((n1 + $1)))
    # shellcheck disable=SC2046
    publish m2 non $(readings m2 $((n2 + 1)) $((n2 + $1)))
    n1=$((n1 + $1))
    n2=$((n2 + $1))
}

# The first run creates the broker session (its subscriptions).
gw_start m1 m2
more 5
wait_results 10

# 1. Mid-stream: killed while readings flow.
more 20
wait_for 60 eval '[ "$(results_count)" -ge 15 ]' || fail "no progress before the kill"
gw_kill9
# 2. Published while the gateway is down: the broker keeps them for it.
more 5
gw_start m1 m2
wait_results $((n1 + n2))
account
gw_kill9

# 3. The narrow windows, one restart each.
for point in stored:3 handed:2 resolved:2 fed:3; do
    QLWM2M_GATEWAY_CRASH=$point gw_start m1 m2
    more 4
    wait_for 60 gw_gone || fail "the test hook $point did not fire"
    gw_kill9
    grep -q "test hook: killing myself at '${point%:*}'" "$WORK/gw.$GW_RUNS.err" ||
        fail "the gateway did not stop at $point"
    gw_start m1 m2
    wait_results $((n1 + n2))
    if [ "$point" = stored:3 ]; then
        # The broker sent the unacknowledged message again: recognised, one reading.
        grep -q "is a redelivery of reading" "$WORK/gw.$GW_RUNS.err" ||
            fail "the redelivery after the crash was not recognised"
    fi
    gw_kill9
done
account

# 4. Killed while a CON is on the air, its acknowledgement pending: after the
# restart it goes again, and its result says possible_duplicate.
sim_kill m1
sim_up m1 --ack-delay-ms 4000
gw_start m1 m2
publish m1 con slow-1
wait_for 60 eval '[ "$(server_count m1 736C6F772D31)" -ge 1 ]' || fail "slow-1 never reached the server"
gw_kill9
gw_start m1 m2
wait_results $((n1 + n2 + 1)) 90
grep '"hex":"736C6F772D31"' "$WORK/results" | grep -q '"possible_duplicate":true' ||
    fail "slow-1 went twice without the flag"
gw_term
account

# 5. The same under --delivery at-most-once: never sent again, reported unknown.
GW_OPTS="--delivery at-most-once" gw_start m1 m2
publish m1 con slow-2
wait_for 60 eval '[ "$(server_count m1 736C6F772D32)" -ge 1 ]' || fail "slow-2 never reached the server"
gw_kill9
GW_OPTS="--delivery at-most-once" gw_start m1 m2
wait_results $((n1 + n2 + 2)) 90
grep -a '"hex":"736C6F772D32"' "$WORK/results" | grep -q '"result":"unknown"' ||
    fail "slow-2 was not reported unknown under at-most-once"
gw_term
[ "$(server_count m1 736C6F772D32)" = 1 ] || fail "slow-2 was sent again under at-most-once"
account
echo PASS
