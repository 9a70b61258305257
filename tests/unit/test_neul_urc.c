/* The Neul decoders, value names, CME table, validators and engine config. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "qlwm2m/neul.h"
#include "quectel/neul_internal.h"

/* A line and its length, for the (line, len) decoders. */
#define L(s) (s), strlen(s)

/* ---------------------------------------------------------------- CEREG */

static qlw_cereg cereg_ok(const char *line, bool read_form)
{
    qlw_cereg c;

    memset(&c, 0x5A, sizeof(c));
    assert_int_equal(qlw_neul_parse_cereg(L(line), read_form, &c), QLW_OK);
    return c;
}

static void test_cereg_urc_forms(void **state)
{
    qlw_cereg c;

    (void)state;
    /* fixture 07: unregistered after AT+CFUN=1, then roaming */
    c = cereg_ok("+CEREG:0,0000,00000000,9", false);
    assert_int_equal(c.n, -1);
    assert_int_equal(c.stat, 0);
    assert_true(c.has_cell);
    assert_int_equal(c.tac, 0);
    assert_int_equal(c.ci, 0);
    assert_int_equal(c.act, 9);
    assert_int_equal(c.cause_type, -1);
    assert_int_equal(c.reject_cause, -1);
    assert_false(qlw_cereg_registered(c.stat));

    c = cereg_ok("+CEREG:5,0216,0153803F,9", false);
    assert_int_equal(c.stat, 5);
    assert_int_equal(c.tac, 0x0216);
    assert_int_equal(c.ci, 0x0153803F);
    assert_true(qlw_cereg_registered(c.stat));

    /* fixture 01, n=1 */
    c = cereg_ok("+CEREG:2", false);
    assert_int_equal(c.stat, 2);
    assert_false(c.has_cell);
    assert_int_equal(c.act, -1);

    /* emulations print a space after the colon */
    c = cereg_ok("+CEREG: 1", false);
    assert_int_equal(c.stat, 1);

    /* n=3: reject cause #11 PLMN not allowed, quoted TAC/CI as other modems print them */
    c = cereg_ok("+CEREG:3,\"0216\",\"0153803F\",9,0,11", false);
    assert_int_equal(c.stat, 3);
    assert_int_equal(c.tac, 0x0216);
    assert_int_equal(c.ci, 0x0153803F);
    assert_int_equal(c.cause_type, 0);
    assert_int_equal(c.reject_cause, 11);

    /* n=4: no cause, timers */
    c = cereg_ok("+CEREG:1,213D,0318886E,9,,,00000101,00100001", false);
    assert_int_equal(c.stat, 1);
    assert_int_equal(c.cause_type, -1);
    assert_int_equal(c.reject_cause, -1);
}

static void test_cereg_read_forms(void **state)
{
    qlw_cereg c;

    (void)state;
    /* old BC95: CI without leading zero, AcT 7 */
    c = cereg_ok("+CEREG:2,1,77C3,D2A3152,7", true);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.stat, 1);
    assert_int_equal(c.tac, 0x77C3);
    assert_int_equal(c.ci, 0x0D2A3152);
    assert_int_equal(c.act, 7);

    /* fixture 03 and [S27] */
    c = cereg_ok("+CEREG:0,1", true);
    assert_int_equal(c.n, 0);
    assert_int_equal(c.stat, 1);
    assert_false(c.has_cell);
    c = cereg_ok("+CEREG:0,2", true);
    assert_int_equal(c.stat, 2);

    /* n=5 with every optional field empty */
    c = cereg_ok("+CEREG:5,1,213D,0318886E,9,,,,", true);
    assert_int_equal(c.n, 5);
    assert_int_equal(c.stat, 1);
    assert_int_equal(c.tac, 0x213D);
    assert_int_equal(c.ci, 0x0318886E);
    assert_int_equal(c.act, 9);
    assert_int_equal(c.cause_type, -1);
    assert_int_equal(c.reject_cause, -1);

    c = cereg_ok("+CEREG:3,3,0216,0153803F,9,0,13", true);
    assert_int_equal(c.n, 3);
    assert_int_equal(c.stat, 3);
    assert_int_equal(c.reject_cause, 13);

    /* cell fields both empty */
    c = cereg_ok("+CEREG:2,2,,,9", true);
    assert_false(c.has_cell);
    assert_int_equal(c.act, 9);
}

static void test_cereg_rejects(void **state)
{
    static const char *const urc_bad[] = {
        "+CEREG:6",                             /* stat 0..5 */
        "+CEREG:-1",                            /* no sign */
        "+CEREG:+1",                            /* no sign */
        "+CEREG:\"1\"",                         /* numbers are unquoted */
        "+CEREG:",                              /* nothing */
        "+CEREG",                               /* no colon */
        "+CEREGX:1",                            /* another command */
        "+CEREG:1,213D",                        /* 2 fields */
        "+CEREG:1,213D,0318886E",               /* 3 fields */
        "+CEREG:1,213D,0318886E,9,0",           /* 5 fields */
        "+CEREG:1,213D,0318886E,9,,,,,",        /* 9 fields in URC form */
        "+CEREG:1,12345,0318886E,9",            /* TAC 5 digits */
        "+CEREG:1,213D,1FFFFFFF,9",             /* CI beyond 28 bits */
        "+CEREG:1,213D,123456789,9",            /* CI 9 digits */
        "+CEREG:1,21G3,0318886E,9",             /* not hex */
        "+CEREG:1,,0318886E,9",                 /* TAC without CI */
        "+CEREG:1,213D,,9",                     /* CI without TAC */
        "+CEREG:1,213D,0318886E,10",            /* AcT 0..9 */
        "+CEREG:3,0216,0153803F,9,2,11",        /* cause_type 0..1 */
        "+CEREG:3,0216,0153803F,9,0,256",       /* reject_cause 0..255 */
        "+CEREG:1,213D,0318886E,9,,,0000010,",  /* timer 7 digits */
        "+CEREG:1,213D,0318886E,9,,,00000102,", /* timer not binary */
        "+CEREG:  1",                           /* two spaces */
        "+CEREG:1 ",                            /* trailing space */
        "+CEREG:1,\"213D",                      /* unterminated quote */
        "+CEREG:99999999999999999999",          /* huge */
        "CEREG:1",                              /* no plus */
    };
    static const char *const read_bad[] = {
        "+CEREG:6,1",                     /* n 0..5 */
        "+CEREG:1",                       /* only n */
        "+CEREG:2,1,77C3,D2A3152",        /* 4 fields */
        "+CEREG:2,1,77C3,D2A3152,7,0,1,", /* 8 fields */
    };
    qlw_cereg c;

    (void)state;
    for (size_t i = 0; i < sizeof(urc_bad) / sizeof(urc_bad[0]); i++) {
        if (qlw_neul_parse_cereg(L(urc_bad[i]), false, &c) != QLW_ERR_PARSE)
            fail_msg("URC form accepted: %s", urc_bad[i]);
    }
    for (size_t i = 0; i < sizeof(read_bad) / sizeof(read_bad[0]); i++) {
        if (qlw_neul_parse_cereg(L(read_bad[i]), true, &c) != QLW_ERR_PARSE)
            fail_msg("read form accepted: %s", read_bad[i]);
    }
    assert_int_equal(qlw_neul_parse_cereg(NULL, 0, false, &c), QLW_ERR_ARG);
    assert_int_equal(qlw_neul_parse_cereg(L("+CEREG:1"), false, NULL), QLW_ERR_ARG);
}

static void test_cereg_reads_only_len_bytes(void **state)
{
    /* the line need not end at len: "+CEREG:1" followed by more bytes */
    static const char buf[] = "+CEREG:15,0216";
    qlw_cereg c;

    (void)state;
    assert_int_equal(qlw_neul_parse_cereg(buf, 8, false, &c), QLW_OK);
    assert_int_equal(c.stat, 1);
}

static void test_cereg_stat_str(void **state)
{
    (void)state;
    assert_string_equal(qlw_cereg_stat_str(0), "not_registered");
    assert_string_equal(qlw_cereg_stat_str(1), "registered_home");
    assert_string_equal(qlw_cereg_stat_str(2), "searching");
    assert_string_equal(qlw_cereg_stat_str(3), "denied");
    assert_string_equal(qlw_cereg_stat_str(4), "unknown");
    assert_string_equal(qlw_cereg_stat_str(5), "registered_roaming");
    assert_string_equal(qlw_cereg_stat_str(6), "invalid");
    assert_string_equal(qlw_cereg_stat_str(-1), "invalid");
}

/* ----------------------------------------------------------- QLWEVTIND */

static void test_qlwevtind(void **state)
{
    static const char *const names[] = {
        "registered",    "deregistered", "updated",         "ready",   "bootstrapped",
        "fota_observed", "fota_url",     "fota_downloaded", "unknown", "observe_cancelled",
    };
    char line[32];
    int ev;

    (void)state;
    for (int i = 0; i <= 9; i++) {
        snprintf(line, sizeof(line), "+QLWEVTIND:%d", i);
        assert_int_equal(qlw_neul_parse_qlwevtind(L(line), &ev), QLW_OK);
        assert_int_equal(ev, i);
        assert_string_equal(qlw_lwm2m_event_str(i), names[i]);
    }
    /* MediaTek-family spacing */
    assert_int_equal(qlw_neul_parse_qlwevtind(L("+QLWEVTIND: 3"), &ev), QLW_OK);
    assert_int_equal(ev, QLW_EVT_READY);
    /* unknown values decode; they have no name */
    assert_int_equal(qlw_neul_parse_qlwevtind(L("+QLWEVTIND:8"), &ev), QLW_OK);
    assert_int_equal(ev, 8);
    assert_int_equal(qlw_neul_parse_qlwevtind(L("+QLWEVTIND:255"), &ev), QLW_OK);
    assert_int_equal(ev, 255);
    assert_string_equal(qlw_lwm2m_event_str(255), "unknown");
    assert_string_equal(qlw_lwm2m_event_str(-1), "unknown");
    assert_string_equal(qlw_lwm2m_event_str(10), "unknown");

    assert_int_equal(qlw_neul_parse_qlwevtind(L("+QLWEVTIND:256"), &ev), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_qlwevtind(L("+QLWEVTIND:"), &ev), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_qlwevtind(L("+QLWEVTIND:3,1"), &ev), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_qlwevtind(L("+QLWEVTIND:x"), &ev), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_qlwevtind(L("+QLWEVTIN:3"), &ev), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_qlwevtind(L("+QLWEVTIND:-3"), &ev), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_qlwevtind(L("+QLWEVTIND:3"), NULL), QLW_ERR_ARG);
}

/* ------------------------------------------------------ QLWULDATASTATUS */

static void test_uldatastatus(void **state)
{
    static const char *const names[] = {"not_sent", "waiting",   "send_failed",
                                        "timeout",  "delivered", "reset"};
    int st, seq;

    (void)state;
    assert_int_equal(qlw_neul_parse_uldatastatus(L("+QLWULDATASTATUS:4,1"), &st, &seq), QLW_OK);
    assert_int_equal(st, QLW_UPLINK_DELIVERED);
    assert_int_equal(seq, 1);
    assert_int_equal(qlw_neul_parse_uldatastatus(L("+QLWULDATASTATUS:3"), &st, &seq), QLW_OK);
    assert_int_equal(st, QLW_UPLINK_TIMEOUT);
    assert_int_equal(seq, 0);
    assert_int_equal(qlw_neul_parse_uldatastatus(L("+QLWULDATASTATUS: 5,255"), &st, &seq), QLW_OK);
    assert_int_equal(st, QLW_UPLINK_RESET);
    assert_int_equal(seq, 255);

    assert_int_equal(qlw_neul_parse_uldatastatus(L("+QLWULDATASTATUS:6"), &st, &seq),
                     QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_uldatastatus(L("+QLWULDATASTATUS:4,256"), &st, &seq),
                     QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_uldatastatus(L("+QLWULDATASTATUS:4,1,2"), &st, &seq),
                     QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_uldatastatus(L("+QLWULDATASTATUS:4,"), &st, &seq),
                     QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_uldatastatus(L("+QLWULDATASTATUS"), &st, &seq), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_uldatastatus(L("+QLWULDATASTATUS:4"), NULL, &seq), QLW_ERR_ARG);

    for (int i = 0; i <= 5; i++)
        assert_string_equal(qlw_uplink_status_str(i), names[i]);
    assert_string_equal(qlw_uplink_status_str(6), "unknown");
    assert_string_equal(qlw_uplink_status_str(-1), "unknown");
}

/* ---------------------------------------------------------- CSCON, NPSMR */

static void test_cscon_npsmr(void **state)
{
    int v;

    (void)state;
    assert_int_equal(qlw_neul_parse_cscon(L("+CSCON:1"), &v), QLW_OK);
    assert_int_equal(v, 1);
    assert_int_equal(qlw_neul_parse_cscon(L("+CSCON:0"), &v), QLW_OK);
    assert_int_equal(v, 0);
    /* read form [S27] */
    assert_int_equal(qlw_neul_parse_cscon(L("+CSCON:0,1"), &v), QLW_OK);
    assert_int_equal(v, 1);
    assert_int_equal(qlw_neul_parse_cscon(L("+CSCON: 1,0"), &v), QLW_OK);
    assert_int_equal(v, 0);
    assert_int_equal(qlw_neul_parse_cscon(L("+CSCON:2"), &v), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_cscon(L("+CSCON:2,1"), &v), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_cscon(L("+CSCON:1,1,1"), &v), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_cscon(L("+CSCON:,1"), &v), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_cscon(L("+NPSMR:1"), &v), QLW_ERR_PARSE);

    assert_int_equal(qlw_neul_parse_npsmr(L("+NPSMR:1"), &v), QLW_OK);
    assert_int_equal(v, 1);
    assert_int_equal(qlw_neul_parse_npsmr(L("+NPSMR:1,0"), &v), QLW_OK);
    assert_int_equal(v, 0);
    assert_int_equal(qlw_neul_parse_npsmr(L("+NPSMR:3"), &v), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_npsmr(L("+NPSMR:"), &v), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_npsmr(L("+NPSMR:1"), NULL), QLW_ERR_ARG);
}

/* ------------------------------------------------------------ NNMI, NSMI */

static void test_nnmi(void **state)
{
    uint8_t buf[8];

    (void)state;
    memset(buf, 0x55, sizeof(buf));
    assert_int_equal(qlw_neul_parse_nnmi(L("+NNMI:2,AA00"), buf, sizeof(buf)), 2);
    assert_int_equal(buf[0], 0xAA);
    assert_int_equal(buf[1], 0x00);
    assert_int_equal(buf[2], 0x55);
    assert_int_equal(qlw_neul_parse_nnmi(L("+NNMI: 2,aa0f"), buf, sizeof(buf)), 2);
    assert_int_equal(buf[1], 0x0F);
    /* NNMI=2: indication only */
    assert_int_equal(qlw_neul_parse_nnmi(L("+NNMI"), buf, sizeof(buf)), 0);
    assert_int_equal(qlw_neul_parse_nnmi(L("+NNMI"), NULL, 0), 0);

    assert_int_equal(qlw_neul_parse_nnmi(L("+NNMI:3,AA00"), buf, sizeof(buf)), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_nnmi(L("+NNMI:1,AA00"), buf, sizeof(buf)), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_nnmi(L("+NNMI:2,AA0"), buf, sizeof(buf)), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_nnmi(L("+NNMI:2,AG00"), buf, sizeof(buf)), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_nnmi(L("+NNMI:2,\"AA00\""), buf, sizeof(buf)), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_nnmi(L("+NNMI:0,"), buf, sizeof(buf)), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_nnmi(L("+NNMI:-2,AA00"), buf, sizeof(buf)), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_nnmi(L("+NNMI:2,AA00,1"), buf, sizeof(buf)), QLW_ERR_PARSE);
    /* the read form of AT+NNMI? is not a downlink */
    assert_int_equal(qlw_neul_parse_nnmi(L("+NNMI:1"), buf, sizeof(buf)), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_nnmi(L("+NNMI "), buf, sizeof(buf)), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_nnmi(L("+NNMI:2,AA00"), buf, 1), QLW_ERR_OVERFLOW);
    assert_int_equal(qlw_neul_parse_nnmi(L("+NNMI:2,AA00"), NULL, 0), QLW_ERR_OVERFLOW);
    assert_int_equal(qlw_neul_parse_nnmi(L("+NNMI:2,AA00"), NULL, 4), QLW_ERR_ARG);
    assert_int_equal(qlw_neul_parse_nnmi(NULL, 0, buf, sizeof(buf)), QLW_ERR_ARG);
}

static void test_nsmi(void **state)
{
    int sent = -1;

    (void)state;
    assert_int_equal(qlw_neul_parse_nsmi(L("+NSMI:SENT"), &sent), QLW_OK);
    assert_int_equal(sent, 1);
    assert_int_equal(qlw_neul_parse_nsmi(L("+NSMI:DISCARDED"), &sent), QLW_OK);
    assert_int_equal(sent, 0);
    assert_int_equal(qlw_neul_parse_nsmi(L("+NSMI: SENT"), &sent), QLW_OK);
    assert_int_equal(sent, 1);
    assert_int_equal(qlw_neul_parse_nsmi(L("+NSMI:1"), &sent), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_nsmi(L("+NSMI:SENT,1"), &sent), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_nsmi(L("+NSMI:sent"), &sent), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_nsmi(L("+NSMI:\"SENT\""), &sent), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_nsmi(L("+NSMI:SENT"), NULL), QLW_ERR_ARG);
}

/* ---------------------------------------------------------------- NPING */

static void test_nping(void **state)
{
    qlw_ping_result r;

    (void)state;
    assert_int_equal(qlw_neul_parse_nping(L("+NPING:10.112.28.10,61,909"), &r), QLW_OK);
    assert_string_equal(r.addr, "10.112.28.10");
    assert_int_equal(r.ttl, 61);
    assert_int_equal(r.rtt_ms, 909);
    assert_int_equal(r.error, 0);

    assert_int_equal(qlw_neul_parse_nping(L("+NPINGERR:1"), &r), QLW_OK);
    assert_int_equal(r.error, 1);
    assert_string_equal(r.addr, "");
    assert_int_equal(r.ttl, 0);
    assert_int_equal(qlw_neul_parse_nping(L("+NPINGERR:2"), &r), QLW_OK);
    assert_int_equal(r.error, 2);

    assert_int_equal(qlw_neul_parse_nping(L("+NPINGERR:3"), &r), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_nping(L("+NPINGERR:0"), &r), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_nping(L("+NPINGERR"), &r), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_nping(L("+NPING:10.112.28.10,61"), &r), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_nping(L("+NPING:10.112.28.10,256,9"), &r), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_nping(L("+NPING:300.1.1.1,61,909"), &r), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_nping(L("+NPING:host,61,909"), &r), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_nping(L("+NPING:,61,909"), &r), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_nping(L("+NPING:10.112.28.10,61,-1"), &r), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_nping(L("+NPING:10.112.28.10,61,909,1"), &r), QLW_ERR_PARSE);
    assert_int_equal(
        qlw_neul_parse_nping(L("+NPING:1111111111111111111111111111111111111111111111111,1,1"), &r),
        QLW_ERR_PARSE);
    /* a NUL inside the address must not shorten it into a valid one */
    assert_int_equal(qlw_neul_parse_nping("+NPING:1.2.3.4\0x,1,1", 20, &r), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_nping(L("+NPING:1.2.3.4,1,1"), NULL), QLW_ERR_ARG);
}

/* ------------------------------------------------------------- NMSTATUS */

/* The AT+CSQ answer: one decoder for the typed call and the session's signal poll. */
static void test_csq(void **state)
{
    static const char *const bad[] = {"+CSQ:32,99",   "+CSQ:98,0",  "+CSQ:20,8",      "+CSQ:20",
                                      "+CSQ:20,99,1", "+CSQ:-1,99", "+CSQ:\"20\",99", "+CEREG:1,99",
                                      "+CSQ:",        "CSQ:20,99"};
    int dbm = 1;

    (void)state;
    assert_int_equal(qlw_neul_parse_csq("+CSQ:20,99", 10, &dbm), QLW_OK);
    assert_int_equal(dbm, -73);
    assert_int_equal(qlw_neul_parse_csq("+CSQ: 31,0", 10, &dbm), QLW_OK);
    assert_int_equal(dbm, -51);
    assert_int_equal(qlw_neul_parse_csq("+CSQ:0,7", 8, &dbm), QLW_OK);
    assert_int_equal(dbm, -113);
    assert_int_equal(qlw_neul_parse_csq("+CSQ:99,99", 10, &dbm), QLW_OK);
    assert_int_equal(dbm, 0); /* not known */
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        dbm = 1;
        assert_int_equal(qlw_neul_parse_csq(bad[i], strlen(bad[i]), &dbm), QLW_ERR_PARSE);
        assert_int_equal(dbm, 1); /* untouched */
    }
    /* Only len bytes are read: "+CSQ:20,99" cut before its second field. */
    assert_int_equal(qlw_neul_parse_csq("+CSQ:20,99", 7, &dbm), QLW_ERR_PARSE);
}

static void test_nmstatus(void **state)
{
    static const struct {
        const char *line;
        qlw_nmstatus st;
    } cases[] = {
        {"+NMSTATUS:INIITIALISED", QLW_NM_INITIALISED},   /* fixture 18 */
        {"+NMSTATUS:INIITIALISING", QLW_NM_INITIALISING}, /* firmware spelling */
        {"+NMSTATUS:INITIALISED", QLW_NM_INITIALISED},
        {"+NMSTATUS:INITIALISING", QLW_NM_INITIALISING},
        {"+NMSTATUS:UNINITIALISED", QLW_NM_UNINITIALISED},
        {"+NMSTATUS:MISSING_CONFIG", QLW_NM_MISSING_CONFIG},
        {"+NMSTATUS:INIT_FAILED", QLW_NM_INIT_FAILED},
        {"+NMSTATUS:REGISTERING", QLW_NM_REGISTERING},
        {"+NMSTATUS:REREGISTERING", QLW_NM_REREGISTERING},
        {"+NMSTATUS:REGISTERED", QLW_NM_REGISTERED},
        {"+NMSTATUS:REREGISTERED", QLW_NM_REREGISTERED},
        {"+NMSTATUS:MO_DATA_ENABLED", QLW_NM_MO_DATA_ENABLED},
        {"+NMSTATUS:NO_UE_IP", QLW_NM_NO_UE_IP},
        {"+NMSTATUS:MEMORY_ERROR", QLW_NM_MEMORY_ERROR},
        {"+NMSTATUS:COAP_ERROR", QLW_NM_COAP_ERROR},
        {"+NMSTATUS:MSG_SEND_FAILED", QLW_NM_MSG_SEND_FAILED},
        {"+NMSTATUS:REJECTED_BY_SERVER", QLW_NM_REJECTED_BY_SERVER},
        {"+NMSTATUS:TIMEOUT_AND_RETRYING", QLW_NM_TIMEOUT_AND_RETRYING},
        {"+NMSTATUS:TIMEOUT_AND_FAILED", QLW_NM_TIMEOUT_AND_FAILED},
        {"+NMSTATUS:REG_FAILED", QLW_NM_REG_FAILED},
        {"+NMSTATUS:DEREG_FAILED", QLW_NM_DEREG_FAILED},
        {"+NMSTATUS: MO_DATA_ENABLED", QLW_NM_MO_DATA_ENABLED},
        {"+NMSTATUS:\"REGISTERED\"", QLW_NM_REGISTERED},
        {"+NMSTATUS:SOMETHING_NEW", QLW_NM_UNKNOWN},
    };
    qlw_nmstatus st;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        st = (qlw_nmstatus)-1;
        assert_int_equal(qlw_neul_parse_nmstatus(L(cases[i].line), &st), QLW_OK);
        if (st != cases[i].st)
            fail_msg("%s gave %s", cases[i].line, qlw_nmstatus_str(st));
    }
    assert_int_equal(qlw_neul_parse_nmstatus(L("+NMSTATUS:"), &st), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_nmstatus(L("+NMSTATUS"), &st), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_nmstatus(L("+NMSTATE:REGISTERED"), &st), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_parse_nmstatus(L("+NMSTATUS:X"), NULL), QLW_ERR_ARG);
}

static void test_nmstatus_str(void **state)
{
    static const char *const names[] = {
        "UNKNOWN",
        "UNINITIALISED",
        "MISSING_CONFIG",
        "INITIALISING",
        "INITIALISED",
        "INIT_FAILED",
        "REGISTERING",
        "REREGISTERING",
        "REGISTERED",
        "REREGISTERED",
        "MO_DATA_ENABLED",
        "NO_UE_IP",
        "MEMORY_ERROR",
        "COAP_ERROR",
        "MSG_SEND_FAILED",
        "REJECTED_BY_SERVER",
        "TIMEOUT_AND_RETRYING",
        "TIMEOUT_AND_FAILED",
        "REG_FAILED",
        "DEREG_FAILED",
    };
    qlw_nmstatus st;

    (void)state;
    for (int i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++) {
        char line[64];

        assert_string_equal(qlw_nmstatus_str((qlw_nmstatus)i), names[i]);
        /* every name decodes back to its value */
        snprintf(line, sizeof(line), "+NMSTATUS:%s", names[i]);
        assert_int_equal(qlw_neul_parse_nmstatus(L(line), &st), QLW_OK);
        assert_int_equal(st, i);
    }
    assert_string_equal(qlw_nmstatus_str((qlw_nmstatus)20), "UNKNOWN");
    assert_string_equal(qlw_nmstatus_str((qlw_nmstatus)-1), "UNKNOWN");
}

/* ---------------------------------------------------------- boot banner */

static void test_reboot_cause(void **state)
{
    (void)state;
    assert_string_equal(qlw_neul_reboot_cause("REBOOT_CAUSE_APPLICATION_AT"), "APPLICATION_AT");
    assert_string_equal(qlw_neul_reboot_cause("REBOOT_CAUSE_SECURITY_PMU_POWER_ON_RESET"),
                        "SECURITY_PMU_POWER_ON_RESET");
    assert_string_equal(qlw_neul_reboot_cause("REBOOT_CAUSE_SECURITY_RESET_PIN"),
                        "SECURITY_RESET_PIN");
    assert_string_equal(qlw_neul_reboot_cause("REBOOT_CAUSE_SECURITY_FOTA_UPGRADE"),
                        "SECURITY_FOTA_UPGRADE");
    /* the firmware's own typo is passed through */
    assert_string_equal(qlw_neul_reboot_cause("REBOOT_CAUSE_SEUCRITY_SCAN_ENTER_EXIT"),
                        "SEUCRITY_SCAN_ENTER_EXIT");
    assert_null(qlw_neul_reboot_cause("REBOOT_CAUSE_"));
    assert_null(qlw_neul_reboot_cause("REBOOT_CAUS"));
    assert_null(qlw_neul_reboot_cause("Neul "));
    assert_null(qlw_neul_reboot_cause("REBOOTING"));
    assert_null(qlw_neul_reboot_cause(""));
    assert_null(qlw_neul_reboot_cause(NULL));
}

/* ----------------------------------------------------------- CME codes */

static void test_cme_table(void **state)
{
    /* every number of the reference's section 6 table */
    static const int listed[] = {
        3,   4,   10,  11,  12,  13,  16,  23,  30,  50,  51,  52,  100, 103, 120, 150, 159,
        171, 176, 181, 182, 256, 257, 512, 513, 514, 515, 516, 517, 518, 519, 520, 521, 522,
        523, 524, 525, 526, 527, 528, 529, 530, 531, 532, 533, 534, 535, 536, 537,
    };

    (void)state;
    assert_string_equal(qlw_cme_str(159), "Uplink busy / flow control");
    assert_string_equal(qlw_cme_str(513), "TUP not registered");
    assert_string_equal(qlw_cme_str(524), "MT not powered on");
    assert_string_equal(qlw_cme_str(50), "Incorrect parameters");
    assert_string_equal(qlw_cme_str(537), "Back-off timer is running");
    assert_string_equal(qlw_cme_str(111), "PLMN not allowed");
    assert_string_equal(qlw_cme_str(127), "Missing or unknown APN");
    assert_string_equal(qlw_cme_str(140), "GPRS/EPS network error");
    assert_string_equal(qlw_cme_str(175), "GPRS/EPS network error");
    for (size_t i = 0; i < sizeof(listed) / sizeof(listed[0]); i++) {
        if (strcmp(qlw_cme_str(listed[i]), "unknown error") == 0)
            fail_msg("CME %d has no name", listed[i]);
    }
    assert_string_equal(qlw_cme_str(0), "unknown error");
    assert_string_equal(qlw_cme_str(-1), "unknown error");
    assert_string_equal(qlw_cme_str(160), "unknown error");
    assert_string_equal(qlw_cme_str(538), "unknown error");
    assert_string_equal(qlw_cme_str(99999), "unknown error");
}

static void test_cme_retryable(void **state)
{
    (void)state;
    for (int code = -10; code < 2000; code++) {
        bool want = code == 159 || code == 536 || code == 537;

        if (qlw_cme_retryable(code) != want)
            fail_msg("retryable(%d) wrong", code);
    }
}

/* ------------------------------------------------------------ validators */

static void test_check_cdp(void **state)
{
    static const char *const bad[] = {
        "",
        "1.2.3",
        "1.2.3.4.5",
        "256.1.1.1",
        "1.2.3.256",
        "01.2.3.4",
        "1.2.3.04",
        "1..3.4",
        ".1.2.3.4",
        "1.2.3.4.",
        " 1.2.3.4",
        "1.2.3.4 ",
        "a1.2.3.4",
        "1.2.3.-4",
        "1.2.3.+4",
        "1.2.3.4,5683",
        "1.2.3.4\"",
        "1.2.3.4;+NRB",
        "1.2.3.4\r\nAT+NRB",
        "1111.2.3.4",
        "example.com",
        "::1",
    };

    (void)state;
    assert_int_equal(qlw_neul_check_cdp("117.60.157.137", 5683), QLW_OK);
    assert_int_equal(qlw_neul_check_cdp("10.112.28.10", 5684), QLW_OK);
    assert_int_equal(qlw_neul_check_cdp("0.0.0.0", 1), QLW_OK);
    assert_int_equal(qlw_neul_check_cdp("255.255.255.255", 65535), QLW_OK);
    assert_int_equal(qlw_neul_check_cdp("117.60.157.137", 0), QLW_ERR_ARG);
    assert_int_equal(qlw_neul_check_cdp(NULL, 5683), QLW_ERR_ARG);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (qlw_neul_check_cdp(bad[i], 5683) != QLW_ERR_ARG)
            fail_msg("address accepted: %s", bad[i]);
    }
}

static void test_check_apn(void **state)
{
    static const char *const bad[] = {
        "a\"b", "a;b", "a\r\nAT+NRB",         "a\rb",        "a\nb", "a,b",  "a b", " a",
        "a\tb", "a_b", "a\"\r\nAT+NRB\r\n\"", "caf\xC3\xA9", "a/b",  "a\\b",
    };
    char longest[64];

    (void)state;
    assert_int_equal(qlw_neul_check_apn(""), QLW_OK);
    assert_int_equal(qlw_neul_check_apn("alliot.nbiot.at"), QLW_OK);
    assert_int_equal(qlw_neul_check_apn("APN"), QLW_OK);
    assert_int_equal(qlw_neul_check_apn("iot-1.example"), QLW_OK);
    assert_int_equal(qlw_neul_check_apn(NULL), QLW_ERR_ARG);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (qlw_neul_check_apn(bad[i]) != QLW_ERR_ARG)
            fail_msg("APN accepted: %s", bad[i]);
    }
    memset(longest, 'a', sizeof(longest));
    longest[62] = '\0';
    assert_int_equal(qlw_neul_check_apn(longest), QLW_OK);
    longest[62] = 'a';
    longest[63] = '\0';
    assert_int_equal(qlw_neul_check_apn(longest), QLW_ERR_ARG);
}

static void test_check_payload(void **state)
{
    static const uint8_t data[QLW_NEUL_PAYLOAD_MAX + 1];

    (void)state;
    assert_int_equal(qlw_neul_check_payload(data, 1), QLW_OK);
    assert_int_equal(qlw_neul_check_payload(data, QLW_NEUL_PAYLOAD_MAX), QLW_OK);
    assert_int_equal(qlw_neul_check_payload(data, QLW_NEUL_PAYLOAD_MAX + 1), QLW_ERR_ARG);
    assert_int_equal(qlw_neul_check_payload(data, 0), QLW_ERR_ARG);
    assert_int_equal(qlw_neul_check_payload(NULL, 1), QLW_ERR_ARG);
}

/* ------------------------------------------------------------- config */

/* Flags of the URC table entry for prefix, or -1 when there is none. */
static int urc_flags(const qlw_at_config *cfg, const char *prefix)
{
    for (size_t i = 0; i < cfg->urc_table_len; i++) {
        if (strcmp(cfg->urc_table[i].prefix, prefix) == 0)
            return (int)cfg->urc_table[i].flags;
    }
    return -1;
}

static void test_at_config(void **state)
{
    static const char *const urcs[] = {
        "+QLWEVTIND", "+QLWULDATASTATUS", "+CEREG",  "+CSCON",  "+NPSMR",  "+NNMI",   "+NSMI",
        "+NPING",     "+NPINGERR",        "+CEDRXP", "+NSONMI", "+NSOSTR", "+NSOCLI",
    };
    static const char *const banner[] = {"REBOOTING", "Boot:", "REBOOT_CAUSE_", "Neul"};
    qlw_at_config cfg, def;

    (void)state;
    qlw_neul_at_config(&cfg);
    qlw_at_config_default(&def);
    assert_string_equal(cfg.boot_end, "OK");
    assert_int_equal(cfg.line_max, def.line_max);
    assert_int_equal(cfg.handlers_max, def.handlers_max);
    assert_int_equal(cfg.urc_table_len, 17);
    for (size_t i = 0; i < sizeof(urcs) / sizeof(urcs[0]); i++)
        assert_int_equal(urc_flags(&cfg, urcs[i]), 0);
    for (size_t i = 0; i < sizeof(banner) / sizeof(banner[0]); i++)
        assert_int_equal(urc_flags(&cfg, banner[i]), QLW_URC_REBOOT);
    assert_true(qlw_at_mem_size(&cfg) > 0);
    qlw_neul_at_config(NULL);
}

/* ------------------------------------------------------------- fuzzing */

static uint32_t next_rand(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Runs every decoder on an exact-size heap copy (no terminator), so a read
 * past len shows under valgrind or ASan. */
static void decode_all(const char *bytes, size_t len)
{
    char *p = malloc(len ? len : 1);
    uint8_t buf[16];
    qlw_cereg c;
    qlw_ping_result r;
    qlw_nmstatus st;
    int a, b, rc;

    assert_non_null(p);
    memcpy(p, bytes, len);
    rc = qlw_neul_parse_cereg(p, len, false, &c);
    assert_true(rc == QLW_OK || rc == QLW_ERR_PARSE);
    rc = qlw_neul_parse_cereg(p, len, true, &c);
    assert_true(rc == QLW_OK || rc == QLW_ERR_PARSE);
    rc = qlw_neul_parse_qlwevtind(p, len, &a);
    assert_true(rc == QLW_OK || rc == QLW_ERR_PARSE);
    rc = qlw_neul_parse_uldatastatus(p, len, &a, &b);
    assert_true(rc == QLW_OK || rc == QLW_ERR_PARSE);
    rc = qlw_neul_parse_cscon(p, len, &a);
    assert_true(rc == QLW_OK || rc == QLW_ERR_PARSE);
    rc = qlw_neul_parse_npsmr(p, len, &a);
    assert_true(rc == QLW_OK || rc == QLW_ERR_PARSE);
    rc = qlw_neul_parse_nnmi(p, len, buf, sizeof(buf));
    assert_true((rc >= 0 && rc <= (int)sizeof(buf)) || rc == QLW_ERR_PARSE ||
                rc == QLW_ERR_OVERFLOW);
    rc = qlw_neul_parse_nsmi(p, len, &a);
    assert_true(rc == QLW_OK || rc == QLW_ERR_PARSE);
    rc = qlw_neul_parse_nping(p, len, &r);
    assert_true(rc == QLW_OK || rc == QLW_ERR_PARSE);
    rc = qlw_neul_parse_nmstatus(p, len, &st);
    assert_true(rc == QLW_OK || rc == QLW_ERR_PARSE);
    free(p);
}

static void test_decoders_survive_garbage(void **state)
{
    static const char *const seeds[] = {
        "+CEREG:5,1,213D,0318886E,9,,,,",
        "+CEREG:3,\"0216\",\"0153803F\",9,0,11",
        "+QLWEVTIND:3",
        "+QLWULDATASTATUS:4,1",
        "+CSCON:0,1",
        "+NPSMR:1",
        "+NNMI:2,AA00",
        "+NSMI:DISCARDED",
        "+NPING:10.112.28.10,61,909",
        "+NPINGERR:1",
        "+NMSTATUS:INIITIALISED",
        "+CEREG:2,1,77C3,D2A3152,7",
    };
    static const char alphabet[] = "+:,\" 0123456789ABCDEFx.-\r\n";
    uint32_t seed = 0x2545F491u;
    char line[64];

    (void)state;
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        size_t len = strlen(seeds[i]);

        /* every truncation */
        for (size_t cut = 0; cut <= len; cut++)
            decode_all(seeds[i], cut);
        /* random mutations: replace, from the alphabet or any byte */
        for (int round = 0; round < 400; round++) {
            uint32_t pos = next_rand(&seed) % (uint32_t)len;
            uint32_t v = next_rand(&seed);

            memcpy(line, seeds[i], len);
            line[pos] = (v & 1) ? alphabet[(v >> 1) % (sizeof(alphabet) - 1)] : (char)(v >> 8);
            decode_all(line, len);
        }
    }
    /* random lines behind a real prefix */
    for (int round = 0; round < 2000; round++) {
        size_t len = 1 + next_rand(&seed) % (sizeof(line) - 1);
        const char *pfx = seeds[next_rand(&seed) % (sizeof(seeds) / sizeof(seeds[0]))];
        size_t plen = strcspn(pfx, ":") + 1;

        for (size_t k = 0; k < len; k++)
            line[k] = alphabet[next_rand(&seed) % (sizeof(alphabet) - 1)];
        memcpy(line, pfx, plen < len ? plen : len);
        decode_all(line, len);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cereg_urc_forms),
        cmocka_unit_test(test_cereg_read_forms),
        cmocka_unit_test(test_cereg_rejects),
        cmocka_unit_test(test_cereg_reads_only_len_bytes),
        cmocka_unit_test(test_cereg_stat_str),
        cmocka_unit_test(test_qlwevtind),
        cmocka_unit_test(test_uldatastatus),
        cmocka_unit_test(test_cscon_npsmr),
        cmocka_unit_test(test_nnmi),
        cmocka_unit_test(test_nsmi),
        cmocka_unit_test(test_nping),
        cmocka_unit_test(test_csq),
        cmocka_unit_test(test_nmstatus),
        cmocka_unit_test(test_nmstatus_str),
        cmocka_unit_test(test_reboot_cause),
        cmocka_unit_test(test_cme_table),
        cmocka_unit_test(test_cme_retryable),
        cmocka_unit_test(test_check_cdp),
        cmocka_unit_test(test_check_apn),
        cmocka_unit_test(test_check_payload),
        cmocka_unit_test(test_at_config),
        cmocka_unit_test(test_decoders_survive_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
