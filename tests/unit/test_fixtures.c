/*
 * Every transcript replayed through the AT engine with the BC68 family's
 * configuration, at read sizes 1, 2, 3, 7 and whole: the events must not
 * depend on how the bytes were cut, and the real fixtures' quirks must come
 * out as the right events.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "qlwm2m/neul.h"
#include "test_printf.h"
#include "ts_fixture_list.h"

typedef struct events {
    char text[16384];
    size_t len;
} events;

TEST_PRINTF(2, 3) static void add(events *e, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    e->len += (size_t)vsnprintf(e->text + e->len, sizeof(e->text) - e->len, fmt, ap);
    va_end(ap);
    assert_true(e->len < sizeof(e->text));
}

static void on_urc(void *ctx, const qlw_at_line *l)
{
    add(ctx, "%s(%s)\n", l->flags & QLW_LINE_BOOT ? "B" : (l->flags & QLW_LINE_GARBLED ? "N" : "U"),
        l->text);
}

static void on_event(void *ctx, qlw_at_event ev, uint32_t count)
{
    add(ctx, "E(%s:%lu)\n", qlw_at_event_str(ev), (unsigned long)count);
}

static void on_done(void *ctx, const qlw_at_response *r)
{
    add(ctx, "R(%s=%s:%d", r->command, qlw_at_result_str(r->result), r->code);
    for (size_t i = 0; i < r->line_count; i++)
        add(ctx, "|%s", r->lines[i]);
    add(ctx, ")\n");
}

static void replay(const char *name, size_t read_size, events *e)
{
    qlw_transcript *ts = ts_load_fixture(name);
    qlw_replay *rp;
    qlw_at *at;
    qlw_at_config cfg;

    memset(e, 0, sizeof(*e));
    qlw_neul_at_config(&cfg);
    assert_int_equal(qlw_replay_open(&rp, ts, 0), QLW_OK);
    qlw_replay_set_read_size(rp, read_size);
    assert_int_equal(qlw_at_open(&at, &cfg, qlw_replay_io(rp)), QLW_OK);
    qlw_at_add_urc_handler(at, "", on_urc, e);
    qlw_at_add_event_handler(at, on_event, e);
    for (size_t i = 0; i < qlw_transcript_count(ts); i++) {
        const qlw_ts_step *st = qlw_transcript_step(ts, i);

        /* a program lets a banner that is already coming finish before it sends */
        qlw_at_process(at);
        while (qlw_at_booting(at))
            qlw_at_poll(at, 1000);
        if (st->kind != QLW_TS_SEND)
            continue;
        assert_int_equal(qlw_at_send_raw(at, (const char *)st->data, 60000, on_done, e), QLW_OK);
        while (qlw_at_busy(at))
            qlw_at_poll(at, 60000);
    }
    for (int i = 0; i < 100 && !qlw_replay_finished(rp); i++)
        qlw_at_poll(at, 1000);
    if (qlw_replay_status(rp) != QLW_OK)
        fail_msg("%s at read size %zu: %s", name, read_size, qlw_replay_error(rp));
    if (!qlw_replay_finished(rp))
        fail_msg("%s at read size %zu: not played to the end", name, read_size);
    qlw_at_close(at);
    qlw_replay_close(rp);
    qlw_transcript_free(ts);
}

static void test_every_fixture_same_events_at_every_read_size(void **state)
{
    static const size_t sizes[] = {1, 2, 3, 7};
    ts_fixture_list list;
    static events whole, cut;

    (void)state;
    ts_list_fixtures(&list);
    for (size_t f = 0; f < list.count; f++) {
        replay(list.names[f], 0, &whole);
        assert_true(whole.len > 0);
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
            replay(list.names[f], sizes[i], &cut);
            if (strcmp(whole.text, cut.text) != 0)
                fail_msg("%s: read size %zu differs:\n%s\nvs whole:\n%s", list.names[f], sizes[i],
                         cut.text, whole.text);
        }
    }
}

static void expect_in(const char *fixture, const char *want)
{
    static events e;

    replay(fixture, 0, &e);
    if (strstr(e.text, want) == NULL)
        fail_msg("%s: missing\n%s\nin\n%s", fixture, want, e.text);
}

static void test_boot_banner_with_unsolicited_ok(void **state)
{
    (void)state;
    /* 01: power-on banner, "Neul " with its trailing space; the OK completes nothing */
    expect_in("01-bc68-boot-attach-nping.at",
              "E(boot_start:0)\nB(Boot: Unsigned)\nB(Security B.. Verified)\n"
              "B(Protocol A.. Verified)\nB(Apps A...... Verified)\n"
              "B(REBOOT_CAUSE_SECURITY_RESET_PIN)\nB(Neul )\nB(OK)\nE(boot_end:0)\n"
              "R(AT+CFUN=0=ok:-1)\n");
    /* URCs after the OK of AT+CGATT=1, NPING answered before its URC */
    expect_in("01-bc68-boot-attach-nping.at",
              "R(AT+CGATT=1=ok:-1)\nU(+CEREG:2)\nU(+CSCON:1)\nU(+CEREG:1)\n"
              "R(AT+NPING=198.51.100.1=ok:-1)\nU(+NPING:198.51.100.1,54,962)\n");
}

static void test_uplink_before_observe_is_an_error(void **state)
{
    (void)state;
    expect_in("02-bc68-lwm2m-register-uplink-error-reregister.at",
              "R(AT+QLWULDATA=4,DEADBEEF=error:-1)\nU(+CSCON:1)\nU(+QLWEVTIND:0)\n"
              "U(+QLWEVTIND:3)\nR(AT+QLWULDATA=3,AA34BB=ok:-1)\n");
}

static void test_startup_error_and_nrb_garbage(void **state)
{
    (void)state;
    expect_in("03-bc95g-startup-error-nrb-garbage.at", "R(AT=error:-1)\nR(AT=ok:-1)\n");
    /* the raw AT+NRB has no REBOOTING final: the banner fails it; garbage stays in the banner */
    expect_in("03-bc95g-startup-error-nrb-garbage.at",
              "E(boot_start:0)\nB(REBOOTING)\nR(AT+NRB=rebooted:-1)\nB(\"`)\nB(Boot: Unsigned)\n");
    expect_in("03-bc95g-startup-error-nrb-garbage.at",
              "R(AT+CEREG?=ok:-1|+CEREG:0,1)\nR(AT+CGATT?=ok:-1|+CGATT:1)\n"
              "R(AT+NSOCR=DGRAM,17,0,1=ok:-1|1)\n");
}

static void test_urcs_inside_a_command_are_urcs(void **state)
{
    (void)state;
    expect_in("04-bc95g-udp-urc-before-response.at",
              "U(+NSOSTR:1,1,1)\nU(+NSONMI:1,77)\nR(AT+NSOST=");
    expect_in("04-bc95g-udp-urc-before-response.at", ",2=ok:-1|1,100)\n");
}

static void test_chained_command_and_urc_before_ok(void **state)
{
    (void)state;
    expect_in("07-bc68-psm-udp-multicmd-urc-inside-response.at",
              "R(AT+CEREG=2;+NPSMR=1;+CSCON=1=ok:-1)\nR(AT+CPSMS=");
    expect_in("07-bc68-psm-udp-multicmd-urc-inside-response.at",
              "U(+CEREG:0,0000,00000000,9)\nR(AT+CFUN=1=ok:-1)\n");
    expect_in("07-bc68-psm-udp-multicmd-urc-inside-response.at", "R(AT+QGMR=ok:-1|BC68JAR01A08)\n");
}

static void test_echo_with_cr_only(void **state)
{
    (void)state;
    expect_in("16-bg96-exact-bytes-echo-cr-only-fragmented-writes.at",
              "R(ATE0=ok:-1)\nR(AT=ok:-1)\nR(AT+CMEE=1=ok:-1)\n");
    expect_in("16-bg96-exact-bytes-echo-cr-only-fragmented-writes.at",
              "R(AT+CPIN?=ok:-1|+CPIN: READY)\n");
}

static void test_autoregister_events_between_commands(void **state)
{
    (void)state;
    expect_in("18-bc28-cdp-autoregister-qlwevtind-nmstatus.at",
              "R(AT+NMSTATUS?=ok:-1|+NMSTATUS:INIITIALISED)\nU(+QLWEVTIND:0)\nU(+QLWEVTIND:3)\n"
              "R(AT+NMSTATUS?=ok:-1|+NMSTATUS:MO_DATA_ENABLED)\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_fixture_same_events_at_every_read_size),
        cmocka_unit_test(test_boot_banner_with_unsolicited_ok),
        cmocka_unit_test(test_uplink_before_observe_is_an_error),
        cmocka_unit_test(test_startup_error_and_nrb_garbage),
        cmocka_unit_test(test_urcs_inside_a_command_are_urcs),
        cmocka_unit_test(test_chained_command_and_urc_before_ok),
        cmocka_unit_test(test_echo_with_cr_only),
        cmocka_unit_test(test_autoregister_events_between_commands),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
