# qlwm2m-gateway over misbehaving modules: a busy module (+CME ERROR: 159),
# a reboot in the middle of an uplink, a cancelled observe. Every reading
# gets one true result; the other modules are not held up.
# shellcheck source=tests/e2e/gw_lib.sh
. "$(dirname "$0")/gw_lib.sh"

broker_start
results_start
sim_up busy --busy 3
sim_up reboot --reboot-on AT+QLWULDATAEX:3 --boot-ms 200
sim_up cancel --cancel-observe-after 4
gw_start busy reboot cancel
# shellcheck disable=SC2046 # one word per reading
publish busy con $(readings busy 1 10)
# shellcheck disable=SC2046
publish reboot con $(readings reboot 1 10)
# shellcheck disable=SC2046
publish cancel con $(readings cancel 1 6)
# shellcheck disable=SC2046
publish cancel non $(readings cancel 7 10)
wait_results 30 120
account
grep -q '"event":"reboot"' "$WORK"/reboot.out.* || fail "the module did not reboot"
grep -q '"event":"observe_cancelled"' "$WORK"/cancel.out.* || fail "the observe was not cancelled"
# The reboot shows in the module's retained state.
wait_for 20 eval "grep -a '^$PREFIX/reboot/state' \"\$WORK/results\" | tail -n 1 | grep -q '\"reboots\":[1-9]'" ||
    fail "no reboot counted in the state"
gw_term
echo PASS
