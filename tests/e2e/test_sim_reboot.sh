# AT+NRB: REBOOTING, garbage, the V150 banner byte for byte; NV settings
# survive the reboot, volatile ones do not.
# shellcheck source=tests/e2e/sim_lib.sh
. "$(dirname "$0")/sim_lib.sh"

sim_start --boot-ms 200 --attach-delay-ms 100 --echo
expect_event '{"event":"attached"}'

at "AT" "AT" "OK"
at "ATE0" "ATE0" "OK"
at "AT+CMEE=1" "OK"
at "AT+CFUN=0" "OK"
at "AT+CEREG=1" "OK"
at "AT+NCDP=203.0.113.5,5684" "OK"
at "AT+QREGSWT=1" "OK"
at "AT+NBAND=8" "OK"
at "AT+NCONFIG=AUTOCONNECT,FALSE" "OK"

printf '\r\nREBOOTING\r\n\r\n\xC3\x83\xC3\xA2F\xC3\xB8\r\n\r\nBoot: Unsigned\r\n\r\nSecurity B.. Verified\r\n\r\nProtocol A.. Verified\r\n\r\nApps A...... Verified\r\n\r\n\r\nREBOOT_CAUSE_APPLICATION_AT\r\n\r\nNeul \r\n\r\nOK\r\n' \
    >"$WORK/expected"
send "AT+NRB"
timeout 5 head -c "$(wc -c <"$WORK/expected")" <&5 >"$WORK/got"
cmp "$WORK/expected" "$WORK/got" ||
    fail "banner differs: $(od -c "$WORK/got" | head -20)"
expect_event '{"event":"reboot","cause":"REBOOT_CAUSE_APPLICATION_AT"}'
expect_event '{"event":"booted","cause":"REBOOT_CAUSE_APPLICATION_AT"}'

# Echo is back to its power-on default (on), CMEE and CEREG are off again.
at "AT+CMEE?" "AT+CMEE?" "+CMEE:0" "OK"
at "ATE0" "ATE0" "OK"
at "AT+CEREG?" "+CEREG:0,0" "OK"
at "AT+NCDP?" "+NCDP:203.0.113.5,5684" "OK"
at "AT+QREGSWT?" "+QREGSWT:1" "OK"
at "AT+NBAND?" "+NBAND:8" "OK"
at "AT+NCONFIG?" "+NCONFIG:AUTOCONNECT,FALSE" "+NCONFIG:CR_0354_0338_SCRAMBLING,TRUE" \
    "+NCONFIG:CR_0859_SI_AVOID,TRUE" "+NCONFIG:COMBINE_ATTACH,FALSE" \
    "+NCONFIG:CELL_RESELECTION,FALSE" "+NCONFIG:ENABLE_BIP,FALSE" "OK"
# AUTOCONNECT=FALSE took effect at the boot: the radio stays off.
at "AT+CFUN?" "+CFUN:0" "OK"
at "AT+NCONFIG=AUTOCONNECT,TRUE" "OK"

# With AUTOCONNECT and QREGSWT=1 the module attaches and registers by itself.
send "AT+NRB"
expect "REBOOTING"
expect $'\xC3\x83\xC3\xA2F\xC3\xB8'
for want in "Boot: Unsigned" "Security B.. Verified" "Protocol A.. Verified" \
    "Apps A...... Verified" "REBOOT_CAUSE_APPLICATION_AT" "Neul " "OK" \
    "+QLWEVTIND:0" "+QLWEVTIND:3"; do
    expect "$want" 5
done
at "AT+CFUN?" "AT+CFUN?" "+CFUN:1" "OK"
at "AT+CGATT?" "AT+CGATT?" "+CGATT:1" "OK"
echo PASS
