/* Argument helpers: field splitting, integers, hex. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "qlwm2m/at.h"

static int split(const char *line, qlw_at_field *f, size_t max)
{
    return qlw_at_split(line, strlen(line), f, max);
}

static void test_split_quotes_and_empty_fields(void **state)
{
    qlw_at_field f[8];
    char buf[16];

    (void)state;
    assert_int_equal(split("+X:a,\"b,c\",,d", f, 8), 4);
    assert_true(qlw_at_field_eq(&f[0], "a"));
    assert_true(qlw_at_field_eq(&f[1], "b,c"));
    assert_true(f[1].quoted);
    assert_int_equal(f[2].len, 0);
    assert_true(qlw_at_field_eq(&f[3], "d"));
    assert_int_equal(qlw_at_field_copy(&f[1], buf, sizeof(buf)), QLW_OK);
    assert_string_equal(buf, "b,c");
}

static void test_split_optional_space_and_forms(void **state)
{
    qlw_at_field f[12];
    uint32_t tac, ci;

    (void)state;
    assert_int_equal(split("+CPIN: READY", f, 4), 1);
    assert_true(qlw_at_field_eq(&f[0], "READY"));
    /* Neul read form with n=5 and empty trailing fields */
    assert_int_equal(split("+CEREG:5,1,213D,0318886E,9,,,,", f, 12), 9);
    assert_int_equal(qlw_at_field_hex32(&f[2], &tac), QLW_OK);
    assert_int_equal(tac, 0x213D);
    assert_int_equal(qlw_at_field_hex32(&f[3], &ci), QLW_OK);
    assert_int_equal(ci, 0x0318886E);
    assert_int_equal(f[8].len, 0);
    /* bare lines are split whole */
    assert_int_equal(split("1,188.77.165.106,16666,12,48656C6C,0", f, 12), 6);
    assert_int_equal(split("+QLWEVTIND:", f, 4), 0);
    assert_int_equal(split("", f, 4), 0);
}

static void test_split_errors(void **state)
{
    qlw_at_field f[2];

    (void)state;
    assert_int_equal(split("+X:\"open", f, 2), QLW_ERR_PARSE);
    assert_int_equal(split("+X:\"a\"b", f, 2), QLW_ERR_PARSE);
    assert_int_equal(split("+NOCOLON", f, 2), QLW_ERR_PARSE);
    assert_int_equal(split("+X:1,2,3", f, 2), QLW_ERR_OVERFLOW);
}

static void test_int_ranges(void **state)
{
    qlw_at_field f[4];
    long v = 0;

    (void)state;
    assert_int_equal(split("+NUESTATS:-819,99,x,", f, 4), 4);
    assert_int_equal(qlw_at_field_int(&f[0], -32768, 0, &v), QLW_OK);
    assert_int_equal(v, -819);
    assert_int_equal(qlw_at_field_int(&f[1], 0, 31, &v), QLW_ERR_ARG);
    assert_int_equal(qlw_at_field_int(&f[2], 0, 31, &v), QLW_ERR_PARSE);
    assert_int_equal(qlw_at_field_int(&f[3], 0, 31, &v), QLW_ERR_PARSE);
    assert_int_equal(split("+X:99999999999", f, 4), 1);
    assert_int_equal(qlw_at_field_int(&f[0], 0, 2147483647L, &v), QLW_ERR_ARG);
}

static void test_hex(void **state)
{
    uint8_t out[4];
    char text[9];
    qlw_at_field f = {"123456789", 9, false};
    uint32_t v;

    (void)state;
    assert_int_equal(qlw_hex_decode("DEADbeef", 8, out, 4), 4);
    assert_int_equal(out[0], 0xDE);
    assert_int_equal(out[3], 0xEF);
    assert_int_equal(qlw_hex_decode("ABC", 3, out, 4), QLW_ERR_PARSE);
    assert_int_equal(qlw_hex_decode("GG", 2, out, 4), QLW_ERR_PARSE);
    assert_int_equal(qlw_hex_decode("0011223344", 10, out, 4), QLW_ERR_OVERFLOW);
    assert_int_equal(qlw_hex_encode(out, 4, text, sizeof(text)), 8);
    assert_string_equal(text, "DEADBEEF");
    assert_int_equal(qlw_hex_encode(out, 4, text, 8), QLW_ERR_OVERFLOW);
    assert_int_equal(qlw_at_field_hex32(&f, &v), QLW_ERR_PARSE);
}

/* Every byte value, at every place of a 24-digit run (the word-wide check
 * and the byte-wise tail both see it): only 0-9, A-F and a-f decode, and
 * the value comes out right. */
static void test_hex_every_byte(void **state)
{
    static const char ref[] = "0123456789abcdefABCDEF01";
    char hex[sizeof(ref)];
    uint8_t out[12];

    (void)state;
    for (unsigned c = 0; c < 256; c++) {
        bool digit = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        unsigned value = c <= '9' ? c - '0' : (c | 0x20u) - 'a' + 10;

        for (size_t at = 0; at < sizeof(ref) - 1; at++) {
            int rc;

            memcpy(hex, ref, sizeof(ref));
            hex[at] = (char)c;
            rc = qlw_hex_decode(hex, sizeof(ref) - 1, out, sizeof(out));
            if (!digit) {
                assert_int_equal(rc, QLW_ERR_PARSE);
                continue;
            }
            assert_int_equal(rc, 12);
            assert_int_equal(at % 2 ? out[at / 2] & 0x0F : out[at / 2] >> 4, value);
        }
        {
            qlw_at_field f = {hex, 2, false};
            uint32_t v = 0;

            hex[0] = '1';
            hex[1] = (char)c;
            assert_int_equal(qlw_at_field_hex32(&f, &v), digit ? QLW_OK : QLW_ERR_PARSE);
            if (digit)
                assert_int_equal(v, 0x10 + value);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_quotes_and_empty_fields),
        cmocka_unit_test(test_split_optional_space_and_forms),
        cmocka_unit_test(test_split_errors),
        cmocka_unit_test(test_int_ranges),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_hex_every_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
