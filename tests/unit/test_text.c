/*
 * The library's text is optional (QLWM2M_TEXT=OFF, for the smallest
 * microcontroller image). This test is built in both kinds of build and
 * checks that leaving the text out changes nothing but the text: the same
 * bytes on the wire (the replayer compares every command with the
 * transcript), the same states, causes, reports, error codes and +CME ERROR
 * numbers, logged here by number; and, depending on the build, the words
 * are there or are all "".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "qlwm2m/neul.h"
#include "session_harness.h"

/* Everything by number: the log must not depend on the text. */
static void n_state(void *ctx, qlw_state from, qlw_state to, qlw_cause cause)
{
    char buf[32];

    (void)from;
    snprintf(buf, sizeof(buf), "[%d/%d]", (int)to, (int)cause);
    h_log(ctx, buf);
}

static void n_uplink(void *ctx, const qlw_uplink_report *r)
{
    harness *h = ctx;
    char buf[64];

    h->reports++;
    snprintf(buf, sizeof(buf), "{%u %d%s %d %d %d %u}", (unsigned)r->id, (int)r->outcome,
             r->possible_duplicate ? "d" : "", r->result, r->cme, r->seq, r->attempts);
    h_log(h, buf);
}

static unsigned log_lines;

static void n_log(void *ctx, qlw_log_level level, const char *name, const char *line)
{
    (void)ctx;
    (void)level;
    (void)name;
    (void)line;
    log_lines++;
}

static void n_config(harness *h, qlw_session_config *cfg)
{
    h_config(h, cfg);
    cfg->on_state = n_state;
    cfg->on_uplink = n_uplink;
    cfg->on_log = n_log;
    cfg->log_level = QLW_LOG_DEBUG;
}

static void same_session_with_or_without_text(void **state)
{
    static const size_t read_sizes[] = {0, 1, 7};

    (void)state;
    for (size_t i = 0; i < sizeof(read_sizes) / sizeof(read_sizes[0]); i++) {
        harness h;
        qlw_session_config cfg;
        static const uint8_t one[] = {0x01}, two[] = {0x02};

        n_config(&h, &cfg);
        log_lines = 0;
        assert_int_equal(
            h_open(&h, "synthetic-session-reboot-observe-busy.at", &cfg, read_sizes[i]), QLW_OK);
        assert_int_equal(qlw_queue_uplink(h.s, one, 1, QLW_UPLINK_NON, NULL), QLW_OK);
        assert_int_equal(qlw_queue_uplink(h.s, two, 1, QLW_UPLINK_NON, NULL), QLW_OK);
        assert_int_equal(qlw_request_register(h.s), QLW_OK);
        h_run(&h, 120000);
        /* The same commands, byte for byte, in the same order. */
        assert_string_equal(qlw_replay_error(h.rp), "");
        assert_true(qlw_replay_finished(h.rp));
        /* attached/setup, registering/request, registered and ready on events, a
         * reboot, the same again, the observe cancelled: the first uplink went
         * twice (flagged), then a fresh registration and the second uplink. */
        assert_string_equal(h.log, "[3/2][4/1][5/4][6/4][0/5][3/2][4/1][5/4][6/4][3/6]"
                                   "{1 0d 0 -1 0 2}[4/1][5/4][6/4]{2 0 0 -1 0 2}");
        assert_int_equal(h.reports, 2);
#ifdef QLW_TEST_NO_TEXT
        assert_int_equal(log_lines, 0); /* nothing formatted, on_log never called */
#else
        assert_true(log_lines > 0);
#endif
        h_close(&h);
    }
}

static void refusals_keep_their_codes(void **state)
{
    harness h;
    qlw_session_config cfg;
    uint8_t big[600] = {0};

    (void)state;
    n_config(&h, &cfg);
    cfg.uplink_queue_len = 2;
    assert_int_equal(h_open(&h, "synthetic-session-walkthrough.at", &cfg, 0), QLW_OK);
    assert_int_equal(qlw_queue_uplink(h.s, big, 513, QLW_UPLINK_NON, NULL), QLW_ERR_ARG);
    assert_int_equal(qlw_last_error(h.s), QLW_ERR_ARG);
    assert_int_equal(qlw_queue_uplink(h.s, big, 4, QLW_UPLINK_NON, NULL), QLW_OK);
    assert_int_equal(qlw_queue_uplink(h.s, big, 4, QLW_UPLINK_CON, NULL), QLW_OK);
    assert_int_equal(qlw_queue_uplink(h.s, big, 4, QLW_UPLINK_NON, NULL), QLW_ERR_QUEUE_FULL);
    assert_int_equal(qlw_last_error(h.s), QLW_ERR_QUEUE_FULL);
    assert_int_equal(qlw_last_cme(h.s), -1);
#ifdef QLW_TEST_NO_TEXT
    assert_string_equal(qlw_errmsg(h.s), "");
#else
    assert_string_equal(qlw_errmsg(h.s), "uplink queue: queue is full");
#endif
    qlw_close(h.s);
    h.s = NULL;
    /* closing reports what never went out, once each: failed, QLW_ERR_CANCELLED */
    assert_string_equal(h.log, "{1 2 -21 -1 0 0}{2 2 -21 -1 1 0}");
    qlw_replay_close(h.rp);
    qlw_transcript_free(h.ts);
}

static void names_are_there_or_empty(void **state)
{
    const char *names[] = {
        qlw_strerror(QLW_ERR_TIMEOUT),          qlw_err_str(QLW_ERR_TIMEOUT),
        qlw_state_str(QLW_STATE_READY),         qlw_cause_str(QLW_CAUSE_REBOOT),
        qlw_outcome_str(QLW_OUTCOME_DELIVERED), qlw_uplink_mode_str(QLW_UPLINK_CON),
        qlw_notice_str(QLW_NOTICE_REBOOT),      qlw_delivery_str(QLW_DELIVERY_AT_MOST_ONCE),
        qlw_log_level_str(QLW_LOG_INFO),        qlw_at_result_str(QLW_AT_RESULT_CME_ERROR),
        qlw_at_event_str(QLW_AT_EV_BOOT_END),   qlw_cme_str(513),
        qlw_lwm2m_event_str(QLW_EVT_READY),     qlw_cereg_stat_str(1),
        qlw_nmstatus_str(QLW_NM_REGISTERED),    qlw_uplink_status_str(QLW_UPLINK_DELIVERED),
        qlw_dialect_str(QLW_DIALECT_NEUL),      qlw_flow_str(QLW_FLOW_RTSCTS),
        qlw_io_backend_str(QLW_IO_WIN32),
    };

    (void)state;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        assert_non_null(names[i]);
#ifdef QLW_TEST_NO_TEXT
        assert_string_equal(names[i], "");
#else
        assert_true(names[i][0] != '\0');
#endif
    }
    /* What the module says is data, not the library's text: kept either way. */
    assert_string_equal(qlw_neul_reboot_cause("REBOOT_CAUSE_APPLICATION_AT"), "APPLICATION_AT");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_session_with_or_without_text),
        cmocka_unit_test(refusals_keep_their_codes),
        cmocka_unit_test(names_are_there_or_empty),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
