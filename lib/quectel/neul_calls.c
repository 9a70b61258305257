/*
 * Typed blocking calls: one or a few commands from the command table, each
 * through qlw_at_exec(), answers decoded with the URC decoders.
 */
#include <stddef.h>
#include <string.h>

#include "qlwm2m/neul.h"
#include "quectel/neul_cmd.h"
#include "quectel/neul_internal.h"

/* Longest command text built here (AT+NPING with an address, size, timeout). */
#define NEUL_TEXT_MAX  96
#define SETUP_AT_TRIES 3
/* AT+NUESTATS prints this for a figure it has no value for. */
#define NEUL_INVALID (-32768)

/* Builds op with one int argument (ignored by ops that take none) and runs it. */
static int exec_op(qlw_at *at, qlw_neul_op op, int arg, const qlw_at_response **r)
{
    qlw_at_cmd cmd;
    char text[NEUL_TEXT_MAX];
    int rc = qlw_neul_cmd(&cmd, text, sizeof(text), op, arg);

    if (rc == QLW_OK)
        rc = qlw_at_exec(at, &cmd, r);
    return rc;
}

static const char *first_line(const qlw_at_response *r)
{
    return r != NULL && r->line_count > 0 ? r->lines[0] : NULL;
}

/* Runs op and hands back its first response line, or QLW_ERR_PARSE. */
static int exec_line(qlw_at *at, qlw_neul_op op, const char **line)
{
    const qlw_at_response *r = NULL;
    int rc = exec_op(at, op, 0, &r);

    if (rc != QLW_OK)
        return rc;
    *line = first_line(r);
    return *line != NULL ? QLW_OK : QLW_ERR_PARSE;
}

/* ---------------------------------------------------------------- setup */

void qlw_neul_setup_opts_default(qlw_neul_setup_opts *o)
{
    if (o != NULL)
        *o = (qlw_neul_setup_opts){
            .cereg_mode = 2, .cscon = true, .npsmr = true, .nnmi = 1, .nsmi = true};
}

/* The engine ends a banner by itself at its boot timeout, so this returns. */
static int wait_banner(qlw_at *at)
{
    while (qlw_at_booting(at)) {
        int rc = qlw_at_poll(at, 1000);

        if (rc != QLW_OK)
            return rc;
    }
    return QLW_OK;
}

/* The first AT after power-up may get ERROR or nothing (fixture 03); a
 * broken port or a misuse is not worth a retry. */
static bool at_retryable(int rc)
{
    return rc == QLW_ERR_MODEM || rc == QLW_ERR_CME || rc == QLW_ERR_TIMEOUT ||
           rc == QLW_ERR_REBOOTED;
}

static int first_at(qlw_at *at)
{
    int rc = QLW_ERR_TIMEOUT;

    for (int i = 0; i < SETUP_AT_TRIES; i++) {
        rc = wait_banner(at);
        if (rc != QLW_OK)
            return rc;
        rc = exec_op(at, QLW_NEUL_AT, 0, NULL);
        if (!at_retryable(rc))
            return rc;
    }
    return rc;
}

int qlw_neul_setup(qlw_at *at, const qlw_neul_setup_opts *opts)
{
    qlw_neul_setup_opts def;
    int rc;

    if (opts == NULL) {
        qlw_neul_setup_opts_default(&def);
        opts = &def;
    }
    if (at == NULL || opts->cereg_mode < 0 || opts->cereg_mode > 5 || opts->nnmi < 0 ||
        opts->nnmi > 2)
        return QLW_ERR_ARG;
    rc = first_at(at);
    if (rc != QLW_OK)
        return rc;
    {
        const struct {
            qlw_neul_op op;
            int arg;
        } steps[] = {
            {QLW_NEUL_ATE0, 0},
            {QLW_NEUL_CMEE, 1},
            {QLW_NEUL_CEREG_SET, opts->cereg_mode},
            {QLW_NEUL_CSCON_SET, opts->cscon ? 1 : 0},
            {QLW_NEUL_NPSMR_SET, opts->npsmr ? 1 : 0},
            {QLW_NEUL_NNMI_SET, opts->nnmi},
            {QLW_NEUL_NSMI_SET, opts->nsmi ? 1 : 0},
        };

        for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]) && rc == QLW_OK; i++)
            rc = exec_op(at, steps[i].op, steps[i].arg, NULL);
    }
    return rc;
}

/* ----------------------------------------------------------------- info */

/* The value of "+NAME:<value>" (one optional space), or the whole bare line;
 * QLW_ERR_PARSE when it is empty or does not fit. */
static int copy_value(const char *line, char *dst, size_t size)
{
    const char *v = line;

    if (line[0] == '+') {
        v = strchr(line, ':');
        if (v == NULL)
            return QLW_ERR_PARSE;
        v += v[1] == ' ' ? 2 : 1;
    }
    if (*v == '\0' || strlen(v) >= size)
        return QLW_ERR_PARSE;
    memcpy(dst, v, strlen(v) + 1);
    return QLW_OK;
}

static int read_value(qlw_at *at, qlw_neul_op op, char *dst, size_t size)
{
    const char *line;
    int rc = exec_line(at, op, &line);

    return rc == QLW_OK ? copy_value(line, dst, size) : rc;
}

/* Errors that mean "no usable SIM" rather than a broken exchange. */
static bool sim_missing(qlw_at *at, int rc)
{
    const qlw_at_response *r = qlw_at_last_response(at);

    if (rc == QLW_ERR_MODEM)
        return true;
    if (rc != QLW_ERR_CME || r == NULL)
        return false;
    switch (r->code) {
    case 10:  /* not inserted */
    case 11:  /* PIN required */
    case 12:  /* PUK required */
    case 13:  /* failure */
    case 531: /* PIN blocked */
    case 532: /* PUK blocked */
        return true;
    default:
        return false;
    }
}

static int read_sim_value(qlw_at *at, qlw_neul_op op, char *dst, size_t size)
{
    int rc = read_value(at, op, dst, size);

    if (rc != QLW_OK && sim_missing(at, rc)) {
        dst[0] = '\0';
        rc = QLW_OK;
    }
    return rc;
}

/* B657 has no AT+QGMR; its AT+CGMR prints "APPLICATION,<version>" (V150:
 * "APPLICATION_A,<version>") among the other images. */
static int read_cgmr_application(qlw_at *at, char *dst, size_t size)
{
    static const char key[] = "APPLICATION";
    const qlw_at_response *r = NULL;
    int rc = exec_op(at, QLW_NEUL_CGMR, 0, &r);

    if (rc != QLW_OK)
        return rc;
    for (size_t i = 0; i < r->line_count; i++) {
        const char *comma = strchr(r->lines[i], ',');

        if (strncmp(r->lines[i], key, sizeof(key) - 1) == 0 && comma != NULL)
            return copy_value(comma + 1, dst, size);
    }
    return QLW_ERR_PARSE;
}

static int read_revision(qlw_at *at, char *dst, size_t size)
{
    int rc = read_value(at, QLW_NEUL_QGMR, dst, size);

    if (rc == QLW_ERR_MODEM || rc == QLW_ERR_CME)
        rc = read_cgmr_application(at, dst, size);
    return rc;
}

int qlw_neul_get_info(qlw_at *at, qlw_neul_info *out)
{
    int rc;

    if (at == NULL || out == NULL)
        return QLW_ERR_ARG;
    memset(out, 0, sizeof(*out));
    rc = read_value(at, QLW_NEUL_CGSN, out->imei, sizeof(out->imei));
    if (rc == QLW_OK)
        rc = read_sim_value(at, QLW_NEUL_CIMI, out->imsi, sizeof(out->imsi));
    if (rc == QLW_OK)
        rc = read_sim_value(at, QLW_NEUL_NCCID, out->iccid, sizeof(out->iccid));
    if (rc == QLW_OK)
        rc = read_value(at, QLW_NEUL_CGMM, out->model, sizeof(out->model));
    if (rc == QLW_OK)
        rc = read_revision(at, out->revision, sizeof(out->revision));
    return rc;
}

/* --------------------------------------------------------------- signal */

static int read_csq(qlw_at *at, int *rssi_dbm)
{
    const char *line;
    int rc = exec_line(at, QLW_NEUL_CSQ, &line);

    return rc != QLW_OK ? rc : qlw_neul_parse_csq(line, strlen(line), rssi_dbm);
}

typedef struct stat_row {
    const char *name;
    size_t offset;
    long min, max;
    long unknown;
    bool u32;
} stat_row;

#define SIG(field) offsetof(qlw_neul_signal, field)

/* Names as AT+NUESTATS prints them; powers in 0.1 dB units. */
static const stat_row stat_rows[] = {
    {"Signal power", SIG(rsrp_ddbm), -32767, 32767, NEUL_INVALID, false},
    {"Total power", SIG(rssi_ddbm), -32767, 32767, NEUL_INVALID, false},
    {"TX power", SIG(tx_power_ddbm), -32767, 32767, NEUL_INVALID, false},
    {"SNR", SIG(snr_ddb), -32767, 32767, NEUL_INVALID, false},
    {"RSRQ", SIG(rsrq_ddb), -32767, 32767, NEUL_INVALID, false},
    {"Cell ID", SIG(cell_id), 0, 0x0FFFFFFF, 0, true},
    {"PCI", SIG(pci), 0, 503, -1, false},
    {"EARFCN", SIG(earfcn), 0, 262143, -1, false},
    {"ECL", SIG(ecl), 0, 2, -1, false},
};

#define STAT_ROWS (sizeof(stat_rows) / sizeof(stat_rows[0]))

static void stat_store(qlw_neul_signal *s, const stat_row *row, long v)
{
    char *dst = (char *)s + row->offset;

    if (row->u32) {
        uint32_t u = (uint32_t)v;
        memcpy(dst, &u, sizeof(u));
    } else {
        int i = (int)v;
        memcpy(dst, &i, sizeof(i));
    }
}

static void signal_unknown(qlw_neul_signal *s)
{
    memset(s, 0, sizeof(*s));
    for (size_t i = 0; i < STAT_ROWS; i++)
        stat_store(s, &stat_rows[i], stat_rows[i].unknown);
}

/* One "Name:value" line (typed firmware prefixes "NUESTATS:RADIO,"). Sets
 * bit i of *seen for row i; unknown names are skipped. */
static int stat_line(const char *line, qlw_neul_signal *s, unsigned *seen)
{
    static const char typed[] = "NUESTATS:RADIO,";
    const char *colon;
    qlw_at_field value;
    long v;

    if (strncmp(line, typed, sizeof(typed) - 1) == 0)
        line += sizeof(typed) - 1;
    colon = strchr(line, ':');
    if (colon == NULL)
        return QLW_OK;
    for (size_t i = 0; i < STAT_ROWS; i++) {
        const stat_row *row = &stat_rows[i];

        if (strlen(row->name) != (size_t)(colon - line) ||
            memcmp(line, row->name, (size_t)(colon - line)) != 0)
            continue;
        value = (qlw_at_field){colon + 1, strlen(colon + 1), false};
        if (qlw_at_field_int(&value, -2147483647L, 2147483647L, &v) != QLW_OK)
            return QLW_ERR_PARSE;
        if (v != NEUL_INVALID && (v < row->min || v > row->max))
            return QLW_ERR_PARSE;
        stat_store(s, row, v == NEUL_INVALID ? row->unknown : v);
        *seen |= 1u << i;
    }
    return QLW_OK;
}

static int read_nuestats(qlw_at *at, qlw_neul_signal *s)
{
    const qlw_at_response *r = NULL;
    unsigned seen = 0;
    int rc = exec_op(at, QLW_NEUL_NUESTATS, 0, &r);

    for (size_t i = 0; rc == QLW_OK && i < r->line_count; i++)
        rc = stat_line(r->lines[i], s, &seen);
    if (rc == QLW_OK && !(seen & 1u)) /* row 0: Signal power */
        rc = QLW_ERR_PARSE;
    return rc;
}

int qlw_neul_get_signal(qlw_at *at, qlw_neul_signal *out)
{
    int rc;

    if (at == NULL || out == NULL)
        return QLW_ERR_ARG;
    signal_unknown(out);
    rc = read_csq(at, &out->rssi_dbm);
    return rc == QLW_OK ? read_nuestats(at, out) : rc;
}

/* ----------------------------------------------------------- registration */

int qlw_neul_get_cereg(qlw_at *at, qlw_cereg *out)
{
    const char *line;
    int rc;

    if (at == NULL || out == NULL)
        return QLW_ERR_ARG;
    rc = exec_line(at, QLW_NEUL_CEREG_READ, &line);
    return rc == QLW_OK ? qlw_neul_parse_cereg(line, strlen(line), true, out) : rc;
}

/* "+NAME:<n>" answers of the read commands, n in 0..max. */
static int read_small(qlw_at *at, qlw_neul_op op, const char *name, int max, int *out)
{
    qlw_at_field f[1];
    const char *line;
    size_t n;
    int rc;

    if (at == NULL || out == NULL)
        return QLW_ERR_ARG;
    rc = exec_line(at, op, &line);
    if (rc != QLW_OK)
        return rc;
    if (qlw_neul_split(line, strlen(line), name, f, 1, &n) != QLW_OK ||
        qlw_neul_dec_int(&f[0], 0, max, out) != QLW_OK)
        return QLW_ERR_PARSE;
    return QLW_OK;
}

static int read_flag(qlw_at *at, qlw_neul_op op, const char *name, int *out)
{
    return read_small(at, op, name, 1, out);
}

int qlw_neul_get_cgatt(qlw_at *at, int *attached)
{
    return read_flag(at, QLW_NEUL_CGATT_READ, "+CGATT", attached);
}

int qlw_neul_get_cfun(qlw_at *at, int *fun)
{
    return read_flag(at, QLW_NEUL_CFUN_READ, "+CFUN", fun);
}

int qlw_neul_get_nmstatus(qlw_at *at, qlw_nmstatus *out)
{
    const char *line;
    int rc;

    if (at == NULL || out == NULL)
        return QLW_ERR_ARG;
    rc = exec_line(at, QLW_NEUL_NMSTATUS, &line);
    return rc == QLW_OK ? qlw_neul_parse_nmstatus(line, strlen(line), out) : rc;
}

/* ------------------------------------------------------------- counters */

/* "KEY1=<n>,KEY2=<n>,KEY3=<n>" with the keys in the documented order. */
static int read_counts(qlw_at *at, qlw_neul_op op, const char *const keys[3], int *vals[3])
{
    qlw_at_field f[3];
    const char *line;
    int rc = exec_line(at, op, &line);

    if (rc != QLW_OK)
        return rc;
    if (line[0] == '+' || qlw_at_split(line, strlen(line), f, 3) != 3)
        return QLW_ERR_PARSE;
    for (size_t i = 0; i < 3; i++) {
        size_t k = strlen(keys[i]);
        qlw_at_field v = {f[i].ptr + k + 1, f[i].len - k - 1, false};

        if (f[i].quoted || f[i].len <= k + 1 || memcmp(f[i].ptr, keys[i], k) != 0 ||
            f[i].ptr[k] != '=' || qlw_neul_dec_int(&v, 0, 2147483647L, vals[i]) != QLW_OK)
            return QLW_ERR_PARSE;
    }
    return QLW_OK;
}

int qlw_neul_get_counters(qlw_at *at, qlw_neul_counters *out)
{
    static const char *const up[3] = {"PENDING", "SENT", "ERROR"};
    static const char *const down[3] = {"BUFFERED", "RECEIVED", "DROPPED"};
    int rc;

    if (at == NULL || out == NULL)
        return QLW_ERR_ARG;
    rc = read_counts(at, QLW_NEUL_NQMGS, up, (int *[3]){&out->pending, &out->sent, &out->error});
    if (rc == QLW_OK)
        rc = read_counts(at, QLW_NEUL_NQMGR, down,
                         (int *[3]){&out->buffered, &out->received, &out->dropped});
    return rc;
}

/* ------------------------------------------------------------------ cdp */

int qlw_neul_get_cdp(qlw_at *at, char *addr, size_t addr_size, uint16_t *port)
{
    qlw_at_field f[2];
    const char *line;
    size_t n;
    int rc, p;

    if (at == NULL || addr == NULL || addr_size == 0 || port == NULL)
        return QLW_ERR_ARG;
    addr[0] = '\0';
    *port = 0;
    rc = exec_line(at, QLW_NEUL_NCDP_READ, &line);
    if (rc == QLW_ERR_MODEM || rc == QLW_ERR_CME)
        return QLW_OK; /* never set: the module refuses the read */
    if (rc != QLW_OK)
        return rc;
    if (qlw_neul_split(line, strlen(line), "+NCDP", f, 2, &n) != QLW_OK || n != 2 ||
        qlw_neul_dec_int(&f[1], 0, 65535, &p) != QLW_OK)
        return QLW_ERR_PARSE;
    if (qlw_at_field_copy(&f[0], addr, addr_size) != QLW_OK) {
        addr[0] = '\0';
        return QLW_ERR_NOMEM;
    }
    *port = (uint16_t)p;
    return QLW_OK;
}

/* ------------------------------------------------- downlinks, registration */

int qlw_neul_parse_nmgr(const char *line, size_t len, uint8_t *buf, size_t size)
{
    qlw_at_field f[3];
    long n;

    if (line == NULL || buf == NULL)
        return QLW_ERR_ARG;
    if (qlw_at_split(line, len, f, 3) != 2 || qlw_at_field_int(&f[0], 0, 65535, &n) != QLW_OK ||
        f[1].len != 2 * (size_t)n)
        return QLW_ERR_PARSE;
    return qlw_hex_decode(f[1].ptr, f[1].len, buf, size);
}

int qlw_neul_read_downlink(qlw_at *at, uint8_t *buf, size_t size)
{
    const qlw_at_response *r = NULL;
    int rc;

    if (at == NULL || buf == NULL)
        return QLW_ERR_ARG;
    rc = exec_op(at, QLW_NEUL_NMGR, 0, &r);
    if (rc != QLW_OK)
        return rc;
    if (first_line(r) == NULL)
        return 0; /* nothing buffered: the module answers a bare OK */
    return qlw_neul_parse_nmgr(r->lines[0], strlen(r->lines[0]), buf, size);
}

int qlw_neul_get_regswt(qlw_at *at, int *mode)
{
    return read_small(at, QLW_NEUL_QREGSWT_READ, "+QREGSWT", 2, mode);
}

int qlw_neul_set_regswt(qlw_at *at, int mode)
{
    if (at == NULL || mode < 0 || mode > 2)
        return QLW_ERR_ARG;
    return exec_op(at, QLW_NEUL_QREGSWT_SET, mode, NULL);
}
