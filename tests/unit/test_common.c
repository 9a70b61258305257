#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <string.h>

#include "qlwm2m/common.h"
#include "qlwm2m/io.h"

/* First and last codes of the enum; a new code at the end must move LAST_CODE. */
#define FIRST_CODE QLW_OK
#define LAST_CODE  QLW_ERR_STORE

static void every_code_has_its_own_description(void **state)
{
    (void)state;
    for (int a = FIRST_CODE; a >= LAST_CODE; a--) {
        const char *text = qlw_strerror(a);
        assert_non_null(text);
        assert_true(strlen(text) > 0);
        assert_null(strstr(text, "unknown"));
        for (int b = a - 1; b >= LAST_CODE; b--) {
            assert_string_not_equal(text, qlw_strerror(b));
        }
    }
}

static void every_code_has_its_own_identifier(void **state)
{
    (void)state;
    for (int a = FIRST_CODE; a >= LAST_CODE; a--) {
        const char *id = qlw_err_str(a);
        assert_non_null(id);
        assert_true(strncmp(id, "QLW_", 4) == 0);
        for (int b = a - 1; b >= LAST_CODE; b--) {
            assert_string_not_equal(id, qlw_err_str(b));
        }
    }
}

static void identifiers_match_the_enum_names(void **state)
{
    (void)state;
    assert_string_equal(qlw_err_str(QLW_OK), "QLW_OK");
    assert_string_equal(qlw_err_str(QLW_ERR_ARG), "QLW_ERR_ARG");
    assert_string_equal(qlw_err_str(QLW_ERR_TIMEOUT), "QLW_ERR_TIMEOUT");
    assert_string_equal(qlw_err_str(QLW_ERR_PORT_GONE), "QLW_ERR_PORT_GONE");
    assert_string_equal(qlw_err_str(QLW_ERR_FAILED), "QLW_ERR_FAILED");
}

static void unknown_codes_say_unknown(void **state)
{
    (void)state;
    const int others[] = {1, 42, LAST_CODE - 1, -1000, INT_MIN, INT_MAX};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        assert_string_equal(qlw_strerror(others[i]), "unknown error");
        assert_string_equal(qlw_err_str(others[i]), "unknown");
    }
}

static void version_matches_the_header(void **state)
{
    (void)state;
    assert_string_equal(qlw_version(), QLWM2M_VERSION_STRING);
}

static void serial_settings_have_stable_names(void **state)
{
    (void)state;
    assert_string_equal(qlw_flow_str(QLW_FLOW_NONE), "none");
    assert_string_equal(qlw_flow_str(QLW_FLOW_RTSCTS), "rtscts");
    assert_string_equal(qlw_flow_str(QLW_FLOW_XONXOFF), "xonxoff");
    assert_string_equal(qlw_flow_str((qlw_flow)3), "unknown");
    assert_string_equal(qlw_io_backend_str(QLW_IO_AUTO), "auto");
    assert_string_equal(qlw_io_backend_str(QLW_IO_POSIX), "posix");
    assert_string_equal(qlw_io_backend_str(QLW_IO_LIBSERIALPORT), "libserialport");
    assert_string_equal(qlw_io_backend_str(QLW_IO_WIN32), "win32");
    assert_string_equal(qlw_io_backend_str((qlw_io_backend)-1), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_code_has_its_own_description),
        cmocka_unit_test(every_code_has_its_own_identifier),
        cmocka_unit_test(identifiers_match_the_enum_names),
        cmocka_unit_test(unknown_codes_say_unknown),
        cmocka_unit_test(version_matches_the_header),
        cmocka_unit_test(serial_settings_have_stable_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
