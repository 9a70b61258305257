/*
 * What the build options of the smallest image leave out, checked in a build
 * that leaves it out (each case skips itself in other builds). By number
 * throughout, so that it runs without the text too.
 *
 * QLWM2M_DIALECT_QLWCFG=OFF (with QLWM2M_DIALECT_MTK=OFF: the BC68 family
 * alone): with the dialect left to detection the session asks AT+NCDP?
 * once, the only probe such a build can read, and drives the module as a
 * BC68, warning when the module did not answer as one.
 *
 * QLWM2M_STORE=OFF: no durable outbox; a session given one is refused, not
 * run with its uplinks silently in memory only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "session_harness.h"

typedef struct probe_log {
    harness h;
    int dialect_notices;
    int last_dialect;
    int warnings;
    int unsupported_warnings;
} probe_log;

static void on_notice(void *ctx, qlw_notice kind, int value, const char *text)
{
    probe_log *p = ctx;

    (void)text;
    if (kind == QLW_NOTICE_DIALECT) {
        p->dialect_notices++;
        p->last_dialect = value;
    } else if (kind == QLW_NOTICE_WARNING) {
        p->warnings++;
        if (value == QLW_ERR_UNSUPPORTED)
            p->unsupported_warnings++;
    }
}

static void on_state(void *ctx, qlw_state from, qlw_state to, qlw_cause cause)
{
    char buf[32];

    (void)from;
    snprintf(buf, sizeof(buf), "[%d/%d]", (int)to, (int)cause);
    h_log(ctx, buf);
}

static void open_auto(probe_log *p, const char *transcript, size_t read_size)
{
    qlw_session_config cfg;

    memset(p, 0, sizeof(*p));
    h_config(&p->h, &cfg);
    cfg.dialect = QLW_DIALECT_AUTO;
    cfg.ctx = p; /* the harness is the first member: its callbacks still find it */
    cfg.on_notice = on_notice;
    cfg.on_state = on_state;
    assert_int_equal(h_open(&p->h, transcript, &cfg, read_size), QLW_OK);
}

static void bc68_detected_with_one_probe(void **state)
{
    static const size_t read_sizes[] = {0, 1, 5};

    (void)state;
#ifndef QLW_TEST_NO_QLWCFG
    skip(); /* a build with the AT+QLWCFG dialect probes for it first */
#endif
    for (size_t i = 0; i < sizeof(read_sizes) / sizeof(read_sizes[0]); i++) {
        probe_log p;

        open_auto(&p, "synthetic-bc68-only-probe-bc68.at", read_sizes[i]);
        h_run(&p.h, 60000);
        /* Every command as recorded: AT+NCDP? once, no AT+QLW... probe. */
        assert_string_equal(qlw_replay_error(p.h.rp), "");
        assert_true(qlw_replay_finished(p.h.rp));
        assert_int_equal(qlw_get_dialect(p.h.s), QLW_DIALECT_NEUL);
        assert_int_equal(p.dialect_notices, 1);
        assert_int_equal(p.last_dialect, QLW_DIALECT_NEUL);
        assert_int_equal(p.warnings, 0);
        assert_int_equal(qlw_get_state(p.h.s), QLW_STATE_ATTACHED);
        h_close(&p.h);
    }
}

static void other_module_driven_as_bc68_with_a_warning(void **state)
{
    probe_log p;
    char want[64];

    (void)state;
#ifndef QLW_TEST_NO_QLWCFG
    skip(); /* a build with the AT+QLWCFG dialect detects an LTE module */
#endif
    open_auto(&p, "synthetic-bc68-only-probe-lte.at", 3);
    h_run(&p.h, 60000);
    assert_string_equal(qlw_replay_error(p.h.rp), "");
    assert_true(qlw_replay_finished(p.h.rp));
    assert_int_equal(qlw_get_dialect(p.h.s), QLW_DIALECT_NEUL);
    assert_int_equal(p.last_dialect, QLW_DIALECT_NEUL);
    /* "no known LwM2M command set answered", then the three refused switches */
    assert_int_equal(p.unsupported_warnings, 1);
    assert_int_equal(p.warnings, 4);
    /* Set up all the same, and attached by its +CEREG? answer. */
    snprintf(want, sizeof(want), "[%d/%d]", (int)QLW_STATE_ATTACHED, (int)QLW_CAUSE_SETUP);
    assert_string_equal(p.h.log, want);
    h_close(&p.h);
}

/* A store whose every call fails the test: a build without stores must not call it. */
static int never_load(void *impl, uint32_t *next_id, int *next_seq, qlw_store_item_fn fn, void *ctx)
{
    (void)impl;
    (void)next_id;
    (void)next_seq;
    (void)fn;
    (void)ctx;
    fail_msg("a build without stores loaded one");
    return QLW_ERR_STORE;
}

static void store_refused_without_stores(void **state)
{
    qlw_store st = {.load = never_load};
    qlw_session_config cfg;
    qlw_session *s = NULL;
    qlw_io *io = NULL;
    harness h;

    (void)state;
#ifndef QLW_TEST_NO_STORE
    skip(); /* test_store covers a build with stores */
#endif
    h_config(&h, &cfg);
    cfg.store = &st;
    assert_int_equal(qlw_io_mem_open(&io, 4096, 0), QLW_OK);
    /* Refused, rather than running with the uplinks in memory only. */
    assert_int_equal(qlw_session_open(&s, &cfg, io), QLW_ERR_UNSUPPORTED);
    assert_null(s);
    /* Nothing was written to the module. */
    {
        uint8_t tx[16];
        assert_int_equal(qlw_io_mem_take_tx(io, tx, sizeof(tx)), 0);
    }
    cfg.store = NULL;
    assert_int_equal(qlw_session_open(&s, &cfg, io), QLW_OK);
    qlw_close(s);
    qlw_io_close(io);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bc68_detected_with_one_probe),
        cmocka_unit_test(other_module_driven_as_bc68_with_a_warning),
        cmocka_unit_test(store_refused_without_stores),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
