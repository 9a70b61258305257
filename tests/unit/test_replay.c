/*
 * Replayer: the host side is driven by hand (write, wait, read) to check
 * which modem bytes each write releases, when, and how mismatches fail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "qlwm2m/transcript.h"

#include "ts_fixture_list.h"

#include <string.h>

#define START_MS 1000u
#define READ_MAX 4096

typedef struct fixture {
    qlw_transcript *ts;
    qlw_replay *rp;
    qlw_io *io;
} fixture;

static void open_text(fixture *f, const char *text, uint32_t start_ms)
{
    char err[256];
    int rc = qlw_transcript_parse(&f->ts, text, strlen(text), err, sizeof err);
    if (rc != QLW_OK) {
        fail_msg("parse: %s", err);
    }
    assert_int_equal(qlw_replay_open(&f->rp, f->ts, start_ms), QLW_OK);
    f->io = qlw_replay_io(f->rp);
    assert_non_null(f->io);
}

static void close_fixture(fixture *f)
{
    qlw_replay_close(f->rp);
    qlw_transcript_free(f->ts);
}

static int write_str(fixture *f, const char *s)
{
    return qlw_io_write(f->io, (const uint8_t *)s, strlen(s));
}

static void write_ok(fixture *f, const char *s)
{
    int rc = write_str(f, s);
    if (rc != (int)strlen(s)) {
        fail_msg("write \"%s\" gave %d: %s", s, rc, qlw_replay_error(f->rp));
    }
}

/* Reads everything readable now (without waiting) as a string. */
static const char *read_now(fixture *f, char buf[READ_MAX])
{
    size_t len = 0;
    for (;;) {
        int n = qlw_io_read(f->io, (uint8_t *)buf + len, READ_MAX - 1 - len);
        assert_true(n >= 0);
        if (n == 0) {
            break;
        }
        len += (size_t)n;
    }
    buf[len] = '\0';
    return buf;
}

static void banner_is_readable_at_open(void **state)
{
    (void)state;
    fixture f;
    char buf[READ_MAX];
    open_text(&f, "# boot\n< Boot: Unsigned\n<~ \\x00\\xFF\n> AT\n< OK\n", START_MS);
    assert_int_equal(qlw_io_now_ms(f.io), START_MS);
    assert_int_equal(qlw_io_wait(f.io, 0), 1);
    assert_memory_equal(read_now(&f, buf), "Boot: Unsigned\r\n\0\xFF", 18);
    assert_int_equal(qlw_replay_expected(f.rp)->line_no, 4);
    close_fixture(&f);
}

static void each_send_releases_its_answer(void **state)
{
    (void)state;
    fixture f;
    char buf[READ_MAX];
    open_text(&f,
              "> AT+CFUN=1\n<\n< OK\n"
              "> AT+CGATT?\n< +CGATT:1\n< OK\n< +CEREG:1\n",
              START_MS);
    assert_string_equal(read_now(&f, buf), "");
    assert_int_equal(qlw_io_wait(f.io, 50), 0);
    write_ok(&f, "AT+CFUN=1\r");
    assert_string_equal(read_now(&f, buf), "\r\nOK\r\n");
    assert_string_equal((const char *)qlw_replay_expected(f.rp)->data, "AT+CGATT?");
    write_ok(&f, "AT+CGATT?\r");
    assert_string_equal(read_now(&f, buf), "+CGATT:1\r\nOK\r\n+CEREG:1\r\n");
    assert_null(qlw_replay_expected(f.rp));
    assert_true(qlw_replay_finished(f.rp));
    assert_int_equal(qlw_replay_status(f.rp), QLW_OK);
    assert_string_equal(qlw_replay_error(f.rp), "");
    close_fixture(&f);
}

static void split_writes(void **state)
{
    (void)state;
    fixture f;
    char buf[READ_MAX];
    open_text(&f, "> AT+CFUN=1\n< OK\n> AT\n< OK\n", START_MS);
    write_ok(&f, "AT+CFUN=");
    assert_string_equal(read_now(&f, buf), "");
    write_ok(&f, "1");
    assert_string_equal(read_now(&f, buf), "");
    assert_int_equal(qlw_replay_expected(f.rp)->line_no, 1);
    write_ok(&f, "\r");
    assert_string_equal(read_now(&f, buf), "OK\r\n");
    assert_int_equal(qlw_replay_expected(f.rp)->line_no, 3);
    for (const char *p = "AT\r"; *p != '\0'; p++) {
        assert_int_equal(qlw_io_write(f.io, (const uint8_t *)p, 1), 1);
    }
    assert_string_equal(read_now(&f, buf), "OK\r\n");
    assert_true(qlw_replay_finished(f.rp));
    close_fixture(&f);
}

static void one_write_spanning_two_sends(void **state)
{
    (void)state;
    fixture f;
    char buf[READ_MAX];
    open_text(&f, "> AT\n< A\n> ATI\n< B\n", START_MS);
    write_ok(&f, "AT\r\nATI\r");
    assert_string_equal(read_now(&f, buf), "A\r\nB\r\n");
    assert_true(qlw_replay_finished(f.rp));
    close_fixture(&f);
}

static void crlf_terminator_accepted(void **state)
{
    (void)state;
    fixture f;
    char buf[READ_MAX];
    open_text(&f, "> AT\n< OK\n> ATE0\n< OK\n> AT+CMEE=1\n< OK\n", START_MS);
    write_ok(&f, "AT\r\n");
    assert_string_equal(read_now(&f, buf), "OK\r\n");
    /* The LF may come in the next write, even after the answer was read. */
    write_ok(&f, "ATE0\r");
    assert_string_equal(read_now(&f, buf), "OK\r\n");
    write_ok(&f, "\n");
    write_ok(&f, "AT+CMEE=1\r\n");
    assert_string_equal(read_now(&f, buf), "OK\r\n");
    assert_true(qlw_replay_finished(f.rp));
    close_fixture(&f);
}

static void bare_cr_step(void **state)
{
    (void)state;
    fixture f;
    char buf[READ_MAX];
    /* The host flushes a half-typed line with CR LF before its first command. */
    open_text(&f, ">\n> AT\n< OK\n", START_MS);
    write_ok(&f, "\r\nAT\r\n");
    assert_string_equal(read_now(&f, buf), "OK\r\n");
    assert_true(qlw_replay_finished(f.rp));
    close_fixture(&f);
}

static void only_one_lf_after_cr(void **state)
{
    (void)state;
    fixture f;
    open_text(&f, "> AT\n< OK\n> AT\n", START_MS);
    write_ok(&f, "AT\r\n");
    assert_int_equal(write_str(&f, "\n"), QLW_ERR_IO);
    assert_string_equal(qlw_replay_error(f.rp), "line 3: expected \"AT\\r\", host sent \"\\n\"");
    close_fixture(&f);
}

static void mismatch_names_line_and_fails_later_writes(void **state)
{
    (void)state;
    fixture f;
    char buf[READ_MAX];
    open_text(&f, "# header\n> AT\n< OK\n> AT+CFUN=1\n< OK\n> AT\n", START_MS);
    write_ok(&f, "AT\r");
    assert_string_equal(read_now(&f, buf), "OK\r\n");
    assert_int_equal(write_str(&f, "AT+CFUN=0\r"), QLW_ERR_IO);
    assert_int_equal(qlw_replay_status(f.rp), QLW_ERR_IO);
    assert_string_equal(qlw_replay_error(f.rp),
                        "line 4: expected \"AT+CFUN=1\\r\", host sent \"AT+CFUN=0\\r\"");
    assert_string_equal(read_now(&f, buf), "");
    /* Even the expected bytes fail now; the first message stays. */
    assert_int_equal(write_str(&f, "AT+CFUN=1\r"), QLW_ERR_IO);
    assert_int_equal(write_str(&f, "AT\r"), QLW_ERR_IO);
    assert_int_equal(qlw_io_write(f.io, (const uint8_t *)"", 0), QLW_ERR_IO);
    assert_string_equal(qlw_replay_error(f.rp),
                        "line 4: expected \"AT+CFUN=1\\r\", host sent \"AT+CFUN=0\\r\"");
    assert_int_equal(qlw_replay_expected(f.rp)->line_no, 4);
    assert_false(qlw_replay_finished(f.rp));
    close_fixture(&f);
}

static void mismatch_after_split_shows_whole_command(void **state)
{
    (void)state;
    fixture f;
    open_text(&f, "> AT+CFUN=1\n< OK\n", START_MS);
    write_ok(&f, "AT+CFUN=");
    assert_int_equal(write_str(&f, "0\r"), QLW_ERR_IO);
    assert_string_equal(qlw_replay_error(f.rp),
                        "line 1: expected \"AT+CFUN=1\\r\", host sent \"AT+CFUN=0\\r\"");
    close_fixture(&f);
}

static void mismatch_escapes_non_printables(void **state)
{
    (void)state;
    fixture f;
    open_text(&f, "> AT+NMGS=2,AABB\n<~ > \n>~ \\x01\\x1A\n< OK\n", START_MS);
    write_ok(&f, "AT+NMGS=2,AABB\r");
    write_ok(&f, "\x01");
    assert_int_equal(write_str(&f, "\x1B\t\\"), QLW_ERR_IO);
    assert_string_equal(qlw_replay_error(f.rp),
                        "line 3: expected \"\\x01\\x1A\", host sent \"\\x01\\x1B\\t\\\\\"");
    close_fixture(&f);
}

static void terminator_missing_is_a_mismatch(void **state)
{
    (void)state;
    fixture f;
    open_text(&f, "> AT\n< OK\n", START_MS);
    assert_int_equal(write_str(&f, "AT\n"), QLW_ERR_IO);
    assert_string_equal(qlw_replay_error(f.rp), "line 1: expected \"AT\\r\", host sent \"AT\\n\"");
    close_fixture(&f);
}

static void bytes_step_takes_no_lf(void **state)
{
    (void)state;
    fixture f;
    open_text(&f, ">~ AB\n> C\n", START_MS);
    write_ok(&f, "AB");
    assert_int_equal(write_str(&f, "\n"), QLW_ERR_IO);
    assert_string_equal(qlw_replay_error(f.rp), "line 2: expected \"C\\r\", host sent \"\\n\"");
    close_fixture(&f);
}

static void write_after_the_end(void **state)
{
    (void)state;
    fixture f;
    char buf[READ_MAX];
    open_text(&f, "> AT\n< OK\n# the end\n", START_MS);
    write_ok(&f, "AT\r\n");
    assert_string_equal(read_now(&f, buf), "OK\r\n");
    assert_true(qlw_replay_finished(f.rp));
    assert_int_equal(write_str(&f, "AT+CSQ\r"), QLW_ERR_IO);
    assert_string_equal(qlw_replay_error(f.rp),
                        "line 2: transcript ended, host sent \"AT+CSQ\\r\"");
    assert_false(qlw_replay_finished(f.rp));
    close_fixture(&f);
}

static void long_mismatch_is_cut(void **state)
{
    (void)state;
    fixture f;
    open_text(&f, "> AT\n", START_MS);
    char junk[600];
    memset(junk, 'x', sizeof junk - 1);
    junk[sizeof junk - 1] = '\0';
    assert_int_equal(write_str(&f, junk), QLW_ERR_IO);
    const char *err = qlw_replay_error(f.rp);
    assert_true(strlen(err) < 200);
    assert_non_null(strstr(err, "line 1: expected \"AT\\r\", host sent \"xxx"));
    assert_non_null(strstr(err, "...\""));
    close_fixture(&f);
}

static void delays_follow_the_virtual_clock(void **state)
{
    (void)state;
    fixture f;
    char buf[READ_MAX];
    open_text(&f,
              "> AT+QLWULDATA=4,DEADBEEF\n< ERROR\n@ +5000\n< +QLWEVTIND:3\n"
              "@ +100\n@ +200\n< +CSCON:0\n",
              START_MS);
    write_ok(&f, "AT+QLWULDATA=4,DEADBEEF\r");
    assert_string_equal(read_now(&f, buf), "ERROR\r\n");
    assert_int_equal(qlw_io_wait(f.io, 1000), 0);
    assert_int_equal(qlw_io_now_ms(f.io), START_MS + 1000);
    assert_string_equal(read_now(&f, buf), "");
    assert_false(qlw_replay_finished(f.rp));
    assert_int_equal(qlw_io_wait(f.io, 60000), 1);
    assert_int_equal(qlw_io_now_ms(f.io), START_MS + 5000);
    assert_string_equal(read_now(&f, buf), "+QLWEVTIND:3\r\n");
    /* Two delays in a row add up. */
    assert_int_equal(qlw_io_wait(f.io, 299), 0);
    assert_string_equal(read_now(&f, buf), "");
    assert_int_equal(qlw_io_wait(f.io, 10), 1);
    assert_int_equal(qlw_io_now_ms(f.io), START_MS + 5300);
    assert_string_equal(read_now(&f, buf), "+CSCON:0\r\n");
    assert_true(qlw_replay_finished(f.rp));
    close_fixture(&f);
}

static void delay_counts_from_the_send(void **state)
{
    (void)state;
    fixture f;
    char buf[READ_MAX];
    /* The delay before a send applies to the modem bytes that follow it. */
    open_text(&f, "> AT\n@ +300\n> AT+NPING=1.2.3.4\n< OK\n", START_MS);
    write_ok(&f, "AT\r");
    assert_int_equal(qlw_io_wait(f.io, 50), 0);
    write_ok(&f, "AT+NPING=1.2.3.4\r");
    assert_string_equal(read_now(&f, buf), "");
    assert_int_equal(qlw_io_wait(f.io, 1000), 1);
    assert_int_equal(qlw_io_now_ms(f.io), START_MS + 350);
    assert_string_equal(read_now(&f, buf), "OK\r\n");
    close_fixture(&f);
}

static void clock_wraps(void **state)
{
    (void)state;
    fixture f;
    char buf[READ_MAX];
    open_text(&f, "@ +20\n< RDY\n", UINT32_MAX - 9);
    assert_int_equal(qlw_io_wait(f.io, 100), 1);
    assert_int_equal(qlw_io_now_ms(f.io), 10);
    assert_string_equal(read_now(&f, buf), "RDY\r\n");
    close_fixture(&f);
}

static void finished_only_at_the_end(void **state)
{
    (void)state;
    fixture f;
    char buf[READ_MAX];
    open_text(&f, "< RDY\n> AT\n< OK\n", START_MS);
    assert_false(qlw_replay_finished(f.rp));
    read_now(&f, buf);
    assert_false(qlw_replay_finished(f.rp));
    write_ok(&f, "AT\r");
    assert_false(qlw_replay_finished(f.rp));
    uint8_t two[2];
    assert_int_equal(qlw_io_read(f.io, two, sizeof two), 2);
    assert_false(qlw_replay_finished(f.rp));
    assert_string_equal(read_now(&f, buf), "\r\n");
    assert_true(qlw_replay_finished(f.rp));
    close_fixture(&f);
}

static void modem_only_and_empty_transcripts(void **state)
{
    (void)state;
    fixture f;
    char buf[READ_MAX];
    open_text(&f, "# nothing\n", START_MS);
    assert_null(qlw_replay_expected(f.rp));
    assert_true(qlw_replay_finished(f.rp));
    assert_int_equal(write_str(&f, "AT\r"), QLW_ERR_IO);
    assert_string_equal(qlw_replay_error(f.rp), "line 1: transcript ended, host sent \"AT\\r\"");
    close_fixture(&f);

    open_text(&f, "< +CEREG:1\n@ +10\n< +CSCON:1\n", START_MS);
    assert_false(qlw_replay_finished(f.rp));
    assert_int_equal(qlw_io_wait(f.io, 100), 1);
    assert_string_equal(read_now(&f, buf), "+CEREG:1\r\n");
    assert_int_equal(qlw_io_wait(f.io, 100), 1);
    assert_string_equal(read_now(&f, buf), "+CSCON:1\r\n");
    assert_true(qlw_replay_finished(f.rp));
    close_fixture(&f);
}

static void read_size_limit(void **state)
{
    (void)state;
    fixture f;
    open_text(&f, "> AT+CGSN=1\n< +CGSN:867726038416899\n< OK\n", START_MS);
    qlw_replay_set_read_size(f.rp, 3);
    write_ok(&f, "AT+CGSN=1\r");
    char got[64] = {0};
    size_t len = 0;
    uint8_t chunk[16];
    for (int n; (n = qlw_io_read(f.io, chunk, sizeof chunk)) > 0;) {
        assert_true(n <= 3);
        memcpy(got + len, chunk, (size_t)n);
        len += (size_t)n;
    }
    assert_string_equal(got, "+CGSN:867726038416899\r\nOK\r\n");
    assert_true(qlw_replay_finished(f.rp));
    close_fixture(&f);
}

static void expected_steps_in_order(void **state)
{
    (void)state;
    fixture f;
    open_text(&f, "> AT\n< OK\n\n>~ AB\\r\n< OK\n", START_MS);
    const qlw_ts_step *s = qlw_replay_expected(f.rp);
    assert_int_equal(s->kind, QLW_TS_SEND);
    assert_int_equal(s->line_no, 1);
    write_ok(&f, "AT\r");
    s = qlw_replay_expected(f.rp);
    assert_int_equal(s->kind, QLW_TS_SEND_BYTES);
    assert_int_equal(s->line_no, 4);
    write_ok(&f, "AB\r");
    assert_null(qlw_replay_expected(f.rp));
    close_fixture(&f);
}

static void bad_arguments(void **state)
{
    (void)state;
    qlw_replay *rp = (qlw_replay *)&rp;
    assert_int_equal(qlw_replay_open(&rp, NULL, 0), QLW_ERR_ARG);
    assert_null(rp);
    assert_int_equal(qlw_replay_open(NULL, NULL, 0), QLW_ERR_ARG);
    assert_null(qlw_replay_io(NULL));
    assert_null(qlw_replay_expected(NULL));
    assert_false(qlw_replay_finished(NULL));
    assert_int_equal(qlw_replay_status(NULL), QLW_ERR_ARG);
    assert_string_equal(qlw_replay_error(NULL), "");
    qlw_replay_set_read_size(NULL, 1);
    qlw_replay_close(NULL);
}

/* Plays fixture @p name as the host would, one byte per write and @p read_size per read. */
static void play_fixture(const char *name, size_t read_size)
{
    fixture f = {ts_load_fixture(name), NULL, NULL};
    assert_int_equal(qlw_replay_open(&f.rp, f.ts, START_MS), QLW_OK);
    f.io = qlw_replay_io(f.rp);
    qlw_replay_set_read_size(f.rp, read_size);
    static uint8_t want[1 << 16];
    static uint8_t got[1 << 16];
    size_t want_len = 0;
    size_t got_len = 0;
    for (size_t i = 0; i < qlw_transcript_count(f.ts); i++) {
        const qlw_ts_step *s = qlw_transcript_step(f.ts, i);
        if (s->kind == QLW_TS_RECV || s->kind == QLW_TS_RECV_BYTES) {
            memcpy(want + want_len, s->data, s->len);
            want_len += s->len;
            continue;
        }
        if (s->kind != QLW_TS_SEND && s->kind != QLW_TS_SEND_BYTES) {
            continue;
        }
        while (qlw_io_wait(f.io, 100000) == 1) {
            got_len += (size_t)qlw_io_read(f.io, got + got_len, sizeof got - got_len);
        }
        for (size_t k = 0; k < s->len; k++) {
            assert_int_equal(qlw_io_write(f.io, &s->data[k], 1), 1);
        }
        if (s->kind == QLW_TS_SEND) {
            assert_int_equal(qlw_io_write(f.io, (const uint8_t *)"\r\n", 2), 2);
        }
    }
    while (qlw_io_wait(f.io, 100000) == 1) {
        got_len += (size_t)qlw_io_read(f.io, got + got_len, sizeof got - got_len);
    }
    assert_string_equal(qlw_replay_error(f.rp), "");
    assert_true(qlw_replay_finished(f.rp));
    assert_int_equal(got_len, want_len);
    assert_memory_equal(got, want, want_len);
    close_fixture(&f);
}

static void every_fixture_replays(void **state)
{
    (void)state;
    static const size_t read_sizes[] = {0, 1, 2, 3, 7};
    ts_fixture_list list;
    ts_list_fixtures(&list);
    for (size_t i = 0; i < list.count; i++) {
        for (size_t r = 0; r < sizeof read_sizes / sizeof read_sizes[0]; r++) {
            play_fixture(list.names[i], read_sizes[r]);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(banner_is_readable_at_open),
        cmocka_unit_test(each_send_releases_its_answer),
        cmocka_unit_test(split_writes),
        cmocka_unit_test(one_write_spanning_two_sends),
        cmocka_unit_test(crlf_terminator_accepted),
        cmocka_unit_test(bare_cr_step),
        cmocka_unit_test(only_one_lf_after_cr),
        cmocka_unit_test(mismatch_names_line_and_fails_later_writes),
        cmocka_unit_test(mismatch_after_split_shows_whole_command),
        cmocka_unit_test(mismatch_escapes_non_printables),
        cmocka_unit_test(terminator_missing_is_a_mismatch),
        cmocka_unit_test(bytes_step_takes_no_lf),
        cmocka_unit_test(write_after_the_end),
        cmocka_unit_test(long_mismatch_is_cut),
        cmocka_unit_test(delays_follow_the_virtual_clock),
        cmocka_unit_test(delay_counts_from_the_send),
        cmocka_unit_test(clock_wraps),
        cmocka_unit_test(finished_only_at_the_end),
        cmocka_unit_test(modem_only_and_empty_transcripts),
        cmocka_unit_test(read_size_limit),
        cmocka_unit_test(expected_steps_in_order),
        cmocka_unit_test(bad_arguments),
        cmocka_unit_test(every_fixture_replays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
