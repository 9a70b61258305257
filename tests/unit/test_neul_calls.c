/*
 * The Neul typed calls over the in-memory transport. The modem here is a
 * sequence rather than modem_script.h's lookup table: each call must send
 * its commands in order, and the same command may get a different answer
 * the second time (the first AT after power-up gets ERROR). Every byte the
 * host writes is recorded for exact comparison.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "qlwm2m/neul.h"

/* --------------------------------------------------------- scripted modem */

typedef struct step {
    const char *cmd;    /* expected command, without CR */
    const char *answer; /* pushed when it arrives (NULL: silence) */
    uint32_t delay_ms;
    const char *later; /* pushed after the answer (URC, boot banner) */
    uint32_t later_ms;
} step;

#define STEPS_MAX 24

typedef struct fixture {
    qlw_io *io;
    qlw_at *at;
    step steps[STEPS_MAX];
    size_t step_count, next;
    char pending[256];
    size_t pending_len;
    char tx[4096]; /* every byte written */
    size_t tx_len;
    char error[512];
    char log[4096]; /* URCs and events, in order */
    size_t log_len;
} fixture;

static fixture fx;

static void expect(fixture *f, const char *cmd, const char *answer)
{
    f->steps[f->step_count++] = (step){cmd, answer, 0, NULL, 0};
}

static void expect_later(fixture *f, const char *cmd, const char *answer, const char *later,
                         uint32_t later_ms)
{
    f->steps[f->step_count++] = (step){cmd, answer, 0, later, later_ms};
}

static void push(qlw_io *io, const char *s, uint32_t delay_ms)
{
    if (s != NULL)
        assert_int_equal(qlw_io_mem_push(io, s, strlen(s), delay_ms), QLW_OK);
}

static void command_done(fixture *f, qlw_io *io)
{
    const step *s = f->next < f->step_count ? &f->steps[f->next] : NULL;

    f->pending[f->pending_len] = '\0';
    f->pending_len = 0;
    if (s == NULL || strcmp(s->cmd, f->pending) != 0) {
        if (f->error[0] == '\0')
            snprintf(f->error, sizeof(f->error), "step %zu: expected \"%s\", host sent \"%s\"",
                     f->next, s ? s->cmd : "(nothing)", f->pending);
        return;
    }
    f->next++;
    push(io, s->answer, s->delay_ms);
    push(io, s->later, s->later_ms);
}

static void on_write(void *ctx, qlw_io *io, const uint8_t *data, size_t len)
{
    fixture *f = ctx;

    for (size_t i = 0; i < len; i++) {
        if (f->tx_len + 1 < sizeof(f->tx))
            f->tx[f->tx_len++] = (char)data[i];
        if (data[i] == '\r')
            command_done(f, io);
        else if (data[i] != '\n' && f->pending_len + 1 < sizeof(f->pending))
            f->pending[f->pending_len++] = (char)data[i];
    }
}

/* Appends "<tag>(<text>)" to the log. */
static void log_entry(fixture *f, char tag, const char *text)
{
    f->log_len +=
        (size_t)snprintf(f->log + f->log_len, sizeof(f->log) - f->log_len, "%c(%s)", tag, text);
}

static void on_urc(void *ctx, const qlw_at_line *line)
{
    log_entry(ctx, 'U', line->text);
}

static void on_event(void *ctx, qlw_at_event ev, uint32_t count)
{
    (void)count;
    log_entry(ctx, 'V', qlw_at_event_str(ev));
}

static fixture *make_with(size_t handlers_max, bool observe)
{
    fixture *f = &fx;
    qlw_at_config cfg;

    memset(f, 0, sizeof(*f));
    assert_int_equal(qlw_io_mem_open(&f->io, 16384, 5000), QLW_OK);
    qlw_io_mem_set_write_hook(f->io, on_write, f);
    qlw_neul_at_config(&cfg);
    cfg.handlers_max = handlers_max;
    assert_int_equal(qlw_at_open(&f->at, &cfg, f->io), QLW_OK);
    if (observe) {
        assert_int_equal(qlw_at_add_urc_handler(f->at, "", on_urc, f), QLW_OK);
        assert_int_equal(qlw_at_add_event_handler(f->at, on_event, f), QLW_OK);
    }
    return f;
}

static fixture *make(void)
{
    return make_with(8, true);
}

static int setup(void **state)
{
    *state = make();
    return 0;
}

static void close_fixture(fixture *f)
{
    qlw_at_close(f->at);
    qlw_io_close(f->io);
}

static int teardown(void **state)
{
    close_fixture(*state);
    return 0;
}

/* Every expected command was sent, in order, and nothing else. */
static void assert_script_done(const fixture *f)
{
    if (f->error[0] != '\0')
        fail_msg("%s", f->error);
    assert_int_equal(f->next, f->step_count);
}

static void assert_tx(const fixture *f, const char *want)
{
    assert_int_equal(f->tx_len, strlen(want));
    assert_memory_equal(f->tx, want, f->tx_len);
}

static uint32_t now(const fixture *f)
{
    return qlw_io_now_ms(f->io);
}

#define OK_     "\r\nOK\r\n"
#define ERROR_  "\r\nERROR\r\n"
#define LINE(s) "\r\n" s "\r\n\r\nOK\r\n"

/* ----------------------------------------------------------------- setup */

static void test_setup_sequence_after_first_at_error(void **state)
{
    fixture *f = *state;

    expect(f, "AT", ERROR_); /* fixture 03: the first AT after power-up */
    expect(f, "AT", OK_);
    expect(f, "ATE0", "ATE0\r\r\nOK\r\n"); /* still echoing */
    expect(f, "AT+CMEE=1", OK_);
    expect(f, "AT+CEREG=2", OK_);
    expect(f, "AT+CSCON=1", OK_);
    expect(f, "AT+NPSMR=1", OK_);
    expect(f, "AT+NNMI=1", OK_);
    expect(f, "AT+NSMI=1", OK_);
    assert_int_equal(qlw_neul_setup(f->at, NULL), QLW_OK);
    assert_script_done(f);
    assert_tx(f, "AT\rAT\rATE0\rAT+CMEE=1\rAT+CEREG=2\rAT+CSCON=1\rAT+NPSMR=1\rAT+NNMI=1\r"
                 "AT+NSMI=1\r");
    assert_string_equal(f->log, "");
}

static void test_setup_options(void **state)
{
    fixture *f = *state;
    qlw_neul_setup_opts o;

    qlw_neul_setup_opts_default(&o);
    assert_int_equal(o.cereg_mode, 2);
    assert_true(o.cscon && o.npsmr && o.nsmi);
    assert_int_equal(o.nnmi, 1);
    o.cereg_mode = 5;
    o.cscon = false;
    o.nnmi = 2;
    o.nsmi = false;
    expect(f, "AT", OK_);
    expect(f, "ATE0", OK_);
    expect(f, "AT+CMEE=1", OK_);
    expect(f, "AT+CEREG=5", OK_);
    expect(f, "AT+CSCON=0", OK_);
    expect(f, "AT+NPSMR=1", OK_);
    expect(f, "AT+NNMI=2", OK_);
    expect(f, "AT+NSMI=0", OK_);
    assert_int_equal(qlw_neul_setup(f->at, &o), QLW_OK);
    assert_script_done(f);

    o.cereg_mode = 6;
    assert_int_equal(qlw_neul_setup(f->at, &o), QLW_ERR_ARG);
    o.cereg_mode = 2;
    o.nnmi = 3;
    assert_int_equal(qlw_neul_setup(f->at, &o), QLW_ERR_ARG);
    assert_int_equal(qlw_neul_setup(NULL, NULL), QLW_ERR_ARG);
    assert_script_done(f); /* nothing more was sent */
}

static void test_setup_gives_up_after_three_silent_ats(void **state)
{
    fixture *f = *state;
    uint32_t t0 = now(f);

    expect(f, "AT", NULL);
    expect(f, "AT", NULL);
    expect(f, "AT", NULL);
    assert_int_equal(qlw_neul_setup(f->at, NULL), QLW_ERR_TIMEOUT);
    assert_script_done(f);
    assert_tx(f, "AT\rAT\rAT\r");
    /* three 1 s timeouts and two 200 ms quiet guards */
    assert_int_equal(now(f) - t0, 3400);
}

static void test_setup_stops_at_first_failure(void **state)
{
    fixture *f = *state;

    expect(f, "AT", OK_);
    expect(f, "ATE0", OK_);
    expect(f, "AT+CMEE=1", ERROR_);
    assert_int_equal(qlw_neul_setup(f->at, NULL), QLW_ERR_MODEM);
    assert_script_done(f);
    assert_tx(f, "AT\rATE0\rAT+CMEE=1\r");
    assert_string_equal(qlw_at_last_response(f->at)->final, "ERROR");
}

static void test_setup_waits_out_a_boot_banner(void **state)
{
    fixture *f = *state;

    /* the module resets just as the first AT goes out: no answer, a banner */
    push(f->io, "\r\nBoot: Unsigned\r\n", 10);
    push(f->io,
         "\r\nSecurity B.. Verified\r\n\r\nREBOOT_CAUSE_SECURITY_PMU_POWER_ON_RESET\r\n"
         "Neul \r\nOK\r\n",
         500);
    expect(f, "AT", NULL);
    expect(f, "AT", OK_);
    expect(f, "ATE0", OK_);
    expect(f, "AT+CMEE=1", OK_);
    expect(f, "AT+CEREG=2", OK_);
    expect(f, "AT+CSCON=1", OK_);
    expect(f, "AT+NPSMR=1", OK_);
    expect(f, "AT+NNMI=1", OK_);
    expect(f, "AT+NSMI=1", OK_);
    assert_int_equal(qlw_neul_setup(f->at, NULL), QLW_OK);
    assert_script_done(f);
    assert_string_equal(f->log, "V(boot_start)U(Boot: Unsigned)U(Security B.. Verified)"
                                "U(REBOOT_CAUSE_SECURITY_PMU_POWER_ON_RESET)U(Neul )U(OK)"
                                "V(boot_end)");
}

/* ------------------------------------------------------------------ info */

static void test_get_info(void **state)
{
    fixture *f = *state;
    qlw_neul_info info;

    expect(f, "AT+CGSN=1", LINE("+CGSN:867726038416899"));
    /* a URC in front of the bare IMSI must not become the IMSI */
    expect(f, "AT+CIMI", "\r\n+CEREG:1\r\n" LINE("460113024464866"));
    expect(f, "AT+NCCID", LINE("+NCCID:89860000000000000001"));
    expect(f, "AT+CGMM", LINE("BC68"));
    expect(f, "AT+QGMR", LINE("BC68JAR01A08"));
    assert_int_equal(qlw_neul_get_info(f->at, &info), QLW_OK);
    assert_script_done(f);
    assert_tx(f, "AT+CGSN=1\rAT+CIMI\rAT+NCCID\rAT+CGMM\rAT+QGMR\r");
    assert_string_equal(info.imei, "867726038416899");
    assert_string_equal(info.imsi, "460113024464866");
    assert_string_equal(info.iccid, "89860000000000000001");
    assert_string_equal(info.model, "BC68");
    assert_string_equal(info.revision, "BC68JAR01A08");
    assert_string_equal(f->log, "U(+CEREG:1)");
}

static void test_get_info_without_sim_on_b657(void **state)
{
    fixture *f = *state;
    qlw_neul_info info;

    expect(f, "AT+CGSN=1", LINE("+CGSN: 867726038416899"));
    expect(f, "AT+CIMI", "\r\n+CME ERROR: 10\r\n");
    expect(f, "AT+NCCID", ERROR_);
    expect(f, "AT+CGMM", LINE("BC95"));
    expect(f, "AT+QGMR", ERROR_);
    expect(f, "AT+CGMR",
           "\r\nSECURITY,V100R100C10B657SP1\r\nPROTOCOL,V100R100C10B657SP1\r\n"
           "APPLICATION,V100R100C10B657SP1\r\nSEC_UPDATER,V100R100C10B657SP1\r\n"
           "APP_UPDATER,V100R100C10B657SP1\r\nRADIO,BC95HB-02-STD_850\r\n" OK_);
    assert_int_equal(qlw_neul_get_info(f->at, &info), QLW_OK);
    assert_script_done(f);
    assert_string_equal(info.imei, "867726038416899");
    assert_string_equal(info.imsi, "");
    assert_string_equal(info.iccid, "");
    assert_string_equal(info.revision, "V100R100C10B657SP1");
}

static void test_get_info_v150_cgmr_fallback(void **state)
{
    fixture *f = *state;
    qlw_neul_info info;

    expect(f, "AT+CGSN=1", LINE("+CGSN:867726038416899"));
    expect(f, "AT+CIMI", LINE("460113024464866"));
    expect(f, "AT+NCCID", "\r\n+CME ERROR: 13\r\n");
    expect(f, "AT+CGMM", LINE("BC95"));
    expect(f, "AT+QGMR", "\r\n+CME ERROR: 4\r\n");
    expect(f, "AT+CGMR",
           "\r\nSSB,V150R100C10B200SP1\r\nSECURITY_A,V150R100C20B300SP2\r\n"
           "PROTOCOL_A,V150R100C20B300SP2\r\nAPPLICATION_A,V150R100C20B300SP2\r\n"
           "SECURITY_B,V150R100C20B300SP2\r\nRADIO,Hi2115_RF1\r\n" OK_);
    assert_int_equal(qlw_neul_get_info(f->at, &info), QLW_OK);
    assert_string_equal(info.iccid, "");
    assert_string_equal(info.revision, "V150R100C20B300SP2");
}

static void test_get_info_errors(void **state)
{
    fixture *f = *state;
    qlw_neul_info info;

    /* IMEI refused: the CME number is in the last response */
    expect(f, "AT+CGSN=1", "\r\n+CME ERROR: 3\r\n");
    assert_int_equal(qlw_neul_get_info(f->at, &info), QLW_ERR_CME);
    assert_int_equal(qlw_at_last_response(f->at)->code, 3);
    assert_tx(f, "AT+CGSN=1\r");

    /* OK without the +CGSN line */
    expect(f, "AT+CGSN=1", OK_);
    assert_int_equal(qlw_neul_get_info(f->at, &info), QLW_ERR_PARSE);

    /* an AT+CIMI error that is not about the SIM stays an error */
    expect(f, "AT+CGSN=1", LINE("+CGSN:867726038416899"));
    expect(f, "AT+CIMI", "\r\n+CME ERROR: 100\r\n");
    assert_int_equal(qlw_neul_get_info(f->at, &info), QLW_ERR_CME);

    /* an IMEI longer than its field */
    expect(f, "AT+CGSN=1", LINE("+CGSN:8677260384168998677260384168"));
    assert_int_equal(qlw_neul_get_info(f->at, &info), QLW_ERR_PARSE);
    assert_script_done(f);
    assert_int_equal(qlw_neul_get_info(f->at, NULL), QLW_ERR_ARG);
}

/* ---------------------------------------------------------------- signal */

static void test_get_signal_v150_example(void **state)
{
    fixture *f = *state;
    qlw_neul_signal s;

    expect(f, "AT+CSQ", LINE("+CSQ:20,99"));
    expect(f, "AT+NUESTATS",
           "\r\nSignal power:-819\r\nTotal power:-761\r\nTX power:230\r\nTX time:1144\r\n"
           "RX time:76193\r\nCell ID:125414482\r\nECL:0\r\nSNR:234\r\nEARFCN:2509\r\n"
           "PCI:226\r\nRSRQ:-108\r\nOPERATOR MODE:4\r\n" OK_);
    assert_int_equal(qlw_neul_get_signal(f->at, &s), QLW_OK);
    assert_script_done(f);
    assert_tx(f, "AT+CSQ\rAT+NUESTATS\r");
    assert_int_equal(s.rssi_dbm, -73);
    assert_int_equal(s.rsrp_ddbm, -819);
    assert_int_equal(s.rssi_ddbm, -761);
    assert_int_equal(s.tx_power_ddbm, 230);
    assert_int_equal(s.cell_id, 125414482);
    assert_int_equal(s.ecl, 0);
    assert_int_equal(s.snr_ddb, 234);
    assert_int_equal(s.earfcn, 2509);
    assert_int_equal(s.pci, 226);
    assert_int_equal(s.rsrq_ddb, -108);
}

static void test_get_signal_without_cell(void **state)
{
    fixture *f = *state;
    qlw_neul_signal s;

    /* typed-firmware prefix, invalid values, missing lines */
    expect(f, "AT+CSQ", LINE("+CSQ:99,99"));
    expect(f, "AT+NUESTATS",
           "\r\nNUESTATS:RADIO,Signal power:-32768\r\n"
           "NUESTATS:RADIO,Total power:-32768\r\n" OK_);
    assert_int_equal(qlw_neul_get_signal(f->at, &s), QLW_OK);
    assert_int_equal(s.rssi_dbm, 0);
    assert_int_equal(s.rsrp_ddbm, -32768);
    assert_int_equal(s.rssi_ddbm, -32768);
    assert_int_equal(s.snr_ddb, -32768);
    assert_int_equal(s.tx_power_ddbm, -32768);
    assert_int_equal(s.cell_id, 0);
    assert_int_equal(s.pci, -1);
    assert_int_equal(s.earfcn, -1);
    assert_int_equal(s.ecl, -1);
    assert_script_done(f);
}

static void test_get_signal_rejects(void **state)
{
    fixture *f = *state;
    qlw_neul_signal s;

    expect(f, "AT+CSQ", LINE("+CSQ:32,99"));
    assert_int_equal(qlw_neul_get_signal(f->at, &s), QLW_ERR_PARSE);
    expect(f, "AT+CSQ", OK_);
    assert_int_equal(qlw_neul_get_signal(f->at, &s), QLW_ERR_PARSE);
    expect(f, "AT+CSQ", LINE("+CSQ:20,99"));
    expect(f, "AT+NUESTATS", "\r\nSignal power:abc\r\n" OK_);
    assert_int_equal(qlw_neul_get_signal(f->at, &s), QLW_ERR_PARSE);
    expect(f, "AT+CSQ", LINE("+CSQ:20,99"));
    expect(f, "AT+NUESTATS", "\r\nSignal power:-819\r\nECL:3\r\n" OK_);
    assert_int_equal(qlw_neul_get_signal(f->at, &s), QLW_ERR_PARSE);
    expect(f, "AT+CSQ", LINE("+CSQ:20,99"));
    expect(f, "AT+NUESTATS", "\r\nTotal power:-761\r\n" OK_);
    assert_int_equal(qlw_neul_get_signal(f->at, &s), QLW_ERR_PARSE);
    expect(f, "AT+CSQ", "\r\n+CME ERROR: 524\r\n");
    assert_int_equal(qlw_neul_get_signal(f->at, &s), QLW_ERR_CME);
    assert_script_done(f);
}

/* ------------------------------------------------------------ registration */

static void test_get_cereg_keeps_urc_apart(void **state)
{
    fixture *f = *state;
    qlw_cereg c;

    expect(f, "AT+CEREG?", "\r\n+CEREG:5,0216,0153803F,9\r\n" LINE("+CEREG:2,1,77C3,D2A3152,7"));
    assert_int_equal(qlw_neul_get_cereg(f->at, &c), QLW_OK);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.stat, 1);
    assert_int_equal(c.tac, 0x77C3);
    assert_int_equal(c.ci, 0x0D2A3152);
    assert_int_equal(c.act, 7);
    assert_string_equal(f->log, "U(+CEREG:5,0216,0153803F,9)");

    expect(f, "AT+CEREG?", LINE("+CEREG:0,2"));
    assert_int_equal(qlw_neul_get_cereg(f->at, &c), QLW_OK);
    assert_int_equal(c.n, 0);
    assert_int_equal(c.stat, 2);

    /* only the URC arrived: the answer lacks its line */
    expect(f, "AT+CEREG?", LINE("+CEREG:1"));
    assert_int_equal(qlw_neul_get_cereg(f->at, &c), QLW_ERR_PARSE);
    assert_script_done(f);
    assert_tx(f, "AT+CEREG?\rAT+CEREG?\rAT+CEREG?\r");
}

static void test_get_cgatt_cfun(void **state)
{
    fixture *f = *state;
    int v = -1;

    expect(f, "AT+CGATT?", LINE("+CGATT:1"));
    expect(f, "AT+CFUN?", LINE("+CFUN:0"));
    expect(f, "AT+CGATT?", LINE("+CGATT:2"));
    expect(f, "AT+CFUN?", OK_);
    expect(f, "AT+CGATT?", "\r\n+CME ERROR: 524\r\n");
    assert_int_equal(qlw_neul_get_cgatt(f->at, &v), QLW_OK);
    assert_int_equal(v, 1);
    assert_int_equal(qlw_neul_get_cfun(f->at, &v), QLW_OK);
    assert_int_equal(v, 0);
    assert_int_equal(qlw_neul_get_cgatt(f->at, &v), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_get_cfun(f->at, &v), QLW_ERR_PARSE);
    assert_int_equal(qlw_neul_get_cgatt(f->at, &v), QLW_ERR_CME);
    assert_int_equal(qlw_at_last_response(f->at)->code, 524);
    assert_script_done(f);
    assert_tx(f, "AT+CGATT?\rAT+CFUN?\rAT+CGATT?\rAT+CFUN?\rAT+CGATT?\r");
    assert_int_equal(qlw_neul_get_cgatt(f->at, NULL), QLW_ERR_ARG);
    assert_int_equal(qlw_neul_get_cfun(NULL, &v), QLW_ERR_ARG);
}

static void test_regswt_and_buffered_downlinks(void **state)
{
    fixture *f = *state;
    uint8_t buf[8];
    int v = -1;

    expect(f, "AT+QREGSWT?", LINE("+QREGSWT:1"));
    expect(f, "AT+QREGSWT=2", OK_);
    expect(f, "AT+NMGR", LINE("2,0503"));
    expect(f, "AT+NMGR", OK_);
    expect(f, "AT+NMGR", LINE("3,0503"));
    assert_int_equal(qlw_neul_get_regswt(f->at, &v), QLW_OK);
    assert_int_equal(v, 1);
    assert_int_equal(qlw_neul_set_regswt(f->at, 3), QLW_ERR_ARG); /* refused before sending */
    assert_int_equal(qlw_neul_set_regswt(f->at, 2), QLW_OK);
    assert_int_equal(qlw_neul_read_downlink(f->at, buf, sizeof(buf)), 2);
    assert_int_equal(buf[0], 0x05);
    assert_int_equal(buf[1], 0x03);
    assert_int_equal(qlw_neul_read_downlink(f->at, buf, sizeof(buf)), 0); /* nothing buffered */
    /* the length says 3 bytes, the data holds 2 */
    assert_int_equal(qlw_neul_read_downlink(f->at, buf, sizeof(buf)), QLW_ERR_PARSE);
    assert_script_done(f);
    assert_tx(f, "AT+QREGSWT?\rAT+QREGSWT=2\rAT+NMGR\rAT+NMGR\rAT+NMGR\r");
}

static void test_get_nmstatus(void **state)
{
    fixture *f = *state;
    qlw_nmstatus st;

    expect(f, "AT+NMSTATUS?", LINE("+NMSTATUS:INIITIALISED"));
    expect(f, "AT+NMSTATUS?", "\r\n+QLWEVTIND:3\r\n" LINE("+NMSTATUS:MO_DATA_ENABLED"));
    assert_int_equal(qlw_neul_get_nmstatus(f->at, &st), QLW_OK);
    assert_int_equal(st, QLW_NM_INITIALISED);
    assert_int_equal(qlw_neul_get_nmstatus(f->at, &st), QLW_OK);
    assert_int_equal(st, QLW_NM_MO_DATA_ENABLED);
    assert_string_equal(f->log, "U(+QLWEVTIND:3)");
    assert_script_done(f);
    assert_tx(f, "AT+NMSTATUS?\rAT+NMSTATUS?\r");
}

static void test_get_counters(void **state)
{
    fixture *f = *state;
    qlw_neul_counters c;

    expect(f, "AT+NQMGS", LINE("PENDING=1,SENT=3,ERROR=2"));
    expect(f, "AT+NQMGR", LINE("BUFFERED=4,RECEIVED=5,DROPPED=6"));
    assert_int_equal(qlw_neul_get_counters(f->at, &c), QLW_OK);
    assert_int_equal(c.pending, 1);
    assert_int_equal(c.sent, 3);
    assert_int_equal(c.error, 2);
    assert_int_equal(c.buffered, 4);
    assert_int_equal(c.received, 5);
    assert_int_equal(c.dropped, 6);
    assert_tx(f, "AT+NQMGS\rAT+NQMGR\r");

    expect(f, "AT+NQMGS", LINE("PENDING=1,SENT=x,ERROR=2"));
    assert_int_equal(qlw_neul_get_counters(f->at, &c), QLW_ERR_PARSE);
    expect(f, "AT+NQMGS", LINE("SENT=1,PENDING=3,ERROR=2"));
    assert_int_equal(qlw_neul_get_counters(f->at, &c), QLW_ERR_PARSE);
    expect(f, "AT+NQMGS", LINE("PENDING=1,SENT=3"));
    assert_int_equal(qlw_neul_get_counters(f->at, &c), QLW_ERR_PARSE);
    expect(f, "AT+NQMGS", LINE("PENDING=1,SENT=3,ERROR="));
    assert_int_equal(qlw_neul_get_counters(f->at, &c), QLW_ERR_PARSE);
    assert_script_done(f);
}

/* ------------------------------------------------------------------- cdp */

static void test_get_cdp(void **state)
{
    fixture *f = *state;
    char addr[32], small[8];
    uint16_t port = 1;

    /* never set: the module refuses the read */
    expect(f, "AT+NCDP?", ERROR_);
    assert_int_equal(qlw_neul_get_cdp(f->at, addr, sizeof(addr), &port), QLW_OK);
    assert_string_equal(addr, "");
    assert_int_equal(port, 0);
    expect(f, "AT+NCDP?", "\r\n+CME ERROR: 512\r\n");
    assert_int_equal(qlw_neul_get_cdp(f->at, addr, sizeof(addr), &port), QLW_OK);
    assert_string_equal(addr, "");

    /* fixture 18's server */
    expect(f, "AT+NCDP?", LINE("+NCDP:117.60.157.137,5683"));
    assert_int_equal(qlw_neul_get_cdp(f->at, addr, sizeof(addr), &port), QLW_OK);
    assert_string_equal(addr, "117.60.157.137");
    assert_int_equal(port, 5683);
    expect(f, "AT+NCDP?", LINE("+NCDP: 10.112.28.10,5684"));
    assert_int_equal(qlw_neul_get_cdp(f->at, addr, sizeof(addr), &port), QLW_OK);
    assert_string_equal(addr, "10.112.28.10");
    assert_int_equal(port, 5684);

    expect(f, "AT+NCDP?", LINE("+NCDP:117.60.157.137,5683"));
    assert_int_equal(qlw_neul_get_cdp(f->at, small, sizeof(small), &port), QLW_ERR_NOMEM);
    assert_string_equal(small, "");
    expect(f, "AT+NCDP?", LINE("+NCDP:117.60.157.137,65536"));
    assert_int_equal(qlw_neul_get_cdp(f->at, addr, sizeof(addr), &port), QLW_ERR_PARSE);
    expect(f, "AT+NCDP?", OK_);
    assert_int_equal(qlw_neul_get_cdp(f->at, addr, sizeof(addr), &port), QLW_ERR_PARSE);
    expect(f, "AT+NCDP?", NULL);
    assert_int_equal(qlw_neul_get_cdp(f->at, addr, sizeof(addr), &port), QLW_ERR_TIMEOUT);
    assert_script_done(f);
    assert_int_equal(qlw_neul_get_cdp(f->at, addr, 0, &port), QLW_ERR_ARG);
}

/* ---------------------------------------------------------------- reboot */

/* The V150 banner after AT+NRB, as fixtures 03 and 07 show it. */
#define V150_BANNER                                                                                \
    "\x22\x03\xD1\xA2\x04\x60\r\n"                                                                 \
    "\r\nBoot: Unsigned\r\n\r\nSecurity B.. Verified\r\n\r\nProtocol A.. Verified\r\n"             \
    "\r\nApps A...... Verified\r\n\r\n\r\nREBOOT_CAUSE_APPLICATION_AT\r\n\r\nNeul \r\n\r\nOK\r\n"

static void test_reboot_v150_banner_at_every_read_size(void **state)
{
    static const size_t sizes[] = {0, 1, 2, 3, 7, 64};

    (void)state;
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        fixture *f = make();
        qlw_at_stats st;
        int attached = -1;
        uint32_t t0 = now(f);

        qlw_io_mem_set_read_size(f->io, sizes[i]);
        expect_later(f, "AT+NRB", "\r\nREBOOTING\r\n", V150_BANNER, 1500);
        /* the banner's OK must not answer this one */
        expect(f, "AT+CGATT?", LINE("+CGATT:0"));
        assert_int_equal(qlw_neul_reboot(f->at), QLW_OK);
        assert_true(now(f) - t0 >= 1500 && now(f) - t0 < 30000);
        assert_int_equal(qlw_neul_get_cgatt(f->at, &attached), QLW_OK);
        assert_int_equal(attached, 0);
        assert_script_done(f);
        assert_tx(f, "AT+NRB\rAT+CGATT?\r");
        /* the garbage line is noise (a URC flagged garbled), then the banner */
        assert_string_equal(f->log, "U(\"`)V(boot_start)U(Boot: Unsigned)U(Security B.. Verified)"
                                    "U(Protocol A.. Verified)U(Apps A...... Verified)"
                                    "U(REBOOT_CAUSE_APPLICATION_AT)U(Neul )U(OK)V(boot_end)");
        qlw_at_get_stats(f->at, &st);
        assert_int_equal(st.reboots, 1);
        assert_int_equal(st.stale_finals, 0);
        close_fixture(f);
    }
}

static void test_reboot_b657_short_banner(void **state)
{
    fixture *f = *state;
    int attached;

    expect_later(f, "AT+NRB", "\r\nREBOOTING\r\n",
                 "\xC3\x83\xC3\xA2"
                 "F\xC3\xB8\r\nREBOOT_CAUSE_APPLICATION_AT\r\nNeul \r\nOK\r\n",
                 800);
    expect(f, "AT+CGATT?", LINE("+CGATT:0"));
    assert_int_equal(qlw_neul_reboot(f->at), QLW_OK);
    assert_int_equal(qlw_neul_get_cgatt(f->at, &attached), QLW_OK);
    assert_script_done(f);
    assert_string_equal(f->log, "U(F)V(boot_start)U(REBOOT_CAUSE_APPLICATION_AT)U(Neul )U(OK)"
                                "V(boot_end)");
}

static void test_reboot_failures(void **state)
{
    fixture *f = *state;
    uint32_t t0;

    /* refused */
    expect(f, "AT+NRB", ERROR_);
    assert_int_equal(qlw_neul_reboot(f->at), QLW_ERR_MODEM);
    /* no REBOOTING within 10 s */
    t0 = now(f);
    expect(f, "AT+NRB", NULL);
    assert_int_equal(qlw_neul_reboot(f->at), QLW_ERR_TIMEOUT);
    assert_int_equal(now(f) - t0, 10000);
    /* REBOOTING, then nothing for 30 s */
    t0 = now(f);
    expect(f, "AT+NRB", "\r\nREBOOTING\r\n");
    assert_int_equal(qlw_neul_reboot(f->at), QLW_ERR_TIMEOUT);
    assert_true(now(f) - t0 >= 30000);
    /* a banner that starts but never ends: the engine's boot timeout */
    expect_later(f, "AT+NRB", "\r\nREBOOTING\r\n", "\r\nBoot: Unsigned\r\n", 100);
    assert_int_equal(qlw_neul_reboot(f->at), QLW_ERR_TIMEOUT);
    assert_false(qlw_at_booting(f->at));
    assert_script_done(f);
    assert_int_equal(qlw_neul_reboot(NULL), QLW_ERR_ARG);
}

static void test_reboot_banner_without_rebooting_line(void **state)
{
    fixture *f = *state;

    /* the banner interrupts AT+NRB before its REBOOTING: still a reboot */
    expect_later(f, "AT+NRB", NULL,
                 "\r\nBoot: Unsigned\r\nREBOOT_CAUSE_APPLICATION_AT\r\n"
                 "Neul \r\nOK\r\n",
                 300);
    assert_int_equal(qlw_neul_reboot(f->at), QLW_OK);
    assert_script_done(f);
}

static void test_reboot_frees_its_handler(void **state)
{
    fixture *f = make_with(1, false);

    (void)state;
    for (int i = 0; i < 2; i++)
        expect_later(f, "AT+NRB", "\r\nREBOOTING\r\n",
                     "\r\nREBOOT_CAUSE_APPLICATION_AT\r\nNeul\r\n"
                     "OK\r\n",
                     200);
    assert_int_equal(qlw_neul_reboot(f->at), QLW_OK);
    assert_int_equal(qlw_neul_reboot(f->at), QLW_OK);
    assert_script_done(f);
    /* no slot left: refused before anything is sent */
    assert_int_equal(qlw_at_add_urc_handler(f->at, "", on_urc, f), QLW_OK);
    assert_int_equal(qlw_neul_reboot(f->at), QLW_ERR_NOMEM);
    assert_int_equal(f->next, 2);
    close_fixture(f);
}

/* ------------------------------------------------------------------ ping */

static void test_ping_reply_after_ok(void **state)
{
    fixture *f = *state;
    qlw_ping_result r;

    expect_later(f, "AT+NPING=10.112.28.10", OK_, "\r\n+NPING:10.112.28.10,61,909\r\n", 909);
    assert_int_equal(qlw_neul_ping(f->at, "10.112.28.10", 0, 0, &r), QLW_OK);
    assert_string_equal(r.addr, "10.112.28.10");
    assert_int_equal(r.ttl, 61);
    assert_int_equal(r.rtt_ms, 909);
    assert_int_equal(r.error, 0);

    /* size and timeout; reply in the same read as the OK (fixture 01) */
    expect(f, "AT+NPING=198.51.100.1,32,5000", OK_ "+NPING:198.51.100.1,54,962\r\n");
    assert_int_equal(qlw_neul_ping(f->at, "198.51.100.1", 32, 5000, &r), QLW_OK);
    assert_int_equal(r.rtt_ms, 962);
    assert_script_done(f);
    assert_tx(f, "AT+NPING=10.112.28.10\rAT+NPING=198.51.100.1,32,5000\r");
    /* the handlers saw the URCs too */
    assert_string_equal(f->log, "U(+NPING:10.112.28.10,61,909)U(+NPING:198.51.100.1,54,962)");
}

static void test_ping_error_urc(void **state)
{
    fixture *f = *state;
    qlw_ping_result r;
    uint32_t t0 = now(f);

    expect_later(f, "AT+NPING=10.112.28.10,32,10000", OK_, "\r\n+NPINGERR:1\r\n", 10000);
    assert_int_equal(qlw_neul_ping(f->at, "10.112.28.10", 32, 10000, &r), QLW_OK);
    assert_int_equal(r.error, 1);
    assert_string_equal(r.addr, "");
    assert_int_equal(now(f) - t0, 10000);
    expect_later(f, "AT+NPING=10.112.28.10", OK_, "\r\n+NPINGERR:2\r\n", 10);
    assert_int_equal(qlw_neul_ping(f->at, "10.112.28.10", 0, 0, &r), QLW_OK);
    assert_int_equal(r.error, 2);
    assert_script_done(f);
}

static void test_ping_failures(void **state)
{
    fixture *f = *state;
    qlw_ping_result r;
    uint32_t t0;

    /* no result URC: the module's timeout plus 5 s */
    expect(f, "AT+NPING=10.112.28.10,12,2000", OK_);
    t0 = now(f);
    assert_int_equal(qlw_neul_ping(f->at, "10.112.28.10", 12, 2000, &r), QLW_ERR_TIMEOUT);
    assert_int_equal(now(f) - t0, 7000);
    /* refused */
    expect(f, "AT+NPING=10.112.28.10", "\r\n+CME ERROR: 524\r\n");
    assert_int_equal(qlw_neul_ping(f->at, "10.112.28.10", 0, 0, &r), QLW_ERR_CME);
    /* a malformed result */
    expect_later(f, "AT+NPING=10.112.28.10", OK_, "\r\n+NPING:10.112.28.10,61\r\n", 100);
    assert_int_equal(qlw_neul_ping(f->at, "10.112.28.10", 0, 0, &r), QLW_ERR_PARSE);
    /* the module resets while waiting */
    expect_later(f, "AT+NPING=10.112.28.10", OK_,
                 "\r\nREBOOT_CAUSE_SECURITY_WATCHDOG\r\nNeul \r\nOK\r\n", 100);
    assert_int_equal(qlw_neul_ping(f->at, "10.112.28.10", 0, 0, &r), QLW_ERR_REBOOTED);
    assert_script_done(f);
}

static void test_ping_arguments(void **state)
{
    fixture *f = *state;
    qlw_ping_result r;

    assert_int_equal(qlw_neul_ping(f->at, "example.com", 0, 0, &r), QLW_ERR_ARG);
    assert_int_equal(qlw_neul_ping(f->at, "1.2.3.4\r\nAT+NRB", 0, 0, &r), QLW_ERR_ARG);
    assert_int_equal(qlw_neul_ping(f->at, "1.2.3.4,1500", 0, 0, &r), QLW_ERR_ARG);
    assert_int_equal(qlw_neul_ping(f->at, NULL, 0, 0, &r), QLW_ERR_ARG);
    assert_int_equal(qlw_neul_ping(f->at, "1.2.3.4", -1, 0, &r), QLW_ERR_ARG);
    assert_int_equal(qlw_neul_ping(f->at, "1.2.3.4", 1501, 0, &r), QLW_ERR_ARG);
    assert_int_equal(qlw_neul_ping(f->at, "1.2.3.4", 32, 60001, &r), QLW_ERR_ARG);
    assert_int_equal(qlw_neul_ping(f->at, "1.2.3.4", 0, 0, NULL), QLW_ERR_ARG);
    assert_int_equal(qlw_neul_ping(NULL, "1.2.3.4", 0, 0, &r), QLW_ERR_ARG);
    assert_int_equal(f->tx_len, 0);
}

static void test_ping_frees_its_handlers(void **state)
{
    fixture *f = make_with(3, false);
    qlw_ping_result r;

    (void)state;
    expect_later(f, "AT+NPING=10.112.28.10", OK_, "\r\n+NPINGERR:1\r\n", 100);
    expect_later(f, "AT+NPING=10.112.28.10", OK_, "\r\n+NPING:10.112.28.10,61,909\r\n", 100);
    assert_int_equal(qlw_neul_ping(f->at, "10.112.28.10", 0, 0, &r), QLW_OK);
    assert_int_equal(qlw_neul_ping(f->at, "10.112.28.10", 0, 0, &r), QLW_OK);
    assert_int_equal(r.ttl, 61);
    assert_script_done(f);
    assert_int_equal(qlw_at_add_urc_handler(f->at, "", on_urc, f), QLW_OK);
    assert_int_equal(qlw_neul_ping(f->at, "10.112.28.10", 0, 0, &r), QLW_ERR_NOMEM);
    assert_int_equal(f->next, 2);
    close_fixture(f);
}

/* --------------------------------------------------------- misuse */

typedef struct reentry {
    qlw_at *at;
    int rc[4];
    bool ran;
} reentry;

static void call_from_handler(void *ctx, const qlw_at_line *line)
{
    reentry *e = ctx;
    qlw_ping_result r;
    int v;

    (void)line;
    e->ran = true;
    e->rc[0] = qlw_neul_get_cgatt(e->at, &v);
    e->rc[1] = qlw_neul_ping(e->at, "10.112.28.10", 0, 0, &r);
    e->rc[2] = qlw_neul_reboot(e->at);
    e->rc[3] = qlw_neul_setup(e->at, NULL);
}

static void test_calls_refused_inside_callbacks(void **state)
{
    fixture *f = *state;
    reentry e = {.at = f->at};

    assert_int_equal(qlw_at_add_urc_handler(f->at, "+CSCON", call_from_handler, &e), QLW_OK);
    push(f->io, "\r\n+CSCON:1\r\n", 0);
    assert_int_equal(qlw_at_poll(f->at, 100), QLW_OK);
    assert_true(e.ran);
    for (int i = 0; i < 4; i++)
        assert_int_equal(e.rc[i], QLW_ERR_STATE);
    assert_int_equal(f->tx_len, 0);
}

static void test_calls_refused_while_busy(void **state)
{
    fixture *f = *state;
    qlw_ping_result r;
    int v;

    assert_int_equal(qlw_at_send_raw(f->at, "AT+CGATT=1", 1000, NULL, NULL), QLW_OK);
    assert_int_equal(qlw_neul_get_cgatt(f->at, &v), QLW_ERR_BUSY);
    assert_int_equal(qlw_neul_ping(f->at, "10.112.28.10", 0, 0, &r), QLW_ERR_BUSY);
    assert_int_equal(qlw_neul_reboot(f->at), QLW_ERR_BUSY);
    assert_null(qlw_at_last_response(f->at));
    assert_tx(f, "AT+CGATT=1\r");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_setup_sequence_after_first_at_error),
        T(test_setup_options),
        T(test_setup_gives_up_after_three_silent_ats),
        T(test_setup_stops_at_first_failure),
        T(test_setup_waits_out_a_boot_banner),
        T(test_get_info),
        T(test_get_info_without_sim_on_b657),
        T(test_get_info_v150_cgmr_fallback),
        T(test_get_info_errors),
        T(test_get_signal_v150_example),
        T(test_get_signal_without_cell),
        T(test_get_signal_rejects),
        T(test_get_cereg_keeps_urc_apart),
        T(test_get_cgatt_cfun),
        T(test_regswt_and_buffered_downlinks),

        T(test_get_nmstatus),
        T(test_get_counters),
        T(test_get_cdp),
        cmocka_unit_test(test_reboot_v150_banner_at_every_read_size),
        T(test_reboot_b657_short_banner),
        T(test_reboot_failures),
        T(test_reboot_banner_without_rebooting_line),
        cmocka_unit_test(test_reboot_frees_its_handler),
        T(test_ping_reply_after_ok),
        T(test_ping_error_urc),
        T(test_ping_failures),
        T(test_ping_arguments),
        cmocka_unit_test(test_ping_frees_its_handlers),
        T(test_calls_refused_inside_callbacks),
        T(test_calls_refused_while_busy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
