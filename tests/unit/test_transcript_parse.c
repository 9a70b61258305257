/*
 * Parser of the `.at` transcript format: every line kind, every escape,
 * metadata, CR LF files, errors with their line numbers, and the fixtures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "qlwm2m/transcript.h"

#include "ts_fixture_list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERR_MAX 256

static qlw_transcript *parse_ok(const char *text)
{
    qlw_transcript *ts = NULL;
    char err[ERR_MAX];
    int rc = qlw_transcript_parse(&ts, text, strlen(text), err, sizeof err);
    if (rc != QLW_OK) {
        fail_msg("parse failed: %s (%s)", err, qlw_err_str(rc));
    }
    assert_string_equal(err, "");
    return ts;
}

/* Parses @p text, expects QLW_ERR_PARSE and returns the message in @p err. */
static void parse_err(const char *text, char err[ERR_MAX])
{
    qlw_transcript *ts = (qlw_transcript *)&ts; /* must be reset to NULL */
    int rc = qlw_transcript_parse(&ts, text, strlen(text), err, ERR_MAX);
    assert_int_equal(rc, QLW_ERR_PARSE);
    assert_null(ts);
}

static void assert_step(const qlw_transcript *ts, size_t i, qlw_ts_kind kind, const void *data,
                        size_t len, int line_no)
{
    const qlw_ts_step *s = qlw_transcript_step(ts, i);
    assert_non_null(s);
    assert_string_equal(qlw_ts_kind_str(s->kind), qlw_ts_kind_str(kind));
    assert_int_equal(s->len, len);
    assert_memory_equal(s->data, data, len);
    assert_int_equal(s->data[len], 0);
    assert_int_equal(s->line_no, line_no);
}

static void every_line_kind(void **state)
{
    (void)state;
    qlw_transcript *ts = parse_ok("## module: BC68\n"
                                  "# a comment is not a step\n"
                                  "< Boot: Unsigned\n"
                                  "\n"
                                  "<\n"
                                  "> AT+NMGS=2,AABB\n"
                                  "<~ > \n"
                                  ">~ AB\\x1A\n"
                                  "@ +5000\n"
                                  "< +NNMI:2,0102\n");
    assert_int_equal(qlw_transcript_count(ts), 8);
    assert_step(ts, 0, QLW_TS_META, "BC68", 4, 1);
    assert_string_equal(qlw_transcript_step(ts, 0)->key, "module");
    assert_step(ts, 1, QLW_TS_RECV, "Boot: Unsigned\r\n", 16, 3);
    assert_null(qlw_transcript_step(ts, 1)->key);
    assert_step(ts, 2, QLW_TS_RECV, "\r\n", 2, 5);
    assert_step(ts, 3, QLW_TS_SEND, "AT+NMGS=2,AABB", 14, 6);
    assert_step(ts, 4, QLW_TS_RECV_BYTES, "> ", 2, 7);
    assert_step(ts, 5, QLW_TS_SEND_BYTES, "AB\x1A", 3, 8);
    assert_step(ts, 6, QLW_TS_DELAY, "", 0, 9);
    assert_int_equal(qlw_transcript_step(ts, 6)->delay_ms, 5000);
    assert_step(ts, 7, QLW_TS_RECV, "+NNMI:2,0102\r\n", 14, 10);
    assert_null(qlw_transcript_step(ts, 8));
    qlw_transcript_free(ts);
}

static void every_escape(void **state)
{
    (void)state;
    qlw_transcript *ts = parse_ok("<~ \\r\\n\\t\\\\\\x00\\xff\\xAb\\x7E\n"
                                  "<~ \"\\x03`q\\\\x41'\n");
    assert_int_equal(qlw_transcript_count(ts), 2);
    static const uint8_t first[] = {'\r', '\n', '\t', '\\', 0x00, 0xff, 0xab, 0x7e};
    assert_step(ts, 0, QLW_TS_RECV_BYTES, first, sizeof first, 1);
    /* Quote, backtick and letters stand for themselves; "\\x41" is a backslash and "x41". */
    static const uint8_t second[] = {'"', 0x03, '`', 'q', '\\', 'x', '4', '1', '\''};
    assert_step(ts, 1, QLW_TS_RECV_BYTES, second, sizeof second, 2);
    qlw_transcript_free(ts);
}

static void text_lines_are_literal(void **state)
{
    (void)state;
    /* No escapes in TEXT lines: the backslash sequences stay as written. */
    qlw_transcript *ts = parse_ok("> AT+X=\"a\\x41\"\n< +X: \\r\n");
    assert_step(ts, 0, QLW_TS_SEND, "AT+X=\"a\\x41\"", 12, 1);
    assert_step(ts, 1, QLW_TS_RECV, "+X: \\r\r\n", 8, 2);
    qlw_transcript_free(ts);
}

static void trailing_and_leading_spaces_kept(void **state)
{
    (void)state;
    qlw_transcript *ts = parse_ok("< Neul \n"
                                  ">  AT \n"
                                  "<~   \n"
                                  "<  \n");
    assert_step(ts, 0, QLW_TS_RECV, "Neul \r\n", 7, 1);
    assert_step(ts, 1, QLW_TS_SEND, " AT ", 4, 2);
    assert_step(ts, 2, QLW_TS_RECV_BYTES, "  ", 2, 3);
    assert_step(ts, 3, QLW_TS_RECV, " \r\n", 3, 4);
    qlw_transcript_free(ts);
}

static void empty_lines_and_bare_send(void **state)
{
    (void)state;
    /* "<" and "< " are both an empty modem line; ">" alone is a bare CR. */
    qlw_transcript *ts = parse_ok("<\n< \n>\n> \n");
    assert_int_equal(qlw_transcript_count(ts), 4);
    assert_step(ts, 0, QLW_TS_RECV, "\r\n", 2, 1);
    assert_step(ts, 1, QLW_TS_RECV, "\r\n", 2, 2);
    assert_step(ts, 2, QLW_TS_SEND, "", 0, 3);
    assert_step(ts, 3, QLW_TS_SEND, "", 0, 4);
    qlw_transcript_free(ts);
}

static void blank_lines_and_comments_skipped(void **state)
{
    (void)state;
    qlw_transcript *ts = parse_ok("\n   \n\t\n# c1\n#\n#no space\n< OK");
    assert_int_equal(qlw_transcript_count(ts), 1);
    /* The last line has no line break and still counts. */
    assert_step(ts, 0, QLW_TS_RECV, "OK\r\n", 4, 7);
    qlw_transcript_free(ts);
}

static void delays(void **state)
{
    (void)state;
    qlw_transcript *ts = parse_ok("@ +0\n@ +2147483647\n@ +15 \t\n");
    assert_int_equal(qlw_transcript_count(ts), 3);
    assert_int_equal(qlw_transcript_step(ts, 0)->delay_ms, 0);
    assert_int_equal(qlw_transcript_step(ts, 1)->delay_ms, 2147483647u);
    assert_int_equal(qlw_transcript_step(ts, 2)->delay_ms, 15);
    qlw_transcript_free(ts);
}

static void meta_lookup(void **state)
{
    (void)state;
    qlw_transcript *ts = parse_ok("## module: BC68\n"
                                  "##firmware:BC68JAR01A08  \n"
                                  "## source:  https://example.invalid/a:b \n"
                                  "## module: second\n"
                                  "## empty:\n"
                                  "< OK\n");
    assert_string_equal(qlw_transcript_meta(ts, "module"), "BC68");
    assert_string_equal(qlw_transcript_meta(ts, "firmware"), "BC68JAR01A08");
    assert_string_equal(qlw_transcript_meta(ts, "source"), "https://example.invalid/a:b");
    assert_string_equal(qlw_transcript_meta(ts, "empty"), "");
    assert_null(qlw_transcript_meta(ts, "modul"));
    assert_null(qlw_transcript_meta(ts, "OK"));
    assert_null(qlw_transcript_meta(ts, NULL));
    assert_null(qlw_transcript_meta(NULL, "module"));
    assert_int_equal(qlw_transcript_count(ts), 6);
    qlw_transcript_free(ts);
}

static void crlf_file(void **state)
{
    (void)state;
    qlw_transcript *ts = parse_ok("## module: BC95-G\r\n"
                                  "# comment\r\n"
                                  "\r\n"
                                  "< Neul \r\n"
                                  "<\r\n"
                                  "> AT\r\n"
                                  "<~ AT\\r\r\n"
                                  "@ +10\r\n");
    assert_int_equal(qlw_transcript_count(ts), 6);
    assert_string_equal(qlw_transcript_meta(ts, "module"), "BC95-G");
    assert_step(ts, 1, QLW_TS_RECV, "Neul \r\n", 7, 4);
    assert_step(ts, 2, QLW_TS_RECV, "\r\n", 2, 5);
    assert_step(ts, 3, QLW_TS_SEND, "AT", 2, 6);
    assert_step(ts, 4, QLW_TS_RECV_BYTES, "AT\r", 3, 7);
    assert_int_equal(qlw_transcript_step(ts, 5)->delay_ms, 10);
    qlw_transcript_free(ts);
}

static void raw_utf8_kept(void **state)
{
    (void)state;
    qlw_transcript *ts = parse_ok("< Gr\xc3\xbc\xc3\x9f\x65\n<~ \xc3\xa9\\xC3\n");
    assert_step(ts, 0, QLW_TS_RECV, "Gr\xc3\xbc\xc3\x9f\x65\r\n", 9, 1);
    assert_step(ts, 1, QLW_TS_RECV_BYTES, "\xc3\xa9\xc3", 3, 2);
    qlw_transcript_free(ts);
}

static void nul_bytes_in_text(void **state)
{
    (void)state;
    static const char text[] = "< a\0b\n<~ \\x00\n";
    qlw_transcript *ts = NULL;
    assert_int_equal(qlw_transcript_parse(&ts, text, sizeof text - 1, NULL, 0), QLW_OK);
    assert_step(ts, 0, QLW_TS_RECV, "a\0b\r\n", 5, 1);
    assert_step(ts, 1, QLW_TS_RECV_BYTES, "\0", 1, 2);
    qlw_transcript_free(ts);
}

static void error_unknown_kind(void **state)
{
    (void)state;
    char err[ERR_MAX];
    parse_err("< OK\n# fine\nOK\n", err);
    assert_non_null(strstr(err, "line 3: unknown line kind \"OK\""));
    parse_err("<OK\n", err);
    assert_non_null(strstr(err, "line 1: unknown line kind \"<OK\""));
    parse_err("> AT\n>> AT\n", err);
    assert_non_null(strstr(err, "line 2: unknown line kind"));
    parse_err("\n\n < OK\n", err);
    assert_non_null(strstr(err, "line 3: unknown line kind \" < OK\""));
    parse_err("<\t1\n", err);
    assert_non_null(strstr(err, "line 1: unknown line kind \"<\\t1\""));
}

static void error_bytes_form(void **state)
{
    (void)state;
    char err[ERR_MAX];
    parse_err("<~\n", err);
    assert_string_equal(err, "line 1: \"<~\" needs one space and then the bytes");
    parse_err("< OK\n>~ \n", err);
    assert_string_equal(err, "line 2: \">~\" needs one space and then the bytes");
    parse_err("<~AB\n", err);
    assert_non_null(strstr(err, "line 1: \"<~\" needs one space"));
}

static void error_bad_escape(void **state)
{
    (void)state;
    char err[ERR_MAX];
    parse_err("< OK\n<~ AB\\q\n", err);
    assert_string_equal(err, "line 2: bad escape \"\\q\" at column 6 "
                             "(use \\r \\n \\t \\\\ or \\x and two hex digits)");
    parse_err("<~ \\x4\n", err);
    assert_non_null(strstr(err, "line 1: bad escape \"\\x4\" at column 4"));
    parse_err("\n>~ \\xZZ1\n", err);
    assert_non_null(strstr(err, "line 2: bad escape \"\\xZZ\" at column 4"));
    parse_err("<~ \\0\n", err);
    assert_non_null(strstr(err, "line 1: bad escape \"\\0\""));
    parse_err("<~ AB\\\n", err);
    assert_string_equal(err,
                        "line 1: lone '\\' at the end of the line (write \\\\ for a backslash)");
}

static void error_bad_delay(void **state)
{
    (void)state;
    static const char *const bad[] = {"@\n",     "@ 5000\n",    "@+5000\n",
                                      "@ +\n",   "@ +-5\n",     "@ +12ab\n",
                                      "@ + 5\n", "@ +5000ms\n", "@  +5000\n"};
    char err[ERR_MAX];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        parse_err(bad[i], err);
        assert_string_equal(err, "line 1: '@' needs a delay written \"@ +MS\" (e.g. \"@ +5000\")");
    }
    parse_err("< OK\n@ +2147483648\n", err);
    assert_string_equal(err, "line 2: delay out of range (0 to 2147483647 ms)");
    parse_err("@ +99999999999999999999999\n", err);
    assert_string_equal(err, "line 1: delay out of range (0 to 2147483647 ms)");
}

static void error_bad_meta(void **state)
{
    (void)state;
    static const char *const bad[] = {"##\n", "## module\n", "## : x\n", "## two words: x\n"};
    char err[ERR_MAX];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        parse_err(bad[i], err);
        assert_string_equal(err, "line 1: metadata must be written \"## key: value\"");
    }
}

static void error_crlf_line_numbers(void **state)
{
    (void)state;
    char err[ERR_MAX];
    parse_err("# x\r\n\r\n< OK\r\n<~ \\y\r\n", err);
    assert_non_null(strstr(err, "line 4: bad escape \"\\y\""));
}

static void error_message_optional_and_short(void **state)
{
    (void)state;
    qlw_transcript *ts = NULL;
    assert_int_equal(qlw_transcript_parse(&ts, "bogus\n", 6, NULL, 0), QLW_ERR_PARSE);
    assert_null(ts);
    char small[8];
    assert_int_equal(qlw_transcript_parse(&ts, "bogus\n", 6, small, sizeof small), QLW_ERR_PARSE);
    assert_string_equal(small, "line 1:");
}

static void bad_arguments(void **state)
{
    (void)state;
    qlw_transcript *ts = (qlw_transcript *)&ts; /* must be reset to NULL */
    assert_int_equal(qlw_transcript_parse(NULL, "< OK\n", 5, NULL, 0), QLW_ERR_ARG);
    assert_int_equal(qlw_transcript_parse(&ts, NULL, 5, NULL, 0), QLW_ERR_ARG);
    assert_null(ts);
    assert_int_equal(qlw_transcript_load(NULL, "x.at", NULL, 0), QLW_ERR_ARG);
    ts = (qlw_transcript *)&ts;
    assert_int_equal(qlw_transcript_load(&ts, NULL, NULL, 0), QLW_ERR_ARG);
    assert_null(ts);
    assert_int_equal(qlw_transcript_count(NULL), 0);
    assert_null(qlw_transcript_step(NULL, 0));
    qlw_transcript_free(NULL);

    assert_int_equal(qlw_transcript_parse(&ts, NULL, 0, NULL, 0), QLW_OK);
    assert_int_equal(qlw_transcript_count(ts), 0);
    assert_null(qlw_transcript_step(ts, 0));
    qlw_transcript_free(ts);
}

static void only_len_bytes_are_read(void **state)
{
    (void)state;
    qlw_transcript *ts = NULL;
    assert_int_equal(qlw_transcript_parse(&ts, "< OK\n< IGNORED", 5, NULL, 0), QLW_OK);
    assert_int_equal(qlw_transcript_count(ts), 1);
    qlw_transcript_free(ts);
}

static void kind_names(void **state)
{
    (void)state;
    assert_string_equal(qlw_ts_kind_str(QLW_TS_SEND), "send");
    assert_string_equal(qlw_ts_kind_str(QLW_TS_SEND_BYTES), "send_bytes");
    assert_string_equal(qlw_ts_kind_str(QLW_TS_RECV), "recv");
    assert_string_equal(qlw_ts_kind_str(QLW_TS_RECV_BYTES), "recv_bytes");
    assert_string_equal(qlw_ts_kind_str(QLW_TS_DELAY), "delay");
    assert_string_equal(qlw_ts_kind_str(QLW_TS_META), "meta");
    assert_string_equal(qlw_ts_kind_str((qlw_ts_kind)42), "unknown");
}

static void load_missing_file(void **state)
{
    (void)state;
    qlw_transcript *ts = (qlw_transcript *)&ts;
    char err[ERR_MAX];
    const char *path = QLW_TRANSCRIPT_DIR "/no-such-fixture.at";
    assert_int_equal(qlw_transcript_load(&ts, path, err, sizeof err), QLW_ERR_IO);
    assert_null(ts);
    assert_non_null(strstr(err, "no-such-fixture.at: "));
}

static void load_reports_parse_errors(void **state)
{
    (void)state;
    char path[] = "/tmp/qlw_ts_parse_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    fputs("< OK\n> AT\n@ +x\n", f);
    fclose(f);
    qlw_transcript *ts = NULL;
    char err[ERR_MAX];
    assert_int_equal(qlw_transcript_load(&ts, path, err, sizeof err), QLW_ERR_PARSE);
    assert_null(ts);
    assert_non_null(strstr(err, "line 3: '@' needs"));
    remove(path);
}

static size_t count_kind(const qlw_transcript *ts, qlw_ts_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < qlw_transcript_count(ts); i++) {
        n += qlw_transcript_step(ts, i)->kind == kind;
    }
    return n;
}

static void every_fixture_parses(void **state)
{
    (void)state;
    ts_fixture_list list;
    ts_list_fixtures(&list);
    for (size_t i = 0; i < list.count; i++) {
        qlw_transcript *ts = ts_load_fixture(list.names[i]);
        assert_true(qlw_transcript_count(ts) > 0);
        assert_true(count_kind(ts, QLW_TS_SEND) > 0);
        qlw_transcript_free(ts);
    }
}

static const qlw_ts_step *find_step(const qlw_transcript *ts, qlw_ts_kind kind, size_t nth)
{
    size_t seen = 0;
    for (size_t i = 0; i < qlw_transcript_count(ts); i++) {
        const qlw_ts_step *s = qlw_transcript_step(ts, i);
        if (s->kind == kind && seen++ == nth) {
            return s;
        }
    }
    fail_msg("no step %zu of kind %s", nth, qlw_ts_kind_str(kind));
    return NULL;
}

static void fixture_01_neul_trailing_space(void **state)
{
    (void)state;
    qlw_transcript *ts = ts_load_fixture("01-bc68-boot-attach-nping.at");
    assert_int_equal(qlw_transcript_count(ts), 27);
    assert_int_equal(count_kind(ts, QLW_TS_SEND), 8);
    assert_int_equal(count_kind(ts, QLW_TS_RECV), 19);
    /* Seven banner lines come before the first command. */
    assert_step(ts, 5, QLW_TS_RECV, "Neul \r\n", 7, 18);
    assert_step(ts, 7, QLW_TS_SEND, "AT+CFUN=0", 9, 20);
    assert_step(ts, 26, QLW_TS_RECV, "+NPING:198.51.100.1,54,962\r\n", 28, 39);
    qlw_transcript_free(ts);
}

static void fixture_03_garbage_bytes(void **state)
{
    (void)state;
    qlw_transcript *ts = ts_load_fixture("03-bc95g-startup-error-nrb-garbage.at");
    assert_int_equal(qlw_transcript_count(ts), 52);
    assert_int_equal(count_kind(ts, QLW_TS_SEND), 18);
    assert_int_equal(count_kind(ts, QLW_TS_RECV_BYTES), 1);
    static const uint8_t garbage[] = {0x22, 0x03, 0xD1, 0xA2, 0x04, 0x60, 0x0D, 0x0A};
    const qlw_ts_step *s = find_step(ts, QLW_TS_RECV_BYTES, 0);
    assert_int_equal(s->len, sizeof garbage);
    assert_memory_equal(s->data, garbage, sizeof garbage);
    assert_int_equal(s->line_no, 27);
    /* The step before it is the REBOOTING answer of AT+NRB. */
    assert_memory_equal((s - 1)->data, "REBOOTING\r\n", 11);
    qlw_transcript_free(ts);
}

static void fixture_07_escaped_mojibake(void **state)
{
    (void)state;
    qlw_transcript *ts = ts_load_fixture("07-bc68-psm-udp-multicmd-urc-inside-response.at");
    static const uint8_t bytes[] = {0xC3, 0x83, 0xC3, 0xA2, 'F', 0xC3, 0xB8, '\r', '\n'};
    const qlw_ts_step *s = find_step(ts, QLW_TS_RECV_BYTES, 0);
    assert_int_equal(s->len, sizeof bytes);
    assert_memory_equal(s->data, bytes, sizeof bytes);
    assert_int_equal(s->line_no, 36);
    assert_memory_equal(find_step(ts, QLW_TS_SEND, 12)->data, "AT+NSOCR= DGRAM,17,16666,1", 26);
    qlw_transcript_free(ts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_line_kind),
        cmocka_unit_test(every_escape),
        cmocka_unit_test(text_lines_are_literal),
        cmocka_unit_test(trailing_and_leading_spaces_kept),
        cmocka_unit_test(empty_lines_and_bare_send),
        cmocka_unit_test(blank_lines_and_comments_skipped),
        cmocka_unit_test(delays),
        cmocka_unit_test(meta_lookup),
        cmocka_unit_test(crlf_file),
        cmocka_unit_test(raw_utf8_kept),
        cmocka_unit_test(nul_bytes_in_text),
        cmocka_unit_test(error_unknown_kind),
        cmocka_unit_test(error_bytes_form),
        cmocka_unit_test(error_bad_escape),
        cmocka_unit_test(error_bad_delay),
        cmocka_unit_test(error_bad_meta),
        cmocka_unit_test(error_crlf_line_numbers),
        cmocka_unit_test(error_message_optional_and_short),
        cmocka_unit_test(bad_arguments),
        cmocka_unit_test(only_len_bytes_are_read),
        cmocka_unit_test(kind_names),
        cmocka_unit_test(load_missing_file),
        cmocka_unit_test(load_reports_parse_errors),
        cmocka_unit_test(every_fixture_parses),
        cmocka_unit_test(fixture_01_neul_trailing_space),
        cmocka_unit_test(fixture_03_garbage_bytes),
        cmocka_unit_test(fixture_07_escaped_mojibake),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
