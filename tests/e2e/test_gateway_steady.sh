# qlwm2m-gateway, the steady path: three modules behind one gateway and a
# real broker, CON and NON readings, a downlink, the retained state and
# status, options from a config file, and SIGTERM.
# shellcheck source=tests/e2e/gw_lib.sh
. "$(dirname "$0")/gw_lib.sh"

broker_start
results_start
sim_up m1 --downlink C0FFEE
sim_up m2
sim_up m3
# The config file gives the modules; the command line the rest.
cat >"$WORK/gateway.conf" <<CONF
# qlwm2m-gateway options
topic-prefix = $PREFIX
modem = m1=$WORK/m1.tty
modem = m2=$WORK/m2.tty
[gateway]
modem = m3=$WORK/m3.tty
delivery = at-least-once
CONF
GW_OPTS="--config $WORK/gateway.conf --json"
gw_start
wait_for 30 grep -q "^$PREFIX/gateway/$CLIENT_ID/status online" "$WORK/results" ||
    fail "no online status"
# --json: every log line is a JSON object.
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$WORK/gw.1.err" ||
    fail "--json logs are not JSON lines"

# shellcheck disable=SC2046 # one word per reading
publish m1 con $(readings m1 1 20)
# shellcheck disable=SC2046
publish m2 non $(readings m2 1 20)
# shellcheck disable=SC2046
publish m3 con $(readings m3 1 10)
# shellcheck disable=SC2046
publish m3 non $(readings m3 11 20)
wait_results 60
account
grep -q '"result":"delivered"' "$WORK/results" || fail "no delivered result"
grep -q '"result":"sent"' "$WORK/results" || fail "no sent result"
# The module's downlink reaches P/m1/down as raw bytes.
grep -q "^$PREFIX/m1/down $(printf '\xc0\xff\xee')" "$WORK/results" || fail "no downlink on $PREFIX/m1/down"

# The retained state, as a newcomer reads it.
state=$(mosquitto_sub -p "$BROKER_PORT" -t "$PREFIX/m2/state" -C 1 -W 10)
case $state in *'"state":"ready"'*'"port":"open"'*) ;; *) fail "m2 state: $state" ;; esac

gw_term
grep -q '"msg":"stopped"' "$WORK/gw.1.err" || fail "no clean stop in the log"
status=$(mosquitto_sub -p "$BROKER_PORT" -t "$PREFIX/gateway/$CLIENT_ID/status" -C 1 -W 10)
[ "$status" = offline ] || fail "status after SIGTERM: $status"

# Usage errors exit 2 and say what is missing.
rc=0
"$GW" --broker 127.0.0.1:1 --state "$WORK/s2" --modem x=/dev/null 2>"$WORK/usage.err" || rc=$?
[ "$rc" = 2 ] || fail "missing --client-id: exit $rc"
grep -q -- "--client-id ID is required" "$WORK/usage.err" || fail "usage message"
"$GW" --help | grep -q "P/NAME/up/result" || fail "--help"
echo PASS
