# shellcheck shell=bash
# The qlwm2m tool against the simulator's EC200U personality (AT+QLWCFG /
# +QLWURC): configuration calls with their three outcomes, registration
# through the session, update, state, and the PSK key kept out of a trace.
# shellcheck source=tests/e2e/tool_lib.sh
. "$(dirname "$0")/tool_lib.sh"

sim_launch "${FAST[@]}" --model ec200u --reject-fota
host_close || true

run_tool lwm2m-config reset
expect_rc 0
run_tool lwm2m-config urc on
expect_rc 0
run_tool --trace "$WORK/cfg.at" lwm2m-config security 1 1000 coaps://198.51.100.1:5684 0 0 \
    urn:imei:869339060001965 30313233343536373839
expect_rc 0
grep -q 'AT+QLWCFG="security"' "$WORK/cfg.at" || fail "trace lacks the security command"
if grep -qi '30313233343536373839' "$WORK/cfg.at"; then fail "the PSK key reached the trace"; fi
run_tool lwm2m-config server 1 60 2 60 86400 1 U
expect_rc 0
run_tool lwm2m-config epname 3
expect_rc 0
# a firmware without the sub-option: "not supported", distinct from a failure
run_tool lwm2m-config fota 0 1
expect_rc 1
expect_stderr "fota: not supported by this firmware"
# bad input is refused before anything is sent
run_tool lwm2m-config server 1 0 2 60 86400 1 U
expect_rc 2
run_tool lwm2m-config security 0 100 'coap://a";AT+QLWREG' 1 3
expect_rc 2

run_tool -t 30 register
expect_rc 0
expect_stdout "registered"
run_tool state
expect_rc 0
expect_stdout "2 registered"
run_tool update 1000
expect_rc 0
run_tool -t 20 deregister
expect_rc 0
echo "ok: lte tool"
