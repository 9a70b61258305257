# --script: the simulator plays a transcript as the modem. Fixture 02 (the
# 2018 BC68 walkthrough) replayed against a host that sends exactly its
# commands; then a host that deviates; then a synthetic script with a delay
# and exact bytes.
# shellcheck source=tests/e2e/sim_lib.sh
. "$(dirname "$0")/sim_lib.sh"

FIXTURE="$TESTS_DIR/transcripts/02-bc68-lwm2m-register-uplink-error-reregister.at"

sim_start --script "$FIXTURE"
at "AT+QLWSREGIND=0" "OK" "+CSCON:1" "+QLWEVTIND:0"
at "AT+QLWULDATA=4,DEADBEEF" "ERROR" "+CSCON:1" "+QLWEVTIND:0" "+QLWEVTIND:3"
at "AT+QLWULDATA=3,AA34BB" "OK" "+CSCON:1"
sim_wait_exit 5
[ "$SIM_RC" = 0 ] || fail "exit status $SIM_RC after a faithful replay"
expect_event '{"event":"script_done","mismatches":0}'
host_close

# A host that sends something else: reported, replay goes on, exit status 1.
sim_start --script "$FIXTURE"
at "AT+QLWSREGIND=0" "OK" "+CSCON:1" "+QLWEVTIND:0"
at "AT+QLWULDATA=4,DEADBEEE" "ERROR" "+CSCON:1" "+QLWEVTIND:0" "+QLWEVTIND:3"
at "AT+QLWULDATA=3,AA34BB" "OK" "+CSCON:1"
sim_wait_exit 5
[ "$SIM_RC" = 1 ] || fail "exit status $SIM_RC after a deviating host"
expect_event '{"event":"script_mismatch","line":19,"expected":"AT+QLWULDATA=4,DEADBEEF","got":"AT+QLWULDATA=4,DEADBEEE"}'
host_close

# Modem lines before the first '>' come at once; '@ +MS' delays; '<~' is sent exactly.
cat >"$WORK/synthetic.at" <<'AT'
# synthetic: checks the player's timing and exact-bytes steps
< Neul 
< OK
> AT+CGMR
< +CME ERROR: 50
> AT
@ +1000
<~ \r\nOK\r\n\x01
AT
sim_start --script "$WORK/synthetic.at"
expect "Neul "
expect "OK"
at "AT+CGMR" "+CME ERROR: 50"
send "AT"
expect_silence 0.3
expect "OK" 2
timeout 2 head -c 1 <&5 | od -An -tx1 | grep -q 01 || fail "exact byte 0x01 not received"
sim_wait_exit 5
[ "$SIM_RC" = 0 ] || fail "exit status $SIM_RC at the end of the synthetic script"
echo PASS
