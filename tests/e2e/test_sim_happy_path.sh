# The simulator's happy path as a driver walks it: radio on, attach, CDP
# server, registration, observe of /19/0/0, one uplink received by the server.
# shellcheck source=tests/e2e/sim_lib.sh
. "$(dirname "$0")/sim_lib.sh"

sim_start --no-autoconnect --attach-delay-ms 100 --register-delay-ms 100 --observe-delay-ms 300

at "AT" "OK"
at "AT+CMEE=1" "OK"
at "AT+CEREG=2;+CSCON=1" "OK" "OK"
at "AT+CFUN?" "+CFUN:0" "OK"
at "AT+CSQ" "+CSQ:99,99" "OK"
at "AT+QLWSREGIND=0" "+CME ERROR: 524"
at "AT+NCDP?" "+CME ERROR: 512"
at "AT+NCDP=198.51.100.1,5683" "OK"
at "AT+NCDP?" "+NCDP:198.51.100.1,5683" "OK"
at "AT+QREGSWT?" "+QREGSWT:0" "OK"
# The BC68 prints the not-registered +CEREG before the OK of CFUN=1.
at "AT+CFUN=1" "+CEREG:0,0000,00000000,9" "OK"
at "AT+CGATT?" "+CGATT:0" "OK"
at "AT+NCDP=198.51.100.2" "+CME ERROR: 3"
at "AT+CGATT=1" "OK" "+CEREG:2,0000,00000000,9" "+CSCON:1" "+CEREG:1,0216,0153803F,9"
at "AT+CGATT?" "+CGATT:1" "OK"
at "AT+CEREG?" "+CEREG:2,1,0216,0153803F,9" "OK"
at "AT+CSQ" "+CSQ:20,99" "OK"
at "AT+NMSTATUS?" "+NMSTATUS:INIITIALISED" "OK"
at "AT+QLWSREGIND=0" "OK" "+QLWEVTIND:0" "+QLWEVTIND:3"
at "AT+NMSTATUS?" "+NMSTATUS:MO_DATA_ENABLED" "OK"
at "AT+QLWULDATA=4,DEADBEEF" "OK"
expect_event '{"event":"registered"}'
expect_event '{"event":"observed"}'
expect_event '{"event":"uplink","n":1,"cmd":"QLWULDATA","mode":"NON","seq":0,"len":4,"hex":"DEADBEEF","t_ms":'
# Lower-case hex is accepted; the server reports it in upper case.
at "AT+NMGS=2, beef" "OK"
expect_event '{"event":"uplink","n":2,"cmd":"NMGS","mode":"NON","seq":0,"len":2,"hex":"BEEF","t_ms":'
at "AT+QLWULDATA=3,AA34B" "+CME ERROR: 50"
at "AT+QLWULDATA=2,AA34BB" "+CME ERROR: 50"
at "AT+CMEE=0" "OK"
at "AT+QLWULDATA=2,AA34BB" "ERROR"
at "AT+NQMGS" "PENDING=0,SENT=2,ERROR=0" "OK"
at "AT+FOO" "ERROR"
[ "$(count_events '"event":"uplink",')" = 2 ] || fail "expected exactly 2 uplinks"
echo PASS
