# Fault switches and run-time control lines: dropped and late finals, a
# watchdog reboot mid-answer, URC floods, observe cancellation, downlinks,
# command chaining, and a clean exit that removes the --link symlink.
# shellcheck source=tests/e2e/sim_lib.sh
. "$(dirname "$0")/sim_lib.sh"

sim_start --link "$WORK/modem" --ncdp 198.51.100.1 --regswt 1 --attach-delay-ms 100 \
    --register-delay-ms 100 --observe-delay-ms 200 --drop-final AT+CSQ:2 --late-final-ms 1000 \
    --reboot-on AT+CGMR --boot-ms 200 --log-commands
[ "$(readlink "$WORK/modem")" = "$PTY" ] || fail "--link does not point to $PTY"
expect "+QLWEVTIND:0"
expect "+QLWEVTIND:3"

# Three chained commands, one OK each (BC68 field log).
at "AT+CEREG=2;+NPSMR=1;+CSCON=1" "OK" "OK" "OK"
at "AT+NPSMR?" "+NPSMR:1,0" "OK"
at "AT+CSCON?" "+CSCON:1,1" "OK"
expect_event '{"event":"command","text":"AT+CEREG=2;+NPSMR=1;+CSCON=1"}'

# The second AT+CSQ loses its OK, which then comes 1 s late.
at "AT+CSQ" "+CSQ:20,99" "OK"
at "AT+CSQ" "+CSQ:20,99"
expect_silence 0.3
expect "OK" 2
expect_event '{"event":"final_dropped","text":"AT+CSQ"}'

# Two command lines in one write, the first losing its OK until later: the
# module is busy with the first until its late OK, and answers the second
# only then (a late final never follows a later command's answer).
ctl "drop-final AT+CSQ"
expect_event '{"event":"control","text":"drop-final AT+CSQ"}'
printf 'AT+CSQ\rAT+NPSMR?\r' >&3
expect "+CSQ:20,99"
expect "OK" 3
expect "+NPSMR:1,0"
expect "OK"

# Downlinks: with NNMI=1 at once, with NNMI=0 buffered for AT+NMGR.
at "AT+NNMI=1" "OK"
ctl "downlink aa00"
expect "+NNMI:2,AA00"
at "AT+NNMI=0" "OK"
ctl "downlink 0503"
expect_event '{"event":"downlink","hex":"0503","len":2}'
at "AT+NQMGR" "BUFFERED=1,RECEIVED=2,DROPPED=0" "OK"
at "AT+NMGR" "2,0503" "OK"
at "AT+NMGR" "OK"

# A burst of URCs, then the server withdraws and renews its observation.
ctl "flood 4"
expect "+CSCON:1"
expect "+NPSMR:0"
expect "+CSCON:0"
expect "+NPSMR:1"
ctl "cancel-observe"
expect "+QLWEVTIND:9"
expect "+QLWEVTIND:3"
expect_event '{"event":"observe_cancelled"}'

# The module dies while answering AT+CGMR: some of the answer, then the
# watchdog banner; the host never gets a final result for the command.
send "AT+CGMR"
found=
for _ in $(seq 20); do
    next_line 3 || break
    [ "$LINE" = "OK" ] && fail "AT+CGMR got a final result"
    if [ "$LINE" = "REBOOT_CAUSE_SECURITY_WATCHDOG" ]; then
        found=1
        break
    fi
done
[ -n "$found" ] || fail "no watchdog banner"
expect "Neul "
expect "OK"
expect_event '{"event":"reboot","cause":"REBOOT_CAUSE_SECURITY_WATCHDOG"}'
expect "+QLWEVTIND:0" 3
expect "+QLWEVTIND:3" 3
at "AT+CGMR" "SSB,V150R100C10B200SP1" "SECURITY_A,V150R100C20B300SP2" \
    "PROTOCOL_A,V150R100C20B300SP2" "APPLICATION_A,V150R100C20B300SP2" \
    "SECURITY_B,V150R100C20B300SP2" "RADIO,Hi2115_RF1" "OK"

# Pings: one answered, one to an address that never answers.
at "AT+NPING=198.51.100.1" "OK" "+NPING:198.51.100.1,54,180"
at "AT+NPING=198.51.100.1,12,abc" "ERROR"

ctl "quit"
sim_wait_exit 5
[ "$SIM_RC" = 0 ] || fail "exit status $SIM_RC after quit"
if [ -e "$WORK/modem" ] || [ -L "$WORK/modem" ]; then
    fail "--link symlink left behind"
fi
echo PASS
