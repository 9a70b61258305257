/*
 * The Neul config, decoders and typed calls against recorded and synthetic
 * transcripts, played by the replayer at several read sizes: every byte the
 * library sends must be the transcript's, every modem byte must be read,
 * and the decoded results must not depend on how the bytes were cut.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "qlwm2m/neul.h"
#include "qlwm2m/transcript.h"
#include "quectel/neul_cmd.h"
#include "ts_fixture_list.h"

static const size_t read_sizes[] = {0, 1, 2, 3, 7};

typedef struct rp_fixture {
    qlw_transcript *ts;
    qlw_replay *rp;
    qlw_at *at;
    qlw_at_cmd cmd;
    char text[256];
    char log[4096]; /* URCs, decoded, and boot events */
    size_t log_len;
    bool boot_ended;
} rp_fixture;

static rp_fixture fx;

static void log_text(rp_fixture *f, const char *text)
{
    f->log_len += (size_t)snprintf(f->log + f->log_len, sizeof(f->log) - f->log_len, "%s", text);
}

/* ------------------------------------------------------- URC decoding */

typedef void (*decode_fn)(const qlw_at_line *line, char *out, size_t size);

static void dec_cereg(const qlw_at_line *line, char *out, size_t size)
{
    qlw_cereg c;

    assert_int_equal(qlw_neul_parse_cereg(line->text, line->len, false, &c), QLW_OK);
    snprintf(out, size, "cereg(%s)", qlw_cereg_stat_str(c.stat));
}

static void dec_evt(const qlw_at_line *line, char *out, size_t size)
{
    int ev;

    assert_int_equal(qlw_neul_parse_qlwevtind(line->text, line->len, &ev), QLW_OK);
    snprintf(out, size, "evt(%s)", qlw_lwm2m_event_str(ev));
}

static void dec_ul(const qlw_at_line *line, char *out, size_t size)
{
    int st, seq;

    assert_int_equal(qlw_neul_parse_uldatastatus(line->text, line->len, &st, &seq), QLW_OK);
    snprintf(out, size, "ul(%s,%d)", qlw_uplink_status_str(st), seq);
}

static void dec_nnmi(const qlw_at_line *line, char *out, size_t size)
{
    uint8_t data[16];
    char hex[40];
    int n = qlw_neul_parse_nnmi(line->text, line->len, data, sizeof(data));

    assert_true(n >= 0);
    assert_true(qlw_hex_encode(data, (size_t)n, hex, sizeof(hex)) >= 0);
    snprintf(out, size, "nnmi(%s)", hex);
}

static void dec_nsmi(const qlw_at_line *line, char *out, size_t size)
{
    int sent;

    assert_int_equal(qlw_neul_parse_nsmi(line->text, line->len, &sent), QLW_OK);
    snprintf(out, size, "nsmi(%s)", sent ? "sent" : "discarded");
}

static void dec_cscon(const qlw_at_line *line, char *out, size_t size)
{
    int v;

    assert_int_equal(qlw_neul_parse_cscon(line->text, line->len, &v), QLW_OK);
    snprintf(out, size, "cscon(%d)", v);
}

static void dec_npsmr(const qlw_at_line *line, char *out, size_t size)
{
    int v;

    assert_int_equal(qlw_neul_parse_npsmr(line->text, line->len, &v), QLW_OK);
    snprintf(out, size, "psm(%d)", v);
}

static void dec_ping(const qlw_at_line *line, char *out, size_t size)
{
    qlw_ping_result r;

    assert_int_equal(qlw_neul_parse_nping(line->text, line->len, &r), QLW_OK);
    snprintf(out, size, "ping(%s,%d,%d,%d)", r.addr, r.ttl, r.rtt_ms, r.error);
}

static void dec_cause(const qlw_at_line *line, char *out, size_t size)
{
    const char *cause = qlw_neul_reboot_cause(line->text);

    assert_non_null(cause);
    snprintf(out, size, "cause(%s)", cause);
}

static const struct {
    const char *prefix;
    decode_fn fn;
} decoders[] = {
    {"+CEREG:", dec_cereg}, {"+QLWEVTIND:", dec_evt}, {"+QLWULDATASTATUS:", dec_ul},
    {"+NNMI", dec_nnmi},    {"+NSMI:", dec_nsmi},     {"+CSCON:", dec_cscon},
    {"+NPSMR:", dec_npsmr}, {"+NPING", dec_ping},     {"REBOOT_CAUSE_", dec_cause},
};

static void on_urc(void *ctx, const qlw_at_line *line)
{
    char out[128];

    snprintf(out, sizeof(out), "U(%s)", line->text);
    for (size_t i = 0; i < sizeof(decoders) / sizeof(decoders[0]); i++) {
        if (strncmp(line->text, decoders[i].prefix, strlen(decoders[i].prefix)) == 0) {
            decoders[i].fn(line, out, sizeof(out));
            break;
        }
    }
    log_text(ctx, out);
}

static void on_event(void *ctx, qlw_at_event ev, uint32_t count)
{
    rp_fixture *f = ctx;

    (void)count;
    if (ev == QLW_AT_EV_BOOT_START || ev == QLW_AT_EV_BOOT_END) {
        log_text(f, ev == QLW_AT_EV_BOOT_START ? "V(boot_start)" : "V(boot_end)");
        f->boot_ended |= ev == QLW_AT_EV_BOOT_END;
    }
}

/* ---------------------------------------------------------- harness */

static rp_fixture *open_replay(const char *name, size_t read_size)
{
    rp_fixture *f = &fx;
    qlw_at_config cfg;

    memset(f, 0, sizeof(*f));
    f->ts = ts_load_fixture(name);
    assert_int_equal(qlw_replay_open(&f->rp, f->ts, 1000), QLW_OK);
    qlw_replay_set_read_size(f->rp, read_size);
    qlw_neul_at_config(&cfg);
    assert_int_equal(qlw_at_open(&f->at, &cfg, qlw_replay_io(f->rp)), QLW_OK);
    assert_int_equal(qlw_at_add_urc_handler(f->at, "", on_urc, f), QLW_OK);
    assert_int_equal(qlw_at_add_event_handler(f->at, on_event, f), QLW_OK);
    return f;
}

static void assert_replay_ok(const rp_fixture *f)
{
    if (qlw_replay_status(f->rp) != QLW_OK)
        fail_msg("%s", qlw_replay_error(f->rp));
}

/* Reads what the modem still has to say, then checks the whole exchange. */
static void close_replay(rp_fixture *f, const char *want_log)
{
    for (int i = 0; i < 1000 && !qlw_replay_finished(f->rp); i++)
        assert_int_equal(qlw_at_poll(f->at, 1000), QLW_OK);
    assert_replay_ok(f);
    assert_true(qlw_replay_finished(f->rp));
    if (want_log != NULL && strcmp(f->log, want_log) != 0)
        fail_msg("log\n got: %s\nwant: %s", f->log, want_log);
    qlw_at_close(f->at);
    qlw_replay_close(f->rp);
    qlw_transcript_free(f->ts);
}

static void wait_boot_end(rp_fixture *f)
{
    for (int i = 0; i < 100 && !f->boot_ended; i++)
        assert_int_equal(qlw_at_poll(f->at, 1000), QLW_OK);
    assert_true(f->boot_ended);
    f->boot_ended = false;
}

static const qlw_at_response *run_built(rp_fixture *f, int want, int build_rc)
{
    const qlw_at_response *r = NULL;

    assert_int_equal(build_rc, QLW_OK);
    assert_int_equal(qlw_at_exec(f->at, &f->cmd, &r), want);
    assert_replay_ok(f);
    return r;
}

/* A command of the Neul table, built with its arguments. */
#define NEUL(f, want, ...)                                                                         \
    run_built(f, want, qlw_neul_cmd(&(f)->cmd, (f)->text, sizeof((f)->text), __VA_ARGS__))

/* A command the Neul table does not have (sockets, NCONFIG, ...). */
static const qlw_at_response *raw(rp_fixture *f, int want, const char *text)
{
    const qlw_at_response *r = NULL;

    assert_int_equal(qlw_at_exec_raw(f->at, text, 5000, &r), want);
    assert_replay_ok(f);
    return r;
}

/* ------------------------------------------------------ command tables */

/* The session's commands and the typed calls' others live in two tables;
 * both builders give the same descriptor for a session command, and the
 * session's refuses the others (a program using only a session links only
 * its table). */
/* The session's builder, with its arguments given here. */
static int session_cmd(qlw_at_cmd *cmd, char *buf, size_t size, qlw_neul_op op, ...)
{
    va_list ap;
    int rc;

    va_start(ap, op);
    rc = qlw_neul_session_vcmd(cmd, buf, size, op, ap);
    va_end(ap);
    return rc;
}

static void test_command_tables(void **state)
{
    char a_text[64], b_text[64];
    qlw_at_cmd a, b;

    (void)state;
    assert_int_equal(qlw_neul_cmd(&a, a_text, sizeof(a_text), QLW_NEUL_CGDCONT_SET, 1, "IP", "apn"),
                     QLW_OK);
    assert_int_equal(session_cmd(&b, b_text, sizeof(b_text), QLW_NEUL_CGDCONT_SET, 1, "IP", "apn"),
                     QLW_OK);
    assert_string_equal(a.text, "AT+CGDCONT=1,\"IP\",\"apn\"");
    assert_string_equal(b.text, a.text);
    assert_int_equal(b.timeout_ms, 2000);
    assert_int_equal(a.timeout_ms, b.timeout_ms);

    assert_int_equal(session_cmd(&b, b_text, sizeof(b_text), QLW_NEUL_CEREG_READ), QLW_OK);
    assert_string_equal(b.text, "AT+CEREG?");
    assert_string_equal(b.prefixes[0], "+CEREG");
    assert_non_null(b.accept); /* the read form, not a URC */
    assert_int_equal(session_cmd(&b, b_text, sizeof(b_text), QLW_NEUL_NRB), QLW_OK);
    assert_string_equal(b.finals[0], "REBOOTING");
    assert_int_equal(b.timeout_ms, 10000);

    /* Another table's command: built by the general builder only. */
    assert_int_equal(session_cmd(&b, b_text, sizeof(b_text), QLW_NEUL_CGSN), QLW_ERR_ARG);
    assert_int_equal(qlw_neul_cmd(&a, a_text, sizeof(a_text), QLW_NEUL_CGSN), QLW_OK);
    assert_string_equal(a.text, "AT+CGSN=1");
    assert_string_equal(a.prefixes[0], "+CGSN");
    assert_null(a.finals);
    assert_null(a.accept);
    assert_int_equal(
        qlw_neul_cmd(&a, a_text, sizeof(a_text), QLW_NEUL_NPING_EX, "1.2.3.4", 8, 500u), QLW_OK);
    assert_string_equal(a.text, "AT+NPING=1.2.3.4,8,500");
    assert_int_equal(qlw_neul_cmd(&a, a_text, sizeof(a_text), QLW_NEUL_NQMGR), QLW_OK);
    assert_int_equal(a.flags, QLW_AT_CMD_BARE);

    assert_int_equal(qlw_neul_cmd(&a, a_text, sizeof(a_text), QLW_NEUL_OP_COUNT), QLW_ERR_ARG);
    assert_int_equal(session_cmd(&b, b_text, sizeof(b_text), QLW_NEUL_OP_COUNT), QLW_ERR_ARG);
    /* Too small a buffer, in either table. */
    assert_int_equal(qlw_neul_cmd(&a, a_text, 5, QLW_NEUL_CGSN), QLW_ERR_OVERFLOW);
    assert_int_equal(session_cmd(&b, b_text, 5, QLW_NEUL_CEREG_READ), QLW_ERR_OVERFLOW);
}

/* ------------------------------------------------- synthetic transcripts */

static void test_setup_info_signal(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(read_sizes) / sizeof(read_sizes[0]); i++) {
        rp_fixture *f = open_replay("synthetic-neul-setup-info-signal.at", read_sizes[i]);
        qlw_neul_info info;
        qlw_neul_signal s;

        assert_int_equal(qlw_neul_setup(f->at, NULL), QLW_OK);
        assert_int_equal(qlw_neul_get_info(f->at, &info), QLW_OK);
        assert_string_equal(info.imei, "867726038416899");
        assert_string_equal(info.imsi, "460113024464866");
        assert_string_equal(info.iccid, "89860000000000000001");
        assert_string_equal(info.model, "BC68");
        assert_string_equal(info.revision, "BC68JAR01A08");
        assert_int_equal(qlw_neul_get_signal(f->at, &s), QLW_OK);
        assert_int_equal(s.rssi_dbm, -73);
        assert_int_equal(s.rsrp_ddbm, -819);
        assert_int_equal(s.cell_id, 125414482);
        assert_int_equal(s.pci, 226);
        close_replay(f, "");
    }
}

static void test_info_b657_nosim(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(read_sizes) / sizeof(read_sizes[0]); i++) {
        rp_fixture *f = open_replay("synthetic-neul-info-b657-nosim.at", read_sizes[i]);
        qlw_neul_info info;

        assert_int_equal(qlw_neul_get_info(f->at, &info), QLW_OK);
        assert_string_equal(info.imei, "867726038416899");
        assert_string_equal(info.imsi, "");
        assert_string_equal(info.iccid, "");
        assert_string_equal(info.model, "BC95");
        assert_string_equal(info.revision, "V100R100C10B657SP1");
        close_replay(f, "");
    }
}

static void test_status_reads(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(read_sizes) / sizeof(read_sizes[0]); i++) {
        rp_fixture *f = open_replay("synthetic-neul-status-reads.at", read_sizes[i]);
        qlw_cereg c;
        qlw_nmstatus st;
        qlw_neul_counters n;
        char addr[32];
        uint16_t port;
        int v;

        assert_int_equal(qlw_neul_get_cereg(f->at, &c), QLW_OK);
        assert_int_equal(c.n, 2);
        assert_int_equal(c.stat, 5);
        assert_int_equal(c.ci, 0x0153803F);
        assert_int_equal(qlw_neul_get_cgatt(f->at, &v), QLW_OK);
        assert_int_equal(v, 1);
        assert_int_equal(qlw_neul_get_cfun(f->at, &v), QLW_OK);
        assert_int_equal(v, 1);
        assert_int_equal(qlw_neul_get_nmstatus(f->at, &st), QLW_OK);
        assert_int_equal(st, QLW_NM_MO_DATA_ENABLED);
        assert_int_equal(qlw_neul_get_counters(f->at, &n), QLW_OK);
        assert_int_equal(n.sent, 2);
        assert_int_equal(n.received, 1);
        assert_int_equal(qlw_neul_get_cdp(f->at, addr, sizeof(addr), &port), QLW_OK);
        assert_string_equal(addr, "");
        assert_int_equal(port, 0);
        assert_int_equal(qlw_neul_check_cdp("117.60.157.137", 5683), QLW_OK);
        NEUL(f, QLW_OK, QLW_NEUL_NCDP_SET, "117.60.157.137", 5683u);
        assert_int_equal(qlw_neul_get_cdp(f->at, addr, sizeof(addr), &port), QLW_OK);
        assert_string_equal(addr, "117.60.157.137");
        assert_int_equal(port, 5683);
        close_replay(f, "cereg(registered_roaming)");
    }
}

static void test_uplink_urcs(void **state)
{
    static const uint8_t con[] = {0xAA, 0x34, 0xBB};
    static const uint8_t nmgs[] = {0xDE, 0xAD, 0xBE, 0xEF};

    (void)state;
    for (size_t i = 0; i < sizeof(read_sizes) / sizeof(read_sizes[0]); i++) {
        rp_fixture *f = open_replay("synthetic-neul-uplink-urcs.at", read_sizes[i]);
        char hex[16];

        assert_int_equal(qlw_neul_check_payload(con, sizeof(con)), QLW_OK);
        assert_int_equal(qlw_hex_encode(con, sizeof(con), hex, sizeof(hex)), 6);
        NEUL(f, QLW_OK, QLW_NEUL_QLWULDATAEX, (unsigned)sizeof(con), hex, 0x0100u, 1);
        assert_int_equal(qlw_hex_encode(nmgs, sizeof(nmgs), hex, sizeof(hex)), 8);
        NEUL(f, QLW_OK, QLW_NEUL_NMGS, (unsigned)sizeof(nmgs), hex);
        assert_int_equal(qlw_hex_encode(con, sizeof(con), hex, sizeof(hex)), 6);
        NEUL(f, QLW_OK, QLW_NEUL_QLWULDATA, (unsigned)sizeof(con), hex);
        close_replay(f, "ul(delivered,1)nnmi(AA00)nsmi(sent)nsmi(discarded)cscon(0)psm(1)"
                        "evt(observe_cancelled)");
    }
}

static void test_ping_error_then_reply(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(read_sizes) / sizeof(read_sizes[0]); i++) {
        rp_fixture *f = open_replay("synthetic-neul-ping-error-then-reply.at", read_sizes[i]);
        qlw_ping_result r;

        assert_int_equal(qlw_neul_ping(f->at, "10.112.28.10", 32, 10000, &r), QLW_OK);
        assert_int_equal(r.error, 1);
        assert_int_equal(qlw_neul_ping(f->at, "10.112.28.10", 0, 0, &r), QLW_OK);
        assert_int_equal(r.error, 0);
        assert_string_equal(r.addr, "10.112.28.10");
        assert_int_equal(r.ttl, 61);
        assert_int_equal(r.rtt_ms, 909);
        close_replay(f, "ping(,0,0,1)ping(10.112.28.10,61,909,0)");
    }
}

static void test_reboot_b657(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(read_sizes) / sizeof(read_sizes[0]); i++) {
        rp_fixture *f = open_replay("synthetic-neul-reboot-b657.at", read_sizes[i]);

        assert_int_equal(qlw_neul_reboot(f->at), QLW_OK);
        NEUL(f, QLW_OK, QLW_NEUL_AT);
        close_replay(f, "U(F)V(boot_start)cause(APPLICATION_AT)U(Neul )U(OK)V(boot_end)");
    }
}

/* ------------------------------------------------------- recorded fixtures */

#define V150_BANNER(cause)                                                                         \
    "V(boot_start)U(Boot: Unsigned)U(Security B.. Verified)U(Protocol A.. Verified)"               \
    "U(Apps A...... Verified)cause(" cause ")U(Neul )U(OK)V(boot_end)"

static void test_fixture_01_boot_attach_nping(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(read_sizes) / sizeof(read_sizes[0]); i++) {
        rp_fixture *f = open_replay("01-bc68-boot-attach-nping.at", read_sizes[i]);
        qlw_ping_result r;
        qlw_at_stats st;

        wait_boot_end(f);
        NEUL(f, QLW_OK, QLW_NEUL_CFUN_SET, 0);
        raw(f, QLW_OK, "AT+NCDP=198.51.100.1");
        NEUL(f, QLW_OK, QLW_NEUL_CFUN_SET, 1);
        assert_int_equal(qlw_neul_check_apn("APN"), QLW_OK);
        NEUL(f, QLW_OK, QLW_NEUL_CGDCONT_SET, 1, "IP", "APN");
        NEUL(f, QLW_OK, QLW_NEUL_CSCON_SET, 1);
        NEUL(f, QLW_OK, QLW_NEUL_CEREG_SET, 1);
        NEUL(f, QLW_OK, QLW_NEUL_CGATT_SET, 1);
        assert_int_equal(qlw_neul_ping(f->at, "198.51.100.1", 0, 0, &r), QLW_OK);
        assert_int_equal(r.ttl, 54);
        assert_int_equal(r.rtt_ms, 962);
        qlw_at_get_stats(f->at, &st);
        assert_int_equal(st.stale_finals, 0);
        assert_int_equal(st.reboots, 1);
        close_replay(f, V150_BANNER("SECURITY_RESET_PIN") "cereg(searching)cscon(1)"
                                                          "cereg(registered_home)"
                                                          "ping(198.51.100.1,54,962,0)");
    }
}

static void test_fixture_03_at_error_nrb_garbage(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(read_sizes) / sizeof(read_sizes[0]); i++) {
        rp_fixture *f = open_replay("03-bc95g-startup-error-nrb-garbage.at", read_sizes[i]);
        qlw_cereg c;
        int attached;

        NEUL(f, QLW_ERR_MODEM, QLW_NEUL_AT);
        NEUL(f, QLW_OK, QLW_NEUL_AT);
        raw(f, QLW_OK, "AT+NCONFIG=AUTOCONNECT,FALSE");
        NEUL(f, QLW_OK, QLW_NEUL_QREGSWT_SET, 2);
        assert_int_equal(qlw_neul_reboot(f->at), QLW_OK);
        NEUL(f, QLW_OK, QLW_NEUL_AT);
        NEUL(f, QLW_OK, QLW_NEUL_NBAND_SET, 8);
        NEUL(f, QLW_OK, QLW_NEUL_CFUN_SET, 1);
        NEUL(f, QLW_OK, QLW_NEUL_CGATT_SET, 1);
        NEUL(f, QLW_OK, QLW_NEUL_CEREG_SET, 0);
        for (int k = 0; k < 6; k++) {
            assert_int_equal(qlw_neul_get_cereg(f->at, &c), QLW_OK);
            assert_int_equal(c.n, 0);
            assert_int_equal(c.stat, k < 5 ? 2 : 1);
        }
        assert_int_equal(qlw_neul_get_cgatt(f->at, &attached), QLW_OK);
        assert_int_equal(attached, 1);
        assert_string_equal(raw(f, QLW_OK, "AT+NSOCR=DGRAM,17,0,1")->lines[0], "1");
        close_replay(f, "U(\"`)" V150_BANNER("APPLICATION_AT"));
    }
}

static void test_fixture_07_psm_reboot_urc_inside(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(read_sizes) / sizeof(read_sizes[0]); i++) {
        rp_fixture *f =
            open_replay("07-bc68-psm-udp-multicmd-urc-inside-response.at", read_sizes[i]);

        assert_string_equal(NEUL(f, QLW_OK, QLW_NEUL_QGMR)->lines[0], "BC68JAR01A08");
        NEUL(f, QLW_OK, QLW_NEUL_CFUN_SET, 0);
        raw(f, QLW_OK, "AT+NCONFIG=CR_0354_0338_SCRAMBLING,TRUE");
        raw(f, QLW_OK, "AT+NCONFIG=CR_0859_SI_AVOID,TRUE");
        raw(f, QLW_OK, "AT+NCONFIG=AUTOCONNECT,FALSE");
        assert_int_equal(qlw_neul_reboot(f->at), QLW_OK);
        NEUL(f, QLW_OK, QLW_NEUL_NBAND_SET, 20);
        raw(f, QLW_OK, "AT+CEREG=2;+NPSMR=1;+CSCON=1");
        raw(f, QLW_OK, "AT+CPSMS=1,,,\"00100001\",\"00000101\"");
        NEUL(f, QLW_OK, QLW_NEUL_CFUN_SET, 1);
        NEUL(f, QLW_OK, QLW_NEUL_CGDCONT_SET, 1, "IP", "");
        raw(f, QLW_OK, "AT+COPS=1,2,\"21401\"");
        raw(f, QLW_OK, "AT+NSOCR= DGRAM,17,16666,1");
        raw(f, QLW_OK, "AT+NSOST=1,188.77.165.106,16666,12,48656C6C6F20576F726C6421");
        raw(f, QLW_OK, "AT+NSORF=1,12");
        raw(f, QLW_OK, "AT+NSOCL=1");
        close_replay(f, "U(F)V(boot_start)U(Boot: Unsigned)U(Security B.. Verified)"
                        "U(Protocol A.. Verified)U(Apps A...... Verified)"
                        "cause(APPLICATION_AT)U(Neul)U(OK)V(boot_end)"
                        "cereg(not_registered)cereg(searching)cscon(1)"
                        "cereg(registered_roaming)U(+NSONMI:1,12)cscon(0)psm(1)");
    }
}

static void test_fixture_18_power_on_nmstatus(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(read_sizes) / sizeof(read_sizes[0]); i++) {
        rp_fixture *f =
            open_replay("18-bc28-cdp-autoregister-qlwevtind-nmstatus.at", read_sizes[i]);
        qlw_nmstatus st;

        assert_string_equal(NEUL(f, QLW_OK, QLW_NEUL_CIMI)->lines[0], "460113024464866");
        assert_string_equal(NEUL(f, QLW_OK, QLW_NEUL_CGSN)->lines[0], "+CGSN:867726038416899");
        wait_boot_end(f);
        NEUL(f, QLW_OK, QLW_NEUL_CIMI);
        assert_string_equal(NEUL(f, QLW_OK, QLW_NEUL_CSQ)->lines[0], "+CSQ:20,99");
        NEUL(f, QLW_OK, QLW_NEUL_NCDP_SET, "117.60.157.137", 5683u);
        assert_int_equal(qlw_neul_get_nmstatus(f->at, &st), QLW_OK);
        assert_int_equal(st, QLW_NM_INITIALISED);
        assert_int_equal(qlw_neul_get_nmstatus(f->at, &st), QLW_OK);
        assert_int_equal(st, QLW_NM_INITIALISED);
        assert_int_equal(qlw_neul_get_nmstatus(f->at, &st), QLW_OK);
        assert_int_equal(st, QLW_NM_MO_DATA_ENABLED);
        raw(f, QLW_OK, "AT+CCLK?");
        close_replay(f, V150_BANNER("SECURITY_PMU_POWER_ON_RESET") "evt(registered)evt(ready)");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_command_tables),
        cmocka_unit_test(test_setup_info_signal),
        cmocka_unit_test(test_info_b657_nosim),
        cmocka_unit_test(test_status_reads),
        cmocka_unit_test(test_uplink_urcs),
        cmocka_unit_test(test_ping_error_then_reply),
        cmocka_unit_test(test_reboot_b657),
        cmocka_unit_test(test_fixture_01_boot_attach_nping),
        cmocka_unit_test(test_fixture_03_at_error_nrb_garbage),
        cmocka_unit_test(test_fixture_07_psm_reboot_urc_inside),
        cmocka_unit_test(test_fixture_18_power_on_nmstatus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
