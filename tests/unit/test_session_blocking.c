/* The blocking calls, end to end against a transcript, on a virtual clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "session_harness.h"

static void test_power_on_to_delivered_uplink(void **state)
{
    harness h;
    qlw_session_config cfg;
    qlw_uplink_report rep;
    static const uint8_t reading[] = {0x01, 0x17}, second[] = {0x02};
    qlw_attach_opts opts = {.apn = "iot.example", .cid = 1};
    uint32_t t0;
    int rc;

    (void)state;
    h_config(&h, &cfg);
    cfg.con_ack_timeout_ms = 10000;
    assert_int_equal(h_open(&h, "synthetic-session-blocking-flow.at", &cfg, 3), QLW_OK);
    t0 = qlw_io_now_ms(qlw_replay_io(h.rp));

    assert_int_equal(qlw_set_cdp(h.s, "198.51.100.1", 5683, 60000), QLW_OK);
    assert_int_equal(qlw_get_state(h.s), QLW_STATE_DETACHED);
    assert_int_equal(qlw_attach(h.s, &opts, 60000), QLW_OK);
    assert_int_equal(qlw_get_state(h.s), QLW_STATE_ATTACHED);
    assert_int_equal(qlw_register(h.s, 60000), QLW_OK);
    assert_int_equal(qlw_get_state(h.s), QLW_STATE_REGISTERED);

    assert_int_equal(qlw_send_uplink(h.s, reading, sizeof(reading), QLW_UPLINK_CON, 60000, &rep),
                     QLW_OK);
    assert_int_equal(rep.outcome, QLW_OUTCOME_DELIVERED);
    assert_int_equal(rep.seq, 1);
    assert_int_equal(rep.status, QLW_UPLINK_DELIVERED);
    assert_int_equal(rep.attempts, 1);

    rc = qlw_send_uplink(h.s, second, 1, QLW_UPLINK_CON, 60000, &rep);
    if (rc != QLW_ERR_FAILED)
        fail_msg("%s / %s / %s", qlw_err_str(rc), qlw_replay_error(h.rp), h.log);
    assert_int_equal(rep.seq, 2);
    assert_int_equal(rep.attempts, 3);
    assert_int_equal(rep.status, QLW_UPLINK_SEND_FAILED);
    /* one attempt ended in a timeout status: it may be at the server */
    assert_int_equal(rep.outcome, QLW_OUTCOME_UNKNOWN);
    assert_true(rep.possible_duplicate);

    rc = qlw_deregister(h.s, 10000);
    if (rc != QLW_OK)
        fail_msg("%s / %s / %s", qlw_err_str(rc), qlw_replay_error(h.rp), h.log);
    assert_int_equal(qlw_get_state(h.s), QLW_STATE_ATTACHED);
    assert_string_equal(qlw_replay_error(h.rp), "");
    assert_true(qlw_replay_finished(h.rp));
    assert_string_equal(h.log, "[detached/setup][starting/reboot][detached/setup]"
                               "[attaching/request][attached/network][registering/request]"
                               "[registered/lwm2m_event][ready/lwm2m_event]"
                               "{ul 1 delivered ok -1 seq=1 n=1}"
                               "{ul 2 unknown dup QLW_ERR_FAILED -1 seq=2 n=3}"
                               "[attached/lwm2m_event]");
    /* the whole flow took virtual time only: set_cdp's reboot, attach, observe, acks */
    assert_true(qlw_ms_diff(qlw_io_now_ms(qlw_replay_io(h.rp)), t0) < 60000);
    h_close(&h);
}

static void test_bad_arguments_send_nothing(void **state)
{
    harness h;
    qlw_session_config cfg;

    (void)state;
    h_config(&h, &cfg);
    assert_int_equal(h_open(&h, "synthetic-session-walkthrough.at", &cfg, 0), QLW_OK);
    assert_int_equal(qlw_set_cdp(h.s, "example.com", 5683, 1000), QLW_ERR_ARG);
    assert_non_null(strstr(qlw_errmsg(h.s), "CDP server"));
    assert_int_equal(qlw_set_cdp(h.s, "1.2.3.4\r\nAT+NRB", 5683, 1000), QLW_ERR_ARG);
    assert_int_equal(qlw_set_cdp(h.s, "1.2.3.4", 0, 1000), QLW_ERR_ARG);
    assert_int_equal(qlw_attach(h.s, &(qlw_attach_opts){.apn = "a\";AT+NRB", .cid = 1}, 1000),
                     QLW_ERR_ARG);
    assert_non_null(strstr(qlw_errmsg(h.s), "APN"));
    /* nothing reached the module: the transcript still expects its first command */
    assert_string_equal((const char *)qlw_replay_expected(h.rp)->data, "AT");
    h_close(&h);
}

static void test_attach_denied_then_downlink_read_with_nmgr(void **state)
{
    harness h;
    qlw_session_config cfg;

    (void)state;
    h_config(&h, &cfg);
    cfg.setup.nnmi = 2;
    cfg.attach_poll_ms = 600000; /* this test follows the URCs only */
    assert_int_equal(h_open(&h, "synthetic-session-denied-nmgr.at", &cfg, 1), QLW_OK);
    assert_int_equal(qlw_attach(h.s, NULL, 30000), QLW_ERR_DENIED);
    assert_string_equal(qlw_errmsg(h.s), "the network denied registration (+CEREG stat 3)");
    h_run(&h, 120000);
    assert_string_equal(qlw_replay_error(h.rp), "");
    assert_true(qlw_replay_finished(h.rp));
    assert_string_equal(h.log, "[detached/setup][attaching/request][attached/network]{dl 0503}");
    h_close(&h);
}

static void on_lte_event(void *ctx, const qlw_qlwurc *ev)
{
    char buf[64];

    snprintf(buf, sizeof(buf), "<%s>", ev->name);
    h_log(ctx, buf);
}

static void on_lte_notice(void *ctx, qlw_notice kind, int value, const char *text)
{
    char buf[32];

    (void)text;
    if (kind != QLW_NOTICE_LWM2M_EVENT)
        return;
    snprintf(buf, sizeof(buf), "(%d)", value);
    h_log(ctx, buf);
}

static void test_lte_module_detected_registered_after_a_failure(void **state)
{
    harness h;
    qlw_session_config cfg;
    static const uint8_t one[] = {1};

    (void)state;
#ifdef QLW_TEST_NO_QLWCFG
    skip(); /* QLWM2M_DIALECT_QLWCFG=OFF: test_options covers the probe */
#endif
    h_config(&h, &cfg);
    cfg.dialect = QLW_DIALECT_AUTO;
    cfg.on_qlwurc = on_lte_event;
    cfg.on_notice = on_lte_notice; /* the +QLWEVTIND equivalents */
    assert_int_equal(h_open(&h, "synthetic-session-lte-qlwcfg.at", &cfg, 2), QLW_OK);
    assert_int_equal(qlw_register(h.s, 60000), QLW_OK);
    assert_int_equal(qlw_get_dialect(h.s), QLW_DIALECT_QLWCFG_C);
    assert_int_equal(qlw_get_state(h.s), QLW_STATE_READY);
    /* the LTE client has no data command: refused, not queued */
    assert_int_equal(qlw_queue_uplink(h.s, one, 1, QLW_UPLINK_NON, NULL), QLW_ERR_UNSUPPORTED);
    assert_int_equal(qlw_set_cdp(h.s, "198.51.100.1", 5683, 1000), QLW_ERR_UNSUPPORTED);
    assert_int_equal(qlw_deregister(h.s, 10000), QLW_OK);
    assert_string_equal(qlw_replay_error(h.rp), "");
    assert_true(qlw_replay_finished(h.rp));
    assert_string_equal(h.log, "[attached/setup][registering/request]<pdp active><initial>"
                               "<registering><ready>[attached/lwm2m_event][registering/request]"
                               "<registering><ready>(0)(3)[ready/lwm2m_event]<lifetime_changed>"
                               "<deregister>(1)[attached/lwm2m_event]");
    h_close(&h);
}

static void test_reboot_on_fresh_session_and_apn_kept(void **state)
{
    harness h;
    qlw_session_config cfg;

    (void)state;
    h_config(&h, &cfg);
    assert_int_equal(h_open(&h, "synthetic-session-reboot-apn-kept.at", &cfg, 0), QLW_OK);
    if (qlw_reboot(h.s, 60000) != QLW_OK)
        fail_msg("%s / %s / %s", qlw_errmsg(h.s), qlw_replay_error(h.rp), h.log);
    if (qlw_attach(h.s, &(qlw_attach_opts){.apn = "iot.example", .cid = 1}, 60000) != QLW_OK)
        fail_msg("%s / %s / %s", qlw_errmsg(h.s), qlw_replay_error(h.rp), h.log);
    assert_string_equal(qlw_replay_error(h.rp), "");
    assert_true(qlw_replay_finished(h.rp));
    assert_string_equal(h.log, "[attached/setup][starting/reboot][attached/setup]");
    h_close(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_power_on_to_delivered_uplink),
        cmocka_unit_test(test_bad_arguments_send_nothing),
        cmocka_unit_test(test_attach_denied_then_downlink_read_with_nmgr),
        cmocka_unit_test(test_lte_module_detected_registered_after_a_failure),
        cmocka_unit_test(test_reboot_on_fresh_session_and_apn_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
