/*
 * The Windows COM port backend as a program sees it: which backends a build
 * has, and how qlw_io_open_serial() answers for ports that are not there.
 * Runs everywhere: natively (where QLW_IO_WIN32 must be refused) and, in
 * scripts/cross.sh, as the Windows build under wine. Talking to a port is
 * the end-to-end test tests/e2e/wine_tool_com.sh (the Windows tool against
 * the simulator through a COM port).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "qlwm2m/io.h"

static qlw_serial_config config(qlw_io_backend backend)
{
    qlw_serial_config cfg;
    qlw_serial_config_default(&cfg);
    cfg.backend = backend;
    return cfg;
}

#ifdef _WIN32

static void every_windows_build_has_the_com_backend(void **state)
{
    (void)state;
    assert_true(qlw_io_has_win32_comm());
    assert_false(qlw_io_has_posix_tty());
}

static void a_missing_com_port_is_not_found(void **state)
{
    (void)state;
    const qlw_io_backend backends[] = {QLW_IO_AUTO, QLW_IO_WIN32};
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++) {
        if (backends[i] == QLW_IO_AUTO && qlw_io_has_libserialport()) {
            continue; /* AUTO is libserialport's then: its own messages */
        }
        qlw_serial_config cfg = config(backends[i]);
        qlw_io dummy;
        qlw_io *io = &dummy; /* must come back NULL */
        char errmsg[256];
        assert_int_equal(qlw_io_open_serial(&io, "COM250", &cfg, errmsg, sizeof errmsg),
                         QLW_ERR_PORT_NOT_FOUND);
        assert_null(io);
        assert_string_equal(errmsg, "cannot open COM250: no such port");
    }
}

static void the_device_namespace_form_is_taken_as_given(void **state)
{
    (void)state;
    qlw_serial_config cfg = config(QLW_IO_WIN32);
    qlw_io *io = NULL;
    char errmsg[256];
    assert_int_equal(qlw_io_open_serial(&io, "\\\\.\\COM251", &cfg, errmsg, sizeof errmsg),
                     QLW_ERR_PORT_NOT_FOUND);
    assert_null(io);
    assert_string_equal(errmsg, "cannot open \\\\.\\COM251: no such port");
}

static void a_name_longer_than_windows_takes_is_refused(void **state)
{
    (void)state;
    char name[400];
    memset(name, 'C', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    qlw_serial_config cfg = config(QLW_IO_WIN32);
    qlw_io *io = NULL;
    assert_int_equal(qlw_io_open_serial(&io, name, &cfg, NULL, 0), QLW_ERR_ARG);
    assert_null(io);
}

static void the_posix_backend_is_refused(void **state)
{
    (void)state;
    qlw_serial_config cfg = config(QLW_IO_POSIX);
    qlw_io *io = NULL;
    char errmsg[256];
    assert_int_equal(qlw_io_open_serial(&io, "COM1", &cfg, errmsg, sizeof errmsg),
                     QLW_ERR_UNSUPPORTED);
    assert_null(io);
    assert_non_null(strstr(errmsg, "no POSIX termios support"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_windows_build_has_the_com_backend),
        cmocka_unit_test(a_missing_com_port_is_not_found),
        cmocka_unit_test(the_device_namespace_form_is_taken_as_given),
        cmocka_unit_test(a_name_longer_than_windows_takes_is_refused),
        cmocka_unit_test(the_posix_backend_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#else

static void no_com_backend_outside_windows(void **state)
{
    (void)state;
    assert_false(qlw_io_has_win32_comm());
    qlw_serial_config cfg = config(QLW_IO_WIN32);
    qlw_io *io = NULL;
    char errmsg[256];
    assert_int_equal(qlw_io_open_serial(&io, "/dev/ttyS0", &cfg, errmsg, sizeof errmsg),
                     QLW_ERR_UNSUPPORTED);
    assert_null(io);
    assert_string_equal(errmsg,
                        "cannot open /dev/ttyS0: the Windows COM port backend exists only on "
                        "Windows");
}

static void a_backend_past_the_last_is_refused(void **state)
{
    (void)state;
    qlw_serial_config cfg = config((qlw_io_backend)(QLW_IO_WIN32 + 1));
    qlw_io *io = NULL;
    assert_int_equal(qlw_io_open_serial(&io, "/dev/ttyS0", &cfg, NULL, 0), QLW_ERR_ARG);
    assert_null(io);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_com_backend_outside_windows),
        cmocka_unit_test(a_backend_past_the_last_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif
