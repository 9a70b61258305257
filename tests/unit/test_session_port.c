/*
 * A lost port is a state, not the end: the session keeps its queue and its
 * goals, reopens with a back-off (through the reopen callback here, on
 * in-memory transports with a virtual clock), sets the module up again and
 * delivers what was queued. Also: the counters and the log callback.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mem_modem.h"
#include "qlwm2m/session.h"

typedef struct rig {
    qlw_session *s;
    qlw_io *io;     /* the transport in use */
    qlw_io *old[4]; /* failed transports, closed at the end */
    size_t old_count;
    mem_modem modem; /* the same module, whatever port it is reached by */
    unsigned reopen_calls;
    unsigned reopen_refusals; /* first calls that find no port */
    unsigned lost_notices, back_notices;
    char states[1024];
    unsigned reports;
    qlw_uplink_report rep[64];
    char log[4096];
} rig;

static void on_state(void *ctx, qlw_state from, qlw_state to, qlw_cause cause)
{
    rig *r = ctx;
    size_t n = strlen(r->states);

    (void)from;
    snprintf(r->states + n, sizeof(r->states) - n, "[%s/%s]", qlw_state_str(to),
             qlw_cause_str(cause));
}

static void on_notice(void *ctx, qlw_notice kind, int value, const char *text)
{
    rig *r = ctx;

    (void)text;
    if (kind == QLW_NOTICE_PORT_LOST) {
        r->lost_notices++;
        assert_int_equal(value, QLW_ERR_PORT_GONE);
    }
    if (kind == QLW_NOTICE_PORT_BACK)
        r->back_notices++;
}

static void on_uplink(void *ctx, const qlw_uplink_report *rep)
{
    rig *r = ctx;

    r->rep[r->reports++] = *rep;
}

static void on_log(void *ctx, qlw_log_level level, const char *name, const char *text)
{
    rig *r = ctx;
    size_t n = strlen(r->log);

    snprintf(r->log + n, sizeof(r->log) - n, "%s %s: %s\n", qlw_log_level_str(level), name, text);
}

static int reopen(void *ctx, qlw_io *old_io, qlw_io **new_io)
{
    rig *r = ctx;

    r->reopen_calls++;
    if (r->reopen_calls <= r->reopen_refusals)
        return QLW_ERR_PORT_NOT_FOUND; /* not plugged in again yet */
    /* The new port's clock continues the old one's. */
    assert_int_equal(qlw_io_mem_open(new_io, 16384, qlw_io_now_ms(old_io)), QLW_OK);
    qlw_io_mem_set_write_hook(*new_io, mem_modem_hook, &r->modem);
    r->old[r->old_count++] = old_io; /* closed by the test: the callback may close it too */
    r->io = *new_io;
    return QLW_OK;
}

static void rig_open_policy(rig *r, bool with_reopen, qlw_delivery delivery)
{
    qlw_session_config cfg;

    memset(r, 0, sizeof(*r));
    assert_int_equal(qlw_io_mem_open(&r->io, 16384, 1000), QLW_OK);
    qlw_io_mem_set_write_hook(r->io, mem_modem_hook, &r->modem);
    qlw_session_config_default(&cfg);
    cfg.dialect = QLW_DIALECT_NEUL;
    cfg.on_state = on_state;
    cfg.on_notice = on_notice;
    cfg.on_uplink = on_uplink;
    cfg.on_log = on_log;
    cfg.log_level = QLW_LOG_INFO;
    cfg.name = "north";
    cfg.ctx = r;
    cfg.reopen = with_reopen ? reopen : NULL;
    cfg.uplink_queue_len = 16;
    cfg.delivery = delivery;
    assert_int_equal(qlw_session_open(&r->s, &cfg, r->io), QLW_OK);
}

static void rig_open(rig *r, bool with_reopen)
{
    rig_open_policy(r, with_reopen, QLW_DELIVERY_AT_LEAST_ONCE);
}

static void rig_close(rig *r)
{
    qlw_close(r->s);
    qlw_io_close(r->io);
    for (size_t i = 0; i < r->old_count; i++)
        qlw_io_close(r->old[i]);
}

/* One turn of an event loop on the virtual clock: process, then let time pass. */
static int turn(rig *r)
{
    int rc = qlw_process(r->s);
    int32_t t = qlw_next_timeout_ms(r->s);

    if (qlw_port_lost(r->s)) {
        qlw_io_mem_advance(r->io, t > 0 ? (uint32_t)t : 1);
        return rc;
    }
    if (qlw_io_mem_pending(r->io) > 0 || t != 0)
        qlw_io_wait(r->io, t < 0 || t > 1000 ? 1000 : (uint32_t)t);
    return rc;
}

static void run_until_reports(rig *r, unsigned n)
{
    for (int i = 0; i < 20000 && r->reports < n; i++)
        turn(r);
    assert_int_equal(r->reports, n);
}

static void queue(rig *r, unsigned count)
{
    for (unsigned i = 0; i < count; i++) {
        uint8_t payload[1] = {(uint8_t)(0xA0 + i)};

        assert_int_equal(qlw_queue_uplink(r->s, payload, 1, QLW_UPLINK_CON, NULL), QLW_OK);
    }
}

/* The port goes while the session waits for the observe; it comes back on the
 * third attempt; the module is set up again and every reading goes out once. */
static void lost_port_keeps_queue_and_goals(void **state)
{
    rig r;
    qlw_session_stats st;
    int rc = QLW_OK;

    (void)state;
    rig_open(&r, true);
    r.reopen_refusals = 2;
    assert_int_equal(qlw_request_register(r.s), QLW_OK);
    queue(&r, 6);
    for (int i = 0; i < 1000 && qlw_get_state(r.s) != QLW_STATE_REGISTERED; i++)
        assert_int_equal(turn(&r), QLW_OK);
    assert_int_equal(qlw_get_state(r.s), QLW_STATE_REGISTERED);
    assert_int_equal(r.modem.setups, 1);

    /* Unplugged, and the module lost power with it. */
    qlw_io_mem_fail_after(r.io, 0, QLW_ERR_PORT_GONE);
    mem_modem_power_cycle(&r.modem);
    for (int i = 0; i < 100 && rc == QLW_OK; i++)
        rc = turn(&r);
    assert_int_equal(rc, QLW_ERR_PORT_GONE); /* once, on the call that lost it */
    assert_true(qlw_port_lost(r.s));
    assert_int_equal(qlw_fd(r.s), -1);
    assert_int_equal(qlw_get_state(r.s), QLW_STATE_STARTING);
    assert_non_null(strstr(r.states, "[starting/port_lost]"));
    assert_int_equal(r.lost_notices, 1);
    assert_int_equal(qlw_uplinks_pending(r.s), 6); /* nothing reported, nothing lost */
    assert_int_equal(r.reports, 0);
    assert_non_null(strstr(qlw_errmsg(r.s), qlw_strerror(QLW_ERR_PORT_GONE)));
    assert_int_equal(r.reopen_calls, 0); /* not before reopen_min_ms */

    run_until_reports(&r, 6);
    assert_int_equal(r.reopen_calls, 3);
    assert_int_equal(r.back_notices, 1);
    assert_int_equal(r.modem.setups, 2); /* set up again on the port that came back */
    for (unsigned i = 0; i < 6; i++) {
        char hex[8];

        snprintf(hex, sizeof(hex), "%02X", 0xA0 + i);
        assert_int_equal(r.rep[i].outcome, QLW_OUTCOME_DELIVERED);
        assert_false(r.rep[i].possible_duplicate);
        assert_int_equal(r.rep[i].id, i + 1);
        assert_int_equal(mem_modem_count(&r.modem, hex), 1);
    }
    assert_int_equal(qlw_get_stats(r.s, &st), QLW_OK);
    assert_int_equal(st.queued, 6);
    assert_int_equal(st.delivered, 6);
    assert_int_equal(st.failed + st.unknown + st.sent + st.expired, 0);
    assert_int_equal(st.port_losses, 1);
    assert_int_equal(st.port_reopens, 1);
    assert_int_equal(st.readies, 1);
    assert_int_equal(st.pending, 0);
    /* from the loss to READY again: 500 + 1000 + 2000 ms of back-off, then setup and observe */
    assert_true(st.time_to_ready_ms >= 3500);
    assert_non_null(strstr(r.log, "warning north: port_lost"));
    assert_non_null(strstr(r.log, "info north: port_back 3"));
    assert_non_null(strstr(r.log, "info north: uplink 6 delivered"));
    rig_close(&r);
}

/* The port goes while the module holds an uplink it took but did not answer:
 * its fate is unknown, as after a reboot. */
static void lost_with_uplink_in_flight(qlw_delivery delivery)
{
    rig r;

    rig_open_policy(&r, true, delivery);
    assert_int_equal(qlw_request_register(r.s), QLW_OK);
    queue(&r, 4);
    run_until_reports(&r, 1);
    /* A0 delivered, A1 written; the module takes it and says nothing more. */
    r.modem.silent = true;
    for (int i = 0; i < 100 && mem_modem_count(&r.modem, "A1") == 0; i++)
        turn(&r);
    assert_int_equal(mem_modem_count(&r.modem, "A1"), 1);
    assert_int_equal(qlw_uplinks_in_flight(r.s), 1);
    qlw_io_mem_fail_after(r.io, 0, QLW_ERR_PORT_GONE);
    mem_modem_power_cycle(&r.modem);
    run_until_reports(&r, 4);
    assert_int_equal(r.rep[0].outcome, QLW_OUTCOME_DELIVERED);
    assert_int_equal(r.rep[1].id, 2);
    if (delivery == QLW_DELIVERY_AT_LEAST_ONCE) {
        /* handed over again, and said so: the server has it twice */
        assert_int_equal(r.rep[1].outcome, QLW_OUTCOME_DELIVERED);
        assert_true(r.rep[1].possible_duplicate);
        assert_int_equal(r.rep[1].attempts, 2);
        assert_int_equal(mem_modem_count(&r.modem, "A1"), 2);
    } else {
        assert_int_equal(r.rep[1].outcome, QLW_OUTCOME_UNKNOWN);
        assert_false(r.rep[1].possible_duplicate);
        assert_int_equal(mem_modem_count(&r.modem, "A1"), 1);
    }
    for (int i = 2; i < 4; i++) {
        assert_int_equal(r.rep[i].outcome, QLW_OUTCOME_DELIVERED);
        assert_false(r.rep[i].possible_duplicate);
    }
    assert_int_equal(mem_modem_count(&r.modem, "A2"), 1);
    assert_int_equal(mem_modem_count(&r.modem, "A3"), 1);
    rig_close(&r);
}

static void lost_in_flight_at_least_once(void **state)
{
    (void)state;
    lost_with_uplink_in_flight(QLW_DELIVERY_AT_LEAST_ONCE);
}

static void lost_in_flight_at_most_once(void **state)
{
    (void)state;
    lost_with_uplink_in_flight(QLW_DELIVERY_AT_MOST_ONCE);
}

/* Without a way to get a new transport, the same one is tried again after the
 * back-off; blocking calls return the error at once. */
static void without_reopen_the_same_transport_is_retried(void **state)
{
    rig r;
    int rc = QLW_OK;

    (void)state;
    rig_open(&r, false);
    assert_int_equal(qlw_request_register(r.s), QLW_OK);
    queue(&r, 2);
    run_until_reports(&r, 2);
    qlw_io_mem_fail_after(r.io, 0, QLW_ERR_PORT_GONE);
    for (int i = 0; i < 100 && rc == QLW_OK; i++)
        rc = turn(&r);
    assert_int_equal(rc, QLW_ERR_PORT_GONE);
    assert_int_equal(qlw_wait_ready(r.s, 60000), QLW_ERR_PORT_GONE);
    qlw_io_mem_fail_after(r.io, 0, 0); /* the transport works again */
    queue(&r, 1);
    run_until_reports(&r, 3);
    assert_int_equal(r.modem.setups, 2);
    assert_int_equal(r.rep[2].outcome, QLW_OUTCOME_DELIVERED);
    assert_int_equal(r.lost_notices, 1);
    assert_int_equal(r.back_notices, 1);
    rig_close(&r);
}

/* The counters, the log levels and the signal poll. */
static void counters_and_signal(void **state)
{
    qlw_session_config cfg;
    qlw_session_stats st;
    qlw_session *s;
    qlw_io *io;
    mem_modem m;
    static const uint8_t p[] = {1, 2};

    (void)state;
    memset(&m, 0, sizeof(m));
    assert_int_equal(qlw_io_mem_open(&io, 16384, 0), QLW_OK);
    qlw_io_mem_set_write_hook(io, mem_modem_hook, &m);
    qlw_session_config_default(&cfg);
    cfg.dialect = QLW_DIALECT_NEUL;
    cfg.signal_poll_ms = 10000;
    assert_int_equal(qlw_session_open(&s, &cfg, io), QLW_OK);
    assert_int_equal(qlw_get_stats(s, &st), QLW_OK);
    assert_int_equal(st.time_to_ready_ms, -1);
    assert_int_equal(st.signal_rssi_dbm, 0);
    assert_int_equal(qlw_send_uplink(s, p, 2, QLW_UPLINK_NON, 60000, NULL), QLW_OK);
    assert_int_equal(qlw_send_uplink(s, p, 2, QLW_UPLINK_CON, 60000, NULL), QLW_OK);
    for (int i = 0; i < 30; i++)
        qlw_poll(s, 1000); /* idle and attached: AT+CSQ every 10 s */
    assert_int_equal(qlw_get_stats(s, &st), QLW_OK);
    assert_int_equal(st.queued, 2);
    assert_int_equal(st.sent, 1);
    assert_int_equal(st.delivered, 1);
    assert_int_equal(st.readies, 1);
    assert_true(st.time_to_ready_ms > 0);
    assert_int_equal(st.signal_rssi_dbm, -73); /* +CSQ:20 */
    assert_true(st.signal_age_ms < 10000);
    assert_string_equal(qlw_session_name(s), "mem");
    assert_int_equal(qlw_get_stats(NULL, &st), QLW_ERR_ARG);
    assert_string_equal(qlw_log_level_str(QLW_LOG_DEBUG), "debug");
    assert_string_equal(qlw_cause_str(QLW_CAUSE_PORT_LOST), "port_lost");
    assert_string_equal(qlw_notice_str(QLW_NOTICE_PORT_BACK), "port_back");
    qlw_close(s);
    qlw_io_close(io);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lost_port_keeps_queue_and_goals),
        cmocka_unit_test(lost_in_flight_at_least_once),
        cmocka_unit_test(lost_in_flight_at_most_once),
        cmocka_unit_test(without_reopen_the_same_transport_is_retried),
        cmocka_unit_test(counters_and_signal),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
