# The simulator's uplink faults, as the soak uses them: +NSMI (on, off after a
# reboot, refused by --no-nsmi firmware), +NSMI:DISCARDED, AT+QLWULDATASTATUS?,
# a reboot after the OK (message lost) or after transmission (server has it),
# the CON status before the OK, a cut final result, a stall, and the
# server's duplicate counter.
# shellcheck source=tests/e2e/sim_lib.sh
. "$(dirname "$0")/sim_lib.sh"

sim_start --ncdp 198.51.100.1 --regswt 1 --attach-delay-ms 50 --register-delay-ms 50 \
    --observe-delay-ms 50 --ack-delay-ms 100 --boot-ms 100 --discard-non 2 \
    --reboot-after-final AT+QLWULDATA=:3 --reboot-after-tx AT+QLWULDATAEX=1,C1:1 \
    --status-first AT+QLWULDATAEX=1,C2 --cut-final AT+QLWULDATA=1,D1 \
    --stall-on AT+QLWULDATA=1,E1 --stall-ms 800
expect "+QLWEVTIND:0"
expect "+QLWEVTIND:3"

# expect_watchdog: the boot banner of a watchdog reset (garbage, Boot: lines, cause, Neul, OK).
expect_watchdog() {
    local _
    for _ in $(seq 10); do
        next_line 3 || fail "no reboot banner"
        [ "$LINE" = "REBOOT_CAUSE_SECURITY_WATCHDOG" ] && break
    done
    [ "$LINE" = "REBOOT_CAUSE_SECURITY_WATCHDOG" ] || fail "no watchdog cause"
    expect "Neul " 3
    expect "OK" 3
}

# Before any CON the status query says "not sent".
at "AT+QLWULDATASTATUS?" "+QLWULDATASTATUS:0" "OK"
at "AT+NSMI?" "+NSMI:0" "OK"
at "AT+NSMI=1" "OK"
at "AT+QLWULDATA=1,A1" "OK" "+NSMI:SENT"
expect_event '"hex":"A1"'
# The second NON is dropped inside the module.
at "AT+QLWULDATA=1,A2" "OK" "+NSMI:DISCARDED"
expect_event '"hex":"A2","why":"discarded"}'
at "AT+NQMGS" "PENDING=0,SENT=1,ERROR=1" "OK"
[ "$(count_events '"hex":"A2","t_ms"')" -eq 0 ] || fail "A2 reached the server"

# The third AT+QLWULDATA: OK, then the watchdog; the server never gets it.
send "AT+QLWULDATA=1,A3"
expect "OK"
expect_event '{"event":"reboot_after_final","text":"AT+QLWULDATA=1,A3"}'
expect_watchdog
[ "$(count_events '"hex":"A3","t_ms"')" -eq 0 ] || fail "A3 reached the server"
# +NSMI is volatile: off after the reboot.
at "AT+NSMI?" "+NSMI:0" "OK"
expect "+QLWEVTIND:0" 3
expect "+QLWEVTIND:3" 3

# A CON the server gets, then a reboot before its status: no status URC.
at "AT+QLWULDATAEX=1,C1,0x0100,7" "OK"
expect_event '{"event":"reboot_after_tx","text":"AT+QLWULDATAEX=1,C1,0x0100,7"}'
expect_event '"hex":"C1"'
expect_watchdog
expect "+QLWEVTIND:0" 3
expect "+QLWEVTIND:3" 3
at "AT+QLWULDATASTATUS?" "+QLWULDATASTATUS:0" "OK"

# The ACK before the OK.
at "AT+QLWULDATAEX=1,C2,0x0100,8" "+QLWULDATASTATUS:4,8" "OK"
at "AT+QLWULDATASTATUS?" "+QLWULDATASTATUS:4,8" "OK"
# A CON in flight reads as status 1.
at "AT+QLWULDATAEX=1,C3,0x0100,9" "OK"
at "AT+QLWULDATASTATUS?" "+QLWULDATASTATUS:1,9" "OK"
expect "+QLWULDATASTATUS:4,9"

# The final result cut mid-word: "O", never "OK".
send "AT+QLWULDATA=1,D1"
expect_event '{"event":"final_cut","text":"AT+QLWULDATA=1,D1"}'
at "AT" "O" "OK"

# A stall: nothing for 0.8 s, then the answer.
send "AT+QLWULDATA=1,E1"
expect_silence 0.5
expect "OK" 3
expect_event '{"event":"stall","ms":800}'

# Duplicates are counted per payload.
at "AT+QLWULDATA=1,A1" "OK"
expect_event '"copy":2}'
grep -q '"hex":"A1",.*"copy":2}' "$WORK/out" || fail "the second A1 is not counted as a copy"

# Firmware without +NSMI.
ctl "no-nsmi on"
expect_event '{"event":"control","text":"no-nsmi on"}'
at "AT+NSMI=1" "ERROR"
at "AT+NSMI?" "ERROR"
echo "PASS"
