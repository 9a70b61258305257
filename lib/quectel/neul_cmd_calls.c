/*
 * The BC68 family's commands that only the typed calls (neul_calls.c,
 * neul_wait.c) send: identity, counters, ping and the like. Apart from the
 * session's table (neul_cmd.c) so that a program driving its module only
 * through a session links none of their text.
 */
#include <stdarg.h>

#include "qlwm2m/common.h"
#include "quectel/neul_cmd.h"

static const char *const p_cgsn[] = {"+CGSN", NULL};
static const char *const p_nccid[] = {"+NCCID", NULL};
static const char *const p_cgatt[] = {"+CGATT", NULL};
static const char *const p_qregswt[] = {"+QREGSWT", NULL};

typedef struct row {
    const char *format;
    const char *const *prefixes;
    uint8_t timeout_s;
    uint8_t flags; /* qlw_at_cmd_flags */
} row;

#define BARE    QLW_AT_CMD_BARE
#define ROW(op) [(op)-QLW_NEUL_SESSION_OP_COUNT]

static const row table[QLW_NEUL_OP_COUNT - QLW_NEUL_SESSION_OP_COUNT] = {
    ROW(QLW_NEUL_CGSN) = {"AT+CGSN=1", p_cgsn, 1, 0},
    ROW(QLW_NEUL_CIMI) = {"AT+CIMI", NULL, 2, BARE},
    ROW(QLW_NEUL_NCCID) = {"AT+NCCID", p_nccid, 2, BARE},
    ROW(QLW_NEUL_CGMM) = {"AT+CGMM", NULL, 1, BARE},
    ROW(QLW_NEUL_QGMR) = {"AT+QGMR", NULL, 1, BARE},
    ROW(QLW_NEUL_CGMR) = {"AT+CGMR", NULL, 1, BARE},
    ROW(QLW_NEUL_NUESTATS) = {"AT+NUESTATS", NULL, 2, BARE},
    ROW(QLW_NEUL_CGATT_READ) = {"AT+CGATT?", p_cgatt, 1, 0},
    ROW(QLW_NEUL_QREGSWT_READ) = {"AT+QREGSWT?", p_qregswt, 1, 0},
    ROW(QLW_NEUL_QREGSWT_SET) = {"AT+QREGSWT=%d", NULL, 2, 0},
    ROW(QLW_NEUL_NQMGS) = {"AT+NQMGS", NULL, 1, BARE},
    ROW(QLW_NEUL_NQMGR) = {"AT+NQMGR", NULL, 1, BARE},
    ROW(QLW_NEUL_NPING) = {"AT+NPING=%s", NULL, 2, 0},
    ROW(QLW_NEUL_NPING_EX) = {"AT+NPING=%s,%d,%u", NULL, 2, 0},
};

int qlw_neul_vcmd(qlw_at_cmd *cmd, char *buf, size_t size, qlw_neul_op op, va_list ap)
{
    const row *r;

    if ((unsigned)op < (unsigned)QLW_NEUL_SESSION_OP_COUNT)
        return qlw_neul_session_vcmd(cmd, buf, size, op, ap);
    if ((unsigned)op >= (unsigned)QLW_NEUL_OP_COUNT)
        return QLW_ERR_ARG;
    r = &table[op - QLW_NEUL_SESSION_OP_COUNT];
    return qlw_neul_build(cmd, buf, size, r->format, r->prefixes, r->timeout_s, r->flags, ap);
}

int qlw_neul_cmd(qlw_at_cmd *cmd, char *buf, size_t size, qlw_neul_op op, ...)
{
    va_list ap;
    int rc;

    va_start(ap, op);
    rc = qlw_neul_vcmd(cmd, buf, size, op, ap);
    va_end(ap);
    return rc;
}
