#include <stdarg.h>
#include <stdio.h>

#include "qlwm2m/common.h"
#include "quectel/neul_cmd.h"

static const char *const p_csq[] = {"+CSQ", NULL};
static const char *const p_cereg[] = {"+CEREG", NULL};
static const char *const p_cfun[] = {"+CFUN", NULL};
static const char *const p_cgdcont[] = {"+CGDCONT", NULL};
static const char *const p_ncdp[] = {"+NCDP", NULL};
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

/* What a command's answer looks like: its response prefixes, extra final
 * lines and line filter. Few commands have one, so the rows share them by
 * index: a row is 8 bytes instead of 24 (a microcontroller's flash). */
typedef struct answer_row {
    const char *const *prefixes;
    const char *const *finals;
    qlw_at_accept_fn accept;
} answer_row;

enum answer {
    A_NONE,
    A_CSQ,
    A_CEREG,
    A_CFUN,
    A_CGDCONT,
    A_NCDP,
    A_ULDATASTATUS,
    A_NMSTATUS,
    A_NRB,
    A_COUNT
};

static const answer_row answers[A_COUNT] = {
    [A_NONE] = {NULL, NULL, NULL},
    [A_CSQ] = {p_csq, NULL, NULL},
    [A_CEREG] = {p_cereg, NULL, cereg_read_form},
    [A_CFUN] = {p_cfun, NULL, NULL},
    [A_CGDCONT] = {p_cgdcont, NULL, NULL},
    [A_NCDP] = {p_ncdp, NULL, NULL},
    [A_ULDATASTATUS] = {p_uldatastatus, NULL, NULL},
    [A_NMSTATUS] = {p_nmstatus, NULL, NULL},
    [A_NRB] = {NULL, f_nrb, NULL},
};

typedef struct row {
    const char *format;
    uint8_t answer;    /* enum answer */
    uint8_t timeout_s; /* every timeout is whole seconds, at most 85 */
    uint8_t flags;     /* qlw_at_cmd_flags */
} row;

#define BARE QLW_AT_CMD_BARE

/* Only the session's commands: the typed calls' others are in
 * neul_cmd_calls.c, which a program using only a session does not link.
 * Timeouts: the reference's documented maxima where known (CFUN 85 s), else
 * what the field uses for commands whose OK is local (1-2 s), with margin. */
static const row table[QLW_NEUL_SESSION_OP_COUNT] = {
    [QLW_NEUL_AT] = {"AT", A_NONE, 1, 0},
    [QLW_NEUL_ATE0] = {"ATE0", A_NONE, 1, 0},
    [QLW_NEUL_CMEE] = {"AT+CMEE=%d", A_NONE, 1, 0},
    [QLW_NEUL_CEREG_SET] = {"AT+CEREG=%d", A_NONE, 1, 0},
    [QLW_NEUL_CSCON_SET] = {"AT+CSCON=%d", A_NONE, 1, 0},
    [QLW_NEUL_NPSMR_SET] = {"AT+NPSMR=%d", A_NONE, 1, 0},
    [QLW_NEUL_NNMI_SET] = {"AT+NNMI=%d", A_NONE, 1, 0},
    [QLW_NEUL_NSMI_SET] = {"AT+NSMI=%d", A_NONE, 1, 0},
    [QLW_NEUL_CSQ] = {"AT+CSQ", A_CSQ, 1, 0},
    [QLW_NEUL_CEREG_READ] = {"AT+CEREG?", A_CEREG, 1, 0},
    [QLW_NEUL_CGATT_SET] = {"AT+CGATT=%d", A_NONE, 85, 0},
    [QLW_NEUL_CFUN_READ] = {"AT+CFUN?", A_CFUN, 1, 0},
    [QLW_NEUL_CFUN_SET] = {"AT+CFUN=%d", A_NONE, 85, 0},
    [QLW_NEUL_CGDCONT_READ] = {"AT+CGDCONT?", A_CGDCONT, 1, 0},
    [QLW_NEUL_CGDCONT_SET] = {"AT+CGDCONT=%d,\"%s\",\"%s\"", A_NONE, 2, 0},
    [QLW_NEUL_NBAND_SET] = {"AT+NBAND=%d", A_NONE, 2, 0},
    [QLW_NEUL_NCDP_READ] = {"AT+NCDP?", A_NCDP, 1, 0},
    [QLW_NEUL_NCDP_SET] = {"AT+NCDP=%s,%u", A_NONE, 2, 0},
    [QLW_NEUL_QLWSREGIND] = {"AT+QLWSREGIND=%d", A_NONE, 2, 0},
    [QLW_NEUL_QLWULDATA] = {"AT+QLWULDATA=%u,%s", A_NONE, 5, 0},
    [QLW_NEUL_QLWULDATAEX] = {"AT+QLWULDATAEX=%u,%s,0x%04X,%d", A_NONE, 5, 0},
    [QLW_NEUL_NMGS] = {"AT+NMGS=%u,%s", A_NONE, 5, 0},
    [QLW_NEUL_QLWULDATASTATUS_READ] = {"AT+QLWULDATASTATUS?", A_ULDATASTATUS, 1, 0},
    [QLW_NEUL_NMGR] = {"AT+NMGR", A_NONE, 2, BARE},
    [QLW_NEUL_NMSTATUS] = {"AT+NMSTATUS?", A_NMSTATUS, 1, 0},
    [QLW_NEUL_NRB] = {"AT+NRB", A_NRB, 10, 0},
};

int qlw_neul_build(qlw_at_cmd *cmd, char *buf, size_t size, const char *format,
                   const char *const *prefixes, unsigned timeout_s, unsigned flags, va_list ap)
{
    int n;

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif
    n = vsnprintf(buf, size, format, ap);
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
    if (n < 0 || (size_t)n >= size)
        return QLW_ERR_OVERFLOW;
    *cmd = (qlw_at_cmd){
        .text = buf, .prefixes = prefixes, .timeout_ms = timeout_s * 1000u, .flags = flags};
    return QLW_OK;
}

int qlw_neul_session_vcmd(qlw_at_cmd *cmd, char *buf, size_t size, qlw_neul_op op, va_list ap)
{
    const row *r;
    const answer_row *a;
    int rc;

    if ((unsigned)op >= (unsigned)QLW_NEUL_SESSION_OP_COUNT)
        return QLW_ERR_ARG;
    r = &table[op];
    a = &answers[r->answer];
    rc = qlw_neul_build(cmd, buf, size, r->format, a->prefixes, r->timeout_s, r->flags, ap);
    cmd->finals = a->finals;
    cmd->accept = a->accept;
    return rc;
}
