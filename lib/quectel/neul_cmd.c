#include <stdarg.h>
#include <stdio.h>

#include "qlwm2m/common.h"
#include "quectel/neul_cmd.h"

static const char *const p_cgsn[] = {"+CGSN", NULL};
static const char *const p_nccid[] = {"+NCCID", NULL};
static const char *const p_csq[] = {"+CSQ", NULL};
static const char *const p_cereg[] = {"+CEREG", NULL};
static const char *const p_cgatt[] = {"+CGATT", NULL};
static const char *const p_cfun[] = {"+CFUN", NULL};
static const char *const p_cgdcont[] = {"+CGDCONT", NULL};
static const char *const p_ncdp[] = {"+NCDP", NULL};
static const char *const p_qregswt[] = {"+QREGSWT", NULL};
static const char *const p_nmstatus[] = {"+NMSTATUS", NULL};
static const char *const p_uldatastatus[] = {"+QLWULDATASTATUS", NULL};
static const char *const f_nrb[] = {"REBOOTING", NULL};

/* The read form of AT+CEREG? starts with <n>, so it has one field more than
 * a URC of the same mode; a URC with n=1 has a single field. Neul prints the
 * read form with at least two fields. */
static bool cereg_read_form(void *ctx, const char *line, size_t len)
{
    qlw_at_field f[12];
    int n = qlw_at_split(line, len, f, 12);
    long mode;

    (void)ctx;
    if (n < 2 || qlw_at_field_int(&f[0], 0, 5, &mode) != QLW_OK)
        return false;
    /* URC field counts by mode: 1 (stat only), 4, 6, 8; the read form adds one. */
    return n == 2 || n == 5 || n == 7 || n == 9;
}

typedef struct row {
    const char *format;
    const char *const *prefixes;
    const char *const *finals;
    qlw_at_accept_fn accept;
    uint32_t timeout_ms;
    unsigned flags;
} row;

#define BARE QLW_AT_CMD_BARE

/* Timeouts: the reference's documented maxima where known (CFUN 85 s), else
 * what the field uses for commands whose OK is local (1-2 s), with margin. */
static const row table[QLW_NEUL_OP_COUNT] = {
    [QLW_NEUL_AT] = {"AT", NULL, NULL, NULL, 1000, 0},
    [QLW_NEUL_ATE0] = {"ATE0", NULL, NULL, NULL, 1000, 0},
    [QLW_NEUL_CMEE] = {"AT+CMEE=%d", NULL, NULL, NULL, 1000, 0},
    [QLW_NEUL_CEREG_SET] = {"AT+CEREG=%d", NULL, NULL, NULL, 1000, 0},
    [QLW_NEUL_CSCON_SET] = {"AT+CSCON=%d", NULL, NULL, NULL, 1000, 0},
    [QLW_NEUL_NPSMR_SET] = {"AT+NPSMR=%d", NULL, NULL, NULL, 1000, 0},
    [QLW_NEUL_NNMI_SET] = {"AT+NNMI=%d", NULL, NULL, NULL, 1000, 0},
    [QLW_NEUL_NSMI_SET] = {"AT+NSMI=%d", NULL, NULL, NULL, 1000, 0},
    [QLW_NEUL_CGSN] = {"AT+CGSN=1", p_cgsn, NULL, NULL, 1000, 0},
    [QLW_NEUL_CIMI] = {"AT+CIMI", NULL, NULL, NULL, 2000, BARE},
    [QLW_NEUL_NCCID] = {"AT+NCCID", p_nccid, NULL, NULL, 2000, BARE},
    [QLW_NEUL_CGMM] = {"AT+CGMM", NULL, NULL, NULL, 1000, BARE},
    [QLW_NEUL_QGMR] = {"AT+QGMR", NULL, NULL, NULL, 1000, BARE},
    [QLW_NEUL_CGMR] = {"AT+CGMR", NULL, NULL, NULL, 1000, BARE},
    [QLW_NEUL_CSQ] = {"AT+CSQ", p_csq, NULL, NULL, 1000, 0},
    [QLW_NEUL_NUESTATS] = {"AT+NUESTATS", NULL, NULL, NULL, 2000, BARE},
    [QLW_NEUL_CEREG_READ] = {"AT+CEREG?", p_cereg, NULL, cereg_read_form, 1000, 0},
    [QLW_NEUL_CGATT_READ] = {"AT+CGATT?", p_cgatt, NULL, NULL, 1000, 0},
    [QLW_NEUL_CGATT_SET] = {"AT+CGATT=%d", NULL, NULL, NULL, 85000, 0},
    [QLW_NEUL_CFUN_READ] = {"AT+CFUN?", p_cfun, NULL, NULL, 1000, 0},
    [QLW_NEUL_CFUN_SET] = {"AT+CFUN=%d", NULL, NULL, NULL, 85000, 0},
    [QLW_NEUL_CGDCONT_READ] = {"AT+CGDCONT?", p_cgdcont, NULL, NULL, 1000, 0},
    [QLW_NEUL_CGDCONT_SET] = {"AT+CGDCONT=%d,\"%s\",\"%s\"", NULL, NULL, NULL, 2000, 0},
    [QLW_NEUL_NBAND_SET] = {"AT+NBAND=%d", NULL, NULL, NULL, 2000, 0},
    [QLW_NEUL_NCDP_READ] = {"AT+NCDP?", p_ncdp, NULL, NULL, 1000, 0},
    [QLW_NEUL_NCDP_SET] = {"AT+NCDP=%s,%u", NULL, NULL, NULL, 2000, 0},
    [QLW_NEUL_QREGSWT_READ] = {"AT+QREGSWT?", p_qregswt, NULL, NULL, 1000, 0},
    [QLW_NEUL_QREGSWT_SET] = {"AT+QREGSWT=%d", NULL, NULL, NULL, 2000, 0},
    [QLW_NEUL_QLWSREGIND] = {"AT+QLWSREGIND=%d", NULL, NULL, NULL, 2000, 0},
    [QLW_NEUL_QLWULDATA] = {"AT+QLWULDATA=%u,%s", NULL, NULL, NULL, 5000, 0},
    [QLW_NEUL_QLWULDATAEX] = {"AT+QLWULDATAEX=%u,%s,%s,%d", NULL, NULL, NULL, 5000, 0},
    [QLW_NEUL_NMGS] = {"AT+NMGS=%u,%s", NULL, NULL, NULL, 5000, 0},
    [QLW_NEUL_QLWULDATASTATUS_READ] = {"AT+QLWULDATASTATUS?", p_uldatastatus, NULL, NULL, 1000, 0},
    [QLW_NEUL_NMGR] = {"AT+NMGR", NULL, NULL, NULL, 2000, BARE},
    [QLW_NEUL_NQMGS] = {"AT+NQMGS", NULL, NULL, NULL, 1000, BARE},
    [QLW_NEUL_NQMGR] = {"AT+NQMGR", NULL, NULL, NULL, 1000, BARE},
    [QLW_NEUL_NMSTATUS] = {"AT+NMSTATUS?", p_nmstatus, NULL, NULL, 1000, 0},
    [QLW_NEUL_NPING] = {"AT+NPING=%s", NULL, NULL, NULL, 2000, 0},
    [QLW_NEUL_NPING_EX] = {"AT+NPING=%s,%d,%u", NULL, NULL, NULL, 2000, 0},
    [QLW_NEUL_NRB] = {"AT+NRB", NULL, f_nrb, NULL, 10000, 0},
};

int qlw_neul_cmd(qlw_at_cmd *cmd, char *buf, size_t size, qlw_neul_op op, ...)
{
    const row *r;
    va_list ap;
    int n;

    if (op < 0 || op >= QLW_NEUL_OP_COUNT || table[op].format == NULL)
        return QLW_ERR_ARG;
    r = &table[op];
    va_start(ap, op);
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif
    n = vsnprintf(buf, size, r->format, ap);
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
    va_end(ap);
    if (n < 0 || (size_t)n >= size)
        return QLW_ERR_OVERFLOW;
    *cmd = (qlw_at_cmd){.text = buf,
                        .prefixes = r->prefixes,
                        .finals = r->finals,
                        .accept = r->accept,
                        .timeout_ms = r->timeout_ms,
                        .flags = r->flags};
    return QLW_OK;
}

uint32_t qlw_neul_cmd_timeout_ms(qlw_neul_op op)
{
    return op >= 0 && op < QLW_NEUL_OP_COUNT ? table[op].timeout_ms : 0;
}
