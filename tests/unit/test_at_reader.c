/* The line reader: terminators, noise, over-long lines, prompts, read splits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "at/reader.h"

/* Feeds a byte stream in chunks of `chunk` bytes and renders every event as text. */
static void run(const char *bytes, size_t len, size_t cap, size_t chunk, bool want_prompt,
                char *out, size_t out_size)
{
    char buf[256];
    qlw_reader rd;
    size_t used = 0;

    assert_true(cap + 1 <= sizeof(buf));
    qlw_reader_init(&rd, buf, cap + 1);
    rd.want_prompt = want_prompt;
    out[0] = '\0';
    for (size_t off = 0; off < len;) {
        size_t n = len - off < chunk ? len - off : chunk;
        size_t pos = 0;

        while (pos < n) {
            qlw_rd_event ev;
            pos += qlw_reader_feed(&rd, (const uint8_t *)bytes + off + pos, n - pos, &ev);
            if (ev == QLW_RD_LINE)
                used += (size_t)snprintf(out + used, out_size - used, "L(%s%s)", rd.buf,
                                         rd.last_garbled ? ",garbled" : "");
            else if (ev == QLW_RD_EMPTY)
                used += (size_t)snprintf(out + used, out_size - used, "E");
            else if (ev == QLW_RD_OVERFLOW)
                used +=
                    (size_t)snprintf(out + used, out_size - used, "O(%zu)", rd.last_overflow_bytes);
            else if (ev == QLW_RD_PROMPT)
                used += (size_t)snprintf(out + used, out_size - used, "P");
        }
        off += n;
    }
}

static void expect(const char *bytes, size_t len, const char *want)
{
    static const size_t chunks[] = {1, 2, 3, 7, 4096};
    char got[512];

    for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
        run(bytes, len, 64, chunks[i], false, got, sizeof(got));
        if (strcmp(got, want) != 0)
            fail_msg("chunk %zu: got %s, want %s", chunks[i], got, want);
    }
}

#define EXPECT(lit, want) expect(lit, sizeof(lit) - 1, want)

static void test_terminators(void **state)
{
    (void)state;
    EXPECT("\r\nOK\r\n", "EL(OK)");
    EXPECT("OK\r", "L(OK)");
    EXPECT("OK\n", "L(OK)");
    EXPECT("A\n\rB\n\r", "L(A)L(B)");
    /* V.250 framing of an information response */
    EXPECT("\r\n+CGATT:1\r\n\r\nOK\r\n", "EL(+CGATT:1)EL(OK)");
    /* echo ended by CR only, then the framed OK (fixture 16) */
    EXPECT("AT\r\r\nOK\r\n", "L(AT)EL(OK)");
    EXPECT("A\r\rB\n\nC", "L(A)EL(B)E");
}

static void test_trailing_space_kept(void **state)
{
    (void)state;
    EXPECT("Neul \r\nOK\r\n", "L(Neul )L(OK)");
}

static void test_garbage_removed_and_flagged(void **state)
{
    (void)state;
    /* fixture 03: garbage line after REBOOTING */
    EXPECT("REBOOTING\r\n\"\x03\xD1\xA2\x04`\r\nBoot: Unsigned\r\n",
           "L(REBOOTING)L(\"`,garbled)L(Boot: Unsigned)");
    EXPECT("\x00\x00OK\r\n", "L(OK,garbled)");
    EXPECT("\xC3\x83\r\n", "E");
}

static void test_garbage_counted(void **state)
{
    char buf[32];
    qlw_reader rd;
    qlw_rd_event ev;
    const uint8_t bytes[] = {0x00, 0xFF, 'O', 'K', 0x80, '\r'};

    (void)state;
    qlw_reader_init(&rd, buf, sizeof(buf));
    assert_int_equal(qlw_reader_feed(&rd, bytes, sizeof(bytes), &ev), sizeof(bytes));
    assert_int_equal(ev, QLW_RD_LINE);
    assert_string_equal(rd.buf, "OK");
    assert_int_equal(rd.garbage_bytes, 3);
}

static void test_overflow_dropped_never_overrun(void **state)
{
    struct {
        char buf[9];
        char canary[8];
    } mem;
    qlw_reader rd;
    char got[256];
    const char *stream = "0123456789ABCDEF\r\nOK\r\n";

    (void)state;
    memset(mem.canary, 0x5A, sizeof(mem.canary));
    qlw_reader_init(&rd, mem.buf, sizeof(mem.buf));
    for (size_t i = 0; stream[i]; i++) {
        qlw_rd_event ev;
        qlw_reader_feed(&rd, (const uint8_t *)stream + i, 1, &ev);
        if (ev == QLW_RD_OVERFLOW)
            assert_int_equal(rd.last_overflow_bytes, 16);
        if (ev == QLW_RD_LINE)
            assert_string_equal(rd.buf, "OK");
    }
    for (size_t i = 0; i < sizeof(mem.canary); i++)
        assert_int_equal((unsigned char)mem.canary[i], 0x5A);
    /* A line of exactly cap bytes still fits. */
    run("12345678\r\n", 10, 8, 1, false, got, sizeof(got));
    assert_string_equal(got, "L(12345678)");
    run("123456789\r\nX\r\n", 14, 8, 3, false, got, sizeof(got));
    assert_string_equal(got, "O(9)L(X)");
}

static void test_prompt(void **state)
{
    char got[128];

    (void)state;
    run("\r\n> ", 4, 64, 1, true, got, sizeof(got));
    /* a build without the prompt (QLWM2M_AT_PROMPT=OFF) never waits for one */
    assert_string_equal(got, QLW_AT_PROMPT ? "EP" : "E");
    run("> \r\nOK\r\n", 8, 64, 2, true, got, sizeof(got));
    assert_string_equal(got, QLW_AT_PROMPT ? "PEL(OK)" : "L(> )L(OK)");
    /* without a command waiting for it, '>' is ordinary text */
    run("> x\r\n", 5, 64, 7, false, got, sizeof(got));
    assert_string_equal(got, "L(> x)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_terminators),
        cmocka_unit_test(test_trailing_space_kept),
        cmocka_unit_test(test_garbage_removed_and_flagged),
        cmocka_unit_test(test_garbage_counted),
        cmocka_unit_test(test_overflow_dropped_never_overrun),
        cmocka_unit_test(test_prompt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
