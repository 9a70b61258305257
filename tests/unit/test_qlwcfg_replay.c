/*
 * The AT+QLWCFG family's calls against the synthetic-qlwcfg-*.at
 * transcripts, played by the replayer at read sizes 1, 2, 3, 7 and whole:
 * every byte the library sends must be the transcript's, every modem byte
 * must be read, and what the calls return and the +QLWURC events decode to
 * must not depend on how the bytes were cut. Calls and events are logged
 * apart: a URC that follows a final result may be read before the call
 * returns or after, depending on the cut.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "qlwm2m/qlwcfg.h"
#include "qlwm2m/transcript.h"
#include "test_printf.h"
#include "ts_fixture_list.h"

#define C QLW_DIALECT_QLWCFG_C

static const size_t read_sizes[] = {0, 1, 2, 3, 7};

typedef struct rp_fixture {
    qlw_transcript *ts;
    qlw_replay *rp;
    qlw_at *at;
    char log[4096]; /* events */
    size_t log_len;
    char calls[1024]; /* what the calls returned */
    size_t calls_len;
    unsigned seen; /* bit per qlw_qlwurc_kind decoded so far */
    char trace[8192];
    size_t trace_len;
} rp_fixture;

static rp_fixture fx;

TEST_PRINTF(4, 5) static void add(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    *len += (size_t)vsnprintf(buf + *len, size - *len, fmt, ap);
    va_end(ap);
    assert_true(*len < size);
}

#define logf_(f, ...) add((f)->log, sizeof((f)->log), &(f)->log_len, __VA_ARGS__)
#define callf(f, ...) add((f)->calls, sizeof((f)->calls), &(f)->calls_len, __VA_ARGS__)

static void on_urc(void *ctx, const qlw_at_line *l)
{
    rp_fixture *f = ctx;
    qlw_qlwurc u;

    if (qlw_parse_qlwurc(l->text, l->len, &u) != QLW_OK) {
        logf_(f, "%s(%s)\n", l->flags & QLW_LINE_BOOT ? "B" : "U", l->text);
        return;
    }
    f->seen |= 1u << u.kind;
    logf_(f, "urc(%s,%d,%d,%d,%s,%zu)\n", qlw_qlwurc_kind_str(u.kind), u.result, u.ssid, u.code,
          u.value, u.argc);
}

static void call(rp_fixture *f, const char *what, int rc)
{
    callf(f, "%s=%s\n", what, qlw_err_str(rc));
}

static rp_fixture *open_replay(const char *name, size_t read_size)
{
    rp_fixture *f = &fx;
    qlw_at_config cfg;

    memset(f, 0, sizeof(*f));
    f->ts = ts_load_fixture(name);
    assert_int_equal(qlw_replay_open(&f->rp, f->ts, 1000), QLW_OK);
    qlw_replay_set_read_size(f->rp, read_size);
    qlw_qlwcfg_at_config(&cfg);
    assert_int_equal(qlw_at_open(&f->at, &cfg, qlw_replay_io(f->rp)), QLW_OK);
    assert_int_equal(qlw_at_add_urc_handler(f->at, "", on_urc, f), QLW_OK);
    return f;
}

/* Polls until an event of @p kind was decoded (the host waits for it before its next command). */
static void wait_kind(rp_fixture *f, qlw_qlwurc_kind kind)
{
    for (int i = 0; i < 100 && !(f->seen & (1u << kind)); i++)
        assert_int_equal(qlw_at_poll(f->at, 1000), QLW_OK);
    if (!(f->seen & (1u << kind)))
        fail_msg("no %s event; log:\n%s", qlw_qlwurc_kind_str(kind), f->log);
    f->seen &= ~(1u << kind);
}

/* Reads what the modem still has to say, then checks the whole exchange. */
static void close_replay(rp_fixture *f, const char *name, size_t read_size, const char *calls,
                         const char *events)
{
    for (int i = 0; i < 100 && !qlw_replay_finished(f->rp); i++)
        assert_int_equal(qlw_at_poll(f->at, 1000), QLW_OK);
    if (qlw_replay_status(f->rp) != QLW_OK)
        fail_msg("%s at read size %zu: %s", name, read_size, qlw_replay_error(f->rp));
    if (!qlw_replay_finished(f->rp))
        fail_msg("%s at read size %zu: not played to the end", name, read_size);
    if (strcmp(f->calls, calls) != 0)
        fail_msg("%s at read size %zu, calls:\n got:\n%s\nwant:\n%s", name, read_size, f->calls,
                 calls);
    if (strcmp(f->log, events) != 0)
        fail_msg("%s at read size %zu, events:\n got:\n%s\nwant:\n%s", name, read_size, f->log,
                 events);
    qlw_at_close(f->at);
    qlw_replay_close(f->rp);
    qlw_transcript_free(f->ts);
}

typedef void (*scenario_fn)(rp_fixture *f);

static void play(const char *name, scenario_fn run, const char *calls, const char *events)
{
    for (size_t i = 0; i < sizeof(read_sizes) / sizeof(read_sizes[0]); i++) {
        rp_fixture *f = open_replay(name, read_sizes[i]);

        run(f);
        close_replay(f, name, read_sizes[i], calls, events);
    }
}

static void log_state(rp_fixture *f)
{
    qlw_lwm2m_state st;
    int rc = qlw_qlwcfg_get_state(f->at, C, &st);

    call(f, "get_state", rc);
    if (rc == QLW_OK)
        callf(f, "state=%s\n", qlw_lwm2m_state_str((int)st));
}

/* ------------------------------------------------------------- config */

static void run_config(rp_fixture *f)
{
    qlw_lwm2m_security bs = {.server_id = 0,
                             .short_server_id = 100,
                             .server_uri = "coap://bs.example.com:5683",
                             .bootstrap = true,
                             .security_mode = 3};
    qlw_lwm2m_security dm = {.server_id = 1,
                             .short_server_id = 1000,
                             .server_uri = "coaps://lwm2m.example.com:5684",
                             .security_mode = 0,
                             .psk_id = "urn:imei:869339060001965",
                             .psk_key = "30313233343536373839"};
    qlw_lwm2m_server srv = {1, 60, 2, 60, 86400, true, "U"};
    qlw_lwm2m_fota fota = {0, 1};

    call(f, "reset", qlw_qlwcfg_reset(f->at, C));
    call(f, "urc", qlw_qlwcfg_set_urc(f->at, C, true));
    call(f, "security(bs)", qlw_qlwcfg_set_security(f->at, C, &bs));
    call(f, "security(dm)", qlw_qlwcfg_set_security(f->at, C, &dm));
    call(f, "server", qlw_qlwcfg_set_server(f->at, C, &srv));
    call(f, "epname_mode", qlw_qlwcfg_set_epname_mode(f->at, C, 3));
    call(f, "fota", qlw_qlwcfg_set_fota(f->at, C, &fota));
    log_state(f);
}

static void test_config_calls(void **state)
{
    (void)state;
    play("synthetic-qlwcfg-config-calls.at", run_config,
         "reset=QLW_OK\nurc=QLW_OK\nsecurity(bs)=QLW_OK\nsecurity(dm)=QLW_OK\nserver=QLW_OK\n"
         "epname_mode=QLW_OK\nfota=QLW_OK\nget_state=QLW_OK\nstate=not_registered\n",
         "U(+CEREG: 1)\n");
}

/* ------------------------------------------------------- registration */

static void run_register_ready(rp_fixture *f)
{
    call(f, "register", qlw_qlwcfg_register(f->at, C));
    wait_kind(f, QLW_QLWURC_READY);
    log_state(f);
    call(f, "update", qlw_qlwcfg_update(f->at, C, 1000));
    wait_kind(f, QLW_QLWURC_UPDATE);
    call(f, "deregister", qlw_qlwcfg_deregister(f->at, C));
    wait_kind(f, QLW_QLWURC_DEREGISTER);
    log_state(f);
}

static void test_register_ready(void **state)
{
    (void)state;
    play("synthetic-qlwcfg-register-ready.at", run_register_ready,
         "register=QLW_OK\nget_state=QLW_OK\nstate=registered\nupdate=QLW_OK\n"
         "deregister=QLW_OK\nget_state=QLW_OK\nstate=not_registered\n",
         "urc(pdp active,1,-1,-1,iot.example,2)\n"
         "urc(initial,1,0,-1,,2)\n"
         "urc(dtls,1,1000,-1,,2)\n"
         "urc(registering,-1,-1,-1,,0)\n"
         "urc(ready,1,1000,-1,,2)\n"
         "urc(update,1,1000,-1,,2)\n"
         "urc(deregister,-1,1000,0,,2)\n");
}

static void run_register_failed(rp_fixture *f)
{
    call(f, "register", qlw_qlwcfg_register(f->at, C));
    wait_kind(f, QLW_QLWURC_READY);
    log_state(f);
    call(f, "deregister", qlw_qlwcfg_deregister(f->at, C));
    wait_kind(f, QLW_QLWURC_DEREGISTER);
}

static void test_register_failed(void **state)
{
    (void)state;
    play("synthetic-qlwcfg-register-failed.at", run_register_failed,
         "register=QLW_OK\nget_state=QLW_OK\nstate=reg_failed\nderegister=QLW_OK\n",
         "urc(pdp active,1,-1,-1,iot.example,2)\n"
         "urc(initial,1,0,-1,,2)\n"
         "urc(registering,-1,-1,-1,,0)\n"
         "urc(ready,0,1000,-1,,2)\n"
         "urc(deregister,-1,-1,3,,1)\n");
}

static void run_dtls_failed(rp_fixture *f)
{
    call(f, "register", qlw_qlwcfg_register(f->at, C));
    wait_kind(f, QLW_QLWURC_DTLS);
    log_state(f);
}

static void test_dtls_failed(void **state)
{
    (void)state;
    play("synthetic-qlwcfg-dtls-failed.at", run_dtls_failed,
         "register=QLW_OK\nget_state=QLW_OK\nstate=reg_failed\n",
         "urc(pdp active,1,-1,-1,iot.example,2)\n"
         "urc(initial,1,0,-1,,2)\n"
         "urc(dtls,0,1000,-1,,2)\n");
}

/* ------------------------------------------------ unsupported sub-option */

static void run_unsupported(rp_fixture *f)
{
    qlw_lwm2m_fota fota = {0, 1};
    qlw_lwm2m_server srv = {1, 60, 2, 60, 86400, true, "U"};

    call(f, "fota", qlw_qlwcfg_set_fota(f->at, C, &fota));
    call(f, "epname_mode(6)", qlw_qlwcfg_set_epname_mode(f->at, C, 6));
    call(f, "epname_mode(3)", qlw_qlwcfg_set_epname_mode(f->at, C, 3));
    call(f, "server", qlw_qlwcfg_set_server(f->at, C, &srv));
    callf(f, "cme=%d\n", qlw_at_last_response(f->at)->code);
    call(f, "reset", qlw_qlwcfg_reset(f->at, C));
}

static void test_unsupported_suboption(void **state)
{
    (void)state;
    play("synthetic-qlwcfg-unsupported-suboption.at", run_unsupported,
         "fota=QLW_ERR_UNSUPPORTED\nepname_mode(6)=QLW_ERR_UNSUPPORTED\nepname_mode(3)=QLW_OK\n"
         "server=QLW_ERR_CME\ncme=50\nreset=QLW_ERR_MODEM\n",
         "");
}

/* ---------------------------------------------------------------- events */

static void run_events(rp_fixture *f)
{
    log_state(f);
    wait_kind(f, QLW_QLWURC_CURRENT_TIME_CHANGED);
    log_state(f);
}

static void test_events(void **state)
{
    (void)state;
    play("synthetic-qlwcfg-events.at", run_events,
         "get_state=QLW_OK\nstate=registered\nget_state=QLW_OK\nstate=registered\n",
         "urc(fota/pkgurl,-1,-1,-1,coap://fw.example.com:5683/pkg/ec200u-v2.bin,1)\n"
         "urc(apn_changed,-1,-1,-1,iot.example,1)\n"
         "urc(user_name_changed,-1,-1,-1,alice,1)\n"
         "urc(secret_changed,-1,-1,-1,,1)\n"
         "urc(authentication_type_changed,-1,-1,-1,2,1)\n"
         "urc(lifetime_changed,-1,-1,-1,300,1)\n"
         "urc(current_time_changed,-1,-1,-1,2024/05/01,12:00:00+08,1)\n");
}

/* ------------------------------------------------------------- detection */

static char list[2048];

static void run_detect_with_list(rp_fixture *f)
{
    qlw_dialect d;

    call(f, "detect", qlw_detect_dialect(f->at, &d, list, sizeof(list)));
    callf(f, "dialect=%s list=%s\n", qlw_dialect_str(d), list[0] != '\0' ? "kept" : "empty");
}

static void run_detect(rp_fixture *f)
{
    qlw_dialect d;

    call(f, "detect", qlw_detect_dialect(f->at, &d, NULL, 0));
    callf(f, "dialect=%s\n", qlw_dialect_str(d));
}

static size_t count_lines(const char *s)
{
    size_t n = s[0] != '\0';

    for (; *s != '\0'; s++)
        n += *s == '\n';
    return n;
}

static void test_detect_each_dialect(void **state)
{
    (void)state;
    play("synthetic-qlwcfg-detect-c-eg25g.at", run_detect, "detect=QLW_OK\ndialect=qlwcfg\n", "");
    play("synthetic-qlwcfg-detect-a-bc26.at", run_detect, "detect=QLW_OK\ndialect=mtk\n", "");
    play("synthetic-qlwcfg-detect-neul-bc68.at", run_detect, "detect=QLW_OK\ndialect=neul\n", "");
    /* D and B are known before the list; it is read only when it is kept */
    play("synthetic-qlwcfg-detect-d-bg95.at", run_detect_with_list,
         "detect=QLW_OK\ndialect=qlwsvc list=kept\n", "");
    assert_int_equal(count_lines(list), 12);
    assert_memory_equal(list, "+QLWCFG: \"autostart\",(0,1)\n", 27);
    play("synthetic-qlwcfg-detect-b-bc66.at", run_detect_with_list,
         "detect=QLW_OK\ndialect=qlwconfig list=kept\n", "");
    assert_int_equal(count_lines(list), 3);
    play("synthetic-qlwcfg-detect-c-eg25g.at", run_detect_with_list,
         "detect=QLW_OK\ndialect=qlwcfg list=kept\n", "");
    assert_int_equal(count_lines(list), 11);
    assert_non_null(strstr(list, "\n+QLWCFG: \"epname/mode\",(3,6,7)\n"));
}

/* ------------------------------------------------------------- redaction */

static void sink(void *ctx, const char *text, size_t len)
{
    rp_fixture *f = ctx;

    assert_true(f->trace_len + len < sizeof(f->trace));
    memcpy(f->trace + f->trace_len, text, len);
    f->trace_len += len;
    f->trace[f->trace_len] = '\0';
}

static bool contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);

    for (; *hay != '\0'; hay++) {
        if (strncasecmp(hay, needle, n) == 0)
            return true;
    }
    return false;
}

static void run_psk(rp_fixture *f)
{
    qlw_lwm2m_security sec = {.server_id = 1,
                              .short_server_id = 1000,
                              .server_uri = "coaps://lwm2m.example.com:5684",
                              .security_mode = 0,
                              .psk_id = "urn:imei:869339060001965",
                              .psk_key = "000102030405060708090a0b0c0d0e0f"};
    qlw_ts_writer *w;
    qlw_transcript *parsed;
    char err[128];

    assert_int_equal(qlw_ts_writer_open(&w, sink, f, 0), QLW_OK);
    qlw_at_set_trace(f->at, qlw_ts_writer_trace, w);
    call(f, "security", qlw_qlwcfg_set_security(f->at, C, &sec));
    call(f, "urc", qlw_qlwcfg_set_urc(f->at, C, true));
    qlw_ts_writer_close(w);
    qlw_at_set_trace(f->at, NULL, NULL);
    if (contains_ci(f->trace, sec.psk_key))
        fail_msg("the key is in the trace:\n%s", f->trace);
    /* still a transcript, with the key starred in the command and in its echo */
    assert_int_equal(qlw_transcript_parse(&parsed, f->trace, f->trace_len, err, sizeof(err)),
                     QLW_OK);
    qlw_transcript_free(parsed);
    assert_non_null(strstr(f->trace, "> AT+QLWCFG=\"security\",1,1000,"
                                     "\"coaps://lwm2m.example.com:5684\",0,0,"
                                     "\"urn:imei:869339060001965\",\"***\"\n"));
    assert_non_null(strstr(f->trace, "<~ AT+QLWCFG=\"security\",1,1000,"
                                     "\"coaps://lwm2m.example.com:5684\",0,0,"
                                     "\"urn:imei:869339060001965\",\"***\"\\r"));
    assert_non_null(strstr(f->trace, "> AT+QLWCFG=\"urc\",1\n"));
}

static void test_psk_redacted_in_trace(void **state)
{
    (void)state;
    play("synthetic-qlwcfg-psk-echo.at", run_psk, "security=QLW_OK\nurc=QLW_OK\n", "");
}

/* ------------------------------------------------------------------ RDY */

static void run_rdy(rp_fixture *f)
{
    call(f, "urc", qlw_qlwcfg_set_urc(f->at, C, true));
    call(f, "urc", qlw_qlwcfg_set_urc(f->at, C, true));
}

static void test_rdy_restart(void **state)
{
    (void)state;
    play("synthetic-qlwcfg-rdy-restart.at", run_rdy, "urc=QLW_ERR_REBOOTED\nurc=QLW_OK\n",
         "B(RDY)\nU(+CFUN: 1)\nU(+CPIN: READY)\nU(+QUSIM: 1)\nU(+QIND: SMS DONE)\n");
}

/* Every qlwcfg fixture has a scenario here. */
static void test_every_qlwcfg_fixture_is_played(void **state)
{
    static const char *const played[] = {
        "synthetic-qlwcfg-config-calls.at",          "synthetic-qlwcfg-register-ready.at",
        "synthetic-qlwcfg-register-failed.at",       "synthetic-qlwcfg-dtls-failed.at",
        "synthetic-qlwcfg-unsupported-suboption.at", "synthetic-qlwcfg-events.at",
        "synthetic-qlwcfg-detect-c-eg25g.at",        "synthetic-qlwcfg-detect-d-bg95.at",
        "synthetic-qlwcfg-detect-neul-bc68.at",      "synthetic-qlwcfg-detect-b-bc66.at",
        "synthetic-qlwcfg-detect-a-bc26.at",         "synthetic-qlwcfg-psk-echo.at",
        "synthetic-qlwcfg-rdy-restart.at",
    };
    ts_fixture_list all;

    (void)state;
    ts_list_fixtures(&all);
    for (size_t i = 0; i < all.count; i++) {
        bool found = strncmp(all.names[i], "synthetic-qlwcfg-", 17) != 0;

        for (size_t k = 0; !found && k < sizeof(played) / sizeof(played[0]); k++)
            found = strcmp(all.names[i], played[k]) == 0;
        if (!found)
            fail_msg("%s has no scenario", all.names[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_calls),
        cmocka_unit_test(test_register_ready),
        cmocka_unit_test(test_register_failed),
        cmocka_unit_test(test_dtls_failed),
        cmocka_unit_test(test_unsupported_suboption),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_detect_each_dialect),
        cmocka_unit_test(test_psk_redacted_in_trace),
        cmocka_unit_test(test_rdy_restart),
        cmocka_unit_test(test_every_qlwcfg_fixture_is_played),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
