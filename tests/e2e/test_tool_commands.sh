# shellcheck shell=bash disable=SC2119 # helpers with optional arguments are called without
# The qlwm2m tool's other commands against the simulator: info, cdp, at,
# ping, attach, register, deregister, reboot, listen; and argument checks.
# shellcheck source=tests/e2e/tool_lib.sh
. "$(dirname "$0")/tool_lib.sh"

# ---- arguments are refused before the port is touched (exit 2), --help works
PTY=/dev/null
for bad in "send 0G|payload 1 '0G': 'G' is not a hex digit" \
    "send ABC|payload 1 'ABC': odd number of hex digits" \
    "send 01 $(printf '%01026d' 0)|payload 2: 513 bytes, the module takes at most 512" \
    "send --con|no payload" \
    "send --bogus 01|unknown option for send: --bogus" \
    "cdp 1.2.3|HOST[:PORT] '1.2.3': not a dotted IPv4 address" \
    "cdp 198.51.100.1:70000|HOST[:PORT] port 70000: out of range 1..65535" \
    "attach --apn a;b|--apn 'a;b': 1 to 62 letters" \
    "attach --band x|--band 'x': not a number" \
    "ping example.com|HOST 'example.com': not a dotted IPv4 address" \
    "at CGMM|does not start with AT" \
    "listen --count 0|--count 0: out of range" \
    "frobnicate|unknown command 'frobnicate'"; do
    IFS='|' read -r args msg <<<"$bad"
    # shellcheck disable=SC2086 # the arguments are meant to be split
    run_tool $args
    expect_rc 2
    expect_stderr "$msg"
done
run_cmd "$TOOL" -t 0 info
expect_rc 2
expect_stderr "timeout (-t) 0: out of range"
run_cmd "$TOOL" -b 1234 -p /dev/null info
expect_rc 2
run_cmd env -u QLWM2M_PORT "$TOOL" info
expect_rc 2
expect_stderr "no port: give -p PORT"
run_cmd "$TOOL" -p /dev/ttyQLW9 info
expect_rc 4
expect_stderr "error: cannot open /dev/ttyQLW9: no such port"
run_cmd "$TOOL" -p /dev/null info
expect_rc 4
expect_stderr "/dev/null is not a serial port"
run_cmd "$TOOL" --help
expect_rc 0
expect_stdout "send [--con|--non] [--release] HEX..."
run_cmd "$TOOL" send --help
expect_rc 0
expect_stdout "usage: qlwm2m [GLOBAL OPTIONS] send [--con|--non] [--release] HEX..."

# ---- one-shot queries
sim_up --unreachable 203.0.113.9

run_tool info
expect_rc 0
expect_stdout "module    BC68JA-02-STD"
expect_stdout "firmware  BC68JAR01A10"
expect_stdout "IMEI      869252030012345"
expect_stdout "IMSI      001010123456789"
expect_stdout "ICCID     89001012345678901234"
expect_stdout "network   registered_home"
expect_stdout "CDP       198.51.100.1:5683"
QLWM2M_PORT=$PTY run_cmd "$TOOL" --json info
expect_rc 0
expect_stdout '"event":"info","module":"BC68JA-02-STD","firmware":"BC68JAR01A10","imei":"869252030012345"'

run_tool at AT+CGMM
expect_rc 0
[ "$(cat "$WORK/stdout")" = "$(printf 'BC68JA-02-STD\nOK')" ] || tool_failed "AT+CGMM output"
run_tool at AT+FOO
expect_rc 1
expect_stdout ERROR
expect_stderr "error: AT+FOO: the module answered ERROR"
run_tool at AT+CMEE=1
expect_rc 0
run_tool at AT+NCDP=1.2.3.4.5
expect_rc 1
expect_stderr "the module answered +CME ERROR: 50 (Incorrect parameters)"
run_tool --json at 'AT+NCDP?'
expect_rc 0
expect_stdout '"event":"response","command":"AT+NCDP?","result":"ok","final":"OK","lines":["+NCDP:198.51.100.1,5683"]}'

run_tool ping 198.51.100.1
expect_rc 0
expect_stdout "reply from 198.51.100.1: ttl 54, time 180 ms"
run_tool -t 3 ping 203.0.113.9
expect_rc 3
expect_stderr "error: no reply from 203.0.113.9"

# ---- the server address
run_tool cdp
expect_rc 0
[ "$(cat "$WORK/stdout")" = "198.51.100.1:5683" ] || tool_failed "cdp shows the wrong server"
run_tool cdp 198.51.100.1
expect_rc 0
expect_steps "the LwM2M server is already 198.51.100.1:5683"
run_tool cdp 198.51.100.2:5684
expect_rc 0
expect_stdout "module rebooted (APPLICATION_AT)"
expect_stdout "the LwM2M server is 198.51.100.2:5684"
run_tool --json cdp
expect_stdout '"event":"cdp","host":"198.51.100.2","port":5684}'
run_tool cdp "$SERVER"
expect_rc 0
expect_event '"event":"attached"'

# ---- registration and reboot
run_tool register
expect_rc 0
[ "$(steps | tail -n 1)" = registered ] || tool_failed "register did not end registered"
run_tool deregister
expect_rc 0
[ "$(steps | tail -n 1)" = deregistered ] || tool_failed "deregister did not end deregistered"
expect_event '"event":"deregistered"'
run_tool reboot
expect_rc 0
expect_stdout "rebooting ..."
expect_stdout "module rebooted (APPLICATION_AT)"
expect_stdout "rebooted (APPLICATION_AT) and set up again"

# ---- listen: a downlink and a URC, then it stops by itself
run_tool send 01
expect_rc 0
run_tool at AT # takes the +NSMI:SENT that follows the uplink's OK
expect_rc 0
start_tool --json listen --count 2
wait_stdout '"event":"state"'
ctl "downlink aa00"
ctl "urc +CSCON:0"
RC=0
wait "$TOOL_PID" || RC=$?
expect_rc 0
expect_stdout '"event":"downlink","len":2,"hex":"AA00"}'
expect_stdout '"event":"urc","line":"+CSCON:0"}'

# listen --register: registered and observed first; events count from then on.
start_tool listen --register --count 1
wait_stdout ready
ctl "downlink cafe"
RC=0
wait "$TOOL_PID" || RC=$?
expect_rc 0
[ "$(steps | tail -n 1)" = "downlink 2 bytes: CAFE" ] || tool_failed "listen did not end with the downlink"

# ---- attach with an APN on a module that stays off after boot
sim_down
sim_up --no-autoconnect --log-commands
run_tool attach --apn iot.example
expect_rc 0
expect_steps "attaching to the network ..." "attached (cell 0153803F, stat registered_home)"
expect_event '"text":"AT+CGDCONT=1,\"IP\",\"iot.example\""'
echo PASS
