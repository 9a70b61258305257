/*
 * The session on the BC26/BC66 command sets (dialects A and B) against
 * transcripts of their whole life, replayed at every read split: setup,
 * objects, registration, the observe of /19/0/0, NON and CON uplinks,
 * downlinks, the server's requests to host objects (B), a restart and a
 * cancelled observe. Plus the parsers and the host-object table checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "qlwm2m/lwobj.h"
#include "quectel/mtk_cmd.h"
#include "session_harness.h"

static const size_t read_sizes[] = {0, 1, 2, 3, 7, 64};

/* ------------------------------------------------------ a host object */

typedef struct sensor {
    harness *h;
    double temp;
    char units[8];
    unsigned writes, executes;
} sensor;

static const qlw_lw_resource temp_res[] = {
    {5700, QLW_LW_FLOAT, QLW_LW_R},
    {5701, QLW_LW_STRING, QLW_LW_R | QLW_LW_W},
    {5605, QLW_LW_STRING, QLW_LW_E},
};
static const qlw_lw_instance temp_obj[] = {{3303, 0, temp_res, 3}};

static int s_read(void *ctx, uint16_t obj, uint16_t ins, uint16_t res, qlw_lw_value *out)
{
    sensor *t = ctx;

    (void)obj;
    (void)ins;
    if (res == 5700)
        out->f = t->temp;
    else
        out->str = t->units;
    return QLW_LW_OK;
}

static int s_write(void *ctx, uint16_t obj, uint16_t ins, uint16_t res, const qlw_lw_value *in)
{
    sensor *t = ctx;
    char buf[48];

    (void)obj;
    (void)ins;
    t->writes++;
    snprintf(t->units, sizeof(t->units), "%s", in->str);
    snprintf(buf, sizeof(buf), "{write %u %s}", (unsigned)res, in->str);
    h_log(t->h, buf);
    return QLW_LW_OK;
}

static int s_execute(void *ctx, uint16_t obj, uint16_t ins, uint16_t res, const char *args)
{
    sensor *t = ctx;
    char buf[48];

    (void)obj;
    (void)ins;
    t->executes++;
    snprintf(buf, sizeof(buf), "{exec %u '%s'}", (unsigned)res, args);
    h_log(t->h, buf);
    return QLW_LW_OK;
}

static void s_request(void *ctx, const qlw_lw_request *r)
{
    sensor *t = ctx;
    char buf[64];

    snprintf(buf, sizeof(buf), "{req %s %u /%d/%d/%d %d%s}", qlw_lw_request_kind_str(r->kind),
             (unsigned)r->msgid, r->object, r->instance, r->resource, r->code,
             r->repeated ? " again" : "");
    h_log(t->h, buf);
    /* a new reading once the server watches it */
    if (r->kind == QLW_LW_REQ_OBSERVE && r->object == 3303) {
        t->temp = 22.0;
        assert_int_equal(qlw_lw_notify(t->h->s, 3303, 0, 5700), QLW_OK);
    }
}

/* Uplinks queued at the moments the transcripts expect them. */
typedef struct later {
    harness h;
    sensor sensor;
    unsigned reboots, cancels;
} later;

static void on_state(void *ctx, qlw_state from, qlw_state to, qlw_cause cause)
{
    later *l = ctx;
    static const uint8_t three[] = {0x03}, four[] = {0x04}, five[] = {0x05};
    bool dialect_b = qlw_get_dialect(l->h.s) == QLW_DIALECT_QLWCONFIG_B;

    h_state(&l->h, from, to, cause);
    if (cause == QLW_CAUSE_REBOOT && l->reboots++ == 0)
        assert_int_equal(
            qlw_queue_uplink(l->h.s, dialect_b ? three : four, 1, QLW_UPLINK_NON, NULL), QLW_OK);
    if (cause == QLW_CAUSE_OBSERVE_CANCELLED && l->cancels++ == 0)
        assert_int_equal(qlw_queue_uplink(l->h.s, dialect_b ? four : five, 1,
                                          dialect_b ? QLW_UPLINK_CON : QLW_UPLINK_CON, NULL),
                         QLW_OK);
}

static void open_mtk(later *l, const char *name, size_t read_size, bool host)
{
    static const qlw_lw_host h = {temp_obj, 1, s_read, s_write, s_execute, s_request, NULL};
    static qlw_lw_host with_ctx;
    qlw_session_config cfg;
    static const uint8_t one[] = {0x01}, two[] = {0x02};

    memset(l, 0, sizeof(*l));
    h_config(&l->h, &cfg);
    cfg.dialect = QLW_DIALECT_AUTO; /* the transcripts start with the probe */
    cfg.on_state = on_state;
    cfg.ctx = l;
    /* h_log's context is the harness: the callbacks below reach it through l */
    assert_int_equal(h_open(&l->h, name, &cfg, read_size), QLW_OK);
    l->sensor = (sensor){&l->h, 21.5, "Cel", 0, 0};
    if (host) {
        with_ctx = h;
        with_ctx.ctx = &l->sensor;
        assert_int_equal(qlw_lw_set_host(l->h.s, &with_ctx), QLW_OK);
    }
    assert_int_equal(qlw_queue_uplink(l->h.s, one, 1, QLW_UPLINK_NON, NULL), QLW_OK);
    assert_int_equal(qlw_queue_uplink(l->h.s, two, 1, QLW_UPLINK_CON, NULL), QLW_OK);
    assert_int_equal(qlw_request_register(l->h.s), QLW_OK);
}

static void test_dialect_b_whole_life(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(read_sizes) / sizeof(read_sizes[0]); i++) {
        later l;

        open_mtk(&l, "synthetic-session-mtk-b-bc66.at", read_sizes[i], true);
        h_run(&l.h, 120000);
        assert_string_equal(qlw_replay_error(l.h.rp), "");
        assert_true(qlw_replay_finished(l.h.rp));
        assert_string_equal(
            l.h.log,
            "[attached/setup][registering/request][registered/lwm2m_event][ready/lwm2m_event]"
            "{req observe 1001 /19/0/0 1}{ul 1 sent ok -1 seq=0 n=1}{ul 2 delivered ok -1 seq=1 "
            "n=1}"
            "{req read 2001 /3303/0/5700 1}{req read 2002 /3303/0/-1 1}"
            "{write 5701 Fah}{req write 2003 /3303/0/5701 2}{req write 2003 /3303/0/5701 2 again}"
            "{write 5701 Kel}{write 5701 Cel}{req write 2008 /3303/0/5701 2}"
            "{req write 2008 /3303/0/5701 2 again}"
            "{exec 5605 ''}{req execute 2004 /3303/0/5605 2}{req read 2005 /9999/0/1 13}"
            "{dl C0DE}{req write 2006 /19/1/0 2}{req observe 2007 /3303/0/5700 1}"
            "[starting/reboot][attached/setup][registering/request][registered/lwm2m_event]"
            "[ready/lwm2m_event]{req observe 1001 /19/0/0 1}{ul 3 sent ok -1 seq=0 n=1}"
            "[attached/observe_cancelled]{req cancel 1003 /19/0/0 1}[registering/request]"
            "[registered/lwm2m_event][ready/lwm2m_event]{req observe 1004 /19/0/0 1}"
            "{ul 4 delivered ok -1 seq=2 n=1}");
        assert_int_equal(l.sensor.writes, 3);
        assert_int_equal(l.sensor.executes, 1);
        assert_int_equal(l.h.reports, 4);
        h_close(&l.h);
    }
}

static void test_dialect_a_whole_life(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(read_sizes) / sizeof(read_sizes[0]); i++) {
        later l;

        open_mtk(&l, "synthetic-session-mtk-a-bc26.at", read_sizes[i], false);
        {
            static const uint8_t three[] = {0x03};
            assert_int_equal(qlw_queue_uplink(l.h.s, three, 1, QLW_UPLINK_CON, NULL), QLW_OK);
        }
        h_run(&l.h, 120000);
        assert_string_equal(qlw_replay_error(l.h.rp), "");
        assert_true(qlw_replay_finished(l.h.rp));
        assert_string_equal(
            l.h.log,
            "[attached/setup][registering/request][registered/lwm2m_event][ready/lwm2m_event]"
            "{ul 1 sent ok -1 seq=0 n=1}{ul 2 delivered ok -1 seq=1 n=1}{dl AAAA0000}"
            "{ul 3 delivered dup ok -1 seq=2 n=2}"
            "[starting/reboot][attached/setup][registering/request][registered/lwm2m_event]"
            "[ready/lwm2m_event]{ul 4 sent ok -1 seq=0 n=1}[attached/observe_cancelled]"
            "[registering/request][registered/lwm2m_event][ready/lwm2m_event]"
            "{ul 5 delivered ok -1 seq=3 n=1}");
        assert_int_equal(l.h.reports, 5);
        h_close(&l.h);
    }
}

static void test_dialect_b_lost_ok(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(read_sizes) / sizeof(read_sizes[0]); i++) {
        harness h;
        qlw_session_config cfg;
        static const uint8_t one[] = {0x01}, two[] = {0x02};

        h_config(&h, &cfg);
        cfg.dialect = QLW_DIALECT_AUTO;
        assert_int_equal(h_open(&h, "synthetic-session-mtk-b-lost-ok.at", &cfg, read_sizes[i]),
                         QLW_OK);
        assert_int_equal(qlw_queue_uplink(h.s, one, 1, QLW_UPLINK_CON, NULL), QLW_OK);
        assert_int_equal(qlw_queue_uplink(h.s, two, 1, QLW_UPLINK_NON, NULL), QLW_OK);
        assert_int_equal(qlw_request_register(h.s), QLW_OK);
        h_run(&h, 60000);
        assert_string_equal(qlw_replay_error(h.rp), "");
        assert_true(qlw_replay_finished(h.rp));
        assert_string_equal(h.log, "[attached/setup][registering/request][registered/lwm2m_event]"
                                   "[ready/lwm2m_event]{ul 1 delivered ok -1 seq=1 n=1}"
                                   "{ul 2 sent ok -1 seq=0 n=2}");
        h_close(&h);
    }
}

/* ---------------------------------------------------------- parsers */

static void test_urc_parser(void **state)
{
    qlw_mtk_urc u;
    /* Not these dialects' lines at all. */
    const char *other[] = {"SEND OKAY", "+CEREG: 1", ""};
    /* Theirs, in a shape not understood: claimed, so the session reports them. */
    const char *bad[] = {"+QLWOBSERVE: 2,19,0,0",
                         "+QLWDATARECV: 19,1,0,3,AABB",
                         "+QLWURC: \"write\",1,3303,0,5701,2,2,\"ABC\",0",
                         "+QLWURC: \"read\",1",
                         "+QLWREGX: 0",
                         "+QLWURC: \"report_ack\",0",
                         "+QLWURC: \"execute\",1,3311,0,5850,0='a',1,2,3,4,5,6,7,8,9"};

    (void)state;
    assert_int_equal(qlw_mtk_parse_urc("SEND FAIL", 9, &u), QLW_OK);
    assert_int_equal(u.kind, QLW_MTK_URC_SEND);
    assert_int_equal(u.result, 1);
    assert_int_equal(qlw_mtk_parse_urc("+QLWDATARECV: AA00", 18, &u), QLW_OK);
    assert_int_equal(u.kind, QLW_MTK_URC_DATARECV);
    assert_int_equal(u.obj * 100 + u.ins * 10 + u.res, 1910);
    assert_int_equal(qlw_mtk_parse_urc("+QLWURC:reg,0", 13, &u), QLW_OK);
    assert_int_equal(u.kind, QLW_MTK_URC_REG);
    assert_int_equal(u.result, 0);
    assert_int_equal(qlw_mtk_parse_urc("+QLWURC: \"lwstatus\",2", 21, &u), QLW_OK);
    assert_int_equal(u.kind, QLW_MTK_URC_OTHER);
    assert_string_equal(u.name, "lwstatus");
    /* An event name longer than the field: still an event, its name empty. */
    assert_int_equal(qlw_mtk_parse_urc("+QLWURC: \"a_very_long_event_name_indeed\"", 40, &u),
                     QLW_OK);
    assert_int_equal(u.kind, QLW_MTK_URC_OTHER);
    assert_string_equal(u.name, "");
    for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
        assert_int_equal(qlw_mtk_parse_urc(other[i], strlen(other[i]), &u), QLW_ERR_PARSE);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(qlw_mtk_parse_urc(bad[i], strlen(bad[i]), &u), QLW_OK);
        assert_int_equal(u.kind, QLW_MTK_URC_MALFORMED);
    }
}

static void test_value_text(void **state)
{
    char out[32];
    unsigned len;
    static const uint8_t b[] = {0xC0, 0xDE};
    qlw_lw_value v = {.type = QLW_LW_OPAQUE, .bytes = b, .len = 2};

    (void)state;
    assert_int_equal(qlw_mtk_value_text(&v, out, sizeof(out), &len), QLW_OK);
    assert_string_equal(out, "\"C0DE\"");
    assert_int_equal(len, 2);
    v = (qlw_lw_value){.type = QLW_LW_INTEGER, .i = -42};
    assert_int_equal(qlw_mtk_value_text(&v, out, sizeof(out), &len), QLW_OK);
    assert_string_equal(out, "-42");
    assert_int_equal(len, 3);
    v = (qlw_lw_value){.type = QLW_LW_BOOLEAN, .b = true};
    assert_int_equal(qlw_mtk_value_text(&v, out, sizeof(out), &len), QLW_OK);
    assert_string_equal(out, "1");
    /* Floats keep every digit that tells them apart, and no more. */
    v = (qlw_lw_value){.type = QLW_LW_FLOAT, .f = 21.5};
    assert_int_equal(qlw_mtk_value_text(&v, out, sizeof(out), &len), QLW_OK);
    assert_string_equal(out, "21.5");
    v = (qlw_lw_value){.type = QLW_LW_FLOAT, .f = 3.14159265};
    assert_int_equal(qlw_mtk_value_text(&v, out, sizeof(out), &len), QLW_OK);
    assert_string_equal(out, "3.14159265");
    v = (qlw_lw_value){.type = QLW_LW_FLOAT, .f = 0.1 + 0.2};
    assert_int_equal(qlw_mtk_value_text(&v, out, sizeof(out), &len), QLW_OK);
    assert_string_equal(out, "0.30000000000000004");
    v = (qlw_lw_value){.type = QLW_LW_STRING, .str = "a\"b"};
    assert_int_equal(qlw_mtk_value_text(&v, out, sizeof(out), &len), QLW_ERR_ARG);
    v = (qlw_lw_value){.type = QLW_LW_OPAQUE, .bytes = b, .len = 20};
    assert_int_equal(qlw_mtk_value_text(&v, out, sizeof(out), &len), QLW_ERR_OVERFLOW);
}

/* ------------------------------------------------- host table checks */

static void test_host_table_checked(void **state)
{
    harness h;
    qlw_session_config cfg;
    static const qlw_lw_resource r19[] = {{0, QLW_LW_OPAQUE, QLW_LW_R}};
    static const qlw_lw_instance obj19[] = {{19, 2, r19, 1}};
    static const qlw_lw_instance twice[] = {{3303, 0, temp_res, 3}, {3303, 0, temp_res, 3}};
    static const qlw_lw_instance five[] = {
        {1, 0, r19, 1}, {1, 1, r19, 1}, {1, 2, r19, 1}, {1, 3, r19, 1}, {1, 4, r19, 1}};
    qlw_lw_host host = {temp_obj, 1, s_read, s_write, s_execute, NULL, NULL};

    (void)state;
    h_config(&h, &cfg);
    assert_int_equal(h_open(&h, "synthetic-session-mtk-b-bc66.at", &cfg, 0), QLW_OK);
    /* h_config fixed the dialect to the BC68's: no host objects there */
    assert_int_equal(qlw_lw_set_host(h.s, &host), QLW_ERR_UNSUPPORTED);
    h_close(&h);
    cfg.dialect = QLW_DIALECT_AUTO;
    assert_int_equal(h_open(&h, "synthetic-session-mtk-b-bc66.at", &cfg, 0), QLW_OK);
    host.write = NULL; /* 5701 is writable */
    assert_int_equal(qlw_lw_set_host(h.s, &host), QLW_ERR_ARG);
    host.write = s_write;
    host.instances = obj19;
    assert_int_equal(qlw_lw_set_host(h.s, &host), QLW_ERR_ARG);
    host.instances = twice;
    host.instance_count = 2;
    assert_int_equal(qlw_lw_set_host(h.s, &host), QLW_ERR_ARG);
    host.instances = five;
    host.instance_count = 5;
    assert_int_equal(qlw_lw_set_host(h.s, &host), QLW_ERR_ARG);
    host.instance_count = 4;
    assert_int_equal(qlw_lw_set_host(h.s, &host), QLW_OK);
    assert_int_equal(qlw_lw_notify(h.s, 3303, 0, 5700), QLW_ERR_ARG); /* not declared now */
    assert_int_equal(qlw_lw_set_host(h.s, NULL), QLW_OK);
    assert_string_equal(qlw_lw_type_str(QLW_LW_FLOAT), "float");
    assert_string_equal(qlw_lw_status_str(QLW_LW_NOT_FOUND), "not_found");
    assert_string_equal(qlw_lw_request_kind_str(QLW_LW_REQ_CANCEL), "cancel");
    assert_string_equal(qlw_lw_type_str((qlw_lw_type)9), "unknown");
    h_close(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dialect_b_whole_life), cmocka_unit_test(test_dialect_a_whole_life),
        cmocka_unit_test(test_dialect_b_lost_ok),    cmocka_unit_test(test_urc_parser),
        cmocka_unit_test(test_value_text),           cmocka_unit_test(test_host_table_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
