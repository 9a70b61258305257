# An uplink sent after +QLWEVTIND:0 but before +QLWEVTIND:3 fails with a plain
# ERROR (even with CMEE=1) and the module registers again by itself, as in the
# 2018 BC68 walkthrough (fixture 02). The server must not have received it.
# shellcheck source=tests/e2e/sim_lib.sh
. "$(dirname "$0")/sim_lib.sh"

sim_start --ncdp 198.51.100.1 --attach-delay-ms 100 --register-delay-ms 100 \
    --observe-delay-ms 800
expect_event '{"event":"attached"}'

at "AT+CMEE=1" "OK"
at "AT+QLWSREGIND=0" "OK" "+QLWEVTIND:0"
at "AT+QLWULDATA=4,DEADBEEF" "ERROR" "+QLWEVTIND:0" "+QLWEVTIND:3"
expect_event '{"event":"rejected","cmd":"QLWULDATA","reason":"not observed","len":4,"hex":"DEADBEEF","t_ms":'
[ "$(count_events '{"event":"registered"}')" = 2 ] || fail "expected two registrations"
[ "$(count_events '"event":"uplink"')" = 0 ] || fail "the rejected uplink was received"
at "AT+QLWULDATA=3,AA34BB" "OK"
expect_event '{"event":"uplink","n":1,"cmd":"QLWULDATA","mode":"NON","seq":0,"len":3,"hex":"AA34BB","t_ms":'

# Before any registration at all, the send also triggers one.
at "AT+QLWSREGIND=1" "OK" "+QLWEVTIND:1"
at "AT+NMGS=1,00" "ERROR" "+QLWEVTIND:0" "+QLWEVTIND:3"
expect_event '{"event":"rejected","cmd":"NMGS","reason":"not observed"'
echo PASS
