# shellcheck shell=bash
# Helpers for the qlwm2m-sim end-to-end tests (sourced; not a test itself).
# ctest runs each test as: bash test_x.sh <build/bin dir> <tests dir>
# The host side of the serial line is plain bash: commands go to the pty on
# fd 3; a cat copies everything the modem sends into a pipe read on fd 5; fd 4
# is the simulator's stdin (control lines); its stdout (pty path, JSON events)
# goes to $WORK/out.
#
# Why the pipe: on a terminal, bash's `read` reads ahead (it keeps the surplus
# to itself, so `head` would never see it), and with -d/-n it switches the
# terminal to a mode that turns CR into LF. On a pipe it reads byte by byte
# and leaves the terminal alone.

# shellcheck disable=SC2034 # TESTS_DIR and SIM_RC are for the sourcing tests
BIN_DIR=${1:?usage: $0 <build/bin dir> <tests dir>}
TESTS_DIR=${2:?usage: $0 <build/bin dir> <tests dir>}
SIM="$BIN_DIR/qlwm2m-sim"
WORK=$(mktemp -d)
SIM_PID=
CAT_PID=
LINE=

# Closing the pty would hang up a shell that happens to own it as its
# controlling terminal; the test must not die of that.
trap '' HUP

# host_close: closes the host's side of the serial line.
host_close() {
    exec 3>&- 4>&- 5<&-
    if [ -n "$CAT_PID" ]; then
        kill "$CAT_PID" 2>/dev/null
        wait "$CAT_PID" 2>/dev/null
    fi
    CAT_PID=
    rm -f "$WORK/ctl"
}

cleanup() {
    host_close
    if [ -n "$SIM_PID" ]; then
        kill "$SIM_PID" 2>/dev/null
        wait "$SIM_PID" 2>/dev/null
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    echo "--- simulator stdout" >&2
    cat "$WORK/out" >&2
    echo "--- simulator stderr" >&2
    cat "$WORK/err" >&2
    exit 1
}

# sim_launch [OPTION...]: starts the simulator and sets $PTY, without opening
# the pty (for tests where another program, such as the qlwm2m tool, does).
sim_launch() {
    [ -x "$SIM" ] || fail "$SIM not built"
    mkfifo "$WORK/ctl"
    "$SIM" "$@" <"$WORK/ctl" >"$WORK/out" 2>"$WORK/err" &
    SIM_PID=$!
    exec 4>"$WORK/ctl"
    PTY=
    for _ in $(seq 100); do
        PTY=$(head -n 1 "$WORK/out" 2>/dev/null || true)
        case $PTY in /dev/*) break ;; esac
        sleep 0.05
    done
    case $PTY in /dev/*) ;; *) fail "no pty path on the first line of stdout" ;; esac
}

# sim_start [OPTION...]: starts the simulator and opens its pty as fd 3.
sim_start() {
    sim_launch "$@"
    exec 3<>"$PTY"
    exec 5< <(exec cat <&3 2>/dev/null)
    CAT_PID=$!
}

# next_line [TIMEOUT_S]: the next non-empty modem line, CRs removed, into $LINE.
next_line() {
    local t=${1:-3}
    LINE=
    while IFS= read -r -t "$t" LINE <&5; do
        LINE=${LINE//$'\r'/}
        [ -n "$LINE" ] && return 0
    done
    return 1
}

# expect TEXT [TIMEOUT_S]: the next non-empty modem line must be exactly TEXT.
expect() {
    next_line "${2:-3}" || fail "timeout waiting for '$1'"
    [ "$LINE" = "$1" ] || fail "expected '$1', got '$LINE'"
}

# expect_silence SECONDS: no modem line during that time.
expect_silence() {
    if next_line "$1"; then
        fail "expected silence, got '$LINE'"
    fi
}

# send TEXT: the host sends a command line ended by CR.
send() {
    printf '%s\r' "$1" >&3
}

# at COMMAND LINE...: sends COMMAND and expects the lines that follow, in order.
at() {
    send "$1"
    shift
    local want
    for want in "$@"; do
        expect "$want"
    done
}

ctl() {
    printf '%s\n' "$1" >&4
}

# expect_event TEXT [TIMEOUT_S]: a line of the simulator's stdout contains TEXT.
expect_event() {
    local i n=$((${2:-5} * 20))
    for ((i = 0; i < n; i++)); do
        grep -qF -- "$1" "$WORK/out" && return 0
        sleep 0.05
    done
    fail "no event containing: $1"
}

# count_events TEXT: how many stdout lines contain TEXT.
count_events() {
    grep -cF -- "$1" "$WORK/out"
}

# sim_wait_exit [TIMEOUT_S]: waits for the simulator to exit; its status in $SIM_RC.
sim_wait_exit() {
    local i n=$((${1:-5} * 20))
    for ((i = 0; i < n; i++)); do
        if ! kill -0 "$SIM_PID" 2>/dev/null; then
            wait "$SIM_PID"
            SIM_RC=$?
            SIM_PID=
            return 0
        fi
        sleep 0.05
    done
    fail "simulator did not exit"
}
