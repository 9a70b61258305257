#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "qlwm2m/io.h"

/* Reads once into a NUL-terminated buffer; returns what read() returned. */
static int read_text(qlw_io *io, char *text, size_t size)
{
    int n = qlw_io_read(io, (uint8_t *)text, size - 1);
    text[n > 0 ? n : 0] = '\0';
    return n;
}

static qlw_io *open_mem(size_t capacity, uint32_t start_ms)
{
    qlw_io *io = NULL;
    assert_int_equal(qlw_io_mem_open(&io, capacity, start_ms), QLW_OK);
    assert_non_null(io);
    return io;
}

/* ------------------------------------------------------------------ open */

static void open_checks_its_arguments(void **state)
{
    (void)state;
    qlw_io *io = (qlw_io *)&io;
    assert_int_equal(qlw_io_mem_open(NULL, 16, 0), QLW_ERR_ARG);
    assert_int_equal(qlw_io_mem_open(&io, 0, 0), QLW_ERR_ARG);
    assert_null(io);
    assert_int_equal(qlw_io_mem_open(&io, SIZE_MAX, 0), QLW_ERR_NOMEM);
    assert_null(io);
}

static void opens_with_the_given_clock_and_no_descriptor(void **state)
{
    (void)state;
    qlw_io *io = open_mem(16, 12345);
    assert_int_equal(qlw_io_now_ms(io), 12345);
    assert_int_equal(qlw_io_fd(io), -1);
    assert_string_equal(io->name, "mem");
    assert_int_equal(qlw_io_mem_pending(io), 0);
    uint8_t buf[4];
    assert_int_equal(qlw_io_read(io, buf, sizeof buf), 0);
    qlw_io_mem_advance(io, 55);
    assert_int_equal(qlw_io_now_ms(io), 12400);
    qlw_io_close(io);
}

/* --------------------------------------------------------- scheduled input */

static void pushes_become_readable_at_their_time(void **state)
{
    (void)state;
    qlw_io *io = open_mem(64, 1000);
    char text[32];
    assert_int_equal(qlw_io_mem_push(io, "AB", 2, 0), QLW_OK);
    assert_int_equal(qlw_io_mem_push(io, "CD", 2, 100), QLW_OK); /* due 1100 */
    assert_int_equal(qlw_io_mem_push(io, "EF", 2, 50), QLW_OK);  /* due 1150 */
    assert_int_equal(qlw_io_mem_pending(io), 6);

    assert_int_equal(read_text(io, text, sizeof text), 2);
    assert_string_equal(text, "AB");
    qlw_io_mem_advance(io, 99);
    assert_int_equal(read_text(io, text, sizeof text), 0);
    assert_int_equal(qlw_io_mem_pending(io), 4);
    qlw_io_mem_advance(io, 1);
    assert_int_equal(read_text(io, text, sizeof text), 2);
    assert_string_equal(text, "CD");
    qlw_io_mem_advance(io, 49);
    assert_int_equal(read_text(io, text, sizeof text), 0);
    qlw_io_mem_advance(io, 1);
    assert_int_equal(read_text(io, text, sizeof text), 2);
    assert_string_equal(text, "EF");
    assert_int_equal(qlw_io_mem_pending(io), 0);
    qlw_io_close(io);
}

static void a_push_after_due_input_counts_from_now(void **state)
{
    (void)state;
    qlw_io *io = open_mem(64, 0);
    char text[32];
    assert_int_equal(qlw_io_mem_push(io, "A", 1, 10), QLW_OK); /* due 10, left unread */
    qlw_io_mem_advance(io, 100);
    assert_int_equal(qlw_io_mem_push(io, "B", 1, 5), QLW_OK); /* due 105, not 15 */
    assert_int_equal(read_text(io, text, sizeof text), 1);
    assert_string_equal(text, "A");
    qlw_io_mem_advance(io, 4);
    assert_int_equal(read_text(io, text, sizeof text), 0);
    qlw_io_mem_advance(io, 1);
    assert_int_equal(read_text(io, text, sizeof text), 1);
    assert_string_equal(text, "B");
    qlw_io_close(io);
}

static void push_checks_its_arguments(void **state)
{
    (void)state;
    qlw_io *io = open_mem(8, 0);
    assert_int_equal(qlw_io_mem_push(NULL, "A", 1, 0), QLW_ERR_ARG);
    assert_int_equal(qlw_io_mem_push(io, NULL, 1, 0), QLW_ERR_ARG);
    assert_int_equal(qlw_io_mem_push(io, NULL, 0, 0), QLW_OK);
    assert_int_equal(qlw_io_mem_push(io, "", 0, 500), QLW_OK);
    assert_int_equal(qlw_io_mem_pending(io), 0);
    assert_int_equal(qlw_io_wait(io, 1000), 0);
    assert_int_equal(qlw_io_now_ms(io), 1000);
    qlw_io_close(io);
}

/* ------------------------------------------------------------------- wait */

static void wait_jumps_to_the_next_chunk_within_the_timeout(void **state)
{
    (void)state;
    qlw_io *io = open_mem(64, 0);
    char text[8];
    assert_int_equal(qlw_io_mem_push(io, "X", 1, 200), QLW_OK);

    assert_int_equal(qlw_io_wait(io, 100), 0);
    assert_int_equal(qlw_io_now_ms(io), 100);
    assert_int_equal(qlw_io_wait(io, 500), 1);
    assert_int_equal(qlw_io_now_ms(io), 200);
    /* Due data: readable at once, no time passes. */
    assert_int_equal(qlw_io_wait(io, 500), 1);
    assert_int_equal(qlw_io_now_ms(io), 200);
    assert_int_equal(read_text(io, text, sizeof text), 1);
    assert_string_equal(text, "X");

    assert_int_equal(qlw_io_wait(io, 50), 0);
    assert_int_equal(qlw_io_now_ms(io), 250);
    assert_int_equal(qlw_io_wait(io, 0), 0);
    assert_int_equal(qlw_io_now_ms(io), 250);
    qlw_io_close(io);
}

static void wait_reaches_a_chunk_due_exactly_at_the_timeout(void **state)
{
    (void)state;
    qlw_io *io = open_mem(64, 0);
    assert_int_equal(qlw_io_mem_push(io, "X", 1, 100), QLW_OK);
    assert_int_equal(qlw_io_wait(io, 99), 0);
    assert_int_equal(qlw_io_now_ms(io), 99);
    assert_int_equal(qlw_io_wait(io, 1), 1);
    assert_int_equal(qlw_io_now_ms(io), 100);
    qlw_io_close(io);
}

/* ------------------------------------------------------------ read sizes */

static void forced_read_size_cuts_the_stream(void **state)
{
    (void)state;
    qlw_io *io = open_mem(64, 0);
    const char *stream = "\r\nOK\r\n+X:1";
    assert_int_equal(qlw_io_mem_push(io, stream, 10, 0), QLW_OK);
    qlw_io_mem_set_read_size(io, 3);
    uint8_t got[16];
    size_t total = 0;
    const int expected_sizes[] = {3, 3, 3, 1, 0};
    for (size_t i = 0; i < sizeof expected_sizes / sizeof expected_sizes[0]; i++) {
        int n = qlw_io_read(io, got + total, sizeof got - total);
        assert_int_equal(n, expected_sizes[i]);
        total += (size_t)n;
    }
    assert_int_equal(total, 10);
    assert_memory_equal(got, stream, 10);

    assert_int_equal(qlw_io_mem_push(io, "abcdef", 6, 0), QLW_OK);
    qlw_io_mem_set_read_size(io, 0);
    assert_int_equal(qlw_io_read(io, got, sizeof got), 6);
    assert_memory_equal(got, "abcdef", 6);
    qlw_io_close(io);
}

static void a_small_buffer_gets_what_fits(void **state)
{
    (void)state;
    qlw_io *io = open_mem(64, 0);
    uint8_t got[4];
    assert_int_equal(qlw_io_mem_push(io, "123456", 6, 0), QLW_OK);
    assert_int_equal(qlw_io_read(io, got, 4), 4);
    assert_memory_equal(got, "1234", 4);
    assert_int_equal(qlw_io_read(io, got, 0), 0);
    assert_int_equal(qlw_io_read(io, NULL, 4), QLW_ERR_ARG);
    assert_int_equal(qlw_io_read(io, got, 4), 2);
    assert_memory_equal(got, "56", 2);
    qlw_io_close(io);
}

/* -------------------------------------------------------- error injection */

static void fail_after_returns_the_error(void **state)
{
    (void)state;
    qlw_io *io = open_mem(64, 0);
    char text[32];
    assert_int_equal(qlw_io_mem_push(io, "hello world", 11, 0), QLW_OK);
    qlw_io_mem_fail_after(io, 5, QLW_ERR_PORT_GONE);

    assert_int_equal(read_text(io, text, sizeof text), 5);
    assert_string_equal(text, "hello");
    assert_int_equal(qlw_io_read(io, (uint8_t *)text, sizeof text), QLW_ERR_PORT_GONE);
    assert_int_equal(qlw_io_write(io, (const uint8_t *)"AT\r", 3), QLW_ERR_PORT_GONE);
    assert_int_equal(qlw_io_wait(io, 100), QLW_ERR_PORT_GONE);
    assert_int_equal(qlw_io_now_ms(io), 0);

    qlw_io_mem_fail_after(io, 0, 0);
    assert_int_equal(read_text(io, text, sizeof text), 6);
    assert_string_equal(text, " world");
    assert_int_equal(qlw_io_write(io, (const uint8_t *)"AT\r", 3), 3);
    qlw_io_close(io);
}

static void fail_after_zero_fails_at_once(void **state)
{
    (void)state;
    qlw_io *io = open_mem(64, 0);
    uint8_t buf[8];
    assert_int_equal(qlw_io_mem_push(io, "data", 4, 0), QLW_OK);
    qlw_io_mem_fail_after(io, 0, QLW_ERR_IO);
    assert_int_equal(qlw_io_read(io, buf, sizeof buf), QLW_ERR_IO);
    assert_int_equal(qlw_io_write(io, buf, 1), QLW_ERR_IO);
    assert_int_equal(qlw_io_mem_pending(io), 4);
    qlw_io_close(io);
}

/* ------------------------------------------------------------ write hook */

typedef struct fake_modem {
    char seen[64];
    size_t seen_len;
    int calls;
} fake_modem;

/* Answers OK 20 ms after every CR, like a module would. */
static void modem_hook(void *ctx, qlw_io *io, const uint8_t *data, size_t len)
{
    fake_modem *modem = ctx;
    modem->calls++;
    assert_true(modem->seen_len + len < sizeof modem->seen);
    memcpy(modem->seen + modem->seen_len, data, len);
    modem->seen_len += len;
    if (memchr(data, '\r', len) != NULL) {
        assert_int_equal(qlw_io_mem_push(io, "\r\nOK\r\n", 6, 20), QLW_OK);
    }
}

static void write_hook_sees_bytes_and_can_reply(void **state)
{
    (void)state;
    qlw_io *io = open_mem(64, 500);
    fake_modem modem = {0};
    qlw_io_mem_set_write_hook(io, modem_hook, &modem);
    char text[16];

    assert_int_equal(qlw_io_write(io, (const uint8_t *)"A", 1), 1);
    assert_int_equal(qlw_io_mem_pending(io), 0);
    assert_int_equal(qlw_io_write(io, (const uint8_t *)"T\r", 2), 2);
    assert_int_equal(modem.calls, 2);
    assert_int_equal(modem.seen_len, 3);
    assert_memory_equal(modem.seen, "AT\r", 3);
    /* With a hook the bytes are not also kept for take_tx. */
    uint8_t tx[8];
    assert_int_equal(qlw_io_mem_take_tx(io, tx, sizeof tx), 0);

    assert_int_equal(qlw_io_wait(io, 1000), 1);
    assert_int_equal(qlw_io_now_ms(io), 520);
    assert_int_equal(read_text(io, text, sizeof text), 6);
    assert_string_equal(text, "\r\nOK\r\n");

    qlw_io_mem_set_write_hook(io, NULL, NULL);
    assert_int_equal(qlw_io_write(io, (const uint8_t *)"AT\r", 3), 3);
    assert_int_equal(modem.calls, 2);
    assert_int_equal(qlw_io_mem_take_tx(io, tx, sizeof tx), 3);
    assert_memory_equal(tx, "AT\r", 3);
    qlw_io_close(io);
}

/* --------------------------------------------------------------- capacity */

static void tx_capture_is_bounded(void **state)
{
    (void)state;
    qlw_io *io = open_mem(8, 0);
    uint8_t tx[16];
    assert_int_equal(qlw_io_write(io, (const uint8_t *)"abcde", 5), 5);
    assert_int_equal(qlw_io_write(io, (const uint8_t *)"fghij", 5), 3);
    assert_int_equal(qlw_io_write(io, (const uint8_t *)"z", 1), QLW_ERR_NOMEM);
    assert_int_equal(qlw_io_write(io, (const uint8_t *)"z", 0), 0);

    assert_int_equal(qlw_io_mem_take_tx(io, tx, 4), 4);
    assert_memory_equal(tx, "abcd", 4);
    /* Wraps around the end of the ring. */
    assert_int_equal(qlw_io_write(io, (const uint8_t *)"XYZ", 3), 3);
    assert_int_equal(qlw_io_mem_take_tx(io, tx, sizeof tx), 7);
    assert_memory_equal(tx, "efghXYZ", 7);
    assert_int_equal(qlw_io_mem_take_tx(io, tx, sizeof tx), 0);
    qlw_io_close(io);
}

static void input_is_bounded(void **state)
{
    (void)state;
    qlw_io *io = open_mem(8, 0);
    uint8_t got[16];
    assert_int_equal(qlw_io_mem_push(io, "123456", 6, 0), QLW_OK);
    assert_int_equal(qlw_io_mem_push(io, "789", 3, 0), QLW_ERR_NOMEM);
    assert_int_equal(qlw_io_mem_pending(io), 6);
    assert_int_equal(qlw_io_mem_push(io, "78", 2, 0), QLW_OK);
    assert_int_equal(qlw_io_mem_push(io, "9", 1, 0), QLW_ERR_NOMEM);

    assert_int_equal(qlw_io_read(io, got, 5), 5);
    assert_memory_equal(got, "12345", 5);
    assert_int_equal(qlw_io_mem_push(io, "abcde", 5, 10), QLW_OK);
    assert_int_equal(qlw_io_mem_pending(io), 8);
    assert_int_equal(qlw_io_read(io, got, sizeof got), 3);
    assert_memory_equal(got, "678", 3);
    assert_int_equal(qlw_io_wait(io, 100), 1);
    assert_int_equal(qlw_io_now_ms(io), 10);
    assert_int_equal(qlw_io_read(io, got, sizeof got), 5);
    assert_memory_equal(got, "abcde", 5);
    qlw_io_close(io);
}

/* ------------------------------------------------------------- clock wrap */

static void the_clock_wraps_safely(void **state)
{
    (void)state;
    const uint32_t start_ms = UINT32_MAX - 50;
    qlw_io *io = open_mem(16, start_ms);
    char text[8];
    assert_int_equal(qlw_io_mem_push(io, "A", 1, 100), QLW_OK); /* due at 49 */

    assert_int_equal(qlw_io_wait(io, 60), 0);
    uint32_t now_ms = qlw_io_now_ms(io);
    assert_int_equal(now_ms, 9);
    assert_int_equal(qlw_ms_diff(now_ms, start_ms), 60);
    assert_int_equal(qlw_ms_diff(start_ms, now_ms), -60);
    assert_false(qlw_ms_reached(now_ms, 49));
    assert_true(qlw_ms_reached(now_ms, start_ms));
    assert_int_equal(read_text(io, text, sizeof text), 0);

    assert_int_equal(qlw_io_wait(io, 1000), 1);
    assert_int_equal(qlw_io_now_ms(io), 49);
    assert_int_equal(read_text(io, text, sizeof text), 1);
    assert_string_equal(text, "A");
    qlw_io_close(io);
}

static void wait_across_the_wrap_without_input(void **state)
{
    (void)state;
    qlw_io *io = open_mem(16, UINT32_MAX);
    assert_int_equal(qlw_io_wait(io, 2), 0);
    assert_int_equal(qlw_io_now_ms(io), 1);
    assert_true(qlw_ms_reached(1, UINT32_MAX));
    assert_false(qlw_ms_reached(UINT32_MAX, 1));
    qlw_io_close(io);
}

/* ------------------------------------------------------- other transports */

typedef struct dummy {
    int closed;
    uint32_t now_ms;
} dummy;

static int dummy_read(void *ctx, uint8_t *buf, size_t size)
{
    (void)ctx;
    (void)buf;
    return (int)size;
}

static int dummy_write(void *ctx, const uint8_t *buf, size_t size)
{
    (void)ctx;
    (void)buf;
    return (int)size + 1;
}

static int dummy_wait(void *ctx, uint32_t timeout_ms)
{
    (void)ctx;
    return timeout_ms > 10 ? 1 : 0;
}

static int dummy_fd(void *ctx)
{
    (void)ctx;
    return 42;
}

static void dummy_close(void *ctx)
{
    dummy *d = ctx;
    d->closed++;
}

static uint32_t dummy_now(void *ctx)
{
    const dummy *d = ctx;
    return d->now_ms;
}

static const qlw_io_ops dummy_ops = {dummy_read, dummy_write, dummy_wait, dummy_fd, dummy_close};

static void create_wraps_caller_operations(void **state)
{
    (void)state;
    dummy d = {0, 777};
    qlw_clock clock = {dummy_now, &d};
    qlw_io *io = NULL;
    const char *long_name =
        "0123456789012345678901234567890123456789012345678901234567890123456789";
    assert_int_equal(qlw_io_create(&io, &dummy_ops, &d, long_name, &clock), QLW_OK);
    assert_int_equal(strlen(io->name), 63);
    assert_memory_equal(io->name, long_name, 63);
    uint8_t buf[4];
    assert_int_equal(qlw_io_read(io, buf, 3), 3);
    assert_int_equal(qlw_io_write(io, buf, 3), 4);
    assert_int_equal(qlw_io_wait(io, 11), 1);
    assert_int_equal(qlw_io_wait(io, 10), 0);
    assert_int_equal(qlw_io_fd(io), 42);
    assert_int_equal(qlw_io_now_ms(io), 777);
    /* The mem_* calls leave other transports alone. */
    assert_int_equal(qlw_io_mem_push(io, "A", 1, 0), QLW_ERR_ARG);
    assert_int_equal(qlw_io_mem_pending(io), 0);
    assert_int_equal(qlw_io_mem_take_tx(io, buf, sizeof buf), 0);
    qlw_io_close(io);
    assert_int_equal(d.closed, 1);
}

/* A transport in caller memory used after its close answers, without
 * calling the backend that is gone. */
static void init_then_close_refuses_later_calls(void **state)
{
    (void)state;
    dummy d = {0, 5};
    qlw_clock clock = {dummy_now, &d};
    qlw_io io;
    uint8_t buf[4] = {0};

    assert_int_equal(qlw_io_init(&io, &dummy_ops, &d, "mine", &clock), QLW_OK);
    assert_int_equal(qlw_io_read(&io, buf, 3), 3);
    qlw_io_close(&io);
    assert_int_equal(d.closed, 1);
    assert_int_equal(qlw_io_read(&io, buf, 3), QLW_ERR_STATE);
    assert_int_equal(qlw_io_write(&io, buf, 3), QLW_ERR_STATE);
    assert_int_equal(qlw_io_wait(&io, 11), QLW_ERR_STATE);
    assert_int_equal(qlw_io_fd(&io), -1);
    qlw_io_close(&io); /* a second close is harmless */
    assert_int_equal(d.closed, 1);
}

static void create_rejects_incomplete_operations(void **state)
{
    (void)state;
    dummy d = {0, 0};
    qlw_io_ops partial = dummy_ops;
    partial.fd = NULL;
    qlw_clock no_clock = {NULL, NULL};
    qlw_io *io = (qlw_io *)&io;
    assert_int_equal(qlw_io_create(&io, &partial, &d, "x", NULL), QLW_ERR_ARG);
    assert_null(io);
    assert_int_equal(qlw_io_create(&io, NULL, &d, "x", NULL), QLW_ERR_ARG);
    assert_int_equal(qlw_io_create(&io, &dummy_ops, &d, "x", &no_clock), QLW_ERR_ARG);
    assert_int_equal(qlw_io_create(NULL, &dummy_ops, &d, "x", NULL), QLW_ERR_ARG);
    assert_int_equal(d.closed, 0);

    assert_int_equal(qlw_io_create(&io, &dummy_ops, &d, NULL, NULL), QLW_OK);
    assert_string_equal(io->name, "");
    /* No clock given: the system's, which is the same clock as qlw_clock_system(). */
    qlw_clock sys = qlw_clock_system();
    uint32_t before_ms = sys.now_ms(sys.ctx);
    uint32_t now_ms = qlw_io_now_ms(io);
    assert_true(qlw_ms_diff(now_ms, before_ms) >= 0);
    assert_true(qlw_ms_diff(now_ms, before_ms) < 1000);
    qlw_io_close(io);
    assert_int_equal(d.closed, 1);
}

static void null_transports_are_refused(void **state)
{
    (void)state;
    uint8_t buf[1];
    assert_int_equal(qlw_io_read(NULL, buf, 1), QLW_ERR_ARG);
    assert_int_equal(qlw_io_write(NULL, buf, 1), QLW_ERR_ARG);
    assert_int_equal(qlw_io_wait(NULL, 1), QLW_ERR_ARG);
    assert_int_equal(qlw_io_fd(NULL), -1);
    qlw_io_close(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(open_checks_its_arguments),
        cmocka_unit_test(init_then_close_refuses_later_calls),
        cmocka_unit_test(opens_with_the_given_clock_and_no_descriptor),
        cmocka_unit_test(pushes_become_readable_at_their_time),
        cmocka_unit_test(a_push_after_due_input_counts_from_now),
        cmocka_unit_test(push_checks_its_arguments),
        cmocka_unit_test(wait_jumps_to_the_next_chunk_within_the_timeout),
        cmocka_unit_test(wait_reaches_a_chunk_due_exactly_at_the_timeout),
        cmocka_unit_test(forced_read_size_cuts_the_stream),
        cmocka_unit_test(a_small_buffer_gets_what_fits),
        cmocka_unit_test(fail_after_returns_the_error),
        cmocka_unit_test(fail_after_zero_fails_at_once),
        cmocka_unit_test(write_hook_sees_bytes_and_can_reply),
        cmocka_unit_test(tx_capture_is_bounded),
        cmocka_unit_test(input_is_bounded),
        cmocka_unit_test(the_clock_wraps_safely),
        cmocka_unit_test(wait_across_the_wrap_without_input),
        cmocka_unit_test(create_wraps_caller_operations),
        cmocka_unit_test(create_rejects_incomplete_operations),
        cmocka_unit_test(null_transports_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
