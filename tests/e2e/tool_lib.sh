# shellcheck shell=bash
# Helpers for the end-to-end tests of the qlwm2m tool and of the examples
# (sourced; not a test itself). The simulator runs as in sim_lib.sh, but its
# pty is left to the program under test; control lines still go to fd 4.
# ctest runs each test as: bash test_tool_x.sh <build/bin dir> <tests dir>
set -euo pipefail

# shellcheck source=tests/e2e/sim_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/sim_lib.sh"

TOOL="$BIN_DIR/qlwm2m"
SERVER=198.51.100.1
# Short delays keep each script well under 30 s.
FAST=(--attach-delay-ms 100 --register-delay-ms 100 --observe-delay-ms 300 --ack-delay-ms 100)
EXTRA_PIDS=()
RC=0
# QLWM2M_WRAP (e.g. "valgrind --error-exitcode=99 --leak-check=full") runs
# the programs under test inside it; one word per array element.
read -r -a WRAP <<<"${QLWM2M_WRAP:-}"
# Generous per run: the programs are slower under a wrapper.
RUN_TIMEOUT=${QLWM2M_RUN_TIMEOUT:-30}

tool_cleanup() {
    local p
    set +e
    for p in "${EXTRA_PIDS[@]}"; do
        kill "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    cleanup
}
trap tool_cleanup EXIT

# sim_up [OPTION...]: a simulator with the server already set (--ncdp) and
# short delays, attached before the tool starts so that output is stable.
sim_up() {
    sim_launch "${FAST[@]}" --ncdp "$SERVER" "$@"
    case " $* " in
    *" --no-autoconnect "* | *" --deny "*) ;;
    *) expect_event '"event":"attached"' ;;
    esac
}

# sim_down: stops the simulator started by sim_up (the next sim_up starts afresh).
sim_down() {
    kill "$SIM_PID" 2>/dev/null || true
    wait "$SIM_PID" 2>/dev/null || true
    SIM_PID=
    host_close || true
}

# extra_sim VAR [OPTION...]: one more simulator, its stdout in $WORK/VAR.out,
# its pty path in $VAR; stopped at exit.
extra_sim() {
    local var=$1 p
    shift
    "$SIM" "${FAST[@]}" "$@" </dev/null >"$WORK/$var.out" 2>"$WORK/$var.err" &
    EXTRA_PIDS+=("$!")
    for _ in $(seq 100); do
        p=$(head -n 1 "$WORK/$var.out" 2>/dev/null || true)
        case $p in /dev/*) break ;; esac
        sleep 0.05
    done
    case $p in /dev/*) ;; *) fail "no pty path from the extra simulator $var" ;; esac
    printf -v "$var" '%s' "$p"
}

# run_tool ARG...: runs the tool on the simulator's pty (30 s at most);
# stdout in $WORK/stdout, stderr in $WORK/stderr, exit status in $RC.
run_tool() {
    run_cmd "$TOOL" -p "$PTY" "$@"
}

# run_cmd PROGRAM ARG...: the same for any program (no -p added).
run_cmd() {
    RC=0
    timeout "$RUN_TIMEOUT" "${WRAP[@]}" "$@" >"$WORK/stdout" 2>"$WORK/stderr" || RC=$?
}

# start_tool ARG...: runs the tool in the background, its pid in $TOOL_PID
# (killed on the way out if the test fails before it ends).
start_tool() {
    timeout "$RUN_TIMEOUT" "${WRAP[@]}" "$TOOL" -p "$PTY" "$@" >"$WORK/stdout" 2>"$WORK/stderr" &
    TOOL_PID=$!
    EXTRA_PIDS+=("$TOOL_PID")
}

# wait_tool: waits for the tool started by start_tool to end; status in $RC.
wait_tool() {
    RC=0
    wait "$TOOL_PID" || RC=$?
}

# stop_tool SIGNAL: sends SIGNAL to the tool started by start_tool and waits; status in $RC.
stop_tool() {
    local child
    # timeout(1) forwards TERM but not INT: signal the tool itself, its only child.
    child=$(pgrep -P "$TOOL_PID" | head -n 1 || true)
    kill "-$1" "${child:-$TOOL_PID}"
    wait_tool
}

# wait_stdout TEXT: waits (WAIT_S seconds at most, default 10) for a line of
# the tool's stdout containing TEXT.
wait_stdout() {
    for _ in $(seq $((${WAIT_S:-10} * 20))); do
        grep -qF -- "$1" "$WORK/stdout" && return 0
        sleep 0.05
    done
    tool_failed "no output line containing: $1"
}

tool_failed() {
    {
        echo "--- tool stdout"
        cat "$WORK/stdout"
        echo "--- tool stderr"
        cat "$WORK/stderr"
    } >&2
    fail "$@"
}

# expect_rc N: the last run exited with N.
expect_rc() {
    [ "$RC" = "$1" ] || tool_failed "exit status $RC, expected $1"
}

# steps: the tool's human output without the elapsed times.
steps() {
    sed -E 's/^\[ *[0-9]+\.[0-9]s\] //' "$WORK/stdout"
}

# expect_steps LINE...: the tool printed exactly these lines (times stripped).
expect_steps() {
    local want
    want=$(printf '%s\n' "$@")
    [ "$(steps)" = "$want" ] || tool_failed "output differs; expected:
$want"
}

# expect_stdout TEXT / expect_stderr TEXT: some line contains TEXT.
expect_stdout() {
    grep -qF -- "$1" "$WORK/stdout" || tool_failed "no output line containing: $1"
}
expect_stderr() {
    grep -qF -- "$1" "$WORK/stderr" || tool_failed "no error line containing: $1"
}

# server_hex_of FILE: the payloads a simulated server received, in order, one per line.
server_hex_of() {
    grep -F '"event":"uplink",' "$1" | sed -E 's/.*"hex":"([0-9A-F]*)".*/\1/' || true
}

# server_hex: the same for the simulator of sim_up.
server_hex() {
    server_hex_of "$WORK/out"
}

# tool_hex: the payloads the tool reported delivered/sent (--json output), in order.
tool_hex() {
    grep -F '"event":"uplink",' "$WORK/stdout" | grep -E '"outcome":"(sent|delivered)"' |
        sed -E 's/.*"hex":"([0-9A-F]*)".*/\1/' || true
}

# exactly_once HEX...: the server received each payload once, in this order,
# and the tool reported each one done once, in the same order.
exactly_once() {
    local want
    want=$(printf '%s\n' "$@")
    [ "$(server_hex)" = "$want" ] || tool_failed "server received:
$(server_hex)
expected:
$want"
    [ "$(tool_hex)" = "$want" ] || tool_failed "tool reported done:
$(tool_hex)
expected:
$want"
}

# con_retries_keep_seq: every CON the server lost came again with the same seq,
# and the sequence numbers the server saw only go up.
con_retries_keep_seq() {
    local line hex seq last=0
    declare -A lost=()
    while IFS= read -r line; do
        hex=$(sed -E 's/.*"hex":"([0-9A-F]*)".*/\1/' <<<"$line")
        seq=$(sed -E 's/.*"seq":([0-9]+).*/\1/' <<<"$line")
        case $line in
        *'"event":"uplink_lost"'*) lost[$hex]=$seq ;;
        *'"event":"uplink",'*)
            if [ -n "${lost[$hex]:-}" ] && [ "${lost[$hex]}" != "$seq" ]; then
                fail "$hex was resent with seq $seq, lost with seq ${lost[$hex]}"
            fi
            [ "$seq" -gt "$last" ] || fail "seq $seq after $last"
            last=$seq
            ;;
        esac
    done < <(grep -E '"event":"uplink(_lost)?",' "$WORK/out")
}
