/*
 * The port, the session and the loop that drives it for every command, the
 * trace, and Ctrl-C, which lets the command in flight finish before the port
 * is closed.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "tool.h"

/* The only state shared with the signal handler: how many stop signals came. */
static volatile sig_atomic_t stop_signals;

/* Longest sleep between looks at the stop flag: a signal that lands just
 * before poll() starts would otherwise wait for the next module byte. */
#define LOOP_SLICE_MS 200

/* After Ctrl-C, how long the command in flight may take to finish. */
#define DRAIN_MS 10000u

static void on_signal(int sig)
{
    (void)sig;
    if (stop_signals < 2)
        stop_signals = stop_signals + 1;
}

void tool_install_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: poll() must return at once */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

bool tool_stop_requested(void)
{
    return stop_signals > 0;
}

/* ----------------------------------------------------------------- trace */

static void remember_cereg(tool *t)
{
    qlw_cereg c;
    const char *line = t->rx_line;

    if (strncmp(line, "+CEREG:", 7) != 0)
        return;
    if (qlw_neul_parse_cereg(line, t->rx_len, true, &c) == QLW_OK ||
        qlw_neul_parse_cereg(line, t->rx_len, false, &c) == QLW_OK) {
        t->cereg = c;
        t->have_cereg = true;
    }
}

/* Cuts the modem's bytes into lines to catch +CEREG, then feeds the trace file. */
static void on_trace(void *ctx, qlw_trace_dir dir, const uint8_t *data, size_t len,
                     uint32_t time_ms)
{
    tool *t = ctx;

    for (size_t i = 0; dir == QLW_TRACE_RX && i < len; i++) {
        if (data[i] == '\r' || data[i] == '\n') {
            t->rx_line[t->rx_len] = '\0';
            if (!t->rx_overlong && t->rx_len > 0)
                remember_cereg(t);
            t->rx_len = 0;
            t->rx_overlong = false;
        } else if (t->rx_len + 1 < sizeof(t->rx_line)) {
            t->rx_line[t->rx_len++] = (char)data[i];
        } else {
            t->rx_overlong = true;
        }
    }
    if (t->writer != NULL)
        qlw_ts_writer_trace(t->writer, dir, data, len, time_ms);
}

static void trace_sink(void *ctx, const char *text, size_t len)
{
    tool *t = ctx;

    fwrite(text, 1, len, t->trace_file);
}

/* Pauses shorter than this are not worth an `@ +MS` line in the trace. */
#define TRACE_GAP_MS 50u

static int open_trace(tool *t)
{
    char comment[200];

    t->trace_file = fopen(t->opts->trace_path, "w");
    if (t->trace_file == NULL)
        return tool_fail(t, TOOL_EXIT_IO, "cannot write the trace %s: %s", t->opts->trace_path,
                         strerror(errno));
    if (qlw_ts_writer_open(&t->writer, trace_sink, t, TRACE_GAP_MS) != QLW_OK) {
        fclose(t->trace_file);
        t->trace_file = NULL;
        return tool_fail(t, TOOL_EXIT_IO, "out of memory for the trace");
    }
    snprintf(comment, sizeof(comment), "qlwm2m %s trace of %s on %s", qlw_version(), t->cmd->name,
             t->opts->port);
    qlw_ts_writer_comment(t->writer, comment);
    return 0;
}

/* ----------------------------------------------------------- open/close */

static void hint_port(int err)
{
    if (err == QLW_ERR_PORT_NOT_FOUND)
        tool_hint(
            "check the path (ls /dev/ttyUSB* /dev/ttyACM*) and that the module is plugged in");
    else if (err == QLW_ERR_PORT_PERMISSION)
        tool_hint("add yourself to the dialout group (sudo usermod -aG dialout $USER), then log in "
                  "again");
    else if (err == QLW_ERR_PORT_BUSY)
        tool_hint("another program has the port open; close it first");
}

int tool_open(tool *t, const qlw_session_config *cfg_in)
{
    qlw_session_config cfg;
    qlw_serial_config ser;
    char err[256];
    int rc;

    if (t->opts->trace_path != NULL && open_trace(t) != 0)
        return TOOL_EXIT_IO;
    if (cfg_in != NULL)
        cfg = *cfg_in;
    else
        qlw_session_config_default(&cfg);
    tool_set_callbacks(&cfg, t);
    qlw_serial_config_default(&ser);
    ser.baud = t->opts->baud;
    rc = qlw_open(&t->s, t->opts->port, &ser, &cfg, err, sizeof(err));
    if (rc != QLW_OK) {
        tool_fail(t, TOOL_EXIT_IO, "%s", err[0] ? err : qlw_strerror(rc));
        hint_port(rc);
        tool_close(t);
        return TOOL_EXIT_IO;
    }
    t->at = qlw_session_at(t->s);
    qlw_at_set_trace(t->at, on_trace, t);
    return 0;
}

/* Ctrl-C must not leave a command half done: wait for the one in flight
 * (a second Ctrl-C stops waiting). Completing it may start the session's
 * next command; that one was written whole, and its answer is not needed. */
static void drain(tool *t)
{
    uint32_t start = qlw_clock_system_ms(NULL);

    while (qlw_at_busy(t->at) && stop_signals < 2 &&
           qlw_ms_diff(qlw_clock_system_ms(NULL), start) < (int32_t)DRAIN_MS) {
        qlw_at_poll(t->at, LOOP_SLICE_MS);
    }
}

/* The session's counters: a last line with -v, a last event with --json. */
static void print_stats(tool *t)
{
    qlw_session_stats st;

    if ((!t->opts->verbose && !t->opts->json) || !t->narrate || qlw_get_stats(t->s, &st) != QLW_OK)
        return;
    if (!t->opts->json) {
        tool_say(t,
                 "counters: queued %lu, sent %lu, delivered %lu, failed %lu, unknown %lu, "
                 "expired %lu, resends %lu, possible duplicates %lu, reboots %lu, port lost %lu, "
                 "time to ready %ld ms",
                 (unsigned long)st.queued, (unsigned long)st.sent, (unsigned long)st.delivered,
                 (unsigned long)st.failed, (unsigned long)st.unknown, (unsigned long)st.expired,
                 (unsigned long)st.resends, (unsigned long)st.possible_duplicates,
                 (unsigned long)st.reboots, (unsigned long)st.port_losses,
                 (long)st.time_to_ready_ms);
        return;
    }
    tool_json_begin(t, "stats");
    tool_json_int("queued", (long)st.queued);
    tool_json_int("sent", (long)st.sent);
    tool_json_int("delivered", (long)st.delivered);
    tool_json_int("failed", (long)st.failed);
    tool_json_int("unknown", (long)st.unknown);
    tool_json_int("expired", (long)st.expired);
    tool_json_int("resends", (long)st.resends);
    tool_json_int("possible_duplicates", (long)st.possible_duplicates);
    tool_json_int("reboots", (long)st.reboots);
    tool_json_int("port_losses", (long)st.port_losses);
    tool_json_int("port_reopens", (long)st.port_reopens);
    tool_json_int("time_to_ready_ms", (long)st.time_to_ready_ms);
    if (st.signal_rssi_dbm != 0)
        tool_json_int("signal_rssi_dbm", st.signal_rssi_dbm);
    tool_json_end();
}

void tool_close(tool *t)
{
    if (t->s != NULL) {
        if (tool_stop_requested())
            drain(t);
        print_stats(t);  /* before the close: the reports it makes are printed as they come */
        qlw_close(t->s); /* reports every uplink still queued as not sent */
        t->s = NULL;
        t->at = NULL;
    }
    if (t->writer != NULL)
        qlw_ts_writer_close(t->writer);
    t->writer = NULL;
    if (t->trace_file != NULL)
        fclose(t->trace_file);
    t->trace_file = NULL;
    fflush(stdout);
}

/* ------------------------------------------------------------------ loop */

uint32_t tool_remaining_ms(const tool *t)
{
    int32_t left = (int32_t)t->timeout_ms - (int32_t)tool_elapsed_ms(t);

    return left > 0 ? (uint32_t)left : 1;
}

static bool deadline_passed(const tool *t)
{
    return t->timeout_ms > 0 && tool_elapsed_ms(t) >= t->timeout_ms;
}

static int wait_slice(tool *t)
{
    int32_t ms = qlw_next_timeout_ms(t->s);
    struct pollfd pfd = {qlw_fd(t->s), POLLIN, 0};

    if (ms < 0 || ms > LOOP_SLICE_MS)
        ms = LOOP_SLICE_MS;
    if (t->timeout_ms > 0 && (uint32_t)ms > tool_remaining_ms(t))
        ms = (int32_t)tool_remaining_ms(t);
    /* No descriptor while the port is lost: sleep until the session's next attempt. */
    if (poll(pfd.fd >= 0 ? &pfd : NULL, pfd.fd >= 0 ? 1 : 0, (int)ms) < 0 && errno != EINTR)
        return QLW_ERR_IO;
    return QLW_OK;
}

int tool_run(tool *t, int (*done)(tool *t))
{
    for (;;) {
        int rc = done(t);

        if (rc != 0)
            return rc > 0 ? QLW_OK : rc;
        if (t->fatal != 0)
            return t->fatal;
        if (tool_stop_requested())
            return QLW_ERR_CANCELLED;
        if (deadline_passed(t))
            return QLW_ERR_TIMEOUT;
        rc = wait_slice(t);
        if (rc == QLW_OK)
            rc = qlw_process(t->s);
        /* A lost port is reopened by the session within the command's -t. */
        if ((rc == QLW_ERR_IO || rc == QLW_ERR_PORT_GONE) && !qlw_port_lost(t->s))
            return rc;
    }
}

int tool_setup_done(tool *t)
{
    return qlw_get_state(t->s) != QLW_STATE_STARTING;
}

int tool_fail_fatal(tool *t)
{
    const char *cme = strstr(t->fatal_msg, ": +CME ERROR");

    if (t->fatal == QLW_ERR_CME && cme != NULL) {
        int n = (int)(cme - t->fatal_msg);

        /* "AT+X: +CME ERROR: n (name)" reads better the other way round */
        tool_fail(t, t->fatal_exit, "the module answered%s to %.*s", cme + 1, n, t->fatal_msg);
        if (tool_cme_hint(t->fatal_cme) != NULL)
            tool_hint("%s", tool_cme_hint(t->fatal_cme));
    } else if (t->fatal == QLW_ERR_DENIED) {
        tool_fail(t, t->fatal_exit, "%s", t->fatal_msg);
        tool_hint("the SIM may not be allowed on this network: check the APN and the band "
                  "(qlwm2m attach --apn APN --band N) or ask the operator");
    } else if (t->fatal == QLW_ERR_TIMEOUT) {
        tool_fail(t, t->fatal_exit, "the module does not answer on %s (%s)", t->opts->port,
                  t->fatal_msg);
        tool_hint("check the port, the baud rate (-b) and that the module is powered");
    } else {
        tool_fail(t, t->fatal_exit, "%s", t->fatal_msg);
    }
    return t->fatal_exit;
}
