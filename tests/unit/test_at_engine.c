/* The AT engine: classification, finals, echo, URC queue, timeouts, reboots, I/O errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "modem_script.h"
#include "qlwm2m/at.h"
#include "qlwm2m/qlwcfg.h"
#include "test_printf.h"

static const qlw_at_urc_def urc_table[] = {
    {"+CEREG", 0},
    {"+QLWEVTIND", 0},
    {"REBOOTING", QLW_URC_REBOOT},
    {"Boot:", QLW_URC_REBOOT},
    {"REBOOT_CAUSE_", QLW_URC_REBOOT},
    {"Neul", QLW_URC_REBOOT},
};

typedef struct fixture {
    qlw_io *io;
    qlw_at *at;
    modem_script script;
    char log[4096]; /* every callback, in order */
    size_t log_len;
} fixture;

TEST_PRINTF(2, 3) static void logf_(fixture *f, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    f->log_len += (size_t)vsnprintf(f->log + f->log_len, sizeof(f->log) - f->log_len, fmt, ap);
    va_end(ap);
}

static void on_urc(void *ctx, const qlw_at_line *line)
{
    logf_(ctx, "U(%s)", line->text);
}

static void on_event(void *ctx, qlw_at_event ev, uint32_t count)
{
    logf_(ctx, "V(%s:%lu)", qlw_at_event_str(ev), (unsigned long)count);
}

static void on_done(void *ctx, const qlw_at_response *r)
{
    logf_(ctx, "D(%s:%d)", qlw_at_result_str(r->result), r->code);
}

static fixture *make_with(uint32_t start_ms, size_t urc_queue, bool sync)
{
    static fixture f;
    qlw_at_config cfg;

    memset(&f, 0, sizeof(f));
    assert_int_equal(qlw_io_mem_open(&f.io, 8192, start_ms), QLW_OK);
    qlw_io_mem_set_write_hook(f.io, script_hook, &f.script);
    qlw_at_config_default(&cfg);
    cfg.urc_table = urc_table;
    cfg.urc_table_len = sizeof(urc_table) / sizeof(urc_table[0]);
    cfg.boot_end = "OK";
    if (urc_queue)
        cfg.urc_queue_size = urc_queue;
    if (sync) {
        cfg.sync_command[0] = "AT+CMEE?";
        cfg.sync_prefix[0] = "+CMEE:";
        cfg.sync_command[1] = "AT+CGATT?";
        cfg.sync_prefix[1] = "+CGATT:";
    }
    assert_int_equal(qlw_at_open(&f.at, &cfg, f.io), QLW_OK);
    assert_int_equal(qlw_at_add_urc_handler(f.at, "", on_urc, &f), QLW_OK);
    assert_int_equal(qlw_at_add_event_handler(f.at, on_event, &f), QLW_OK);
    return &f;
}

static fixture *make(uint32_t start_ms, size_t urc_queue)
{
    return make_with(start_ms, urc_queue, false);
}

static int teardown(void **state)
{
    fixture *f = *state;

    if (f != NULL) {
        qlw_at_close(f->at);
        qlw_io_close(f->io);
    }
    return 0;
}

static const char *const cgatt_prefix[] = {"+CGATT", NULL};
static const char *const nsost_prefix[] = {"+NSOST", NULL};

static void test_response_lines_and_ok(void **state)
{
    fixture *f = *state = make(1000, 0);
    const qlw_at_response *r;
    qlw_at_cmd cmd = {.text = "AT+CGATT?", .prefixes = cgatt_prefix, .timeout_ms = 1000};

    script_on(&f->script, "AT+CGATT?", "\r\n+CGATT:1\r\n\r\nOK\r\n", 0);
    assert_int_equal(qlw_at_exec(f->at, &cmd, &r), QLW_OK);
    assert_int_equal(r->result, QLW_AT_RESULT_OK);
    assert_string_equal(r->command, "AT+CGATT?");
    assert_string_equal(r->final, "OK");
    assert_int_equal(r->line_count, 1);
    assert_string_equal(r->lines[0], "+CGATT:1");
    assert_string_equal(f->script.sent[0], "AT+CGATT?");
}

static void test_prefix_needs_word_boundary(void **state)
{
    /* fixture 04: +NSOSTR and +NSONMI arrive while AT+NSOST is in flight */
    fixture *f = *state = make(0, 0);
    const qlw_at_response *r;
    qlw_at_cmd cmd = {.text = "AT+NSOST=1,2",
                      .prefixes = nsost_prefix,
                      .timeout_ms = 1000,
                      .flags = QLW_AT_CMD_BARE};

    script_on(&f->script, "AT+NSOST=1,2", "+NSOSTR:1,1,1\r\n+NSONMI:1,77\r\n1,100\r\nOK\r\n", 0);
    assert_int_equal(qlw_at_exec(f->at, &cmd, &r), QLW_OK);
    assert_int_equal(r->line_count, 1);
    assert_string_equal(r->lines[0], "1,100");
    assert_string_equal(f->log, "U(+NSOSTR:1,1,1)U(+NSONMI:1,77)");
}

static void test_urc_before_ok_dispatched_first(void **state)
{
    /* fixture 07: +CEREG printed before the OK of AT+CFUN=1 */
    fixture *f = *state = make(0, 0);

    script_on(&f->script, "AT+CFUN=1", "\r\n+CEREG:0,0000,00000000,9\r\n\r\nOK\r\n", 0);
    assert_int_equal(qlw_at_send_raw(f->at, "AT+CFUN=1", 1000, on_done, f), QLW_OK);
    while (qlw_at_busy(f->at))
        assert_int_equal(qlw_at_poll(f->at, 1000), QLW_OK);
    assert_string_equal(f->log, "U(+CEREG:0,0000,00000000,9)D(ok:-1)");
}

static bool cereg_read_form(void *ctx, const char *line, size_t len)
{
    qlw_at_field fields[12];
    (void)ctx;
    /* with n=1 the read form has two fields, the URC one */
    return qlw_at_split(line, len, fields, 12) == 2;
}

static void test_same_prefix_urc_told_apart(void **state)
{
    fixture *f = *state = make(0, 0);
    static const char *const cereg[] = {"+CEREG", NULL};
    const qlw_at_response *r;
    qlw_at_cmd cmd = {
        .text = "AT+CEREG?", .prefixes = cereg, .accept = cereg_read_form, .timeout_ms = 1000};

    script_on(&f->script, "AT+CEREG?", "\r\n+CEREG:5\r\n\r\n+CEREG:1,5\r\n\r\nOK\r\n", 0);
    assert_int_equal(qlw_at_exec(f->at, &cmd, &r), QLW_OK);
    assert_int_equal(r->line_count, 1);
    assert_string_equal(r->lines[0], "+CEREG:1,5");
    assert_string_equal(f->log, "U(+CEREG:5)");
}

static void test_error_results(void **state)
{
    fixture *f = *state = make(0, 0);
    const qlw_at_response *r;

    script_on(&f->script, "AT+A", "\r\nERROR\r\n", 0);
    script_on(&f->script, "AT+B", "\r\n+CME ERROR: 513\r\n", 0);
    script_on(&f->script, "AT+C", "\r\n+CME ERROR:159\r\n", 0);
    script_on(&f->script, "AT+D", "\r\n+CMS ERROR: 302\r\n", 0);
    assert_int_equal(qlw_at_exec_raw(f->at, "AT+A", 1000, &r), QLW_ERR_MODEM);
    assert_int_equal(r->result, QLW_AT_RESULT_ERROR);
    assert_int_equal(qlw_at_exec_raw(f->at, "AT+B", 1000, &r), QLW_ERR_CME);
    assert_int_equal(r->code, 513);
    assert_string_equal(r->final, "+CME ERROR: 513");
    assert_int_equal(qlw_at_exec_raw(f->at, "AT+C", 1000, &r), QLW_ERR_CME);
    assert_int_equal(r->code, 159);
    assert_int_equal(qlw_at_exec_raw(f->at, "AT+D", 1000, &r), QLW_ERR_CMS);
    assert_int_equal(r->code, 302);
    assert_int_equal(r->result, QLW_AT_RESULT_CMS_ERROR);
}

/* The BC66 spells LwM2M failures "+CMEE ERROR: n": a final result like
 * +CME ERROR; near misses are URCs, not finals. */
static void test_cmee_error_is_final(void **state)
{
    fixture *f = *state = make(0, 0);
    const qlw_at_response *r;

    script_on(&f->script, "AT+QLWREG", "\r\n+CMEE ERROR: 4\r\n", 0);
    script_on(&f->script, "AT+QLWDEREG", "\r\n+CMEE ERROR:32\r\n", 0);
    script_on(&f->script, "AT+X", "\r\n+CMEEX ERROR: 4\r\n+CMEE ERROR\r\n\r\nOK\r\n", 0);
    assert_int_equal(qlw_at_exec_raw(f->at, "AT+QLWREG", 1000, &r), QLW_ERR_CME);
    assert_int_equal(r->result, QLW_AT_RESULT_CME_ERROR);
    assert_int_equal(r->code, 4);
    assert_string_equal(r->final, "+CMEE ERROR: 4");
    assert_int_equal(qlw_at_exec_raw(f->at, "AT+QLWDEREG", 1000, &r), QLW_ERR_CME);
    assert_int_equal(r->code, 32);
    assert_int_equal(qlw_at_exec_raw(f->at, "AT+X", 1000, &r), QLW_OK);
    assert_string_equal(f->log, "U(+CMEEX ERROR: 4)U(+CMEE ERROR)");
}

static void test_echo_skipped(void **state)
{
    /* fixture 16: echo on, ended by CR only */
    fixture *f = *state = make(0, 0);
    const qlw_at_response *r;
    qlw_at_stats st;

    script_on(&f->script, "AT", "AT\r\r\nOK\r\n", 0);
    script_on(&f->script, "AT+CPIN?", "AT+CPIN?\r\r\n+CPIN: READY\r\n\r\nOK\r\n", 0);
    assert_int_equal(qlw_at_exec_raw(f->at, "AT", 1000, &r), QLW_OK);
    assert_int_equal(r->line_count, 0);
    assert_int_equal(qlw_at_exec_raw(f->at, "AT+CPIN?", 1000, &r), QLW_OK);
    assert_int_equal(r->line_count, 1);
    assert_string_equal(r->lines[0], "+CPIN: READY");
    qlw_at_get_stats(f->at, &st);
    assert_int_equal(st.echoes, 2);
    assert_int_equal(f->log_len, 0);
}

static void test_chained_command_waits_for_each_ok(void **state)
{
    fixture *f = *state = make(0, 0);
    const qlw_at_response *r;
    qlw_at_stats st;

    script_on(&f->script, "AT+CEREG=2;+NPSMR=1;+CSCON=1", "\r\nOK\r\n\r\nOK\r\n\r\nOK\r\n", 0);
    assert_int_equal(qlw_at_exec_raw(f->at, "AT+CEREG=2;+NPSMR=1;+CSCON=1", 1000, &r), QLW_OK);
    qlw_at_get_stats(f->at, &st);
    assert_int_equal(st.stale_finals, 0);
    assert_int_equal(f->log_len, 0);
}

static void test_timeout_then_late_ok_is_stale(void **state)
{
    fixture *f = *state = make(0, 0);
    const qlw_at_response *r;
    qlw_at_stats st;
    uint32_t t0 = qlw_io_now_ms(f->io);

    /* the OK for AT+SLOW comes 100 ms after its timeout; AT+NEXT is answered ERROR */
    script_on(&f->script, "AT+SLOW", "\r\nOK\r\n", 1100);
    script_on(&f->script, "AT+NEXT", "\r\nERROR\r\n", 50);
    assert_int_equal(qlw_at_exec_raw(f->at, "AT+SLOW", 1000, &r), QLW_ERR_TIMEOUT);
    assert_int_equal(qlw_io_now_ms(f->io) - t0, 1000);
    assert_int_equal(qlw_at_exec_raw(f->at, "AT+NEXT", 1000, &r), QLW_ERR_MODEM);
    qlw_at_get_stats(f->at, &st);
    assert_int_equal(st.stale_finals, 1);
    assert_int_equal(st.timeouts, 1);
    assert_string_equal(f->log, "V(stale_final:0)");
}

/* The late OK arrives after the guard, when the next command would already
 * be out: the probe's answer line shows it is older, and AT+NEXT gets its
 * own ERROR (without the probe it would have taken the late OK). */
static void test_late_ok_after_guard_is_told_by_the_probe(void **state)
{
    fixture *f = *state = make_with(0, 0, true);
    const qlw_at_response *r;
    qlw_at_stats st;

    script_on(&f->script, "AT+SLOW", "\r\nOK\r\n", 1500);
    script_on(&f->script, "AT+CMEE?", "\r\n+CMEE:1\r\n\r\nOK\r\n", 400);
    script_on(&f->script, "AT+NEXT", "\r\nERROR\r\n", 50);
    assert_int_equal(qlw_at_exec_raw(f->at, "AT+SLOW", 1000, &r), QLW_ERR_TIMEOUT);
    assert_int_equal(qlw_at_exec_raw(f->at, "AT+NEXT", 1000, &r), QLW_ERR_MODEM);
    assert_string_equal(r->command, "AT+NEXT");
    assert_int_equal(f->script.sent_count, 3);
    assert_string_equal(f->script.sent[1], "AT+CMEE?");
    assert_string_equal(f->script.sent[2], "AT+NEXT");
    qlw_at_get_stats(f->at, &st);
    assert_int_equal(st.stale_finals, 1);
    assert_string_equal(f->log, "V(stale_final:0)");
    /* in step again: the next command goes out at once, without a probe */
    script_on(&f->script, "AT", "\r\nOK\r\n", 10);
    assert_int_equal(qlw_at_exec_raw(f->at, "AT", 1000, NULL), QLW_OK);
    assert_string_equal(f->script.sent[3], "AT");
}

/* An unanswered probe ends its command unwritten; the next command uses the
 * other probe, so the first one's late answer is not taken for it. */
static void test_unanswered_probe_switches_to_the_other(void **state)
{
    fixture *f = *state = make_with(0, 0, true);
    const qlw_at_response *r;
    qlw_at_stats st;

    script_on(&f->script, "AT+SLOW", NULL, 0);
    script_on(&f->script, "AT+CMEE?", "\r\n+CMEE:1\r\n\r\nOK\r\n", 3000);
    script_on(&f->script, "AT+CGATT?", "\r\n+CGATT:1\r\n\r\nOK\r\n", 2000);
    script_on(&f->script, "AT+NEXT", "\r\nERROR\r\n", 50);
    assert_int_equal(qlw_at_exec_raw(f->at, "AT+SLOW", 1000, &r), QLW_ERR_TIMEOUT);
    assert_int_equal(qlw_at_exec_raw(f->at, "AT+NEXT", 1000, &r), QLW_ERR_TIMEOUT);
    assert_int_equal(qlw_at_exec_raw(f->at, "AT+NEXT", 5000, &r), QLW_ERR_MODEM);
    assert_int_equal(f->script.sent_count, 4);
    assert_string_equal(f->script.sent[1], "AT+CMEE?");
    assert_string_equal(f->script.sent[2], "AT+CGATT?");
    assert_string_equal(f->script.sent[3], "AT+NEXT"); /* written once, after the probe */
    qlw_at_get_stats(f->at, &st);
    assert_int_equal(st.stale_finals, 1);
    assert_string_equal(f->log, "U(+CMEE:1)V(stale_final:0)");
}

/* The command that timed out is itself a probe (AT+CMEE?): its late answer
 * would pass for that probe's own, so the other probe goes first. */
static void test_timed_out_probe_command_is_not_the_probe(void **state)
{
    fixture *f = *state = make_with(0, 0, true);
    const qlw_at_response *r;
    qlw_at_cmd cmee = {
        .text = "AT+CMEE?", .prefixes = (const char *const[]){"+CMEE", NULL}, .timeout_ms = 1000};

    script_on(&f->script, "AT+CMEE?", "\r\n+CMEE:1\r\n\r\nOK\r\n", 1500);
    script_on(&f->script, "AT+CGATT?", "\r\n+CGATT:1\r\n\r\nOK\r\n", 800);
    script_on(&f->script, "AT+NEXT", "\r\nERROR\r\n", 50);
    assert_int_equal(qlw_at_exec(f->at, &cmee, &r), QLW_ERR_TIMEOUT);
    assert_int_equal(qlw_at_exec_raw(f->at, "AT+NEXT", 3000, &r), QLW_ERR_MODEM);
    assert_int_equal(f->script.sent_count, 3);
    assert_string_equal(f->script.sent[1], "AT+CGATT?");
    assert_string_equal(f->script.sent[2], "AT+NEXT");
    assert_string_equal(f->log, "U(+CMEE:1)V(stale_final:0)");
}

/* A restart while the probe is awaited: the module owes nothing any more. */
static void test_reboot_during_probe_ends_the_need(void **state)
{
    fixture *f = *state = make_with(0, 0, true);
    const qlw_at_response *r;

    script_on(&f->script, "AT+SLOW", NULL, 0);
    script_on(&f->script, "AT+CMEE?", "\r\nREBOOT_CAUSE_APPLICATION_AT\r\nNeul \r\nOK\r\n", 100);
    script_on(&f->script, "AT+NEXT", "\r\nOK\r\n", 10);
    assert_int_equal(qlw_at_exec_raw(f->at, "AT+SLOW", 1000, &r), QLW_ERR_TIMEOUT);
    assert_int_equal(qlw_at_exec_raw(f->at, "AT+NEXT", 1000, &r), QLW_ERR_REBOOTED);
    while (qlw_at_booting(f->at))
        qlw_at_poll(f->at, 100);
    assert_int_equal(qlw_at_exec_raw(f->at, "AT+NEXT", 1000, &r), QLW_OK);
    assert_int_equal(f->script.sent_count, 3);
    assert_string_equal(f->script.sent[2], "AT+NEXT");
}

static void test_reboot_fails_command_and_banner_ok_completes_nothing(void **state)
{
    fixture *f = *state = make(0, 0);
    const qlw_at_response *r;

    script_on(
        &f->script, "AT+CIMI",
        "\r\nBoot: Unsigned\r\nSecurity B.. Verified\r\n\r\nREBOOT_CAUSE_SECURITY_WATCHDOG\r\n"
        "Neul \r\nOK\r\n",
        0);
    script_on(&f->script, "AT", "\r\nOK\r\n", 0);
    assert_int_equal(
        qlw_at_exec(f->at,
                    &(qlw_at_cmd){.text = "AT+CIMI", .timeout_ms = 1000, .flags = QLW_AT_CMD_BARE},
                    &r),
        QLW_ERR_REBOOTED);
    assert_int_equal(r->line_count, 0);
    while (qlw_at_booting(f->at))
        qlw_at_poll(f->at, 100);
    assert_string_equal(f->log, "V(boot_start:0)U(Boot: Unsigned)U(Security B.. Verified)"
                                "U(REBOOT_CAUSE_SECURITY_WATCHDOG)U(Neul )U(OK)V(boot_end:0)");
    assert_int_equal(qlw_at_exec_raw(f->at, "AT", 1000, NULL), QLW_OK);
}

static void test_extra_final_rebooting(void **state)
{
    fixture *f = *state = make(0, 0);
    static const char *const finals[] = {"REBOOTING", NULL};
    const qlw_at_response *r;

    script_on(&f->script, "AT+NRB",
              "\r\nREBOOTING\r\n\xC3\x83\r\nREBOOT_CAUSE_APPLICATION_AT\r\nNeul \r\nOK\r\n", 0);
    assert_int_equal(
        qlw_at_exec(f->at, &(qlw_at_cmd){.text = "AT+NRB", .finals = finals, .timeout_ms = 10000},
                    &r),
        QLW_OK);
    assert_int_equal(r->result, QLW_AT_RESULT_FINAL);
    assert_string_equal(r->final, "REBOOTING");
    while (qlw_io_mem_pending(f->io) > 0 || qlw_at_booting(f->at))
        qlw_at_poll(f->at, 100);
    /* the garbage line is all noise: counted, not delivered */
    assert_string_equal(f->log, "V(boot_start:0)U(REBOOT_CAUSE_APPLICATION_AT)U(Neul )U(OK)"
                                "V(boot_end:0)");
}

static void test_urc_flood_overflow_reported_once_each(void **state)
{
    fixture *f = *state = make(0, 256);
    char flood[4096];
    size_t n = 0;
    qlw_at_stats st;

    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(flood + n, sizeof(flood) - n, "+QLWEVTIND:%d\r\n", i % 10);
    strcat(flood, "\r\nOK\r\n");
    script_on(&f->script, "AT", flood, 0);
    assert_int_equal(qlw_at_exec_raw(f->at, "AT", 1000, NULL), QLW_OK);
    qlw_at_get_stats(f->at, &st);
    assert_int_equal(st.urcs + st.urcs_dropped, 40);
    assert_true(st.urcs_dropped > 0);
    /* every kept URC was delivered exactly once, then the loss was reported */
    {
        int delivered = 0;
        unsigned reported = 0, n_dropped;
        for (const char *p = f->log; (p = strstr(p, "U(+QLWEVTIND:")) != NULL; p++)
            delivered++;
        assert_int_equal(delivered, (int)st.urcs);
        for (const char *p = f->log; (p = strstr(p, "V(urc_overflow:")) != NULL; p++) {
            assert_int_equal(sscanf(p, "V(urc_overflow:%u)", &n_dropped), 1);
            reported += n_dropped;
        }
        assert_int_equal(reported, st.urcs_dropped);
    }
}

static void test_line_overflow_reported(void **state)
{
    fixture *f = *state = make(0, 0);
    static char longline[1300];
    qlw_at_stats st;

    memset(longline, 'A', 1200);
    strcpy(longline + 1200, "\r\n+QLWEVTIND:3\r\n");
    script_on(&f->script, "AT", longline, 0);
    assert_int_equal(qlw_at_send_raw(f->at, "AT", 100, NULL, NULL), QLW_OK);
    while (qlw_at_busy(f->at))
        qlw_at_poll(f->at, 1000);
    qlw_at_get_stats(f->at, &st);
    assert_int_equal(st.lines_overflowed, 1);
    assert_string_equal(f->log, "V(line_overflow:1200)U(+QLWEVTIND:3)");
}

static void test_io_error_completes_command(void **state)
{
    fixture *f = *state = make(0, 0);
    const qlw_at_response *r;

    qlw_io_mem_fail_after(f->io, 3, QLW_ERR_PORT_GONE);
    script_on(&f->script, "AT", "\r\nOK\r\n", 0);
    assert_int_equal(qlw_at_exec_raw(f->at, "AT", 1000, &r), QLW_ERR_PORT_GONE);
    assert_int_equal(r->result, QLW_AT_RESULT_IO_ERROR);
}

static void test_busy_and_bad_text(void **state)
{
    fixture *f = *state = make(0, 0);

    assert_int_equal(qlw_at_send_raw(f->at, "AT", 1000, NULL, NULL), QLW_OK);
    assert_int_equal(qlw_at_send_raw(f->at, "AT", 1000, NULL, NULL), QLW_ERR_BUSY);
    assert_int_equal(qlw_at_cancel(f->at), QLW_OK);
    assert_int_equal(qlw_at_send_raw(f->at, "AT\rAT", 1000, NULL, NULL), QLW_ERR_ARG);
    assert_int_equal(qlw_at_send_raw(f->at, "", 1000, NULL, NULL), QLW_ERR_ARG);
}

static void test_timeout_across_clock_wrap(void **state)
{
    fixture *f = *state = make(UINT32_MAX - 300, 0);
    const qlw_at_response *r;

    assert_int_equal(qlw_at_exec_raw(f->at, "AT+X", 1000, &r), QLW_ERR_TIMEOUT);
    assert_int_equal(r->elapsed_ms, 1000);
    assert_int_equal(qlw_io_now_ms(f->io), 699);
}

static void test_event_loop_deadline(void **state)
{
    fixture *f = *state = make(0, 0);

    script_on(&f->script, "AT", "\r\nOK\r\n", 400);
    assert_int_equal(qlw_at_next_timeout_ms(f->at), -1);
    assert_int_equal(qlw_at_send_raw(f->at, "AT", 1000, on_done, f), QLW_OK);
    assert_int_equal(qlw_at_next_timeout_ms(f->at), 1000);
    qlw_io_mem_advance(f->io, 400);
    assert_int_equal(qlw_at_process(f->at), QLW_OK);
    assert_string_equal(f->log, "D(ok:-1)");
    assert_int_equal(qlw_at_next_timeout_ms(f->at), -1);
}

static void test_prompt_then_payload(void **state)
{
    fixture *f = *state = make(0, 0);
    static const uint8_t payload[] = {'h', 'i', 0x1A};
    qlw_at_cmd cmd = {.text = "AT+SEND=2",
                      .timeout_ms = 1000,
                      .flags = QLW_AT_CMD_PROMPT,
                      .payload = payload,
                      .payload_len = sizeof(payload)};

    script_on(&f->script, "AT+SEND=2", "\r\n> ", 0);
#ifdef QLW_NO_AT_PROMPT
    /* built without the prompt (test_at_prompt checks that case) */
    assert_int_equal(qlw_at_send(f->at, &cmd, on_done, f), QLW_ERR_ARG);
    return;
#endif
    assert_int_equal(qlw_at_send(f->at, &cmd, on_done, f), QLW_OK);
    qlw_at_poll(f->at, 10);
    qlw_io_mem_push(f->io, "\r\nOK\r\n", 6, 5);
    while (qlw_at_busy(f->at))
        qlw_at_poll(f->at, 100);
    assert_string_equal(f->script.sent[0], "AT+SEND=2");
    assert_int_equal(f->script.pending_len, 3);
    assert_memory_equal(f->script.pending, "hi\x1A", 3);
    assert_string_equal(f->log, "D(ok:-1)");
}

static void test_garbled_line_is_never_a_response(void **state)
{
    fixture *f = *state = make(0, 0);
    const qlw_at_response *r;

    script_on(&f->script, "AT+CIMI",
              "\r\n4601\x80"
              "13024464866\r\n\r\nOK\r\n",
              0);
    assert_int_equal(
        qlw_at_exec(f->at,
                    &(qlw_at_cmd){.text = "AT+CIMI", .timeout_ms = 100, .flags = QLW_AT_CMD_BARE},
                    &r),
        QLW_OK);
    assert_int_equal(r->line_count, 0);
    assert_string_equal(f->log, "U(460113024464866)");
}

static void test_mem_size_and_caller_memory(void **state)
{
    qlw_at_config cfg;
    static uint64_t mem[2048];
    qlw_at *at;
    qlw_io *io;

    (void)state;
    qlw_at_config_default(&cfg);
    assert_true(qlw_at_mem_size(&cfg) > 0);
    assert_true(qlw_at_mem_size(&cfg) <= sizeof(mem));
    assert_int_equal(qlw_io_mem_open(&io, 64, 0), QLW_OK);
    assert_int_equal(qlw_at_init(&at, mem, 100, &cfg, io), QLW_ERR_NOMEM);
    assert_int_equal(qlw_at_init(&at, mem, sizeof(mem), &cfg, io), QLW_OK);
    qlw_at_close(at);
    cfg.line_max = 0;
    assert_int_equal(qlw_at_mem_size(&cfg), 0);
    qlw_io_close(io);
}

static void test_boot_line_without_terminator(void **state)
{
    /* LTE modules announce a restart with a lone RDY: no banner to wait out */
    static const qlw_at_urc_def rdy_table[] = {{"RDY", QLW_URC_REBOOT}};
    static fixture f;
    qlw_at_config cfg;

    memset(&f, 0, sizeof(f));
    *state = &f;
    assert_int_equal(qlw_io_mem_open(&f.io, 1024, 0), QLW_OK);
    qlw_io_mem_set_write_hook(f.io, script_hook, &f.script);
    qlw_at_config_default(&cfg);
    cfg.urc_table = rdy_table;
    cfg.urc_table_len = 1;
    assert_int_equal(qlw_at_open(&f.at, &cfg, f.io), QLW_OK);
    assert_int_equal(qlw_at_add_urc_handler(f.at, "", on_urc, &f), QLW_OK);
    assert_int_equal(qlw_at_add_event_handler(f.at, on_event, &f), QLW_OK);
    script_on(&f.script, "AT+CGMM", "\r\nRDY\r\n", 0);
    script_on(&f.script, "AT", "\r\nOK\r\n", 0);
    assert_int_equal(qlw_at_exec_raw(f.at, "AT+CGMM", 1000, NULL), QLW_ERR_REBOOTED);
    assert_false(qlw_at_booting(f.at));
    assert_int_equal(qlw_at_exec_raw(f.at, "AT", 1000, NULL), QLW_OK);
    assert_string_equal(f.log, "V(boot_start:0)U(RDY)V(boot_end:0)");
}

static void test_urc_table_not_indexed(void **state)
{
    /* A prefix shorter than three bytes: the table is scanned entry by entry
     * instead of through the index, with the same rules. */
    static const qlw_at_urc_def short_table[] = {{"ZZ", 0}, {"Neul", QLW_URC_REBOOT}};
    static fixture f;
    qlw_at_config cfg;
    const qlw_at_response *r;

    memset(&f, 0, sizeof(f));
    *state = &f;
    assert_int_equal(qlw_io_mem_open(&f.io, 1024, 0), QLW_OK);
    qlw_io_mem_set_write_hook(f.io, script_hook, &f.script);
    qlw_at_config_default(&cfg);
    cfg.urc_table = short_table;
    cfg.urc_table_len = 2;
    cfg.boot_end = "OK";
    assert_int_equal(qlw_at_open(&f.at, &cfg, f.io), QLW_OK);
    assert_int_equal(qlw_at_add_urc_handler(f.at, "", on_urc, &f), QLW_OK);
    assert_int_equal(qlw_at_add_event_handler(f.at, on_event, &f), QLW_OK);
    script_on(&f.script, "AT+CGMM", "\r\nZZ 1\r\nQQ 1\r\nZ\r\n\r\nOK\r\n", 0);
    script_on(&f.script, "AT+X", "\r\nNeul \r\n\r\nOK\r\n", 0);
    assert_int_equal(
        qlw_at_exec(f.at,
                    &(qlw_at_cmd){.text = "AT+CGMM", .timeout_ms = 100, .flags = QLW_AT_CMD_BARE},
                    &r),
        QLW_OK);
    assert_int_equal(r->line_count, 2);
    assert_string_equal(r->lines[0], "QQ 1");
    assert_string_equal(r->lines[1], "Z");
    assert_int_equal(qlw_at_exec_raw(f.at, "AT+X", 1000, NULL), QLW_ERR_REBOOTED);
    assert_false(qlw_at_booting(f.at));
    assert_string_equal(f.log, "U(ZZ 1)V(boot_start:0)U(Neul )U(OK)V(boot_end:0)");
}

static void test_rdy_during_raw_probe_is_a_restart(void **state)
{
    /* With the Quectel table (both families): a raw "AT" probe answered by a
     * lone RDY is a restart, not the probe's answer; the next AT gets its OK. */
    static fixture f;
    qlw_at_config cfg;

    memset(&f, 0, sizeof(f));
    *state = &f;
    assert_int_equal(qlw_io_mem_open(&f.io, 1024, 0), QLW_OK);
    qlw_io_mem_set_write_hook(f.io, script_hook, &f.script);
    qlw_quectel_at_config(&cfg);
    assert_int_equal(qlw_at_open(&f.at, &cfg, f.io), QLW_OK);
    assert_int_equal(qlw_at_add_urc_handler(f.at, "", on_urc, &f), QLW_OK);
    assert_int_equal(qlw_at_add_event_handler(f.at, on_event, &f), QLW_OK);
    script_on(&f.script, "AT", "\r\nRDY\r\n", 0);
    assert_int_equal(qlw_at_exec_raw(f.at, "AT", 1000, NULL), QLW_ERR_REBOOTED);
    assert_false(qlw_at_booting(f.at));
    f.script.entries[0].answer = "\r\nOK\r\n"; /* restarted: it answers now */
    assert_int_equal(qlw_at_exec_raw(f.at, "AT", 1000, NULL), QLW_OK);
    assert_string_equal(f.log, "V(boot_start:0)U(RDY)V(boot_end:0)");
}

#define T(fn) cmocka_unit_test_teardown(fn, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_response_lines_and_ok),
        T(test_prefix_needs_word_boundary),
        T(test_urc_before_ok_dispatched_first),
        T(test_same_prefix_urc_told_apart),
        T(test_error_results),
        T(test_cmee_error_is_final),
        T(test_echo_skipped),
        T(test_chained_command_waits_for_each_ok),
        T(test_timeout_then_late_ok_is_stale),
        T(test_late_ok_after_guard_is_told_by_the_probe),
        T(test_unanswered_probe_switches_to_the_other),
        T(test_timed_out_probe_command_is_not_the_probe),
        T(test_reboot_during_probe_ends_the_need),
        T(test_reboot_fails_command_and_banner_ok_completes_nothing),
        T(test_extra_final_rebooting),
        T(test_urc_flood_overflow_reported_once_each),
        T(test_line_overflow_reported),
        T(test_io_error_completes_command),
        T(test_busy_and_bad_text),
        T(test_timeout_across_clock_wrap),
        T(test_event_loop_deadline),
        T(test_prompt_then_payload),
        T(test_garbled_line_is_never_a_response),
        T(test_boot_line_without_terminator),
        T(test_urc_table_not_indexed),
        T(test_rdy_during_raw_probe_is_a_restart),
        cmocka_unit_test(test_mem_size_and_caller_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
