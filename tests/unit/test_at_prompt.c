/*
 * The data prompt (QLW_AT_CMD_PROMPT) in both kinds of build: with it, the
 * payload goes out after "> "; without it (QLWM2M_AT_PROMPT=OFF, where the
 * build defines QLW_NO_AT_PROMPT for this test too), qlw_at_send() refuses
 * such a command and writes nothing, and a "> " is an ordinary line. No
 * names or text are compared, so the test runs in a build without text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "modem_script.h"
#include "qlwm2m/at.h"

typedef struct fixture {
    qlw_io *io;
    qlw_at *at;
    modem_script script;
    int done;
    qlw_at_result result;
    char urc[64];
    int urcs;
} fixture;

static void on_done(void *ctx, const qlw_at_response *r)
{
    fixture *f = ctx;

    f->done++;
    f->result = r->result;
}

static void on_urc(void *ctx, const qlw_at_line *line)
{
    fixture *f = ctx;

    f->urcs++;
    memcpy(f->urc, line->text, line->len < sizeof(f->urc) ? line->len + 1 : 0);
}

static int setup(void **state)
{
    static fixture f;
    qlw_at_config cfg;

    memset(&f, 0, sizeof(f));
    assert_int_equal(qlw_io_mem_open(&f.io, 4096, 0), QLW_OK);
    qlw_io_mem_set_write_hook(f.io, script_hook, &f.script);
    qlw_at_config_default(&cfg);
    assert_int_equal(qlw_at_open(&f.at, &cfg, f.io), QLW_OK);
    assert_int_equal(qlw_at_add_urc_handler(f.at, "", on_urc, &f), QLW_OK);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    qlw_at_close(f->at);
    qlw_io_close(f->io);
    return 0;
}

static const uint8_t payload[] = {'h', 'i', 0x1A};

static const qlw_at_cmd prompt_cmd = {.text = "AT+SEND=2",
                                      .timeout_ms = 1000,
                                      .flags = QLW_AT_CMD_PROMPT,
                                      .payload = payload,
                                      .payload_len = sizeof(payload)};

static void test_prompt_command(void **state)
{
    fixture *f = *state;

    script_on(&f->script, "AT+SEND=2", "\r\n> ", 0);
#ifdef QLW_NO_AT_PROMPT
    assert_int_equal(qlw_at_send(f->at, &prompt_cmd, on_done, f), QLW_ERR_ARG);
    assert_false(qlw_at_busy(f->at));
    assert_int_equal(f->script.sent_count, 0);
    assert_int_equal(f->script.pending_len, 0);
#else
    assert_int_equal(qlw_at_send(f->at, &prompt_cmd, on_done, f), QLW_OK);
    qlw_at_poll(f->at, 10);
    qlw_io_mem_push(f->io, "\r\nOK\r\n", 6, 5);
    while (qlw_at_busy(f->at))
        qlw_at_poll(f->at, 100);
    assert_string_equal(f->script.sent[0], "AT+SEND=2");
    assert_int_equal(f->script.pending_len, 3);
    assert_memory_equal(f->script.pending, "hi\x1A", 3);
    assert_int_equal(f->done, 1);
    assert_int_equal(f->result, QLW_AT_RESULT_OK);
    assert_int_equal(f->urcs, 0);
#endif
}

/* While a command without the flag waits, "> " is a line like any other. */
static void test_prompt_line_without_the_flag(void **state)
{
    fixture *f = *state;
    const qlw_at_response *r;
    qlw_at_cmd cmd = {.text = "AT+X", .timeout_ms = 1000};

    script_on(&f->script, "AT+X", "\r\n> \r\nOK\r\n", 0);
    assert_int_equal(qlw_at_exec(f->at, &cmd, &r), QLW_OK);
    assert_int_equal(r->line_count, 0);
    assert_int_equal(f->urcs, 1);
    assert_string_equal(f->urc, "> ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_prompt_command, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prompt_line_without_the_flag, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
