/*
 * The multi handle with 100 sessions on in-memory transports (no
 * descriptors: serviced on every call), each with its own scripted BC68:
 * every reading of every session is delivered once; sessions removed stay
 * untouched until added again; a lost port inside the handle comes back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mem_modem.h"
#include "qlwm2m/multi.h"

#define N        100
#define READINGS 5

typedef struct node {
    qlw_session *s;
    qlw_io *io;
    qlw_io *old_io;
    mem_modem modem;
    unsigned reports;
    unsigned delivered;
} node;

static node nodes[N];

static void on_uplink(void *ctx, const qlw_uplink_report *rep)
{
    node *n = ctx;

    n->reports++;
    n->delivered += rep->outcome == QLW_OUTCOME_DELIVERED && !rep->possible_duplicate;
}

static int reopen(void *ctx, qlw_io *old_io, qlw_io **new_io)
{
    node *n = ctx;

    assert_int_equal(qlw_io_mem_open(new_io, 8192, qlw_io_now_ms(old_io)), QLW_OK);
    qlw_io_mem_set_write_hook(*new_io, mem_modem_hook, &n->modem);
    n->old_io = old_io;
    n->io = *new_io;
    return QLW_OK;
}

static void open_node(node *n, unsigned i)
{
    qlw_session_config cfg;
    char name[16];

    memset(n, 0, sizeof(*n));
    assert_int_equal(qlw_io_mem_open(&n->io, 8192, 5000), QLW_OK);
    qlw_io_mem_set_write_hook(n->io, mem_modem_hook, &n->modem);
    qlw_session_config_default(&cfg);
    cfg.dialect = QLW_DIALECT_NEUL;
    cfg.on_uplink = on_uplink;
    cfg.reopen = reopen;
    cfg.ctx = n;
    snprintf(name, sizeof(name), "modem%u", i);
    cfg.name = name;
    assert_int_equal(qlw_session_open(&n->s, &cfg, n->io), QLW_OK);
    assert_int_equal(qlw_request_register(n->s), QLW_OK);
    for (unsigned k = 0; k < READINGS; k++) {
        uint8_t payload[2] = {(uint8_t)i, (uint8_t)k};

        assert_int_equal(qlw_queue_uplink(n->s, payload, 2, QLW_UPLINK_CON, NULL), QLW_OK);
    }
}

/* Every session's virtual clock moves together: the fleet's time. */
static void advance(uint32_t ms)
{
    for (int i = 0; i < N; i++)
        qlw_io_mem_advance(nodes[i].io, ms);
}

static unsigned total_reports(void)
{
    unsigned r = 0;

    for (int i = 0; i < N; i++)
        r += nodes[i].reports;
    return r;
}

static void run(qlw_multi *m, unsigned want, int turns)
{
    for (int t = 0; t < turns && total_reports() < want; t++) {
        int32_t next;

        assert_true(qlw_multi_process(m) >= 0);
        next = qlw_multi_timeout_ms(m);
        assert_true(next >= 0 && next <= QLW_MULTI_NOFD_POLL_MS);
        advance(next > 0 ? (uint32_t)next : 1);
    }
}

static void hundred_sessions(qlw_multi_backend backend)
{
    qlw_multi *m;
    qlw_session_stats st;
    uint32_t before;
    int fds[4];

    assert_int_equal(qlw_multi_open(&m, N, backend), QLW_OK);
    assert_int_not_equal(qlw_multi_get_backend(m), QLW_MULTI_AUTO);
    for (unsigned i = 0; i < N; i++) {
        open_node(&nodes[i], i);
        assert_int_equal(qlw_multi_add(m, nodes[i].s), QLW_OK);
    }
    assert_int_equal(qlw_multi_add(m, nodes[0].s), QLW_ERR_ARG); /* twice */
    assert_int_equal(qlw_multi_count(m), N);
    assert_int_equal(qlw_multi_fds(m, fds, 4), 0); /* in-memory: no descriptors */

    /* Session 7 is taken out (its first AT is written already): nothing moves it. */
    before = nodes[7].modem.commands;
    assert_int_equal(qlw_multi_remove(m, nodes[7].s), QLW_OK);
    assert_int_equal(qlw_multi_remove(m, nodes[7].s), QLW_ERR_ARG);
    run(m, (N - 1) * READINGS, 200000);
    assert_int_equal(total_reports(), (N - 1) * READINGS);
    assert_int_equal(nodes[7].modem.commands, before);
    assert_int_equal(nodes[7].reports, 0);

    /* Back in, and its port is lost on the way: it comes back and delivers. */
    assert_int_equal(qlw_multi_add(m, nodes[7].s), QLW_OK);
    run(m, (N - 1) * READINGS + 1, 200000);
    assert_true(nodes[7].modem.commands > before);
    qlw_io_mem_fail_after(nodes[7].io, 0, QLW_ERR_PORT_GONE);
    mem_modem_power_cycle(&nodes[7].modem);
    run(m, N * READINGS, 200000);
    assert_int_equal(total_reports(), N * READINGS);
    assert_int_equal(qlw_get_stats(nodes[7].s, &st), QLW_OK);
    assert_int_equal(st.port_reopens, 1);

    for (unsigned i = 0; i < N; i++) {
        for (unsigned k = 0; k < READINGS; k++) {
            char hex[8];

            snprintf(hex, sizeof(hex), "%02X%02X", i, k);
            /* Received once, or twice and then reported as a possible duplicate. */
            assert_true(mem_modem_count(&nodes[i].modem, hex) >= 1);
        }
        if (i != 7)
            assert_int_equal(nodes[i].delivered, READINGS);
        assert_int_equal(nodes[i].reports, READINGS);
        assert_int_equal(qlw_multi_remove(m, nodes[i].s), QLW_OK);
        qlw_close(nodes[i].s);
        qlw_io_close(nodes[i].io);
        qlw_io_close(nodes[i].old_io);
    }
    assert_int_equal(qlw_multi_count(m), 0);
    qlw_multi_close(m);
}

static void hundred_sessions_epoll(void **state)
{
    (void)state;
#ifndef __linux__
    skip();
#endif
    hundred_sessions(QLW_MULTI_EPOLL);
}

static void hundred_sessions_poll(void **state)
{
    (void)state;
    hundred_sessions(QLW_MULTI_POLL);
}

static void arguments(void **state)
{
    qlw_multi *m;

    (void)state;
    assert_int_equal(qlw_multi_open(&m, 0, QLW_MULTI_AUTO), QLW_ERR_ARG);
    assert_null(m);
    assert_int_equal(qlw_multi_open(&m, 1, (qlw_multi_backend)9), QLW_ERR_ARG);
    assert_int_equal(qlw_multi_open(&m, 1, QLW_MULTI_AUTO), QLW_OK);
    assert_int_equal(qlw_multi_add(m, NULL), QLW_ERR_ARG);
    assert_int_equal(qlw_multi_timeout_ms(m), -1);
    assert_int_equal(qlw_multi_process(m), 0);
    assert_int_equal(qlw_multi_poll(m, 1), 0);
    assert_string_equal(qlw_multi_backend_str(QLW_MULTI_POLL), "poll");
    qlw_multi_close(m);
    qlw_multi_close(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arguments),
        cmocka_unit_test(hundred_sessions_epoll),
        cmocka_unit_test(hundred_sessions_poll),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
