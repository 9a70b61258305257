/*
 * Faults at the engine and transcript level, with exact outcomes: late
 * finals, noise, over-long lines, URC floods, a reboot that turns echo on,
 * a port that goes away; and bad input from the user (strings that would
 * inject a command, bad ports, rates and timeouts) refused before a single
 * byte is written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "qlwm2m/qlwm2m.h"
#include "test_printf.h"

static const size_t read_sizes[] = {0, 1, 2, 3, 7};

/* ------------------------------------------------------ transcript rig */

typedef struct rig {
    qlw_transcript *ts;
    qlw_replay *rp;
    qlw_at *at;
    char log[8192]; /* every callback, in order */
    size_t log_len;
    uint32_t tx_ms[8]; /* when each command's first byte went out */
    size_t tx_count;
    bool tx_at_line_start;
    long flood_last; /* last +NSONMI number delivered */
    uint32_t overflow_reported;
} rig;

TEST_PRINTF(2, 3) static void logf_(rig *r, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    r->log_len += (size_t)vsnprintf(r->log + r->log_len, sizeof(r->log) - r->log_len, fmt, ap);
    va_end(ap);
    assert_true(r->log_len < sizeof(r->log));
}

static void on_urc(void *ctx, const qlw_at_line *line)
{
    rig *r = ctx;

    logf_(r, "U(%s%s%s)", line->text, line->flags & QLW_LINE_GARBLED ? "!" : "",
          line->flags & QLW_LINE_BOOT ? "#" : "");
}

static void on_event(void *ctx, qlw_at_event ev, uint32_t count)
{
    rig *r = ctx;

    if (ev == QLW_AT_EV_URC_OVERFLOW)
        r->overflow_reported += count;
    logf_(r, "V(%s:%lu)", qlw_at_event_str(ev), (unsigned long)count);
}

static void on_done(void *ctx, const qlw_at_response *resp)
{
    rig *r = ctx;

    logf_(r, "D(%s=%s:%d", resp->command, qlw_at_result_str(resp->result), resp->code);
    for (size_t i = 0; i < resp->line_count; i++)
        logf_(r, "|%s", resp->lines[i]);
    logf_(r, ")");
}

static void on_trace(void *ctx, qlw_trace_dir dir, const uint8_t *data, size_t len,
                     uint32_t time_ms)
{
    rig *r = ctx;

    for (size_t i = 0; dir == QLW_TRACE_TX && i < len; i++) {
        if (r->tx_at_line_start && r->tx_count < 8)
            r->tx_ms[r->tx_count++] = time_ms;
        r->tx_at_line_start = data[i] == '\r';
    }
}

static void rig_open(rig *r, const char *name, size_t read_size, size_t urc_queue)
{
    char path[512], err[256];
    qlw_at_config cfg;

    memset(r, 0, sizeof(*r));
    r->tx_at_line_start = true;
    snprintf(path, sizeof(path), "%s/%s", QLW_TRANSCRIPT_DIR, name);
    if (qlw_transcript_load(&r->ts, path, err, sizeof(err)) != QLW_OK)
        fail_msg("%s", err);
    assert_int_equal(qlw_replay_open(&r->rp, r->ts, 0), QLW_OK);
    qlw_replay_set_read_size(r->rp, read_size);
    qlw_neul_at_config(&cfg);
    if (urc_queue > 0)
        cfg.urc_queue_size = urc_queue;
    cfg.trace = on_trace;
    cfg.trace_ctx = r;
    assert_int_equal(qlw_at_open(&r->at, &cfg, qlw_replay_io(r->rp)), QLW_OK);
    assert_int_equal(qlw_at_add_urc_handler(r->at, "", on_urc, r), QLW_OK);
    assert_int_equal(qlw_at_add_event_handler(r->at, on_event, r), QLW_OK);
}

/* Lets what is due arrive and a boot banner finish, as a program does before it sends. */
static void settle(rig *r)
{
    assert_int_equal(qlw_at_process(r->at), QLW_OK);
    for (int i = 0; i < 100 && qlw_at_booting(r->at); i++)
        assert_int_equal(qlw_at_poll(r->at, 1000), QLW_OK);
    assert_false(qlw_at_booting(r->at));
}

static void wait_done(rig *r)
{
    for (int i = 0; i < 1000 && qlw_at_busy(r->at); i++)
        assert_int_equal(qlw_at_poll(r->at, 60000), QLW_OK);
    assert_false(qlw_at_busy(r->at));
}

static void exec(rig *r, const char *text, uint32_t timeout_ms)
{
    settle(r);
    assert_int_equal(qlw_at_send_raw(r->at, text, timeout_ms, on_done, r), QLW_OK);
    wait_done(r);
}

static void rig_finish(rig *r)
{
    settle(r);
    if (qlw_replay_status(r->rp) != QLW_OK)
        fail_msg("%s", qlw_replay_error(r->rp));
    assert_true(qlw_replay_finished(r->rp));
}

static void rig_close(rig *r)
{
    qlw_at_close(r->at);
    qlw_replay_close(r->rp);
    qlw_transcript_free(r->ts);
}

static qlw_at_stats stats_of(const rig *r)
{
    qlw_at_stats st;

    qlw_at_get_stats(r->at, &st);
    return st;
}

/* ------------------------------------------------- transcript faults */

static void late_ok_does_not_complete_the_next_command(void **state)
{
    static rig r;

    (void)state;
    for (size_t k = 0; k < sizeof(read_sizes) / sizeof(read_sizes[0]); k++) {
        rig_open(&r, "synthetic-fault-late-ok.at", read_sizes[k], 0);
        exec(&r, "AT+CGATT?", 1000);
        /* sent at once: the engine holds it until the line has been quiet */
        assert_int_equal(qlw_at_send_raw(r.at, "AT+CEREG?", 1000, on_done, &r), QLW_OK);
        wait_done(&r);
        rig_finish(&r);
        assert_string_equal(r.log, "D(AT+CGATT?=timeout:-1)U(+CGATT:1)V(stale_final:0)"
                                   "D(AT+CEREG?=ok:-1|+CEREG:2,1)");
        assert_int_equal(r.tx_count, 2);
        assert_int_equal(r.tx_ms[0], 0);
        assert_int_equal(r.tx_ms[1], 1100 + 200); /* late bytes at 1100, then 200 ms quiet */
        assert_int_equal(stats_of(&r).stale_finals, 1);
        assert_int_equal(stats_of(&r).timeouts, 1);
        rig_close(&r);
    }
}

static void late_ok_while_idle_is_stale(void **state)
{
    static rig r;

    (void)state;
    rig_open(&r, "synthetic-fault-late-ok.at", 0, 0);
    exec(&r, "AT+CGATT?", 1000);
    assert_int_equal(qlw_at_poll(r.at, 5000), QLW_OK); /* the late answer arrives, nothing asked */
    exec(&r, "AT+CEREG?", 1000);
    rig_finish(&r);
    assert_string_equal(r.log, "D(AT+CGATT?=timeout:-1)U(+CGATT:1)V(stale_final:0)"
                               "D(AT+CEREG?=ok:-1|+CEREG:2,1)");
    assert_int_equal(r.tx_ms[1], 1100 + 200);
    rig_close(&r);
}

static void noise_between_and_inside_lines(void **state)
{
    static rig r;

    (void)state;
    for (size_t k = 0; k < sizeof(read_sizes) / sizeof(read_sizes[0]); k++) {
        qlw_at_stats st;

        rig_open(&r, "synthetic-fault-garbage-nul.at", read_sizes[k], 0);
        exec(&r, "AT+CGATT?", 1000);
        exec(&r, "AT", 1000);
        rig_finish(&r);
        assert_string_equal(r.log, "U(+CGATT:1!)D(AT+CGATT?=ok:-1)D(AT=ok:-1)");
        st = stats_of(&r);
        assert_int_equal(st.garbage_bytes, 8);
        assert_int_equal(st.lines, 3);       /* +CGATT:1, OK, OK */
        assert_int_equal(st.empty_lines, 5); /* noise-only lines count as empty */
        assert_int_equal(st.urcs, 1);
        rig_close(&r);
    }
}

static void line_longer_than_the_buffer_is_dropped(void **state)
{
    static rig r;

    (void)state;
    for (size_t k = 0; k < sizeof(read_sizes) / sizeof(read_sizes[0]); k++) {
        rig_open(&r, "synthetic-fault-long-line.at", read_sizes[k], 0);
        exec(&r, "AT+CSQ", 1000);
        rig_finish(&r);
        assert_string_equal(r.log, "V(line_overflow:1210)D(AT+CSQ=ok:-1|+CSQ:20,99)");
        assert_int_equal(stats_of(&r).lines_overflowed, 1);
        assert_int_equal(stats_of(&r).urcs, 0);
        rig_close(&r);
    }
}

/* Delivered URCs of the flood: each once, in order. */
static void on_flood(void *ctx, const qlw_at_line *line)
{
    rig *r = ctx;
    long n = strtol(line->text + strlen("+NSONMI:0,"), NULL, 10);

    assert_true(n > r->flood_last);
    r->flood_last = n;
}

static void flood(rig *r, size_t read_size)
{
    rig_open(r, "synthetic-fault-urc-flood.at", read_size, 256);
    assert_int_equal(qlw_at_add_urc_handler(r->at, "+NSONMI", on_flood, r), QLW_OK);
    exec(r, "AT+CGATT?", 1000);
    exec(r, "AT", 1000);
    rig_finish(r);
    assert_non_null(strstr(r->log, "D(AT+CGATT?=ok:-1|+CGATT:1)D(AT=ok:-1)"));
    /* every line either delivered once or counted as dropped and reported */
    assert_int_equal(stats_of(r).urcs + stats_of(r).urcs_dropped, 80);
    assert_int_equal(r->overflow_reported, stats_of(r).urcs_dropped);
}

static void urc_flood_overflows_and_is_reported(void **state)
{
    static rig r;

    (void)state;
    /* Whole reads come in 128-byte chunks of 9 to 10 lines (the engine's read
     * size); the queue keeps 192 bytes for lines (256 less 64 kept for
     * events): 8 records of a one-digit line (24 bytes) fit, then 6 of a
     * two-digit line (28 bytes) from each later chunk; the rest of each
     * chunk is dropped, counted and reported. */
    flood(&r, 0);
    assert_int_equal(stats_of(&r).urcs, 56);
    assert_int_equal(stats_of(&r).urcs_dropped, 80 - 56);
    assert_non_null(strstr(r.log, "U(+NSONMI:0,8)V(urc_overflow:1)U(+NSONMI:0,10)"));
    assert_non_null(strstr(r.log, "U(+NSONMI:0,15)V(urc_overflow:4)U(+NSONMI:0,20)"));
    assert_non_null(strstr(r.log, "U(+NSONMI:0,79)V(urc_overflow:1)D(AT+CGATT?=ok:-1|+CGATT:1)"));
    rig_close(&r);
    for (size_t k = 1; k < sizeof(read_sizes) / sizeof(read_sizes[0]); k++) {
        flood(&r, read_sizes[k]); /* smaller reads dispatch sooner: fewer or no drops */
        rig_close(&r);
    }
}

static void reboot_turns_echo_on(void **state)
{
    static rig r;

    (void)state;
    for (size_t k = 0; k < sizeof(read_sizes) / sizeof(read_sizes[0]); k++) {
        rig_open(&r, "synthetic-fault-reboot-echo.at", read_sizes[k], 0);
        exec(&r, "ATE0", 1000);
        exec(&r, "AT+CGATT?", 1000);
        exec(&r, "AT+CGATT?", 1000);
        exec(&r, "AT+CEREG?", 1000);
        rig_finish(&r);
        assert_string_equal(r.log, "D(ATE0=ok:-1)U(F!)V(boot_start:0)"
                                   "U(REBOOT_CAUSE_SECURITY_WATCHDOG#)D(AT+CGATT?=rebooted:-1)"
                                   "U(Neul #)U(OK#)V(boot_end:0)"
                                   "D(AT+CGATT?=ok:-1|+CGATT:0)D(AT+CEREG?=ok:-1|+CEREG:2,2)");
        assert_int_equal(stats_of(&r).echoes, 2);
        assert_int_equal(stats_of(&r).reboots, 1);
        assert_int_equal(stats_of(&r).stale_finals, 0);
        assert_string_equal(qlw_neul_reboot_cause("REBOOT_CAUSE_SECURITY_WATCHDOG"),
                            "SECURITY_WATCHDOG");
        rig_close(&r);
    }
}

/* ------------------------------------------------------ port failure */

typedef struct modem {
    char line[256];
    size_t len;
    size_t written;
    char tx[4096]; /* everything written, for assertions */
    const char *(*answer)(const char *cmd);
} modem;

static const char *answer_ok(const char *cmd)
{
    (void)cmd;
    return "\r\nOK\r\n";
}

static const char *answer_slowly(const char *cmd)
{
    (void)cmd;
    return "\r\n+CGATT:1\r\n\r\nOK\r\n";
}

static void modem_write(void *ctx, qlw_io *io, const uint8_t *data, size_t len)
{
    modem *m = ctx;

    for (size_t i = 0; i < len; i++) {
        if (m->written + 1 < sizeof(m->tx))
            m->tx[m->written] = (char)data[i];
        m->written++;
        if (data[i] != '\r') {
            if (m->len + 1 < sizeof(m->line))
                m->line[m->len++] = (char)data[i];
            continue;
        }
        m->line[m->len] = '\0';
        m->len = 0;
        if (m->answer != NULL)
            qlw_io_mem_push(io, m->answer(m->line), strlen(m->answer(m->line)), 10);
    }
}

static qlw_io *modem_io(modem *m, const char *(*answer)(const char *))
{
    qlw_io *io;

    memset(m, 0, sizeof(*m));
    m->answer = answer;
    assert_int_equal(qlw_io_mem_open(&io, 8192, 0), QLW_OK);
    qlw_io_mem_set_write_hook(io, modem_write, m);
    return io;
}

static void port_gone_during_a_command(void **state)
{
    static rig r; /* only for its log */
    modem m;
    qlw_io *io = modem_io(&m, answer_slowly);
    qlw_at_config cfg;
    qlw_at *at;
    const qlw_at_response *resp;

    (void)state;
    memset(&r, 0, sizeof(r));
    qlw_neul_at_config(&cfg);
    assert_int_equal(qlw_at_open(&at, &cfg, io), QLW_OK);
    assert_int_equal(qlw_at_add_event_handler(at, on_event, &r), QLW_OK);
    qlw_io_mem_fail_after(io, 5, QLW_ERR_PORT_GONE); /* "\r\n+CG", then unplugged */
    assert_int_equal(qlw_at_exec_raw(at, "AT+CGATT?", 1000, &resp), QLW_ERR_PORT_GONE);
    assert_int_equal(resp->result, QLW_AT_RESULT_IO_ERROR);
    assert_int_equal(resp->code, QLW_ERR_PORT_GONE);
    assert_int_equal(resp->line_count, 0);
    assert_string_equal(r.log, "V(io_error:9)");
    assert_int_equal(qlw_at_process(at), QLW_ERR_PORT_GONE);
    assert_int_equal(qlw_at_exec_raw(at, "AT", 1000, NULL), QLW_ERR_PORT_GONE);
    assert_false(qlw_at_busy(at));
    qlw_at_close(at);
    qlw_io_close(io);

    /* the port comes back as a new transport: a new handle on it works */
    io = modem_io(&m, answer_ok);
    assert_int_equal(qlw_at_open(&at, &cfg, io), QLW_OK);
    assert_int_equal(qlw_at_exec_raw(at, "AT", 1000, &resp), QLW_OK);
    assert_string_equal(resp->final, "OK");
    qlw_at_close(at);
    qlw_io_close(io);
}

static void port_gone_before_the_command_is_written(void **state)
{
    modem m;
    qlw_io *io = modem_io(&m, answer_ok);
    qlw_at *at;
    const qlw_at_response *resp;

    (void)state;
    assert_int_equal(qlw_at_open(&at, NULL, io), QLW_OK);
    qlw_io_mem_fail_after(io, 0, QLW_ERR_PORT_GONE);
    assert_int_equal(qlw_at_exec_raw(at, "AT", 1000, &resp), QLW_ERR_PORT_GONE);
    assert_int_equal(resp->result, QLW_AT_RESULT_IO_ERROR);
    assert_int_equal(m.written, 0);
    qlw_at_close(at);
    qlw_io_close(io);
}

/* ----------------------------------------------------------- bad input */

static const char *const bad_apns[] = {
    "iot\"x",
    "iot\rx",
    "iot\nx",
    "iot;x",
    "iot,x",
    "iot x",
    "iot\",\"IP",
    "iot.example\r\nAT+NRB",
    /* 63 characters: one more than an APN may have */
    "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabc",
};

static const char *const bad_hosts[] = {
    "192.0.2.1\"",
    "192.0.2.1\r\nAT+NRB",
    "192.0.2.1;+NRB",
    "192.0.2.1,80",
    "server.example",
    "256.0.0.1",
    "192.0.2.01",
    "192.0.2",
    " 192.0.2.1",
    "192.0.2.1 ",
    "",
    "192.0.2.1                                                                                  ",
};

static qlw_session *session_on(modem *m, qlw_io **io)
{
    qlw_session *s;

    *io = modem_io(m, answer_ok);
    assert_int_equal(qlw_session_open(&s, NULL, *io), QLW_OK);
    return s;
}

static void expect_refused(qlw_session *s, const modem *m, int rc, const char *names)
{
    assert_int_equal(rc, QLW_ERR_ARG);
    assert_int_equal(m->written, 0);
    if (strstr(qlw_errmsg(s), names) == NULL)
        fail_msg("error message \"%s\" does not name %s", qlw_errmsg(s), names);
}

static void bad_apn_refused_before_anything_is_written(void **state)
{
    modem m;
    qlw_io *io;
    qlw_session *s = session_on(&m, &io);

    (void)state;
    for (size_t i = 0; i < sizeof(bad_apns) / sizeof(bad_apns[0]); i++) {
        qlw_attach_opts o = {.apn = bad_apns[i], .cid = 1, .band = 0};

        expect_refused(s, &m, qlw_request_attach(s, &o), "APN");
        expect_refused(s, &m, qlw_attach(s, &o, 1000), "APN");
    }
    qlw_close(s);
    qlw_io_close(io);
}

static void bad_cdp_host_refused_before_anything_is_written(void **state)
{
    modem m;
    qlw_io *io;
    qlw_session *s = session_on(&m, &io);

    (void)state;
    for (size_t i = 0; i < sizeof(bad_hosts) / sizeof(bad_hosts[0]); i++) {
        expect_refused(s, &m, qlw_request_cdp(s, bad_hosts[i], 5683), "CDP");
        expect_refused(s, &m, qlw_set_cdp(s, bad_hosts[i], 5683, 1000), "CDP");
    }
    expect_refused(s, &m, qlw_request_cdp(s, NULL, 5683), "CDP");
    expect_refused(s, &m, qlw_request_cdp(s, "192.0.2.1", 0), "CDP");
    qlw_close(s);
    qlw_io_close(io);
}

static void bad_payload_refused_before_anything_is_written(void **state)
{
    static uint8_t big[QLW_NEUL_PAYLOAD_MAX + 1];
    modem m;
    qlw_io *io;
    qlw_session *s = session_on(&m, &io);

    (void)state;
    expect_refused(s, &m, qlw_queue_uplink(s, NULL, 4, QLW_UPLINK_NON, NULL), "payload");
    expect_refused(s, &m, qlw_queue_uplink(s, big, 0, QLW_UPLINK_NON, NULL), "payload");
    expect_refused(s, &m, qlw_queue_uplink(s, big, sizeof(big), QLW_UPLINK_NON, NULL), "payload");
    expect_refused(s, &m, qlw_send_uplink(s, big, sizeof(big), QLW_UPLINK_CON, 1000, NULL),
                   "payload");
    expect_refused(s, &m, qlw_queue_uplink(s, big, 4, (qlw_uplink_mode)99, NULL), "mode");
    assert_int_equal(qlw_uplinks_pending(s), 0);
    qlw_close(s);
    qlw_io_close(io);
}

/* The module registers and the server observes at once. */
static const char *answer_ready(const char *cmd)
{
    if (strcmp(cmd, "AT+CEREG?") == 0)
        return "\r\n+CEREG:2,1\r\n\r\nOK\r\n";
    if (strcmp(cmd, "AT+QLWSREGIND=0") == 0)
        return "\r\nOK\r\n\r\n+QLWEVTIND:0\r\n\r\n+QLWEVTIND:3\r\n";
    if (strncmp(cmd, "AT+QLWULDATA=", 13) == 0) /* AT+NSMI=1 is on: the module says it left */
        return "\r\nOK\r\n\r\n+NSMI:SENT\r\n";
    return "\r\nOK\r\n";
}

static void payload_bytes_only_ever_go_out_as_hex(void **state)
{
    static const uint8_t nasty[] = {'"', '\r', '\n', ';', 0x00, 0x1A};
    modem m;
    qlw_io *io = modem_io(&m, answer_ready);
    qlw_session *s;
    qlw_uplink_report rep;

    (void)state;
    assert_int_equal(qlw_session_open(&s, NULL, io), QLW_OK);
    assert_int_equal(qlw_send_uplink(s, nasty, sizeof(nasty), QLW_UPLINK_NON, 60000, &rep), QLW_OK);
    assert_int_equal(rep.result, QLW_OK);
    m.tx[m.written < sizeof(m.tx) ? m.written : sizeof(m.tx) - 1] = '\0';
    assert_non_null(strstr(m.tx, "\rAT+QLWULDATA=6,220D0A3B001A\r"));
    qlw_close(s);
    qlw_io_close(io);
}

static void refused_attach_changes_nothing(void **state)
{
    modem m;
    qlw_io *io = modem_io(&m, answer_ok);
    qlw_session *s;
    qlw_attach_opts o = {.apn = "other.apn", .cid = 99, .band = 0};

    (void)state;
    assert_int_equal(qlw_session_open(&s, NULL, io), QLW_OK);
    expect_refused(s, &m, qlw_request_attach(s, &o), "cid");
    /* a later plain attach must not pick up the APN of the refused call */
    assert_int_equal(qlw_request_attach(s, NULL), QLW_OK);
    for (int i = 0; i < 200; i++)
        assert_int_equal(qlw_poll(s, 1000), QLW_OK);
    m.tx[m.written < sizeof(m.tx) ? m.written : sizeof(m.tx) - 1] = '\0';
    assert_non_null(strstr(m.tx, "AT+CGATT=1\r"));
    assert_null(strstr(m.tx, "other.apn"));
    qlw_close(s);
    qlw_io_close(io);
}

static void injection_refused_by_the_engine(void **state)
{
    modem m;
    qlw_io *io = modem_io(&m, answer_ok);
    qlw_at *at;
    qlw_ping_result pr;
    qlw_at_cmd cmd = {.text = "AT", .timeout_ms = 0x80000000u};

    (void)state;
    assert_int_equal(qlw_at_open(&at, NULL, io), QLW_OK);
    assert_int_equal(qlw_at_send_raw(at, "AT\rAT+NRB", 1000, NULL, NULL), QLW_ERR_ARG);
    assert_int_equal(qlw_at_send_raw(at, "AT+CGDCONT=1,\"IP\",\"a\nb\"", 1000, NULL, NULL),
                     QLW_ERR_ARG);
    assert_int_equal(qlw_at_exec_raw(at, "", 1000, NULL), QLW_ERR_ARG);
    assert_int_equal(qlw_neul_ping(at, "192.0.2.1;+NRB", 0, 0, &pr), QLW_ERR_ARG);
    assert_int_equal(qlw_neul_ping(at, "192.0.2.1", 0, 60001, &pr), QLW_ERR_ARG);
    assert_int_equal(qlw_neul_ping(at, "192.0.2.1", 1501, 1000, &pr), QLW_ERR_ARG);
    /* a timeout past 2^31 ms cannot be told from one in the past on a wrapping clock */
    assert_int_equal(qlw_at_send(at, &cmd, NULL, NULL), QLW_ERR_ARG);
    assert_int_equal(m.written, 0);
    qlw_at_close(at);
    qlw_io_close(io);
}

static void timeout_too_long_for_the_clock_refused(void **state)
{
    modem m;
    qlw_io *io;
    qlw_session *s = session_on(&m, &io);

    (void)state;
    expect_refused(s, &m, qlw_wait_ready(s, 0x80000000u), "timeout");
    expect_refused(s, &m, qlw_register(s, UINT32_MAX), "timeout");
    qlw_close(s);
    qlw_io_close(io);
}

/* ------------------------------------------------------ serial ports */

static void expect_open_fails(const char *path, const qlw_serial_config *cfg, int want,
                              const char *msg_part)
{
    char err[256];
    qlw_io dummy;
    qlw_io *io = &dummy; /* must be set to NULL on failure */

    assert_int_equal(qlw_io_open_serial(&io, path, cfg, err, sizeof(err)), want);
    assert_null(io);
    if (strstr(err, msg_part) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", err, msg_part);
}

static void bad_ports_and_rates_refused_with_clear_messages(void **state)
{
    char file[] = "/tmp/qlwm2m-faults-XXXXXX";
    int fd = mkstemp(file);
    qlw_serial_config cfg;
    qlw_session *s;
    char err[256];

    (void)state;
    assert_true(fd >= 0);
    expect_open_fails(NULL, NULL, QLW_ERR_ARG, "path is missing");
    expect_open_fails("", NULL, QLW_ERR_ARG, "path is missing");
    /* What a path names is the backend's to judge: these are the termios backend's answers. */
    if (qlw_io_has_posix_tty()) {
        expect_open_fails("/dev/qlwm2m-no-such-port", NULL, QLW_ERR_PORT_NOT_FOUND,
                          "/dev/qlwm2m-no-such-port: no such port");
        expect_open_fails(file, NULL, QLW_ERR_ARG, "is not a serial port");
        expect_open_fails("/dev/null", NULL, QLW_ERR_ARG, "/dev/null is not a serial port");
    }
    qlw_serial_config_default(&cfg);
    cfg.baud = 12345;
    expect_open_fails("/dev/ttyS0", &cfg, QLW_ERR_ARG, "baud rate 12345 is not supported");
    cfg.baud = 0;
    expect_open_fails("/dev/ttyS0", &cfg, QLW_ERR_ARG, "baud rate 0 is not supported");
    qlw_serial_config_default(&cfg);
    cfg.flow = (qlw_flow)7;
    expect_open_fails("/dev/ttyS0", &cfg, QLW_ERR_ARG, "flow control 7 is not valid");
    assert_int_equal(qlw_open(&s, "/dev/qlwm2m-no-such-port", NULL, NULL, err, sizeof(err)),
                     qlw_io_has_posix_tty() || qlw_io_has_libserialport() || qlw_io_has_win32_comm()
                         ? QLW_ERR_PORT_NOT_FOUND
                         : QLW_ERR_UNSUPPORTED);
    assert_non_null(strstr(err, "/dev/qlwm2m-no-such-port"));
    close(fd);
    unlink(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(late_ok_does_not_complete_the_next_command),
        cmocka_unit_test(late_ok_while_idle_is_stale),
        cmocka_unit_test(noise_between_and_inside_lines),
        cmocka_unit_test(line_longer_than_the_buffer_is_dropped),
        cmocka_unit_test(urc_flood_overflows_and_is_reported),
        cmocka_unit_test(reboot_turns_echo_on),
        cmocka_unit_test(port_gone_during_a_command),
        cmocka_unit_test(port_gone_before_the_command_is_written),
        cmocka_unit_test(bad_apn_refused_before_anything_is_written),
        cmocka_unit_test(bad_cdp_host_refused_before_anything_is_written),
        cmocka_unit_test(bad_payload_refused_before_anything_is_written),
        cmocka_unit_test(payload_bytes_only_ever_go_out_as_hex),
        cmocka_unit_test(refused_attach_changes_nothing),
        cmocka_unit_test(injection_refused_by_the_engine),
        cmocka_unit_test(timeout_too_long_for_the_clock_refused),
        cmocka_unit_test(bad_ports_and_rates_refused_with_clear_messages),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
