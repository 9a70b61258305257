/*
 * Every uplink ends in exactly one report that says only what the module
 * told us: the faults of issue "every reading gets exactly one true report"
 * (F1-F11), each a synthetic transcript replayed as the module at several
 * read sizes. The replayer checks every byte the session writes, so a
 * resend that should not happen fails the test as surely as a wrong report.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "session_harness.h"

static const size_t read_sizes[] = {0, 1, 2, 3, 7};
#define READ_SIZES (sizeof(read_sizes) / sizeof(read_sizes[0]))

typedef struct payload {
    uint8_t byte;
    qlw_uplink_mode mode;
} payload;

/* Opens @p file at @p read_size, queues @p n one-byte payloads, asks to register. */
static void start(harness *h, qlw_session_config *cfg, const char *file, size_t read_size,
                  const payload *p, size_t n)
{
    assert_int_equal(h_open(h, file, cfg, read_size), QLW_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(qlw_queue_uplink(h->s, &p[i].byte, 1, p[i].mode, NULL), QLW_OK);
    assert_int_equal(qlw_request_register(h->s), QLW_OK);
}

/* The reports of a harness log, without the state changes between them. */
static const char *reports_only(const char *log, char *out, size_t size)
{
    size_t n = 0;
    bool in = false;

    for (; *log != '\0' && n + 1 < size; log++) {
        in = in || *log == '{';
        if (in)
            out[n++] = *log;
        in = in && *log != '}';
    }
    out[n] = '\0';
    return out;
}

/* Runs a transcript whose story ends with every uplink reported; checks the reports. */
static void check_story(const char *file, qlw_delivery delivery, const payload *p, size_t n,
                        const char *reports)
{
    for (size_t i = 0; i < READ_SIZES; i++) {
        harness h;
        qlw_session_config cfg;
        char got[1024];

        h_config(&h, &cfg);
        cfg.delivery = delivery;
        cfg.con_ack_timeout_ms = 10000;
        start(&h, &cfg, file, read_sizes[i], p, n);
        h_run(&h, 200000);
        if (qlw_replay_error(h.rp)[0] != '\0' || !qlw_replay_finished(h.rp))
            fail_msg("%s at read size %zu: %s (log %s)", file, read_sizes[i],
                     qlw_replay_error(h.rp), h.log);
        if (strcmp(reports_only(h.log, got, sizeof(got)), reports) != 0)
            fail_msg("%s at read size %zu:\n  got  %s\n  want %s", file, read_sizes[i], got,
                     reports);
        assert_int_equal(h.reports, n);
        assert_int_equal(qlw_uplinks_pending(h.s), 0);
        h_close(&h);
    }
}

/* F1: the status before the OK, and the OK lost: delivered, never resent. */
static void status_before_ok_is_the_answer(void **state)
{
    static const payload p[] = {
        {0x01, QLW_UPLINK_CON}, {0x02, QLW_UPLINK_CON}, {0x03, QLW_UPLINK_CON}};

    (void)state;
    check_story("synthetic-truth-f1-status-before-ok.at", QLW_DELIVERY_AT_LEAST_ONCE, p, 3,
                "{ul 1 delivered ok -1 seq=1 n=1}{ul 2 delivered ok -1 seq=2 n=1}"
                "{ul 3 delivered ok -1 seq=3 n=1}");
}

/* Every mode as its own command: the mode field of AT+QLWULDATAEX, AT+NMGS and
 * AT+QLWULDATA, byte for byte; a sequence number for the CON only. */
static void every_mode_written_as_the_module_expects(void **state)
{
    static const payload p[] = {{0x01, QLW_UPLINK_NON_RELEASE},
                                {0x02, QLW_UPLINK_NON_RELEASE_AFTER_REPLY},
                                {0x03, QLW_UPLINK_CON_RELEASE},
                                {0x04, QLW_UPLINK_LEGACY_NMGS},
                                {0x05, QLW_UPLINK_NON}};

    (void)state;
    check_story("synthetic-session-uplink-modes.at", QLW_DELIVERY_AT_LEAST_ONCE, p, 5,
                "{ul 1 sent ok -1 seq=0 n=1}{ul 2 sent ok -1 seq=0 n=1}"
                "{ul 3 delivered ok -1 seq=1 n=1}{ul 4 sent ok -1 seq=0 n=1}"
                "{ul 5 sent ok -1 seq=0 n=1}");
}

/* Refused outright (+CME ERROR not "busy", +CMS ERROR): failed at once, with the code. */
static void refused_uplinks_fail_with_their_code(void **state)
{
    static const payload p[] = {{0x01, QLW_UPLINK_NON},
                                {0x02, QLW_UPLINK_NON},
                                {0x03, QLW_UPLINK_NON},
                                {0x04, QLW_UPLINK_NON}};

    (void)state;
    check_story("synthetic-session-uplink-refused.at", QLW_DELIVERY_AT_LEAST_ONCE, p, 4,
                "{ul 1 failed QLW_ERR_CME 50 seq=0 n=1}{ul 2 sent ok -1 seq=0 n=1}"
                "{ul 3 failed QLW_ERR_CMS -1 seq=0 n=1}{ul 4 sent ok -1 seq=0 n=1}");
}

/* F2: the status, then a late OK: delivered on the status, no ACK-timeout stall. */
static void late_ok_after_status_changes_nothing(void **state)
{
    static const payload p[] = {{0x02, QLW_UPLINK_CON}, {0x03, QLW_UPLINK_CON}};

    (void)state;
    check_story("synthetic-truth-f2-status-then-late-ok.at", QLW_DELIVERY_AT_LEAST_ONCE, p, 2,
                "{ul 1 delivered ok -1 seq=1 n=1}{ul 2 delivered ok -1 seq=2 n=1}");
}

/* F3: a reset between the OK and the status: resent, flagged. */
static void reboot_before_status_resends_flagged(void **state)
{
    static const payload p[] = {{0x01, QLW_UPLINK_CON}};

    (void)state;
    check_story("synthetic-truth-f3-reboot-before-status.at", QLW_DELIVERY_AT_LEAST_ONCE, p, 1,
                "{ul 1 delivered dup ok -1 seq=1 n=2}");
}

/* F3 at most once: unknown, and never handed over again. */
static void reboot_before_status_at_most_once_is_unknown(void **state)
{
    static const payload p[] = {{0x01, QLW_UPLINK_CON}};

    (void)state;
    check_story("synthetic-truth-f3-reboot-before-status-at-most-once.at",
                QLW_DELIVERY_AT_MOST_ONCE, p, 1, "{ul 1 unknown QLW_ERR_REBOOTED -1 seq=1 n=1}");
}

/* F5: NON whose OK is lost: +NSMI:SENT decides, during and after the command. */
static void nsmi_decides_when_the_ok_is_lost(void **state)
{
    static const payload p[] = {
        {0x01, QLW_UPLINK_NON}, {0x02, QLW_UPLINK_NON}, {0x03, QLW_UPLINK_NON}};

    (void)state;
    check_story("synthetic-truth-f5-nsmi-without-ok.at", QLW_DELIVERY_AT_LEAST_ONCE, p, 3,
                "{ul 1 sent ok -1 seq=0 n=1}{ul 2 sent ok -1 seq=0 n=1}"
                "{ul 3 sent ok -1 seq=0 n=1}");
}

/* F6: OK, then a reset before +NSMI: resent, flagged; neighbours once. */
static void reboot_after_ok_resends_flagged(void **state)
{
    static const payload p[] = {
        {0xA1, QLW_UPLINK_NON}, {0xA2, QLW_UPLINK_NON}, {0xA3, QLW_UPLINK_NON}};

    (void)state;
    check_story("synthetic-truth-f6-reboot-after-ok.at", QLW_DELIVERY_AT_LEAST_ONCE, p, 3,
                "{ul 1 sent ok -1 seq=0 n=1}{ul 2 sent dup ok -1 seq=0 n=2}"
                "{ul 3 sent ok -1 seq=0 n=1}");
}

/* F8: lost OKs during the setup are asked again, not fatal. */
static void setup_ok_lost_is_retried(void **state)
{
    static const payload p[] = {{0x01, QLW_UPLINK_NON}};

    (void)state;
    check_story("synthetic-truth-f8-setup-ok-lost.at", QLW_DELIVERY_AT_LEAST_ONCE, p, 1,
                "{ul 1 sent ok -1 seq=0 n=1}");
}

/* F7: +CEREG shows the attach while AT+CGATT=1 waits: no 85 s stall. */
static void cgatt_overtaken_by_cereg(void **state)
{
    static const uint8_t one = 0x01;

    (void)state;
    for (size_t i = 0; i < READ_SIZES; i++) {
        harness h;
        qlw_session_config cfg;
        uint32_t t0;

        h_config(&h, &cfg);
        assert_int_equal(h_open(&h, "synthetic-truth-f7-cgatt-ok-lost.at", &cfg, read_sizes[i]),
                         QLW_OK);
        t0 = qlw_io_now_ms(qlw_replay_io(h.rp));
        assert_int_equal(qlw_queue_uplink(h.s, &one, 1, QLW_UPLINK_NON, NULL), QLW_OK);
        assert_int_equal(qlw_request_register(h.s), QLW_OK);
        h_run(&h, 200000);
        assert_string_equal(qlw_replay_error(h.rp), "");
        assert_true(qlw_replay_finished(h.rp));
        assert_string_equal(h.log, "[detached/setup][attached/network]"
                                   "[registering/request][registered/lwm2m_event]"
                                   "[ready/lwm2m_event]{ul 1 sent ok -1 seq=0 n=1}");
        /* On the replayer's virtual clock: nothing waited out CGATT's 85 s. */
        assert_true(qlw_ms_diff(qlw_io_now_ms(qlw_replay_io(h.rp)), t0) < 10000);
        h_close(&h);
    }
}

/* Runs until the first uplink is in the module (command or wait), then returns. */
static void run_until_in_flight(harness *h)
{
    for (int i = 0; i < 2000 && qlw_uplinks_in_flight(h->s) == 0; i++)
        qlw_poll(h->s, 50);
    assert_int_equal(qlw_uplinks_in_flight(h->s), 1);
}

/* F4: paused while a CON's final is lost: the query resolves it, nothing new goes. */
static void pause_follows_the_one_in_flight_only(void **state)
{
    static const payload p[] = {{0x01, QLW_UPLINK_CON}, {0x02, QLW_UPLINK_CON}};

    (void)state;
    for (size_t i = 0; i < READ_SIZES; i++) {
        harness h;
        qlw_session_config cfg;

        h_config(&h, &cfg);
        start(&h, &cfg, "synthetic-truth-f4-pause-then-query.at", read_sizes[i], p, 2);
        run_until_in_flight(&h);
        assert_int_equal(qlw_pause(h.s), QLW_OK);
        h_run(&h, 30000);
        assert_string_equal(qlw_replay_error(h.rp), "");
        assert_true(qlw_replay_finished(h.rp));
        assert_int_equal(qlw_uplinks_in_flight(h.s), 0);
        assert_int_equal(qlw_uplinks_pending(h.s), 1);
        qlw_close(h.s);
        assert_non_null(strstr(h.log, "{ul 1 delivered ok -1 seq=1 n=1}"
                                      "{ul 2 failed QLW_ERR_CANCELLED -1 seq=2 n=0}"));
        qlw_replay_close(h.rp);
        qlw_transcript_free(h.ts);
    }
}

/* The late answer of a stalled uplink comes after the probe that precedes
 * the next one: neither its OK nor its +NSMI:SENT is taken for the next. */
static void late_answer_after_probe_is_the_old_commands(void **state)
{
    static const payload p[] = {{0x01, QLW_UPLINK_NON}, {0x02, QLW_UPLINK_NON}};

    (void)state;
    check_story("synthetic-truth-f12-late-ok-after-probe.at", QLW_DELIVERY_AT_MOST_ONCE, p, 2,
                "{ul 1 unknown QLW_ERR_TIMEOUT -1 seq=0 n=1}"
                "{ul 2 unknown QLW_ERR_TIMEOUT -1 seq=0 n=1}");
}

/* AT+NSMI=1 refused (its first OK lost), yet the module prints +NSMI: the
 * NONs are judged on their OK, and the first one's late +NSMI:SENT is not
 * taken for the second, which the module refused (busy) and takes again. */
static void nsmi_after_refused_nsmi_is_not_the_next_uplinks(void **state)
{
    static const payload p[] = {{0x01, QLW_UPLINK_NON}, {0x02, QLW_UPLINK_NON}};

    (void)state;
    check_story("synthetic-truth-f14-nsmi-refused-yet-printed.at", QLW_DELIVERY_AT_LEAST_ONCE, p, 2,
                "{ul 1 sent ok -1 seq=0 n=1}{ul 2 sent ok -1 seq=0 n=2}");
}

/* Paused while the next uplink waits behind the probe: it is taken back
 * (never written), nothing more goes, and close reports it failed. */
static void pause_takes_back_an_unwritten_uplink(void **state)
{
    static const payload p[] = {{0x01, QLW_UPLINK_NON}, {0x02, QLW_UPLINK_NON}};

    (void)state;
    for (size_t i = 0; i < READ_SIZES; i++) {
        harness h;
        qlw_session_config cfg;

        h_config(&h, &cfg);
        cfg.delivery = QLW_DELIVERY_AT_MOST_ONCE;
        start(&h, &cfg, "synthetic-truth-f13-pause-behind-probe.at", read_sizes[i], p, 2);
        for (int k = 0; k < 4000 && !qlw_replay_finished(h.rp); k++)
            qlw_poll(h.s, 50); /* until the probe is out */
        assert_true(qlw_replay_finished(h.rp));
        assert_int_equal(qlw_uplinks_in_flight(h.s), 1);
        assert_int_equal(qlw_pause(h.s), QLW_OK);
        assert_int_equal(qlw_uplinks_in_flight(h.s), 0);
        assert_int_equal(qlw_uplinks_pending(h.s), 1);
        h_run(&h, 30000); /* the replayer fails on any further write */
        assert_string_equal(qlw_replay_error(h.rp), "");
        qlw_close(h.s);
        assert_non_null(strstr(h.log, "{ul 1 unknown QLW_ERR_TIMEOUT -1 seq=0 n=1}"
                                      "{ul 2 failed QLW_ERR_CANCELLED -1 seq=0 n=0}"));
        qlw_replay_close(h.rp);
        qlw_transcript_free(h.ts);
    }
}

/* F9 and F10: close reports what is known: refused = failed, accepted = unknown. */
static void close_reports_refused_failed_and_accepted_unknown(void **state)
{
    static const payload busy[] = {{0x01, QLW_UPLINK_NON}};
    static const payload slow[] = {{0x01, QLW_UPLINK_CON}, {0x02, QLW_UPLINK_CON}};

    (void)state;
    for (size_t i = 0; i < READ_SIZES; i++) {
        harness h;
        qlw_session_config cfg;

        h_config(&h, &cfg);
        cfg.backoff_min_ms = 60000; /* the close comes during the 159 back-off */
        start(&h, &cfg, "synthetic-truth-f9-busy-then-close.at", read_sizes[i], busy, 1);
        h_run(&h, 20000);
        assert_string_equal(qlw_replay_error(h.rp), "");
        assert_true(qlw_replay_finished(h.rp));
        qlw_close(h.s);
        assert_non_null(strstr(h.log, "{ul 1 failed QLW_ERR_CANCELLED -1 seq=0 n=1}"));
        qlw_replay_close(h.rp);
        qlw_transcript_free(h.ts);

        h_config(&h, &cfg);
        start(&h, &cfg, "synthetic-truth-f10-close-before-ack.at", read_sizes[i], slow, 2);
        h_run(&h, 20000);
        assert_string_equal(qlw_replay_error(h.rp), "");
        assert_true(qlw_replay_finished(h.rp));
        assert_int_equal(qlw_uplinks_in_flight(h.s), 1);
        qlw_close(h.s);
        assert_non_null(strstr(h.log, "{ul 1 unknown QLW_ERR_CANCELLED -1 seq=1 n=1}"
                                      "{ul 2 failed QLW_ERR_CANCELLED -1 seq=2 n=0}"));
        qlw_replay_close(h.rp);
        qlw_transcript_free(h.ts);
    }
}

/* F11: a blocking call from a callback is refused and changes nothing. */
typedef struct nested {
    harness *h;
    int rc;
    size_t pending_after;
} nested;

static nested the_nested;

static void on_uplink_nested(void *ctx, const qlw_uplink_report *r)
{
    static const uint8_t again = 0x09;

    h_uplink(ctx, r);
    the_nested.rc = qlw_send_uplink(the_nested.h->s, &again, 1, QLW_UPLINK_CON, 1000, NULL);
    the_nested.pending_after = qlw_uplinks_pending(the_nested.h->s);
}

static void blocking_call_from_callback_changes_nothing(void **state)
{
    static const uint8_t one = 0x01;

    (void)state;
    for (size_t i = 0; i < READ_SIZES; i++) {
        harness h;
        qlw_session_config cfg;
        qlw_uplink_report rep;

        h_config(&h, &cfg);
        cfg.on_uplink = on_uplink_nested;
        the_nested = (nested){&h, 0, 99};
        assert_int_equal(
            h_open(&h, "synthetic-truth-f11-send-from-callback.at", &cfg, read_sizes[i]), QLW_OK);
        assert_int_equal(qlw_send_uplink(h.s, &one, 1, QLW_UPLINK_CON, 60000, &rep), QLW_OK);
        assert_int_equal(rep.outcome, QLW_OUTCOME_DELIVERED);
        assert_int_equal(the_nested.rc, QLW_ERR_STATE);
        assert_int_equal(the_nested.pending_after, 0);
        assert_non_null(strstr(qlw_errmsg(h.s), "callback"));
        h_run(&h, 5000);
        assert_string_equal(qlw_replay_error(h.rp), "");
        assert_true(qlw_replay_finished(h.rp));
        assert_int_equal(h.reports, 1);
        h_close(&h);
    }
}

/* A transport failure from qlw_process() is what qlw_errmsg() names next. */
static void port_error_is_the_last_error(void **state)
{
    qlw_io *io;
    qlw_session *s;
    static const uint8_t big[QLW_NEUL_PAYLOAD_MAX + 1];
    int rc;

    (void)state;
    assert_int_equal(qlw_io_mem_open(&io, 1024, 0), QLW_OK);
    assert_int_equal(qlw_session_open(&s, NULL, io), QLW_OK);
    assert_int_equal(qlw_queue_uplink(s, big, sizeof(big), QLW_UPLINK_NON, NULL), QLW_ERR_ARG);
    assert_non_null(strstr(qlw_errmsg(s), "payload")); /* an older, unrelated message */
    qlw_io_mem_fail_after(io, 0, QLW_ERR_PORT_GONE);
    rc = qlw_process(s);
    assert_int_equal(rc, QLW_ERR_PORT_GONE);
    assert_null(strstr(qlw_errmsg(s), "payload"));
    assert_non_null(strstr(qlw_errmsg(s), qlw_strerror(QLW_ERR_PORT_GONE)));
    qlw_close(s);
    qlw_io_close(io);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(status_before_ok_is_the_answer),
        cmocka_unit_test(every_mode_written_as_the_module_expects),
        cmocka_unit_test(refused_uplinks_fail_with_their_code),
        cmocka_unit_test(late_ok_after_status_changes_nothing),
        cmocka_unit_test(reboot_before_status_resends_flagged),
        cmocka_unit_test(reboot_before_status_at_most_once_is_unknown),
        cmocka_unit_test(nsmi_decides_when_the_ok_is_lost),
        cmocka_unit_test(reboot_after_ok_resends_flagged),
        cmocka_unit_test(setup_ok_lost_is_retried),
        cmocka_unit_test(late_answer_after_probe_is_the_old_commands),
        cmocka_unit_test(nsmi_after_refused_nsmi_is_not_the_next_uplinks),
        cmocka_unit_test(pause_takes_back_an_unwritten_uplink),
        cmocka_unit_test(cgatt_overtaken_by_cereg),
        cmocka_unit_test(pause_follows_the_one_in_flight_only),
        cmocka_unit_test(close_reports_refused_failed_and_accepted_unknown),
        cmocka_unit_test(blocking_call_from_callback_changes_nothing),
        cmocka_unit_test(port_error_is_the_last_error),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
