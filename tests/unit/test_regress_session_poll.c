/*
 * Regression: a poll timer that is due while another procedure holds the
 * module made qlw_next_timeout_ms() return 0 until that command ended, so
 * an event loop spun without sleeping and a blocking call on a virtual
 * clock never returned (found by fuzz_session).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "qlwm2m/session.h"

/* Answers OK to every command except the few this test cares about. */
typedef struct modem {
    char line[256];
    size_t len;
} modem;

static const char *answer_of(const char *cmd)
{
    if (strcmp(cmd, "AT+CFUN?") == 0)
        return "\r\n+CFUN:1\r\n\r\nOK\r\n";
    if (strcmp(cmd, "AT+CEREG?") == 0)
        return "\r\n+CEREG:2,2\r\n\r\nOK\r\n";
    if (strcmp(cmd, "AT+NCDP?") == 0)
        return "\r\n+NCDP:198.51.100.7,5683\r\n\r\nOK\r\n";
    if (strcmp(cmd, "AT+CFUN=0") == 0)
        return ""; /* the radio takes its time: the command stays in flight */
    return "\r\nOK\r\n";
}

static void on_write(void *ctx, qlw_io *io, const uint8_t *data, size_t len)
{
    modem *m = ctx;

    for (size_t i = 0; i < len; i++) {
        if (data[i] != '\r') {
            if (m->len + 1 < sizeof(m->line))
                m->line[m->len++] = (char)data[i];
            continue;
        }
        m->line[m->len] = '\0';
        qlw_io_mem_push(io, answer_of(m->line), strlen(answer_of(m->line)), 10);
        m->len = 0;
    }
}

/* Polls until ms have passed on the virtual clock; fails if the clock stops. */
static void run_for(qlw_session *s, qlw_io *io, uint32_t ms)
{
    uint32_t end = qlw_io_now_ms(io) + ms;

    for (int i = 0; i < 10000 && !qlw_ms_reached(qlw_io_now_ms(io), end); i++)
        assert_int_equal(qlw_poll(s, 100), QLW_OK);
    assert_true(qlw_ms_reached(qlw_io_now_ms(io), end));
}

static void due_poll_behind_a_command_does_not_spin(void **state)
{
    modem m = {{0}, 0};
    qlw_io *io;
    qlw_session *s;

    (void)state;
    assert_int_equal(qlw_io_mem_open(&io, 4096, 0), QLW_OK);
    qlw_io_mem_set_write_hook(io, on_write, &m);
    assert_int_equal(qlw_session_open(&s, NULL, io), QLW_OK);
    assert_int_equal(qlw_request_attach(s, NULL), QLW_OK);
    run_for(s, io, 20000); /* set up, radio on, attached: polling +CEREG every 5 s */
    assert_int_equal(qlw_get_state(s), QLW_STATE_ATTACHING);
    assert_int_equal(qlw_request_cdp(s, "192.0.2.1", 5683), QLW_OK);
    run_for(s, io, 6000); /* AT+NCDP? differs, AT+CFUN=0 now waits; the poll is due */
    assert_true(qlw_at_busy(qlw_session_at(s)));
    assert_true(qlw_next_timeout_ms(s) > 0);
    qlw_close(s);
    qlw_io_close(io);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(due_poll_behind_a_command_does_not_spin),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
