/*
 * Regression: when +QLWEVTIND:0 and +QLWEVTIND:3 came before the OK of
 * AT+QLWSREGIND=0 (URCs are dispatched before the completion), the session
 * was already READY when the OK started the registration timer. Once that
 * timer was due, nothing cleared it in READY, so qlw_next_timeout_ms()
 * returned 0 for ever: an event loop spun, and a blocking call on a virtual
 * clock never returned (found by fuzz_session).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "qlwm2m/session.h"

typedef struct modem {
    char line[256];
    size_t len;
} modem;

static const char *answer_of(const char *cmd)
{
    if (strcmp(cmd, "AT+CEREG?") == 0)
        return "\r\n+CEREG:2,1\r\n\r\nOK\r\n";
    if (strcmp(cmd, "AT+NCDP?") == 0)
        return "\r\n+NCDP:192.0.2.1,5683\r\n\r\nOK\r\n";
    if (strcmp(cmd, "AT+QLWSREGIND=0") == 0) /* the events overtake the OK */
        return "\r\n+QLWEVTIND:0\r\n\r\n+QLWEVTIND:3\r\n\r\nOK\r\n";
    if (strncmp(cmd, "AT+QLWCFG", 9) == 0)
        return "\r\nERROR\r\n";
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
        assert_int_equal(qlw_poll(s, 1000), QLW_OK);
    assert_true(qlw_ms_reached(qlw_io_now_ms(io), end));
}

static void ready_before_the_ok_does_not_spin(void **state)
{
    modem m = {{0}, 0};
    qlw_session_config cfg;
    qlw_io *io;
    qlw_session *s;

    (void)state;
    qlw_session_config_default(&cfg);
    cfg.register_timeout_ms = 20000;
    assert_int_equal(qlw_io_mem_open(&io, 4096, 0), QLW_OK);
    qlw_io_mem_set_write_hook(io, on_write, &m);
    assert_int_equal(qlw_session_open(&s, &cfg, io), QLW_OK);
    assert_int_equal(qlw_register(s, 60000), QLW_OK);
    run_for(s, io, 5000);
    assert_int_equal(qlw_get_state(s), QLW_STATE_READY);
    run_for(s, io, 60000); /* well past the registration timer */
    assert_int_equal(qlw_get_state(s), QLW_STATE_READY);
    assert_int_not_equal(qlw_next_timeout_ms(s), 0);
    qlw_close(s);
    qlw_io_close(io);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ready_before_the_ok_does_not_spin),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
