/*
 * A library built for the BC68 family alone (QLWM2M_DIALECT_QLWCFG=OFF,
 * QLWM2M_DIALECT_MTK=OFF, the smallest microcontroller image): with the
 * dialect left to detection the session asks AT+NCDP? once (the only
 * probe such a build can read) and drives the module as a BC68, warning
 * when the module did not answer as one. Built only in such builds; by
 * number throughout, so that it runs without the text too.
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bc68_detected_with_one_probe),
        cmocka_unit_test(other_module_driven_as_bc68_with_a_warning),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
