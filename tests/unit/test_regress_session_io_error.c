/*
 * Regression: a blocking session call went on polling after the transport
 * failed with an error other than QLW_ERR_PORT_GONE. A failed wait does not
 * move the clock, so on a virtual clock it never returned, and on a real
 * one it spun until its timeout. It must return the transport's error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "qlwm2m/session.h"

static int fail_read(void *ctx, uint8_t *buf, size_t size)
{
    (void)ctx;
    (void)buf;
    (void)size;
    return QLW_ERR_IO;
}

static int fail_write(void *ctx, const uint8_t *buf, size_t size)
{
    (void)ctx;
    (void)buf;
    (void)size;
    return QLW_ERR_IO;
}

static int fail_wait(void *ctx, uint32_t timeout_ms)
{
    (void)ctx;
    (void)timeout_ms;
    return QLW_ERR_IO;
}

static int no_fd(void *ctx)
{
    (void)ctx;
    return -1;
}

static void no_close(void *ctx)
{
    (void)ctx;
}

/* Every reading moves 1 ms on, so that the bug shows as a timeout, not a hang. */
static uint32_t ticking_ms(void *ctx)
{
    uint32_t *now = ctx;

    return ++*now;
}

static void transport_error_ends_a_blocking_call(void **state)
{
    static const qlw_io_ops ops = {fail_read, fail_write, fail_wait, no_fd, no_close};
    uint32_t now = 0;
    qlw_clock clock = {ticking_ms, &now};
    qlw_io *io;
    qlw_session *s;

    (void)state;
    assert_int_equal(qlw_io_create(&io, &ops, NULL, "broken", &clock), QLW_OK);
    assert_int_equal(qlw_session_open(&s, NULL, io), QLW_OK);
    assert_int_equal(qlw_wait_ready(s, 100000), QLW_ERR_IO);
    assert_int_equal(qlw_register(s, 100000), QLW_ERR_IO);
    assert_true(now < 1000);
    qlw_close(s);
    qlw_io_close(io);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(transport_error_ends_a_blocking_call),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
