/*
 * The AT+QLWCFG family: the +QLWURC decoder on every event of the
 * QuecPython list, the Security/Server checks with injection attempts, the
 * command table in both dialects, the typed calls and dialect detection
 * against a scripted modem, the RDY restart, and the PSK key redaction.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "qlwm2m/qlwcfg.h"
#include "quectel/qlwcfg_cmd.h"
#include "quectel/qlwcfg_redact.h"

#define C QLW_DIALECT_QLWCFG_C
#define D QLW_DIALECT_QLWSVC_D

/* ============================================================ +QLWURC */

static bool mem_contains(const void *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle);

    for (size_t i = 0; i + n <= len; i++) {
        if (memcmp((const char *)hay + i, needle, n) == 0)
            return true;
    }
    return false;
}

typedef struct urc_case {
    const char *line;
    qlw_qlwurc_kind kind;
    const char *name;
    int result, ssid, code;
    const char *value;
    size_t argc;
} urc_case;

static const urc_case urc_cases[] = {
    {"+QLWURC: \"pdp active\",\"successfully\",\"iot.example\"", QLW_QLWURC_PDP_ACTIVE,
     "pdp active", 1, -1, -1, "iot.example", 2},
    {"+QLWURC:pdp active,failed,iot.example", QLW_QLWURC_PDP_ACTIVE, "pdp active", 0, -1, -1,
     "iot.example", 2},
    {"+QLWURC: \"initial\",\"successfully\",0", QLW_QLWURC_INITIAL, "initial", 1, 0, -1, "", 2},
    {"+QLWURC:\"initial\",\"failed\",1000", QLW_QLWURC_INITIAL, "initial", 0, 1000, -1, "", 2},
    {"+QLWURC: \"dtls\",\"successfully\",1000", QLW_QLWURC_DTLS, "dtls", 1, 1000, -1, "", 2},
    {"+QLWURC: dtls,failed,1000", QLW_QLWURC_DTLS, "dtls", 0, 1000, -1, "", 2},
    {"+QLWURC: \"bootstraping\"", QLW_QLWURC_BOOTSTRAPING, "bootstraping", -1, -1, -1, "", 0},
    {"+QLWURC:bootstraping", QLW_QLWURC_BOOTSTRAPING, "bootstraping", -1, -1, -1, "", 0},
    {"+QLWURC: \"bootstrapping\"", QLW_QLWURC_BOOTSTRAPING, "bootstrapping", -1, -1, -1, "", 0},
    {"+QLWURC: \"bootstrap\",\"successfully\",100", QLW_QLWURC_BOOTSTRAP, "bootstrap", 1, 100, -1,
     "", 2},
    {"+QLWURC:bootstrap,fail,100", QLW_QLWURC_BOOTSTRAP, "bootstrap", 0, 100, -1, "", 2},
    {"+QLWURC: \"registering\"", QLW_QLWURC_REGISTERING, "registering", -1, -1, -1, "", 0},
    {"+QLWURC: registering", QLW_QLWURC_REGISTERING, "registering", -1, -1, -1, "", 0},
    {"+QLWURC: \"ready\",\"successfully\",1000", QLW_QLWURC_READY, "ready", 1, 1000, -1, "", 2},
    {"+QLWURC:ready,success,1000", QLW_QLWURC_READY, "ready", 1, 1000, -1, "", 2},
    {"+QLWURC: \"ready\",\"failed\",1000", QLW_QLWURC_READY, "ready", 0, 1000, -1, "", 2},
    {"+QLWURC: \"ready\",\"successfully\"", QLW_QLWURC_READY, "ready", 1, -1, -1, "", 1},
    {"+QLWURC: \"update\",\"successfully\",1000", QLW_QLWURC_UPDATE, "update", 1, 1000, -1, "", 2},
    {"+QLWURC: update , failed , 0", QLW_QLWURC_UPDATE, "update", 0, 0, -1, "", 2},
    {"+QLWURC: \"deregister\",1000,0", QLW_QLWURC_DEREGISTER, "deregister", -1, 1000, 0, "", 2},
    {"+QLWURC:deregister,0,1", QLW_QLWURC_DEREGISTER, "deregister", -1, 0, 1, "", 2},
    {"+QLWURC: \"deregister\",3", QLW_QLWURC_DEREGISTER, "deregister", -1, -1, 3, "", 1},
    {"+QLWURC:deregister,0", QLW_QLWURC_DEREGISTER, "deregister", -1, -1, 0, "", 1},
    {"+QLWURC: \"fota/pkgurl\",\"coap://fw.example.com:5683/pkg/v2.bin\"", QLW_QLWURC_FOTA_PKGURL,
     "fota/pkgurl", -1, -1, -1, "coap://fw.example.com:5683/pkg/v2.bin", 1},
    {"+QLWURC:fota/pkgurl,http://fw.example.com/a.bin", QLW_QLWURC_FOTA_PKGURL, "fota/pkgurl", -1,
     -1, -1, "http://fw.example.com/a.bin", 1},
    {"+QLWURC: \"apn_changed\",\"iot.example\"", QLW_QLWURC_APN_CHANGED, "apn_changed", -1, -1, -1,
     "iot.example", 1},
    {"+QLWURC:apn_changed,iot.example", QLW_QLWURC_APN_CHANGED, "apn_changed", -1, -1, -1,
     "iot.example", 1},
    {"+QLWURC: \"user_name_changed\",\"alice\"", QLW_QLWURC_USER_NAME_CHANGED, "user_name_changed",
     -1, -1, -1, "alice", 1},
    {"+QLWURC: \"authentication_type_changed\",2", QLW_QLWURC_AUTH_TYPE_CHANGED,
     "authentication_type_changed", -1, -1, -1, "2", 1},
    {"+QLWURC: \"authentication_type_changed\",\"CHAP\",1", QLW_QLWURC_AUTH_TYPE_CHANGED,
     "authentication_type_changed", -1, -1, -1, "\"CHAP\",1", 2},
    {"+QLWURC: \"lifetime_changed\",300", QLW_QLWURC_LIFETIME_CHANGED, "lifetime_changed", -1, -1,
     -1, "300", 1},
    {"+QLWURC:lifetime_changed,86400", QLW_QLWURC_LIFETIME_CHANGED, "lifetime_changed", -1, -1, -1,
     "86400", 1},
    {"+QLWURC: \"current_time_changed\",\"2024/05/01,12:00:00+08\"",
     QLW_QLWURC_CURRENT_TIME_CHANGED, "current_time_changed", -1, -1, -1, "2024/05/01,12:00:00+08",
     1},
    {"+QLWURC:current_time_changed,24/05/01,12:00:00", QLW_QLWURC_CURRENT_TIME_CHANGED,
     "current_time_changed", -1, -1, -1, "24/05/01,12:00:00", 2},
    /* unknown events keep their name, arguments and count */
    {"+QLWURC: \"report_ack\",0,12346", QLW_QLWURC_UNKNOWN, "report_ack", -1, -1, -1, "0,12346", 2},
    {"+QLWURC: reg,0", QLW_QLWURC_UNKNOWN, "reg", -1, -1, -1, "0", 1},
    {"+QLWURC: \"fota/downloading\"", QLW_QLWURC_UNKNOWN, "fota/downloading", -1, -1, -1, "", 0},
    /* a numeric result is not guessed; a bad ssid is left out */
    {"+QLWURC: \"ready\",0,1000", QLW_QLWURC_READY, "ready", -1, 1000, -1, "", 2},
    {"+QLWURC: \"ready\",\"successfully\",70000", QLW_QLWURC_READY, "ready", 1, -1, -1, "", 2},
    {"+QLWURC: \"ready\",\"successfully\",-1", QLW_QLWURC_READY, "ready", 1, -1, -1, "", 2},
    {"+QLWURC: \"READY\",\"SUCCESSFULLY\",1", QLW_QLWURC_READY, "READY", 1, 1, -1, "", 2},
    {"+QLWURC: \"ready\",,", QLW_QLWURC_READY, "ready", -1, -1, -1, "", 2},
};

static void check_urc(const urc_case *c)
{
    qlw_qlwurc u;
    size_t len = strlen(c->line);
    /* an exact-size copy without a terminator: nothing may be read past len */
    char *copy = malloc(len);

    assert_non_null(copy);
    memcpy(copy, c->line, len);
    if (qlw_parse_qlwurc(copy, len, &u) != QLW_OK)
        fail_msg("%s: not parsed", c->line);
    free(copy);
    if (u.kind != c->kind || strcmp(u.name, c->name) != 0 || u.result != c->result ||
        u.ssid != c->ssid || u.code != c->code || strcmp(u.value, c->value) != 0 ||
        u.argc != c->argc)
        fail_msg("%s: got kind %s name '%s' result %d ssid %d code %d value '%s' argc %zu", c->line,
                 qlw_qlwurc_kind_str(u.kind), u.name, u.result, u.ssid, u.code, u.value, u.argc);
}

static void test_urc_every_event(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(urc_cases) / sizeof(urc_cases[0]); i++)
        check_urc(&urc_cases[i]);
}

static void test_urc_secret_never_copied(void **state)
{
    static const char *const lines[] = {
        "+QLWURC: \"secret_changed\",\"hunter2-pass\"",
        "+QLWURC:secret_changed,hunter2-pass",
        "+QLWURC: \"secret_changed\",\"hunter2-pass\",\"more\"",
    };
    qlw_qlwurc u;

    (void)state;
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        assert_int_equal(qlw_parse_qlwurc(lines[i], strlen(lines[i]), &u), QLW_OK);
        assert_int_equal(u.kind, QLW_QLWURC_SECRET_CHANGED);
        assert_string_equal(u.name, "secret_changed");
        assert_string_equal(u.value, "");
        assert_int_equal(u.argc, i == 2 ? 2 : 1);
        assert_false(mem_contains(&u, sizeof(u), "hunter2"));
    }
}

static void test_urc_not_qlwurc(void **state)
{
    static const char *const bad[] = {
        "",
        "+QLWURC",
        "+QLWURC:",
        "+QLWURC: ",
        "+QLWURC: \"\"",
        "+QLWURC: ,1000",
        "+QLWURC: \"ready,\"successfully\"",
        "+QLWURC: \"ready",
        "+QLWEVTIND:3",
        "+QLWURCX: \"ready\"",
        "QLWURC: \"ready\"",
    };
    qlw_qlwurc u;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (qlw_parse_qlwurc(bad[i], strlen(bad[i]), &u) == QLW_OK && i != 6)
            fail_msg("'%s' parsed", bad[i]);
    }
    /* the quote after ready closes at the quote of "successfully": odd but an event */
    assert_int_equal(qlw_parse_qlwurc(bad[6], strlen(bad[6]), &u), QLW_OK);
    assert_int_equal(u.kind, QLW_QLWURC_UNKNOWN);
    assert_int_equal(qlw_parse_qlwurc(NULL, 0, &u), QLW_ERR_ARG);
    assert_int_equal(qlw_parse_qlwurc("+QLWURC: ready", 14, NULL), QLW_ERR_ARG);
}

static void test_urc_len_bounds_and_cuts(void **state)
{
    const char *line = "+QLWURC: \"ready\",\"successfully\",1000";
    char name[80], text[600], value[400];
    qlw_qlwurc u;

    (void)state;
    /* only the first len bytes count */
    assert_int_equal(qlw_parse_qlwurc(line, strlen(line) - 2, &u), QLW_OK);
    assert_int_equal(u.ssid, 10);
    assert_int_equal(qlw_parse_qlwurc(line, 12, &u), QLW_ERR_PARSE); /* "ready never closes */
    /* a long event name and a long value are cut, not overflowed */
    memset(name, 'e', 60);
    name[60] = '\0';
    memset(value, 'v', 300);
    value[300] = '\0';
    snprintf(text, sizeof(text), "+QLWURC: \"%s\",\"%s\"", name, value);
    assert_int_equal(qlw_parse_qlwurc(text, strlen(text), &u), QLW_OK);
    assert_int_equal(u.kind, QLW_QLWURC_UNKNOWN);
    assert_int_equal(strlen(u.name), sizeof(u.name) - 1);
    assert_int_equal(strlen(u.value), sizeof(u.value) - 1);
    snprintf(text, sizeof(text), "+QLWURC: \"fota/pkgurl\",\"%s\"", value);
    assert_int_equal(qlw_parse_qlwurc(text, strlen(text), &u), QLW_OK);
    assert_int_equal(strlen(u.value), sizeof(u.value) - 1);
    /* a NUL inside the line is just a byte */
    assert_int_equal(qlw_parse_qlwurc("+QLWURC: ready\0x,1", 18, &u), QLW_OK);
    assert_int_equal(u.argc, 1);
}

static void test_names(void **state)
{
    static const char *const kinds[] = {
        "unknown",
        "pdp active",
        "initial",
        "dtls",
        "bootstraping",
        "bootstrap",
        "registering",
        "ready",
        "update",
        "deregister",
        "fota/pkgurl",
        "apn_changed",
        "user_name_changed",
        "secret_changed",
        "authentication_type_changed",
        "lifetime_changed",
        "current_time_changed",
    };

    (void)state;
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
        assert_string_equal(qlw_qlwurc_kind_str((qlw_qlwurc_kind)k), kinds[k]);
    assert_string_equal(qlw_qlwurc_kind_str((qlw_qlwurc_kind)99), "unknown");
    assert_string_equal(qlw_qlwurc_kind_str((qlw_qlwurc_kind)-1), "unknown");

    assert_string_equal(qlw_lwm2m_state_str(QLW_LWM2M_NOT_REGISTERED), "not_registered");
    assert_string_equal(qlw_lwm2m_state_str(QLW_LWM2M_REGISTERING), "registering");
    assert_string_equal(qlw_lwm2m_state_str(QLW_LWM2M_REGISTERED), "registered");
    assert_string_equal(qlw_lwm2m_state_str(QLW_LWM2M_DEREGISTERING), "deregistering");
    assert_string_equal(qlw_lwm2m_state_str(QLW_LWM2M_REG_FAILED), "reg_failed");
    assert_string_equal(qlw_lwm2m_state_str(5), "unknown");
    assert_string_equal(qlw_lwm2m_state_str(-1), "unknown");

    assert_string_equal(qlw_dialect_str(QLW_DIALECT_AUTO), "auto");
    assert_string_equal(qlw_dialect_str(QLW_DIALECT_NEUL), "neul");
    assert_string_equal(qlw_dialect_str(QLW_DIALECT_MTK_A), "mtk");
    assert_string_equal(qlw_dialect_str(QLW_DIALECT_QLWCONFIG_B), "qlwconfig");
    assert_string_equal(qlw_dialect_str(C), "qlwcfg");
    assert_string_equal(qlw_dialect_str(D), "qlwsvc");
    assert_string_equal(qlw_dialect_str((qlw_dialect)6), "unknown");
    assert_string_equal(qlw_dialect_str((qlw_dialect)-1), "unknown");
}

/* ============================================================ checks */

static qlw_lwm2m_security good_psk(void)
{
    return (qlw_lwm2m_security){.server_id = 1,
                                .short_server_id = 1000,
                                .server_uri = "coaps://lwm2m.example.com:5684",
                                .security_mode = 0,
                                .psk_id = "urn:imei:869339060001965",
                                .psk_key = "000102030405060708090a0b0c0d0e0f"};
}

static qlw_lwm2m_security good_nosec(void)
{
    return (qlw_lwm2m_security){.server_id = 0,
                                .short_server_id = 100,
                                .server_uri = "coap://bs.example.com:5683",
                                .bootstrap = true,
                                .security_mode = 3};
}

static void expect_bad_security(const qlw_lwm2m_security *sec, const char *field)
{
    char why[128] = "";

    assert_int_equal(qlw_qlwcfg_check_security(sec, why, sizeof(why)), QLW_ERR_ARG);
    if (strncmp(why, field, strlen(field)) != 0)
        fail_msg("expected a complaint about %s, got '%s'", field, why);
}

static void test_check_security_accepts(void **state)
{
    qlw_lwm2m_security s = good_psk();
    char long_uri[300], key[129];

    (void)state;
    assert_int_equal(qlw_qlwcfg_check_security(&s, NULL, 0), QLW_OK);
    s = good_nosec();
    assert_int_equal(qlw_qlwcfg_check_security(&s, NULL, 0), QLW_OK);
    s.psk_id = "";
    s.psk_key = "";
    assert_int_equal(qlw_qlwcfg_check_security(&s, NULL, 0), QLW_OK);
    /* certificate mode: coaps, no PSK fields */
    s = (qlw_lwm2m_security){.server_id = 5,
                             .short_server_id = 65535,
                             .server_uri = "COAPS://[2001:db8::1]:5684",
                             .security_mode = 2};
    assert_int_equal(qlw_qlwcfg_check_security(&s, NULL, 0), QLW_OK);
    /* exactly 256 characters, exactly 64 key bytes, a 128-character identity */
    s = good_psk();
    memset(long_uri, 'a', sizeof(long_uri));
    memcpy(long_uri, "coaps://", 8);
    long_uri[256] = '\0';
    s.server_uri = long_uri;
    memset(key, 'F', 128);
    key[128] = '\0';
    s.psk_key = key;
    s.psk_id = key;
    assert_int_equal(qlw_qlwcfg_check_security(&s, NULL, 0), QLW_OK);
    long_uri[256] = 'a';
    long_uri[257] = '\0';
    expect_bad_security(&s, "server_uri");
}

static void test_check_security_rejects(void **state)
{
    static const struct {
        const char *field;
        int server_id, ssid, mode;
        bool bs;
        const char *uri, *id, *key;
    } bad[] = {
        {"server_id", -1, 1000, 0, false, NULL, NULL, NULL},
        {"server_id", 6, 1000, 0, false, NULL, NULL, NULL},
        {"short_server_id", 1, 0, 0, false, NULL, NULL, NULL},
        {"short_server_id", 1, 65536, 0, false, NULL, NULL, NULL},
        {"bootstrap", 1, 1000, 0, true, NULL, NULL, NULL},
        {"security_mode", 1, 1000, 1, false, NULL, NULL, NULL},
        {"security_mode", 1, 1000, 4, false, NULL, NULL, NULL},
        {"server_uri", 1, 1000, 0, false, "", NULL, NULL},
        {"server_uri", 1, 1000, 0, false, "lwm2m.example.com:5684", NULL, NULL},
        {"server_uri", 1, 1000, 0, false, "http://lwm2m.example.com", NULL, NULL},
        {"server_uri", 1, 1000, 0, false, "coaps://", NULL, NULL},
        {"server_uri", 1, 1000, 0, false, "coap://lwm2m.example.com:5683", NULL, NULL},
        {"server_uri", 1, 1000, 3, false, "coaps://lwm2m.example.com:5684", "", ""},
        /* injection attempts */
        {"server_uri", 1, 1000, 0, false, "coaps://h\",0,3;+CFUN=0", NULL, NULL},
        {"server_uri", 1, 1000, 0, false, "coaps://h;AT+CFUN=0", NULL, NULL},
        {"server_uri", 1, 1000, 0, false, "coaps://h\rAT+CFUN=0", NULL, NULL},
        {"server_uri", 1, 1000, 0, false, "coaps://h\nAT+CFUN=0", NULL, NULL},
        {"server_uri", 1, 1000, 0, false, "coaps://h\\22", NULL, NULL},
        {"server_uri", 1, 1000, 0, false, "coaps://h\x01", NULL, NULL},
        {"server_uri", 1, 1000, 0, false, "coaps://h\x7f", NULL, NULL},
        {"server_uri", 1, 1000, 0, false, "coaps://h\xc3\xa9", NULL, NULL},
        {"server_uri", 1, 1000, 0, false, "coaps://h st", NULL, NULL},
        {"psk_id", 1, 1000, 0, false, NULL, "id\";AT+CFUN=0;\"", NULL},
        {"psk_id", 1, 1000, 0, false, NULL, "id\r\nAT+CFUN=0", NULL},
        {"psk_id", 1, 1000, 0, false, NULL, "id\\", NULL},
        {"psk_id", 1, 1000, 0, false, NULL, "", NULL},
        {"psk_key", 1, 1000, 0, false, NULL, NULL, ""},
        {"psk_key", 1, 1000, 0, false, NULL, NULL, "0g"},
        {"psk_key", 1, 1000, 0, false, NULL, NULL, "abc"},
        {"psk_key", 1, 1000, 0, false, NULL, NULL, "00\",\"11"},
        {"psk_key", 1, 1000, 0, false, NULL, NULL, "00;"},
        {"psk_id/psk_key", 1, 1000, 2, false, NULL, "id", NULL},
        {"psk_id/psk_key", 1, 1000, 2, false, NULL, "", "0011"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        qlw_lwm2m_security s = good_psk();

        s.server_id = bad[i].server_id;
        s.short_server_id = bad[i].ssid;
        s.security_mode = bad[i].mode;
        s.bootstrap = bad[i].bs;
        if (bad[i].uri)
            s.server_uri = bad[i].uri;
        if (bad[i].mode != 0 || bad[i].id != NULL)
            s.psk_id = bad[i].id;
        if (bad[i].mode != 0 || bad[i].key != NULL)
            s.psk_key = bad[i].key;
        expect_bad_security(&s, bad[i].field);
    }
    {
        qlw_lwm2m_security s = good_psk();
        char key[131];

        s.psk_id = NULL;
        expect_bad_security(&s, "psk_id");
        s = good_psk();
        s.psk_key = NULL;
        expect_bad_security(&s, "psk_key");
        s.server_uri = NULL;
        expect_bad_security(&s, "server_uri");
        s = good_psk();
        memset(key, 'a', 130);
        key[130] = '\0';
        s.psk_key = key;
        expect_bad_security(&s, "psk_key");
        s.psk_key = "0011";
        s.psk_id = key;
        expect_bad_security(&s, "psk_id");
    }
    expect_bad_security(NULL, "security");
}

static qlw_lwm2m_server good_server(void)
{
    return (qlw_lwm2m_server){.server_id = 1,
                              .lifetime_s = 60,
                              .pmin_s = 2,
                              .pmax_s = 60,
                              .disable_timeout_s = 86400,
                              .storing = true,
                              .binding = "U"};
}

static void test_check_server(void **state)
{
    static const char *const bindings[] = {"U", "UQ", "S", "SQ", "US", "UQS"};
    static const char *const bad_bindings[] = {"", "u", "N", "UQS\"", "U;", "UQ,1", "T"};
    qlw_lwm2m_server s = good_server();
    char why[96];

    (void)state;
    assert_int_equal(qlw_qlwcfg_check_server(&s, NULL, 0), QLW_OK);
    for (size_t i = 0; i < 6; i++) {
        s.binding = bindings[i];
        assert_int_equal(qlw_qlwcfg_check_server(&s, why, sizeof(why)), QLW_OK);
    }
    for (size_t i = 0; i < sizeof(bad_bindings) / sizeof(bad_bindings[0]); i++) {
        s.binding = bad_bindings[i];
        assert_int_equal(qlw_qlwcfg_check_server(&s, why, sizeof(why)), QLW_ERR_ARG);
        assert_string_equal(why, "binding: not U, UQ, S, SQ, US or UQS");
    }
    s.binding = NULL;
    assert_int_equal(qlw_qlwcfg_check_server(&s, why, sizeof(why)), QLW_ERR_ARG);
    s = good_server();
    s.lifetime_s = 86400;
    s.pmin_s = s.pmax_s = s.disable_timeout_s = 1;
    assert_int_equal(qlw_qlwcfg_check_server(&s, NULL, 0), QLW_OK);
    {
        struct {
            const char *field;
            size_t offset;
        } periods[] = {
            {"lifetime_s", offsetof(qlw_lwm2m_server, lifetime_s)},
            {"pmin_s", offsetof(qlw_lwm2m_server, pmin_s)},
            {"pmax_s", offsetof(qlw_lwm2m_server, pmax_s)},
            {"disable_timeout_s", offsetof(qlw_lwm2m_server, disable_timeout_s)},
        };

        for (size_t i = 0; i < 4; i++) {
            static const uint32_t out_of_range[] = {0, 86401, UINT32_MAX};

            for (size_t k = 0; k < 3; k++) {
                s = good_server();
                memcpy((char *)&s + periods[i].offset, &out_of_range[k], sizeof(uint32_t));
                assert_int_equal(qlw_qlwcfg_check_server(&s, why, sizeof(why)), QLW_ERR_ARG);
                assert_memory_equal(why, periods[i].field, strlen(periods[i].field));
            }
        }
    }
    s = good_server();
    s.server_id = 6;
    assert_int_equal(qlw_qlwcfg_check_server(&s, why, sizeof(why)), QLW_ERR_ARG);
    assert_string_equal(why, "server_id: not 0..5");
    s.server_id = -1;
    assert_int_equal(qlw_qlwcfg_check_server(&s, why, 4), QLW_ERR_ARG);
    assert_string_equal(why, "ser"); /* cut to the buffer */
    assert_int_equal(qlw_qlwcfg_check_server(NULL, NULL, 0), QLW_ERR_ARG);
}

/* ============================================================ command table */

static const char *build(qlw_dialect d, qlw_qlwcfg_op op, int want, ...)
{
    static char text[QLW_QLWCFG_TEXT_MAX];
    qlw_at_cmd cmd;
    va_list ap;
    int rc;

    va_start(ap, want);
    rc = qlw_qlwcfg_vcmd(&cmd, text, sizeof(text), d, op, ap);
    va_end(ap);
    assert_int_equal(rc, want);
    if (rc != QLW_OK)
        return NULL;
    assert_ptr_equal(cmd.text, text);
    assert_int_equal(cmd.timeout_ms, qlw_qlwcfg_cmd_timeout_ms(op));
    return text;
}

static void test_table_dialect_c(void **state)
{
    (void)state;
    assert_string_equal(build(C, QLW_QLWCFG_SECURITY_PSK, QLW_OK, 1, 1000, "coaps://h:5684", 0, 0,
                              "urn:imei:1", "0011"),
                        "AT+QLWCFG=\"security\",1,1000,\"coaps://h:5684\",0,0,\"urn:imei:1\","
                        "\"0011\"");
    assert_string_equal(build(C, QLW_QLWCFG_SECURITY_NOSEC, QLW_OK, 0, 100, "coap://b", 1, 3),
                        "AT+QLWCFG=\"security\",0,100,\"coap://b\",1,3");
    assert_string_equal(build(C, QLW_QLWCFG_SERVER, QLW_OK, 1, (uint32_t)60, (uint32_t)2,
                              (uint32_t)61, (uint32_t)86400, 1, "UQ"),
                        "AT+QLWCFG=\"server\",1,60,2,61,86400,1,\"UQ\"");
    assert_string_equal(build(C, QLW_QLWCFG_EPNAME_MODE, QLW_OK, 3), "AT+QLWCFG=\"epname/mode\",3");
    assert_string_equal(build(C, QLW_QLWCFG_URC, QLW_OK, 1), "AT+QLWCFG=\"urc\",1");
    assert_string_equal(build(C, QLW_QLWCFG_FOTA, QLW_OK, 0, 1), "AT+QLWCFG=\"fota\",0,1");
    assert_string_equal(build(C, QLW_QLWCFG_RESET, QLW_OK), "AT+QLWCFG=\"reset\"");
    assert_string_equal(build(C, QLW_QLWCFG_REGISTER, QLW_OK), "AT+QLWREG");
    assert_string_equal(build(C, QLW_QLWCFG_DEREGISTER, QLW_OK), "AT+QLWDEREG");
    assert_string_equal(build(C, QLW_QLWCFG_UPDATE, QLW_OK, 1000), "AT+QLWUPDATE=1000");
    assert_string_equal(build(C, QLW_QLWCFG_STATE, QLW_OK, 1), "AT+QLWSTAT?");
}

static void test_table_dialect_d(void **state)
{
    (void)state;
    assert_string_equal(
        build(D, QLW_QLWCFG_SECURITY_PSK, QLW_OK, 1, 102, "coaps://h", 0, 0, "i", "AB"),
        "AT+QLWCFG=\"security\",1,102,\"coaps://h\",0,0,\"i\",\"AB\"");
    /* D's server puts the lifetime after the three timers */
    assert_string_equal(build(D, QLW_QLWCFG_SERVER, QLW_OK, 1, (uint32_t)86400, (uint32_t)2,
                              (uint32_t)60, (uint32_t)300, 1, "UQ"),
                        "AT+QLWCFG=\"server\",1,2,60,300,86400,1,\"UQ\"");
    assert_string_equal(build(D, QLW_QLWCFG_EPNAME_MODE, QLW_OK, 1), "AT+QLWCFG=\"epns\",1");
    assert_string_equal(build(D, QLW_QLWCFG_REGISTER, QLW_OK), "AT+QLWSVC=\"reg\",1");
    assert_string_equal(build(D, QLW_QLWCFG_DEREGISTER, QLW_OK), "AT+QLWSVC=\"dereg\",1");
    assert_string_equal(build(D, QLW_QLWCFG_UPDATE, QLW_OK, 102), "AT+QLWSVC=\"update\",102,1");
    assert_string_equal(build(D, QLW_QLWCFG_STATE, QLW_OK, 1), "AT+QLWSVC=\"state\",1");
    build(D, QLW_QLWCFG_URC, QLW_ERR_UNSUPPORTED, 1);
    build(D, QLW_QLWCFG_FOTA, QLW_ERR_UNSUPPORTED, 0, 1);
    build(D, QLW_QLWCFG_RESET, QLW_ERR_UNSUPPORTED);
}

static void test_table_probes_and_misuse(void **state)
{
    static const qlw_dialect any[] = {QLW_DIALECT_AUTO, QLW_DIALECT_NEUL, C, D};
    char small[8];
    qlw_at_cmd cmd;
    int rank;

    (void)state;
    for (size_t i = 0; i < sizeof(any) / sizeof(any[0]); i++) {
        assert_string_equal(build(any[i], QLW_QLWCFG_PROBE_QLWSVC, QLW_OK), "AT+QLWSVC=?");
        assert_string_equal(build(any[i], QLW_QLWCFG_PROBE_QLWCONFIG, QLW_OK), "AT+QLWCONFIG=?");
        assert_string_equal(build(any[i], QLW_QLWCFG_PROBE_QLWCFG, QLW_OK), "AT+QLWCFG=?");
        assert_string_equal(build(any[i], QLW_QLWCFG_PROBE_QLWSERV, QLW_OK), "AT+QLWSERV=?");
        assert_string_equal(build(any[i], QLW_QLWCFG_PROBE_NCDP, QLW_OK), "AT+NCDP?");
    }
    assert_int_equal(qlw_qlwcfg_cmd_timeout_ms(QLW_QLWCFG_PROBE_NCDP), 1000);
    assert_int_equal(qlw_qlwcfg_cmd_timeout_ms(QLW_QLWCFG_SECURITY_PSK), 2000);
    assert_int_equal(qlw_qlwcfg_cmd_timeout_ms(QLW_QLWCFG_RESET), 5000);
    assert_int_equal(qlw_qlwcfg_cmd_timeout_ms(QLW_QLWCFG_REGISTER), 5000);
    assert_int_equal(qlw_qlwcfg_cmd_timeout_ms(QLW_QLWCFG_STATE), 2000);
    assert_int_equal(qlw_qlwcfg_cmd_timeout_ms(QLW_QLWCFG_OP_COUNT), 0);
    assert_true(qlw_qlwcfg_op_optional(QLW_QLWCFG_EPNAME_MODE));
    assert_true(qlw_qlwcfg_op_optional(QLW_QLWCFG_URC));
    assert_true(qlw_qlwcfg_op_optional(QLW_QLWCFG_FOTA));
    assert_false(qlw_qlwcfg_op_optional(QLW_QLWCFG_SECURITY_PSK));
    assert_false(qlw_qlwcfg_op_optional(QLW_QLWCFG_RESET));
    assert_false(qlw_qlwcfg_op_optional(QLW_QLWCFG_OP_COUNT));
    /* only C and D have the commands */
    build(QLW_DIALECT_AUTO, QLW_QLWCFG_REGISTER, QLW_ERR_UNSUPPORTED);
    build(QLW_DIALECT_NEUL, QLW_QLWCFG_URC, QLW_ERR_UNSUPPORTED, 1);
    build(QLW_DIALECT_MTK_A, QLW_QLWCFG_RESET, QLW_ERR_UNSUPPORTED);
    build((qlw_dialect)42, QLW_QLWCFG_RESET, QLW_ERR_UNSUPPORTED);
    /* the builder's own guard against quotes and command separators */
    build(C, QLW_QLWCFG_SECURITY_PSK, QLW_ERR_ARG, 1, 1, "coaps://h\"", 0, 0, "i", "00");
    build(C, QLW_QLWCFG_SECURITY_PSK, QLW_ERR_ARG, 1, 1, "coaps://h", 0, 0, "i;", "00");
    build(C, QLW_QLWCFG_SECURITY_PSK, QLW_ERR_ARG, 1, 1, "coaps://h", 0, 0, "i", "0\r0");
    build(C, QLW_QLWCFG_SECURITY_PSK, QLW_ERR_ARG, 1, 1, "coaps://h", 0, 0, NULL, "00");
    build(C, QLW_QLWCFG_SERVER, QLW_ERR_ARG, 1, (uint32_t)1, (uint32_t)1, (uint32_t)1, (uint32_t)1,
          1, "U\n");
    assert_int_equal(qlw_qlwcfg_cmd(&cmd, small, sizeof(small), C, QLW_QLWCFG_RESET),
                     QLW_ERR_OVERFLOW);
    assert_int_equal(qlw_qlwcfg_cmd(&cmd, small, 0, C, QLW_QLWCFG_RESET), QLW_ERR_OVERFLOW);
    assert_int_equal(qlw_qlwcfg_cmd(&cmd, small, sizeof(small), C, QLW_QLWCFG_OP_COUNT),
                     QLW_ERR_ARG);
    assert_int_equal(qlw_qlwcfg_cmd(NULL, small, sizeof(small), C, QLW_QLWCFG_RESET), QLW_ERR_ARG);
    /* the sub-option names that tell the dialects apart */
    assert_int_equal(qlw_qlwcfg_option_dialect("epns", 4, &rank), D);
    assert_int_equal(rank, 4);
    assert_int_equal(qlw_qlwcfg_option_dialect("epname/mode", 11, &rank), C);
    assert_int_equal(qlw_qlwcfg_option_dialect("auto_reg", 8, &rank), QLW_DIALECT_QLWCONFIG_B);
    assert_int_equal(qlw_qlwcfg_option_dialect("dataformat", 10, &rank), QLW_DIALECT_MTK_A);
    assert_int_equal(rank, 1);
    assert_int_equal(qlw_qlwcfg_option_dialect("security", 8, &rank), QLW_DIALECT_AUTO);
    assert_int_equal(rank, 0);
    assert_int_equal(qlw_qlwcfg_option_dialect("epnsx", 4, &rank), D);
    assert_null(qlw_qlwcfg_limits_of(QLW_DIALECT_NEUL));
    assert_int_equal(qlw_qlwcfg_limits_of(C)->server_id_max, 3);
    assert_int_equal(qlw_qlwcfg_limits_of(D)->lifetime_min, 60);
}

/* ============================================================ scripted modem */

/* The modem is a sequence: each command the host writes must be the next
 * one expected, and gets its canned answer. */
typedef struct step {
    const char *cmd;
    const char *answer; /* NULL: silence */
} step;

#define STEPS_MAX 12

typedef struct modem {
    qlw_io *io;
    qlw_at *at;
    step steps[STEPS_MAX];
    size_t count, next;
    char pending[QLW_QLWCFG_TEXT_MAX + 8];
    size_t pending_len;
    char error[800];
    bool echo;
    char trace[2][4096]; /* what the trace hook saw, by direction */
    size_t trace_len[2];
    char log[1024]; /* URC lines and engine events */
    size_t log_len;
} modem;

static modem md;

static void on_write(void *ctx, qlw_io *io, const uint8_t *data, size_t len)
{
    modem *m = ctx;

    for (size_t i = 0; i < len; i++) {
        const step *s = m->next < m->count ? &m->steps[m->next] : NULL;

        if (data[i] != '\r') {
            if (m->pending_len + 1 < sizeof(m->pending))
                m->pending[m->pending_len++] = (char)data[i];
            continue;
        }
        m->pending[m->pending_len] = '\0';
        m->pending_len = 0;
        if (s == NULL || strcmp(s->cmd, m->pending) != 0) {
            if (m->error[0] == '\0')
                snprintf(m->error, sizeof(m->error), "step %zu: expected '%s', host sent '%s'",
                         m->next, s ? s->cmd : "(nothing)", m->pending);
            continue;
        }
        m->next++;
        if (m->echo) {
            assert_int_equal(qlw_io_mem_push(io, s->cmd, strlen(s->cmd), 0), QLW_OK);
            assert_int_equal(qlw_io_mem_push(io, "\r", 1, 0), QLW_OK);
        }
        if (s->answer != NULL)
            assert_int_equal(qlw_io_mem_push(io, s->answer, strlen(s->answer), 5), QLW_OK);
    }
}

static void on_trace(void *ctx, qlw_trace_dir dir, const uint8_t *data, size_t len,
                     uint32_t time_ms)
{
    modem *m = ctx;
    size_t *used = &m->trace_len[dir];

    (void)time_ms;
    assert_true(*used + len < sizeof(m->trace[dir]));
    memcpy(m->trace[dir] + *used, data, len);
    *used += len;
    m->trace[dir][*used] = '\0';
}

static void trace_clear(modem *m)
{
    memset(m->trace, 0, sizeof(m->trace));
    memset(m->trace_len, 0, sizeof(m->trace_len));
}

/* strstr without regard to case (strcasestr is not standard). */
static bool contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);

    for (; *hay != '\0'; hay++) {
        if (strncasecmp(hay, needle, n) == 0)
            return true;
    }
    return false;
}

static void on_urc(void *ctx, const qlw_at_line *l)
{
    modem *m = ctx;

    m->log_len +=
        (size_t)snprintf(m->log + m->log_len, sizeof(m->log) - m->log_len, "U(%s)", l->text);
}

static void on_event(void *ctx, qlw_at_event ev, uint32_t count)
{
    modem *m = ctx;

    (void)count;
    m->log_len += (size_t)snprintf(m->log + m->log_len, sizeof(m->log) - m->log_len, "E(%s)",
                                   qlw_at_event_str(ev));
}

static modem *modem_open(void)
{
    modem *m = &md;
    qlw_at_config cfg;

    memset(m, 0, sizeof(*m));
    assert_int_equal(qlw_io_mem_open(&m->io, 8192, 1000), QLW_OK);
    qlw_io_mem_set_write_hook(m->io, on_write, m);
    qlw_qlwcfg_at_config(&cfg);
    assert_int_equal(qlw_at_open(&m->at, &cfg, m->io), QLW_OK);
    assert_int_equal(qlw_at_add_urc_handler(m->at, "", on_urc, m), QLW_OK);
    assert_int_equal(qlw_at_add_event_handler(m->at, on_event, m), QLW_OK);
    return m;
}

static void expect(modem *m, const char *cmd, const char *answer)
{
    assert_true(m->count < STEPS_MAX);
    m->steps[m->count++] = (step){cmd, answer};
}

/* Every expected command was sent, nothing else. */
static void modem_close(modem *m)
{
    if (m->error[0] != '\0')
        fail_msg("%s", m->error);
    if (m->next != m->count)
        fail_msg("step %zu ('%s') never sent", m->next, m->steps[m->next].cmd);
    qlw_at_close(m->at);
    qlw_io_close(m->io);
}

#define OK_    "\r\nOK\r\n"
#define ERROR_ "\r\nERROR\r\n"
#define CME(n) "\r\n+CME ERROR: " #n "\r\n"

static const char key_hex[] = "000102030405060708090a0b0c0d0e0f";

static void test_set_calls_ok(void **state)
{
    modem *m = modem_open();
    qlw_lwm2m_security psk = good_psk(), nosec = good_nosec();
    qlw_lwm2m_server srv = good_server();
    qlw_lwm2m_fota fota = {0, 1};

    (void)state;
    expect(m, "AT+QLWCFG=\"reset\"", OK_);
    expect(m, "AT+QLWCFG=\"urc\",1", OK_);
    expect(m, "AT+QLWCFG=\"security\",0,100,\"coap://bs.example.com:5683\",1,3", OK_);
    expect(m,
           "AT+QLWCFG=\"security\",1,1000,\"coaps://lwm2m.example.com:5684\",0,0,"
           "\"urn:imei:869339060001965\",\"000102030405060708090a0b0c0d0e0f\"",
           OK_);
    expect(m, "AT+QLWCFG=\"server\",1,60,2,60,86400,1,\"U\"", OK_);
    expect(m, "AT+QLWCFG=\"epname/mode\",3", OK_);
    expect(m, "AT+QLWCFG=\"fota\",0,1", OK_);
    expect(m, "AT+QLWCFG=\"urc\",0", OK_);
    assert_int_equal(qlw_qlwcfg_reset(m->at, C), QLW_OK);
    assert_int_equal(qlw_qlwcfg_set_urc(m->at, C, true), QLW_OK);
    assert_int_equal(qlw_qlwcfg_set_security(m->at, C, &nosec), QLW_OK);
    assert_int_equal(qlw_qlwcfg_set_security(m->at, C, &psk), QLW_OK);
    assert_int_equal(qlw_qlwcfg_set_server(m->at, C, &srv), QLW_OK);
    assert_int_equal(qlw_qlwcfg_set_epname_mode(m->at, C, 3), QLW_OK);
    assert_int_equal(qlw_qlwcfg_set_fota(m->at, C, &fota), QLW_OK);
    assert_int_equal(qlw_qlwcfg_set_urc(m->at, C, false), QLW_OK);
    modem_close(m);
}

static void test_set_calls_outcomes(void **state)
{
    modem *m = modem_open();
    qlw_lwm2m_server srv = good_server();
    qlw_lwm2m_fota fota = {1, 1};

    (void)state;
    expect(m, "AT+QLWCFG=\"fota\",1,1", ERROR_);
    expect(m, "AT+QLWCFG=\"epname/mode\",6", CME(4));
    expect(m, "AT+QLWCFG=\"urc\",1", ERROR_);
    expect(m, "AT+QLWCFG=\"epname/mode\",9", CME(50));
    expect(m, "AT+QLWCFG=\"server\",1,60,2,60,86400,1,\"U\"", ERROR_);
    expect(m, "AT+QLWCFG=\"reset\"", CME(4));
    expect(m, "AT+QLWCFG=\"urc\",1", NULL);
    /* optional sub-options the firmware lacks: unsupported, not failed */
    assert_int_equal(qlw_qlwcfg_set_fota(m->at, C, &fota), QLW_ERR_UNSUPPORTED);
    assert_int_equal(qlw_qlwcfg_set_epname_mode(m->at, C, 6), QLW_ERR_UNSUPPORTED);
    assert_int_equal(qlw_at_last_response(m->at)->code, 4);
    assert_int_equal(qlw_qlwcfg_set_urc(m->at, C, true), QLW_ERR_UNSUPPORTED);
    /* any other error is a failure */
    assert_int_equal(qlw_qlwcfg_set_epname_mode(m->at, C, 9), QLW_ERR_CME);
    assert_int_equal(qlw_at_last_response(m->at)->code, 50);
    assert_int_equal(qlw_qlwcfg_set_server(m->at, C, &srv), QLW_ERR_MODEM);
    assert_int_equal(qlw_qlwcfg_reset(m->at, C), QLW_ERR_CME);
    assert_int_equal(qlw_qlwcfg_set_urc(m->at, C, true), QLW_ERR_TIMEOUT);
    modem_close(m);
}

static void test_set_calls_send_nothing_when_refused(void **state)
{
    modem *m = modem_open();
    qlw_lwm2m_security sec = good_psk();
    qlw_lwm2m_server srv = good_server();
    qlw_lwm2m_fota fota = {2, 0};

    (void)state;
    /* dialect D lacks these: nothing is written */
    assert_int_equal(qlw_qlwcfg_set_urc(m->at, D, true), QLW_ERR_UNSUPPORTED);
    fota.download = 0;
    assert_int_equal(qlw_qlwcfg_set_fota(m->at, D, &fota), QLW_ERR_UNSUPPORTED);
    assert_int_equal(qlw_qlwcfg_reset(m->at, D), QLW_ERR_UNSUPPORTED);
    /* and no dialect but C and D has any */
    assert_int_equal(qlw_qlwcfg_register(m->at, QLW_DIALECT_AUTO), QLW_ERR_UNSUPPORTED);
    assert_int_equal(qlw_qlwcfg_set_security(m->at, QLW_DIALECT_NEUL, &sec), QLW_ERR_UNSUPPORTED);
    assert_int_equal(qlw_qlwcfg_set_server(m->at, QLW_DIALECT_QLWCONFIG_B, &srv),
                     QLW_ERR_UNSUPPORTED);
    assert_int_equal(qlw_qlwcfg_set_epname_mode(m->at, QLW_DIALECT_MTK_A, 3), QLW_ERR_UNSUPPORTED);
    assert_int_equal(qlw_qlwcfg_update(m->at, QLW_DIALECT_AUTO, 1000), QLW_ERR_UNSUPPORTED);
    /* bad arguments */
    fota.download = 2;
    assert_int_equal(qlw_qlwcfg_set_fota(m->at, C, &fota), QLW_ERR_ARG);
    fota = (qlw_lwm2m_fota){0, -1};
    assert_int_equal(qlw_qlwcfg_set_fota(m->at, C, &fota), QLW_ERR_ARG);
    assert_int_equal(qlw_qlwcfg_set_fota(m->at, C, NULL), QLW_ERR_ARG);
    sec.psk_key = "0g";
    assert_int_equal(qlw_qlwcfg_set_security(m->at, C, &sec), QLW_ERR_ARG);
    assert_int_equal(qlw_qlwcfg_set_security(m->at, C, NULL), QLW_ERR_ARG);
    sec = good_psk();
    sec.server_id = 4; /* D only */
    assert_int_equal(qlw_qlwcfg_set_security(m->at, C, &sec), QLW_ERR_ARG);
    sec = good_psk();
    sec.short_server_id = 65535; /* C only */
    assert_int_equal(qlw_qlwcfg_set_security(m->at, D, &sec), QLW_ERR_ARG);
    srv.lifetime_s = 59; /* D wants 60 at least */
    assert_int_equal(qlw_qlwcfg_set_server(m->at, D, &srv), QLW_ERR_ARG);
    srv = good_server();
    srv.server_id = 4;
    assert_int_equal(qlw_qlwcfg_set_server(m->at, C, &srv), QLW_ERR_ARG);
    assert_int_equal(qlw_qlwcfg_set_epname_mode(m->at, C, 10), QLW_ERR_ARG);
    assert_int_equal(qlw_qlwcfg_set_epname_mode(m->at, D, 2), QLW_ERR_ARG);
    assert_int_equal(qlw_qlwcfg_set_epname_mode(m->at, C, -1), QLW_ERR_ARG);
    assert_int_equal(qlw_qlwcfg_update(m->at, C, 0), QLW_ERR_ARG);
    assert_int_equal(qlw_qlwcfg_update(m->at, C, 65536), QLW_ERR_ARG);
    assert_int_equal(qlw_qlwcfg_update(m->at, D, 65535), QLW_ERR_ARG);
    assert_int_equal(qlw_qlwcfg_set_urc(NULL, C, true), QLW_ERR_ARG);
    assert_int_equal(qlw_qlwcfg_reset(NULL, C), QLW_ERR_ARG);
    assert_int_equal(qlw_qlwcfg_register(NULL, C), QLW_ERR_ARG);
    assert_int_equal(qlw_qlwcfg_deregister(NULL, C), QLW_ERR_ARG);
    assert_int_equal(qlw_qlwcfg_update(NULL, C, 1), QLW_ERR_ARG);
    assert_int_equal(qlw_qlwcfg_set_server(NULL, C, &srv), QLW_ERR_ARG);
    assert_int_equal(qlw_qlwcfg_get_state(m->at, C, NULL), QLW_ERR_ARG);
    assert_int_equal(qlw_qlwcfg_get_state(NULL, C, NULL), QLW_ERR_ARG);
    modem_close(m);
}

static void test_dialect_d_calls(void **state)
{
    modem *m = modem_open();
    qlw_lwm2m_server srv = good_server();
    qlw_lwm2m_security sec = good_psk();
    qlw_lwm2m_state st;

    (void)state;
    srv.server_id = 5;
    srv.lifetime_s = 86400;
    sec.server_id = 5;
    sec.short_server_id = 102;
    expect(m,
           "AT+QLWCFG=\"security\",5,102,\"coaps://lwm2m.example.com:5684\",0,0,"
           "\"urn:imei:869339060001965\",\"000102030405060708090a0b0c0d0e0f\"",
           OK_);
    expect(m, "AT+QLWCFG=\"server\",5,2,60,86400,86400,1,\"U\"", OK_);
    expect(m, "AT+QLWCFG=\"epns\",1", ERROR_);
    expect(m, "AT+QLWSVC=\"reg\",1", OK_);
    expect(m, "AT+QLWSVC=\"state\",1", "\r\n+QLWSVC: \"state\",1,2\r\n" OK_);
    expect(m, "AT+QLWSVC=\"update\",102,1", OK_);
    expect(m, "AT+QLWSVC=\"dereg\",1", OK_);
    assert_int_equal(qlw_qlwcfg_set_security(m->at, D, &sec), QLW_OK);
    assert_int_equal(qlw_qlwcfg_set_server(m->at, D, &srv), QLW_OK);
    assert_int_equal(qlw_qlwcfg_set_epname_mode(m->at, D, 1), QLW_ERR_UNSUPPORTED);
    assert_int_equal(qlw_qlwcfg_register(m->at, D), QLW_OK);
    assert_int_equal(qlw_qlwcfg_get_state(m->at, D, &st), QLW_OK);
    assert_int_equal(st, QLW_LWM2M_REGISTERED);
    assert_int_equal(qlw_qlwcfg_update(m->at, D, 102), QLW_OK);
    assert_int_equal(qlw_qlwcfg_deregister(m->at, D), QLW_OK);
    modem_close(m);
}

static void test_lifecycle_and_state(void **state)
{
    static const struct {
        const char *answer;
        int rc;
        qlw_lwm2m_state st;
    } answers[] = {
        {"\r\n+QLWSTAT: 0\r\n" OK_, QLW_OK, QLW_LWM2M_NOT_REGISTERED},
        {"\r\n+QLWSTAT: 1\r\n" OK_, QLW_OK, QLW_LWM2M_REGISTERING},
        {"\r\n+QLWSTAT:2\r\n" OK_, QLW_OK, QLW_LWM2M_REGISTERED},
        {"\r\n+QLWSTAT: 3\r\n" OK_, QLW_OK, QLW_LWM2M_DEREGISTERING},
        {"\r\n+QLWSTAT: 4\r\n" OK_, QLW_OK, QLW_LWM2M_REG_FAILED},
        {"\r\n+QLWSTAT: 5\r\n" OK_, QLW_ERR_PARSE, 0},
        {"\r\n+QLWSTAT: -1\r\n" OK_, QLW_ERR_PARSE, 0},
        {"\r\n+QLWSTAT: \"2\"\r\n" OK_, QLW_ERR_PARSE, 0},
        {"\r\n+QLWSTAT: x\r\n" OK_, QLW_ERR_PARSE, 0},
        {OK_, QLW_ERR_PARSE, 0},
        {ERROR_, QLW_ERR_MODEM, 0},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
        modem *m = modem_open();
        qlw_lwm2m_state st = (qlw_lwm2m_state)-7;

        expect(m, "AT+QLWSTAT?", answers[i].answer);
        assert_int_equal(qlw_qlwcfg_get_state(m->at, C, &st), answers[i].rc);
        if (answers[i].rc == QLW_OK)
            assert_int_equal(st, answers[i].st);
        modem_close(m);
    }
    {
        modem *m = modem_open();

        expect(m, "AT+QLWREG", OK_ "\r\n+QLWURC: \"registering\"\r\n");
        expect(m, "AT+QLWUPDATE=1000", OK_);
        expect(m, "AT+QLWDEREG", ERROR_);
        assert_int_equal(qlw_qlwcfg_register(m->at, C), QLW_OK);
        assert_int_equal(qlw_qlwcfg_update(m->at, C, 1000), QLW_OK);
        /* not optional: ERROR is a failure */
        assert_int_equal(qlw_qlwcfg_deregister(m->at, C), QLW_ERR_MODEM);
        assert_non_null(strstr(m->log, "U(+QLWURC: \"registering\")"));
        modem_close(m);
    }
}

/* ============================================================ detection */

#define EG25_LIST                                                                                  \
    "\r\n+QLWCFG: \"security\",(0-3),(1-65535),<server_addr>,(0,1),(0,3),<pskID>,<psk_key>\r\n"    \
    "+QLWCFG: \"server\",(0-3),(1-86400),(1-86400),(1-86400),(1-86400),(0,1),(\"U\",\"UQ\","       \
    "\"S\",\"SQ\",\"US\",\"UQS\")\r\n"                                                             \
    "+QLWCFG: \"epname/mode\",(3,6,7)\r\n"                                                         \
    "+QLWCFG: \"urc\",(0,1)\r\n"

#define BG95_LIST                                                                                  \
    "\r\n+QLWCFG: \"autostart\",(0,1)\r\n"                                                         \
    "+QLWCFG: \"security\",(0-5),(1,65534),<server_addr>,(0,1),(0,2,3),<PSK_ID>,<PSK_key>\r\n"     \
    "+QLWCFG: \"epns\",(0,1),<bs_epname>,<reg_epname>\r\n"                                         \
    "+QLWCFG: \"dataformat\",(0,1)\r\n"

typedef struct detect_case {
    const char *name;
    step steps[6];
    qlw_dialect want;
    const char *list; /* with a buffer given */
} detect_case;

static const detect_case detect_cases[] = {
    {"C",
     {{"AT+QLWSVC=?", ERROR_}, {"AT+QLWCONFIG=?", ERROR_}, {"AT+QLWCFG=?", EG25_LIST OK_}},
     C,
     "+QLWCFG: \"security\",(0-3),(1-65535),<server_addr>,(0,1),(0,3),<pskID>,<psk_key>\n"
     "+QLWCFG: \"server\",(0-3),(1-86400),(1-86400),(1-86400),(1-86400),(0,1),(\"U\",\"UQ\","
     "\"S\",\"SQ\",\"US\",\"UQS\")\n"
     "+QLWCFG: \"epname/mode\",(3,6,7)\n"
     "+QLWCFG: \"urc\",(0,1)"},
    {"D",
     {{"AT+QLWSVC=?", "\r\n+QLWSVC: \"reg\",(0,1)\r\n" OK_}, {"AT+QLWCFG=?", BG95_LIST OK_}},
     D,
     "+QLWCFG: \"autostart\",(0,1)\n"
     "+QLWCFG: \"security\",(0-5),(1,65534),<server_addr>,(0,1),(0,2,3),<PSK_ID>,<PSK_key>\n"
     "+QLWCFG: \"epns\",(0,1),<bs_epname>,<reg_epname>\n"
     "+QLWCFG: \"dataformat\",(0,1)"},
    {"D by its list",
     {{"AT+QLWSVC=?", ERROR_}, {"AT+QLWCONFIG=?", ERROR_}, {"AT+QLWCFG=?", BG95_LIST OK_}},
     D,
     NULL},
    {"B",
     {{"AT+QLWSVC=?", ERROR_},
      {"AT+QLWCONFIG=?", "\r\n+QLWCONFIG: (0,1),<server>,(1-65535)\r\n" OK_},
      {"AT+QLWCFG=?", "\r\n+QLWCFG: auto_reg,(0,1)\r\n" OK_}},
     QLW_DIALECT_QLWCONFIG_B,
     "+QLWCFG: auto_reg,(0,1)"},
    {"A by its list",
     {{"AT+QLWSVC=?", ERROR_},
      {"AT+QLWCONFIG=?", CME(4)},
      {"AT+QLWCFG=?", "\r\n+QLWCFG: \"dataformat\",(0,1),(0,1)\r\n" OK_}},
     QLW_DIALECT_MTK_A,
     "+QLWCFG: \"dataformat\",(0,1),(0,1)"},
    {"A by QLWSERV",
     {{"AT+QLWSVC=?", ERROR_},
      {"AT+QLWCONFIG=?", ERROR_},
      {"AT+QLWCFG=?", ERROR_},
      {"AT+QLWSERV=?", "\r\n+QLWSERV: <ip>,(0-65535)\r\n" OK_}},
     QLW_DIALECT_MTK_A,
     ""},
    {"BC68 with an address",
     {{"AT+QLWSVC=?", ERROR_},
      {"AT+QLWCONFIG=?", ERROR_},
      {"AT+QLWCFG=?", ERROR_},
      {"AT+QLWSERV=?", ERROR_},
      {"AT+NCDP?", "\r\n+NCDP:198.51.100.1,5683\r\n" OK_}},
     QLW_DIALECT_NEUL,
     ""},
    {"BC68 never set",
     {{"AT+QLWSVC=?", ERROR_},
      {"AT+QLWCONFIG=?", ERROR_},
      {"AT+QLWCFG=?", ERROR_},
      {"AT+QLWSERV=?", ERROR_},
      {"AT+NCDP?", CME(512)}},
     QLW_DIALECT_NEUL,
     ""},
    {"nothing",
     {{"AT+QLWSVC=?", ERROR_},
      {"AT+QLWCONFIG=?", NULL},
      {"AT+CMEE?", "\r\n+CMEE:1\r\n" OK_}, /* the probe after the silence */
      {"AT+QLWCFG=?", "\r\n+QLWCFG: \"security\",(0-3)\r\n" OK_},
      {"AT+QLWSERV=?", ERROR_},
      {"AT+NCDP?", ERROR_}},
     QLW_DIALECT_AUTO,
     "+QLWCFG: \"security\",(0-3)"},
};

static void run_detect(const detect_case *c, bool with_buffer)
{
    modem *m = modem_open();
    qlw_dialect d = (qlw_dialect)-1;
    char list[1024] = "junk";

    for (size_t i = 0; i < 6 && c->steps[i].cmd != NULL; i++) {
        /* without a buffer the list is not fetched once D or B is known */
        if (!with_buffer && strcmp(c->steps[i].cmd, "AT+QLWCFG=?") == 0 &&
            (c->want == QLW_DIALECT_QLWCONFIG_B || (c->want == D && i == 1)))
            continue;
        expect(m, c->steps[i].cmd, c->steps[i].answer);
    }
    assert_int_equal(qlw_detect_dialect(m->at, &d, with_buffer ? list : NULL, sizeof(list)),
                     QLW_OK);
    if (d != c->want)
        fail_msg("%s: detected %s", c->name, qlw_dialect_str(d));
    if (with_buffer && c->list != NULL && strcmp(list, c->list) != 0)
        fail_msg("%s: list '%s'", c->name, list);
    modem_close(m);
}

static void test_detect_each_dialect(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(detect_cases) / sizeof(detect_cases[0]); i++) {
        run_detect(&detect_cases[i], true);
        run_detect(&detect_cases[i], false);
    }
}

static void test_detect_small_buffer_and_errors(void **state)
{
    modem *m = modem_open();
    qlw_dialect d;
    char list[12];

    (void)state;
    expect(m, "AT+QLWSVC=?", ERROR_);
    expect(m, "AT+QLWCONFIG=?", ERROR_);
    expect(m, "AT+QLWCFG=?", EG25_LIST OK_);
    assert_int_equal(qlw_detect_dialect(m->at, &d, list, sizeof(list)), QLW_OK);
    assert_int_equal(d, C);
    assert_string_equal(list, "+QLWCFG: \"s");
    modem_close(m);

    /* a restart in the middle is not "absent": it is returned */
    m = modem_open();
    expect(m, "AT+QLWSVC=?", "\r\nRDY\r\n");
    assert_int_equal(qlw_detect_dialect(m->at, &d, NULL, 0), QLW_ERR_REBOOTED);
    assert_int_equal(d, QLW_DIALECT_AUTO);
    modem_close(m);

    m = modem_open();
    assert_int_equal(qlw_detect_dialect(NULL, &d, NULL, 0), QLW_ERR_ARG);
    assert_int_equal(qlw_detect_dialect(m->at, NULL, NULL, 0), QLW_ERR_ARG);
    modem_close(m);
}

/* ============================================================ RDY */

static void test_rdy_is_a_whole_banner(void **state)
{
    modem *m = modem_open();
    const char *rest =
        "\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\n+QUSIM: 1\r\n\r\n+QIND: SMS DONE\r\n";

    (void)state;
    expect(m, "AT+QLWCFG=\"urc\",1", "\r\nRDY\r\n");
    expect(m, "AT+QLWCFG=\"urc\",1", OK_);
    assert_int_equal(qlw_qlwcfg_set_urc(m->at, C, true), QLW_ERR_REBOOTED);
    assert_false(qlw_at_booting(m->at));
    assert_int_equal(qlw_io_mem_push(m->io, rest, strlen(rest), 0), QLW_OK);
    /* the next command is not held in a banner until the boot timeout */
    assert_int_equal(qlw_qlwcfg_set_urc(m->at, C, true), QLW_OK);
    assert_true(qlw_at_last_response(m->at)->elapsed_ms < 100);
    assert_string_equal(m->log, "E(boot_start)U(RDY)E(boot_end)U(+CFUN: 1)U(+CPIN: READY)"
                                "U(+QUSIM: 1)U(+QIND: SMS DONE)");
    modem_close(m);
}

/* ============================================================ redaction */

static void expect_redacted(const modem *m, const char *secret)
{
    for (int dir = 0; dir < 2; dir++) {
        if (contains_ci(m->trace[dir], secret))
            fail_msg("secret in trace: %s", m->trace[dir]);
    }
}

static void test_redaction_in_trace_and_response(void **state)
{
    static const size_t read_sizes[] = {0, 1, 2, 3, 7};
    qlw_lwm2m_security sec = good_psk();

    (void)state;
    for (size_t r = 0; r < sizeof(read_sizes) / sizeof(read_sizes[0]); r++) {
        modem *m = modem_open();
        const qlw_at_response *resp;

        m->echo = true;
        qlw_io_mem_set_read_size(m->io, read_sizes[r]);
        qlw_at_set_trace(m->at, on_trace, m);
        expect(m,
               "AT+QLWCFG=\"security\",1,1000,\"coaps://lwm2m.example.com:5684\",0,0,"
               "\"urn:imei:869339060001965\",\"000102030405060708090a0b0c0d0e0f\"",
               ERROR_);
        expect(m, "AT+QLWCFG=\"urc\",1", OK_);
        assert_int_equal(qlw_qlwcfg_set_security(m->at, C, &sec), QLW_ERR_MODEM);
        resp = qlw_at_last_response(m->at);
        assert_string_equal(resp->command,
                            "AT+QLWCFG=\"security\",1,1000,\"coaps://lwm2m.example.com:5684\","
                            "0,0,\"urn:imei:869339060001965\",\"***\"");
        assert_string_equal(resp->final, "ERROR");
        /* the original hook is back and sees the next command plainly */
        assert_int_equal(qlw_qlwcfg_set_urc(m->at, C, true), QLW_OK);
        expect_redacted(m, key_hex);
        assert_string_equal(m->trace[QLW_TRACE_TX],
                            "AT+QLWCFG=\"security\",1,1000,\"coaps://lwm2m.example.com:5684\","
                            "0,0,\"urn:imei:869339060001965\",\"***\"\r"
                            "AT+QLWCFG=\"urc\",1\r");
        /* the echo went through the filter too */
        assert_string_equal(m->trace[QLW_TRACE_RX],
                            "AT+QLWCFG=\"security\",1,1000,\"coaps://lwm2m.example.com:5684\","
                            "0,0,\"urn:imei:869339060001965\",\"***\"\r\r\nERROR\r\n"
                            "AT+QLWCFG=\"urc\",1\r\r\nOK\r\n");
        modem_close(m);
    }
}

static void test_redaction_opt_out_and_without_trace(void **state)
{
    qlw_lwm2m_security sec = good_psk();
    modem *m = modem_open();

    (void)state;
    qlw_at_set_trace(m->at, on_trace, m);
    sec.show_key = true;
    expect(m,
           "AT+QLWCFG=\"security\",1,1000,\"coaps://lwm2m.example.com:5684\",0,0,"
           "\"urn:imei:869339060001965\",\"000102030405060708090a0b0c0d0e0f\"",
           OK_);
    assert_int_equal(qlw_qlwcfg_set_security(m->at, C, &sec), QLW_OK);
    assert_non_null(strstr(m->trace[QLW_TRACE_TX], key_hex));
    assert_non_null(strstr(qlw_at_last_response(m->at)->command, key_hex));
    modem_close(m);

    /* no trace hook: the response is scrubbed all the same */
    m = modem_open();
    sec.show_key = false;
    expect(m,
           "AT+QLWCFG=\"security\",1,1000,\"coaps://lwm2m.example.com:5684\",0,0,"
           "\"urn:imei:869339060001965\",\"000102030405060708090a0b0c0d0e0f\"",
           OK_);
    assert_int_equal(qlw_qlwcfg_set_security(m->at, C, &sec), QLW_OK);
    assert_null(strstr(qlw_at_last_response(m->at)->command, key_hex));
    modem_close(m);
}

/* The filter on its own, fed a secret cut at every point and near misses. */
static void test_redaction_filter_cuts(void **state)
{
    static const char stream[] = "x0011AABBy0011AAB\"0011aabb\"00110011AABB";
    modem *m = modem_open();
    qlw_trace_fn fn;
    void *ctx;

    (void)state;
    for (size_t cut = 1; cut < sizeof(stream) - 1; cut++) {
        qlw_redact red;

        trace_clear(m);
        qlw_at_set_trace(m->at, on_trace, m);
        qlw_redact_begin(&red, m->at, "0011AABB");
        qlw_at_get_trace(m->at, &fn, &ctx);
        assert_ptr_not_equal(fn, on_trace);
        fn(ctx, QLW_TRACE_RX, (const uint8_t *)stream, cut, 1);
        fn(ctx, QLW_TRACE_RX, (const uint8_t *)stream + cut, sizeof(stream) - 1 - cut, 2);
        qlw_redact_end(&red);
        qlw_at_get_trace(m->at, &fn, &ctx);
        assert_ptr_equal(fn, on_trace);
        /* the stream with each whole secret starred, whatever the cut */
        assert_string_equal(m->trace[QLW_TRACE_RX], "x***y0011AAB\"***\"0011***");
    }
    /* a held run at the end never comes out as it was */
    {
        qlw_redact red;

        trace_clear(m);
        qlw_redact_begin(&red, m->at, "0011AABB");
        qlw_at_get_trace(m->at, &fn, &ctx);
        fn(ctx, QLW_TRACE_TX, (const uint8_t *)"AT0011AAB", 9, 1);
        qlw_redact_end(&red);
        assert_string_equal(m->trace[QLW_TRACE_TX], "AT***");
    }
    /* nothing to hide: the hook is left alone */
    {
        qlw_redact red;

        qlw_redact_begin(&red, m->at, "");
        qlw_at_get_trace(m->at, &fn, &ctx);
        assert_ptr_equal(fn, on_trace);
        qlw_redact_end(&red);
    }
    modem_close(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_urc_every_event),
        cmocka_unit_test(test_urc_secret_never_copied),
        cmocka_unit_test(test_urc_not_qlwurc),
        cmocka_unit_test(test_urc_len_bounds_and_cuts),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_check_security_accepts),
        cmocka_unit_test(test_check_security_rejects),
        cmocka_unit_test(test_check_server),
        cmocka_unit_test(test_table_dialect_c),
        cmocka_unit_test(test_table_dialect_d),
        cmocka_unit_test(test_table_probes_and_misuse),
        cmocka_unit_test(test_set_calls_ok),
        cmocka_unit_test(test_set_calls_outcomes),
        cmocka_unit_test(test_set_calls_send_nothing_when_refused),
        cmocka_unit_test(test_dialect_d_calls),
        cmocka_unit_test(test_lifecycle_and_state),
        cmocka_unit_test(test_detect_each_dialect),
        cmocka_unit_test(test_detect_small_buffer_and_errors),
        cmocka_unit_test(test_rdy_is_a_whole_banner),
        cmocka_unit_test(test_redaction_in_trace_and_response),
        cmocka_unit_test(test_redaction_opt_out_and_without_trace),
        cmocka_unit_test(test_redaction_filter_cuts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
