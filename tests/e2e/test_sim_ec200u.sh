# The simulator as an EC200U (--model ec200u): identity, the BC68 commands it
# lacks, the dialect probes, the AT+QLWCFG configuration, a registration with
# its +QLWURC sequence, update and deregistration, the failure switches, a
# firmware without "fota", event lines from stdin, and a restart (RDY) that
# keeps the stored configuration.
# shellcheck source=tests/e2e/sim_lib.sh
. "$(dirname "$0")/sim_lib.sh"

SECURITY='AT+QLWCFG="security",1,1000,"coaps://lwm2m.example.com:5684",0,0,"urn:imei:869339060001965","000102030405060708090a0b0c0d0e0f"'
PDP='+QLWURC: "pdp active","successfully","internet"'
INITIAL='+QLWURC: "initial","successfully",0'

# set_switch SWITCH: a control line, applied before the next command goes
set_switch() {
    ctl "$1"
    expect_event "{\"event\":\"control\",\"text\":\"$1\"}"
}

sim_start --model ec200u --attach-delay-ms 100 --register-delay-ms 200 --boot-ms 100

at "ATI" "Quectel" "EC200U" "Revision: EC200UEUABR03A01M08" "OK"
at "AT+CGMM" "EC200U" "OK"
at "AT+CMEE=1" "OK"
# the BC68's own commands and the other dialects' probes are unknown
at "AT+NCDP?" "ERROR"
at "AT+QLWSREGIND=0" "ERROR"
at "AT+QLWSVC=?" "ERROR"
at "AT+QLWCONFIG=?" "ERROR"
at "AT+QLWSERV=?" "ERROR"
send "AT+QLWCFG=?"
expect '+QLWCFG: "security",(0-3),(1-65535),<server_addr>,(0,1),(0,3),<pskID>,<psk_key>'
expect '+QLWCFG: "server",(0-3),(1-86400),(1-86400),(1-86400),(1-86400),(0,1),("U","UQ","S","SQ","US","UQS")'
expect '+QLWCFG: "epname/mode",(3,6,7)'
for _ in $(seq 8); do next_line || fail "AT+QLWCFG=? list cut short"; done
[ "$LINE" = '+QLWCFG: "apnretry",(0,1),(0-16),(0-86400)' ] || fail "last listed: $LINE"
expect "OK"

# 3GPP spacing
expect_event '"event":"attached"'
at "AT+CEREG=2" "OK"
at "AT+CEREG?" '+CEREG: 2,1,"0216","0153803F",7' "OK"
at "AT+CGATT?" "+CGATT: 1" "OK"

# configuration, as QuecPython's example sends it
at 'AT+QLWCFG="reset"' "OK"
at 'AT+QLWCFG="urc",1' "OK"
at 'AT+QLWCFG="urc"' '+QLWCFG: "urc",1' "OK"
at "$SECURITY" "OK"
at 'AT+QLWCFG="security",1,1000,"coaps://lwm2m.example.com:5684",0,0' "+CME ERROR: 50"
at 'AT+QLWCFG="security",1,1000,"coap://lwm2m.example.com:5683",1,3' "+CME ERROR: 50"
at 'AT+QLWCFG="server",1,60,2,60,86400,1,"U"' "OK"
at 'AT+QLWCFG="server",1,0,2,60,86400,1,"U"' "+CME ERROR: 50"
at 'AT+QLWCFG="server",1,60,2,60,86400,1,"X"' "+CME ERROR: 50"
at 'AT+QLWCFG="epname/mode",3' "OK"
at 'AT+QLWCFG="epname/mode",1' "+CME ERROR: 50"
at 'AT+QLWCFG="fota",0,1' "OK"
at 'AT+QLWCFG="bogus",1' "ERROR"
at "AT+QLWSTAT?" "+QLWSTAT: 0" "OK"

# a registration over DTLS, then update and deregistration
at "AT+QLWREG" "OK" "$PDP" "$INITIAL" '+QLWURC: "dtls","successfully",1000' \
    '+QLWURC: "registering"' '+QLWURC: "ready","successfully",1000'
expect_event '{"event":"registered","ssid":1000}'
at "AT+QLWREG" "ERROR"
at "AT+QLWSTAT?" "+QLWSTAT: 2" "OK"
at "AT+QLWUPDATE=1000" "OK" '+QLWURC: "update","successfully",1000'
at "AT+QLWUPDATE=7" "OK" '+QLWURC: "update","failed",7'
at "AT+QLWDEREG" "OK" '+QLWURC: "deregister",1000,0'
expect_event '{"event":"deregistered"}'
at "AT+QLWSTAT?" "+QLWSTAT: 0" "OK"
at "AT+QLWDEREG" "ERROR"

# the failure switches
set_switch "dtls-fail on"
at "AT+QLWREG" "OK" "$PDP" "$INITIAL" '+QLWURC: "dtls","failed",1000'
expect_event '"stage":"dtls"'
at "AT+QLWSTAT?" "+QLWSTAT: 4" "OK"
set_switch "dtls-fail off"
set_switch "reg-fail on"
at "AT+QLWREG" "OK" "$PDP" "$INITIAL" '+QLWURC: "dtls","successfully",1000' \
    '+QLWURC: "registering"' '+QLWURC: "ready","failed",1000'
expect_event '"stage":"register"'
at "AT+QLWSTAT?" "+QLWSTAT: 4" "OK"
set_switch "reg-fail off"

# a bootstrap server and NoSec
at 'AT+QLWCFG="security",1' "OK"
at 'AT+QLWCFG="security",0,100,"coap://bs.example.com:5683",1,3' "OK"
at "AT+QLWREG" "OK" "$PDP" "$INITIAL" '+QLWURC: "bootstraping"' \
    '+QLWURC: "bootstrap","successfully",100' '+QLWURC: "registering"' \
    '+QLWURC: "ready","successfully",1000'

# any event from stdin, whatever the URC switch
ctl 'qlwurc "apn_changed","iot.example"'
expect '+QLWURC: "apn_changed","iot.example"'
ctl 'qlwurc "secret_changed","dummy"'
expect '+QLWURC: "secret_changed","dummy"'

# no URCs when reporting is off
at 'AT+QLWCFG="urc",0' "OK"
at "AT+QLWDEREG" "OK"
expect_event '{"event":"deregistered"}'
expect_silence 0.3

# firmware without "fota"
set_switch "reject-fota on"
at 'AT+QLWCFG="fota",0,1' "ERROR"
send "AT+QLWCFG=?"
n=0
while next_line && [ "$LINE" != "OK" ]; do
    n=$((n + 1))
    case $LINE in *'"fota"'*) fail "fota still listed" ;; esac
done
[ "$n" = 10 ] || fail "expected 10 sub-options, got $n"

# a restart: RDY and the start-up URCs, the stored configuration kept
ctl "reboot"
expect "RDY" 5
expect "+CFUN: 1"
expect "+CPIN: READY"
expect "+QUSIM: 1"
expect "+QIND: SMS DONE"
at 'AT+QLWCFG="urc"' '+QLWCFG: "urc",0' "OK"
at 'AT+QLWCFG="epname/mode"' '+QLWCFG: "epname/mode",3' "OK"
at "AT+QLWSTAT?" "+QLWSTAT: 0" "OK"
echo PASS
