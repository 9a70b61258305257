/*
 * Regression: when the answer to a command arrived together with a long
 * line right at its deadline, and reads were small, qlw_at_process() used up
 * its read budget on the long line and then timed the command out although
 * its OK was already waiting in the transport; the OK was then dropped as
 * stale. The outcome depended on the read size (found by fuzz_transcript,
 * which replays every transcript whole and cut small and compares).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "qlwm2m/at.h"

static void answer_at_the_deadline(size_t read_size)
{
    static char modem[300];
    qlw_io *io;
    qlw_at *at;
    const qlw_at_response *resp;

    memset(modem, 'x', sizeof(modem));
    memcpy(modem, "+NSONMI:", 8);
    memcpy(modem + sizeof(modem) - 8, "\r\nOK\r\n\r\n", 8);
    assert_int_equal(qlw_io_mem_open(&io, 4096, 0), QLW_OK);
    qlw_io_mem_set_read_size(io, read_size);
    /* due exactly when the 1000 ms of the command run out */
    assert_int_equal(qlw_io_mem_push(io, modem, sizeof(modem), 1000), QLW_OK);
    assert_int_equal(qlw_at_open(&at, NULL, io), QLW_OK);
    assert_int_equal(qlw_at_exec_raw(at, "AT", 1000, &resp), QLW_OK);
    assert_string_equal(resp->final, "OK");
    qlw_at_close(at);
    qlw_io_close(io);
}

static void answer_waiting_at_the_deadline_completes_the_command(void **state)
{
    (void)state;
    answer_at_the_deadline(0);
    answer_at_the_deadline(7);
    answer_at_the_deadline(1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(answer_waiting_at_the_deadline_completes_the_command),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
