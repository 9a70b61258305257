# shellcheck shell=bash disable=SC2119,SC2120 # helpers with optional arguments are called without
# The Windows qlwm2m.exe, under wine, drives the native simulator through a
# COM port: the simulator publishes its pseudo-terminal as
# $WINEPREFIX/dosdevices/com7, which wine opens for COM7. A real session
# (attach, register, the observe, CON and NON uplinks, a downlink) with the
# same assertions as the native tests: the tool's lines and exit codes, and
# what the simulated server received, once each. Also: a missing COM port,
# and Ctrl-C.
#
# Not checked here: that a second program is refused while the port is open.
# Windows' serial drivers refuse a second CreateFile() of an open COM port
# ("access denied", QLW_ERR_PORT_BUSY), but wine opens the pty behind COM7 a
# second time without complaint, so under wine there is nothing to assert.
#
# Not a ctest test: scripts/cross.sh runs it in its Windows step as
#   bash wine_tool_com.sh <native build/bin> <tests dir> <Windows build/bin>
# with WINEPREFIX set to a prefix made for the run.
# shellcheck source=tests/e2e/tool_lib.sh
. "$(dirname "$0")/tool_lib.sh"

WIN_BIN=${3:?usage: $0 <native build/bin> <tests dir> <Windows build/bin>}
: "${WINEPREFIX:?WINEPREFIX must name the wine prefix}"
TOOL="$(cd "$WIN_BIN" && pwd)/qlwm2m.exe"
# shellcheck disable=SC2034 # read by the run helpers of tool_lib.sh
WRAP=(wine)
[ -f "$TOOL" ] || fail "$TOOL not built"
COM=COM7
LINK="$WINEPREFIX/dosdevices/com7"
# Wine starts slower than a native program, more so on a loaded machine.
RUN_TIMEOUT=${QLWM2M_RUN_TIMEOUT:-120}
WAIT_S=60

# Windows writes text with CRLF; the helpers compare lines without the CR.
strip_cr() {
    sed -i 's/\r$//' "$WORK/stdout" "$WORK/stderr"
}

run_win() {
    run_tool "$@"
    strip_cr
}

# sim_com [OPTION...]: a simulator reachable as COM7.
sim_com() {
    sim_up --link "$LINK" "$@"
    PTY=$COM
}

# ---- a COM port that does not exist
run_cmd "$TOOL" -p COM9 info
strip_cr
expect_rc 4
expect_stderr "error: cannot open COM9: no such port"

# ---- CON uplinks: delivered, each once
sim_com
run_win send --con 0117 DEADBEEF
expect_rc 0
expect_steps "attached (cell 0153803F, stat registered_home)" \
    "registering ..." \
    "registered" \
    "waiting for the server to observe /19/0/0 ..." \
    "ready" \
    "delivered 2 bytes (CON seq 1)" \
    "delivered 4 bytes (CON seq 2)"

# ---- NON uplinks
run_win send 0A0B C0FFEE
expect_rc 0
expect_steps "attached (cell 0153803F, stat registered_home)" \
    "registering ..." \
    "registered" \
    "waiting for the server to observe /19/0/0 ..." \
    "ready" \
    "sent 2 bytes (NON)" \
    "sent 3 bytes (NON)"

# ---- the --json report of one CON uplink
run_win --json send --con 1234
expect_rc 0
expect_stdout '"event":"state","from":"registered","to":"ready","cause":"lwm2m_event"}'
expect_stdout '"event":"uplink","id":1,"outcome":"delivered","possible_duplicate":false,"result":"ok","mode":"con","seq":1,"len":2,"attempts":1,"status":"delivered","hex":"1234"}'

[ "$(server_hex)" = "$(printf '%s\n' 0117 DEADBEEF 0A0B C0FFEE 1234)" ] ||
    fail "the server did not receive each payload once, in order: $(server_hex | tr '\n' ' ')"
grep -qF '"mode":"CON","seq":1,"len":2,"hex":"0117"' "$WORK/out" || fail "0117 not CON seq 1"
grep -qF '"cmd":"QLWULDATA","mode":"NON","seq":0,"len":2,"hex":"0A0B"' "$WORK/out" ||
    fail "0A0B not sent with AT+QLWULDATA"

# ---- a downlink
start_tool listen --register --count 1
wait_stdout "ready"
ctl "downlink C0DE"
wait_tool
strip_cr
expect_rc 0
expect_stdout "downlink 2 bytes: C0DE"

[ "$(count_events '"event":"uplink",')" = 5 ] || fail "expected 5 uplinks in all"
sim_down

# ---- Ctrl-C while waiting for the observe: wine turns SIGINT into the
# console's CTRL_C_EVENT; queued payloads are reported not sent, exit 130.
sim_com --never-observe
start_tool send 01 02
wait_stdout "waiting for the server to observe"
stop_tool INT
strip_cr
expect_rc 130
[ "$(steps | grep -c '^not sent: 1 bytes (NON)$')" = 2 ] || tool_failed "expected two 'not sent' lines"
expect_stderr "interrupted: 0 of 2 payloads went (2 not sent)"
[ "$(count_events '"event":"uplink",')" = 0 ] || fail "an uplink went out after Ctrl-C"
echo PASS
