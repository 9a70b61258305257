# CON uplinks: +QLWULDATASTATUS:4,<seq> after the ACK, one CON at a time
# (+CME ERROR: 159), the busy and con-fail faults.
# shellcheck source=tests/e2e/sim_lib.sh
. "$(dirname "$0")/sim_lib.sh"

sim_start --ncdp 198.51.100.1 --regswt 1 --attach-delay-ms 100 --register-delay-ms 100 \
    --observe-delay-ms 200 --ack-delay-ms 400
# QREGSWT=1: registration starts by itself after the attach.
expect "+QLWEVTIND:0"
expect "+QLWEVTIND:3"

at "AT+CMEE=1" "OK"
at "AT+QLWULDATASTATUS?" "+QLWULDATASTATUS:0" "OK"
at "AT+QLWULDATAEX=4,DEADBEEF,0x0100,7" "OK"
at "AT+QLWULDATASTATUS?" "+QLWULDATASTATUS:1,7" "OK"
at "AT+QLWULDATAEX=2,CAFE,0x0100,8" "+CME ERROR: 159"
expect "+QLWULDATASTATUS:4,7"
at "AT+QLWULDATASTATUS?" "+QLWULDATASTATUS:4,7" "OK"
expect_event '{"event":"uplink","n":1,"cmd":"QLWULDATAEX","mode":"CON","seq":7,"len":4,"hex":"DEADBEEF","t_ms":'
expect_event '{"event":"rejected","cmd":"QLWULDATAEX","reason":"con pending"'

ctl "busy 2"
expect_event '{"event":"control","text":"busy 2"}'
at "AT+QLWULDATAEX=2,CAFE,0X0000" "+CME ERROR: 159"
at "AT+QLWULDATA=2,CAFE" "+CME ERROR: 159"
at "AT+QLWULDATAEX=2,CAFE,0X0000" "OK"
expect_event '{"event":"uplink","n":2,"cmd":"QLWULDATAEX","mode":"NON","seq":0,"len":2,"hex":"CAFE","t_ms":'
[ "$(count_events '"reason":"busy"')" = 2 ] || fail "expected two busy rejections"

ctl "con-fail 1"
expect_event '{"event":"control","text":"con-fail 1"}'
at "AT+QLWULDATAEX=1,01,0x0101,9" "OK" "+QLWULDATASTATUS:3,9"
expect_event '{"event":"uplink_lost","cmd":"QLWULDATAEX","seq":9'
at "AT+QLWULDATAEX=1,02,0x0101,10" "OK" "+QLWULDATASTATUS:4,10"
at "AT+QLWULDATAEX=1,02,0x0200,11" "+CME ERROR: 50"
at "AT+QLWULDATAEX=1,02,0100,11" "+CME ERROR: 50"
at "AT+NQMGS" "PENDING=0,SENT=4,ERROR=1" "OK"
echo PASS
