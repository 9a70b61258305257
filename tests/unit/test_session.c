/* The session state machine against transcripts replayed as the module. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "session_harness.h"

static const size_t read_sizes[] = {0, 1, 3, 7};

static void test_walkthrough_uplink_held_until_observed(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(read_sizes) / sizeof(read_sizes[0]); i++) {
        harness h;
        qlw_session_config cfg;
        static const uint8_t payload[] = {0xDE, 0xAD, 0xBE, 0xEF};
        uint32_t id = 0;

        h_config(&h, &cfg);
        assert_int_equal(h_open(&h, "synthetic-session-walkthrough.at", &cfg, read_sizes[i]),
                         QLW_OK);
        /* asked for right after open: must wait for +QLWEVTIND:3 */
        assert_int_equal(qlw_queue_uplink(h.s, payload, sizeof(payload), QLW_UPLINK_NON, &id),
                         QLW_OK);
        assert_int_equal(qlw_request_register(h.s), QLW_OK);
        h_run(&h, 60000);
        assert_string_equal(qlw_replay_error(h.rp), "");
        assert_true(qlw_replay_finished(h.rp));
        assert_string_equal(h.log, "[attached/setup][registering/request][registered/lwm2m_event]"
                                   "[ready/lwm2m_event]{ul 1 sent ok -1 seq=0 n=1}");
        assert_int_equal(h.reports, 1);
        assert_int_equal(qlw_get_state(h.s), QLW_STATE_READY);
        h_close(&h);
    }
}

static void test_reboot_observe_cancel_busy_nothing_lost(void **state)
{
    harness h;
    qlw_session_config cfg;
    static const uint8_t one[] = {0x01}, two[] = {0x02};

    (void)state;
    h_config(&h, &cfg);
    assert_int_equal(h_open(&h, "synthetic-session-reboot-observe-busy.at", &cfg, 0), QLW_OK);
    assert_int_equal(qlw_queue_uplink(h.s, one, 1, QLW_UPLINK_NON, NULL), QLW_OK);
    assert_int_equal(qlw_queue_uplink(h.s, two, 1, QLW_UPLINK_NON, NULL), QLW_OK);
    assert_int_equal(qlw_request_register(h.s), QLW_OK);
    h_run(&h, 120000);
    assert_string_equal(qlw_replay_error(h.rp), "");
    assert_true(qlw_replay_finished(h.rp));
    assert_string_equal(h.log, "[attached/setup][registering/request][registered/lwm2m_event]"
                               "[ready/lwm2m_event][starting/reboot][attached/setup]"
                               "[registering/request][registered/lwm2m_event][ready/lwm2m_event]"
                               "[attached/observe_cancelled]{ul 1 sent dup ok -1 seq=0 n=2}"
                               "[registering/request][registered/lwm2m_event][ready/lwm2m_event]"
                               "{ul 2 sent ok -1 seq=0 n=2}");
    assert_int_equal(h.reports, 2);
    h_close(&h);
}

static void test_queue_full_and_bad_payload_refused(void **state)
{
    harness h;
    qlw_session_config cfg;
    uint8_t big[600] = {0};

    (void)state;
    h_config(&h, &cfg);
    cfg.uplink_queue_len = 2;
    assert_int_equal(h_open(&h, "synthetic-session-walkthrough.at", &cfg, 0), QLW_OK);
    assert_int_equal(qlw_queue_uplink(h.s, big, 0, QLW_UPLINK_NON, NULL), QLW_ERR_ARG);
    assert_int_equal(qlw_queue_uplink(h.s, big, 513, QLW_UPLINK_NON, NULL), QLW_ERR_ARG);
    assert_int_equal(qlw_queue_uplink(h.s, big, 4, (qlw_uplink_mode)9, NULL), QLW_ERR_ARG);
    assert_int_equal(qlw_queue_uplink(h.s, big, 4, QLW_UPLINK_NON, NULL), QLW_OK);
    assert_int_equal(qlw_queue_uplink(h.s, big, 4, QLW_UPLINK_CON, NULL), QLW_OK);
    assert_int_equal(qlw_queue_uplink(h.s, big, 4, QLW_UPLINK_NON, NULL), QLW_ERR_QUEUE_FULL);
    assert_string_equal(qlw_errmsg(h.s), "uplink queue: queue is full");
    assert_int_equal(qlw_uplinks_pending(h.s), 2);
    /* closing reports what never went out, once each */
    qlw_close(h.s);
    h.s = NULL;
    assert_string_equal(h.log, "{ul 1 failed QLW_ERR_CANCELLED -1 seq=0 n=0}"
                               "{ul 2 failed QLW_ERR_CANCELLED -1 seq=1 n=0}");
    qlw_replay_close(h.rp);
    qlw_transcript_free(h.ts);
}

static void test_nmstatus_fallback_downlink_and_network_loss(void **state)
{
    harness h;
    qlw_session_config cfg;
    static const uint8_t aa[] = {0xAA}, bb[] = {0xBB};

    (void)state;
    h_config(&h, &cfg);
    cfg.nmstatus_poll_ms = 10000;
    assert_int_equal(h_open(&h, "synthetic-session-nmstatus-network-loss.at", &cfg, 2), QLW_OK);
    assert_int_equal(qlw_queue_uplink(h.s, aa, 1, QLW_UPLINK_NON, NULL), QLW_OK);
    assert_int_equal(qlw_request_register(h.s), QLW_OK);
    for (int i = 0; i < 200 && h.reports == 0; i++)
        qlw_poll(h.s, 1000);
    assert_int_equal(h.reports, 1);
    /* the network went away in the same read as the OK: the next uplink must wait */
    assert_int_equal(qlw_get_state(h.s), QLW_STATE_ATTACHING);
    assert_int_equal(qlw_queue_uplink(h.s, bb, 1, QLW_UPLINK_NON, NULL), QLW_OK);
    h_run(&h, 120000);
    assert_string_equal(qlw_replay_error(h.rp), "");
    assert_true(qlw_replay_finished(h.rp));
    assert_string_equal(h.log,
                        "[attached/setup][registering/request][registered/poll][ready/poll]"
                        "{ul 1 sent ok -1 seq=0 n=1}{dl AA00}[attaching/network]"
                        "[attached/network][registering/request]"
                        "[registered/lwm2m_event][ready/lwm2m_event]{ul 2 sent ok -1 seq=0 n=1}");
    h_close(&h);
}

static void test_resume_registration_after_a_restart(void **state)
{
    harness h;
    qlw_session_config cfg;
    static const uint8_t reading[] = {0x01, 0x17};

    (void)state;
    h_config(&h, &cfg);
    cfg.resume_registration = true;
    assert_int_equal(h_open(&h, "synthetic-session-resume-registration.at", &cfg, 2), QLW_OK);
    assert_int_equal(qlw_queue_uplink(h.s, reading, sizeof(reading), QLW_UPLINK_NON, NULL), QLW_OK);
    h_run(&h, 60000);
    assert_string_equal(qlw_replay_error(h.rp), "");
    assert_true(qlw_replay_finished(h.rp));
    assert_string_equal(h.log,
                        "[attached/setup][registered/poll][ready/poll]{ul 1 sent ok -1 seq=0 n=1}");
    h_close(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walkthrough_uplink_held_until_observed),
        cmocka_unit_test(test_reboot_observe_cancel_busy_nothing_lost),
        cmocka_unit_test(test_queue_full_and_bad_payload_refused),
        cmocka_unit_test(test_nmstatus_fallback_downlink_and_network_loss),
        cmocka_unit_test(test_resume_registration_after_a_restart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
