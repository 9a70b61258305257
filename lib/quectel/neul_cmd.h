/*
 * The BC68 family's commands: one table row each (text format, response
 * prefixes, extra finals, timeout). Every AT string of the family lives in
 * neul_cmd.c; the typed calls and the session build commands from here.
 */
#ifndef QLW_QUECTEL_NEUL_CMD_H
#define QLW_QUECTEL_NEUL_CMD_H

#include "qlwm2m/at.h"
#include <stdarg.h>

typedef enum qlw_neul_op {
    /* What the session sends (qlw_neul_session_vcmd() builds these). */
    QLW_NEUL_AT,
    QLW_NEUL_ATE0,
    QLW_NEUL_CMEE,      /* %d */
    QLW_NEUL_CEREG_SET, /* %d */
    QLW_NEUL_CSCON_SET, /* %d */
    QLW_NEUL_NPSMR_SET, /* %d */
    QLW_NEUL_NNMI_SET,  /* %d */
    QLW_NEUL_NSMI_SET,  /* %d */
    QLW_NEUL_CSQ,
    QLW_NEUL_CEREG_READ,
    QLW_NEUL_CGATT_SET, /* %d */
    QLW_NEUL_CFUN_READ,
    QLW_NEUL_CFUN_SET, /* %d */
    QLW_NEUL_CGDCONT_READ,
    QLW_NEUL_CGDCONT_SET, /* %d cid, %s type, %s apn */
    QLW_NEUL_NBAND_SET,   /* %d */
    QLW_NEUL_NCDP_READ,
    QLW_NEUL_NCDP_SET,    /* %s addr, %u port */
    QLW_NEUL_QLWSREGIND,  /* %d: 0 register, 1 deregister */
    QLW_NEUL_QLWULDATA,   /* %u len, %s hex */
    QLW_NEUL_QLWULDATAEX, /* %u len, %s hex, %u mode (0x0100), %d seq */
    QLW_NEUL_NMGS,        /* %u len, %s hex */
    QLW_NEUL_QLWULDATASTATUS_READ,
    QLW_NEUL_NMGR,
    QLW_NEUL_NMSTATUS,
    QLW_NEUL_NRB,
    QLW_NEUL_SESSION_OP_COUNT,
    /* Only the typed calls send these (identity, counters, ping, ...). */
    QLW_NEUL_CGSN = QLW_NEUL_SESSION_OP_COUNT,
    QLW_NEUL_CIMI,
    QLW_NEUL_NCCID,
    QLW_NEUL_CGMM,
    QLW_NEUL_QGMR,
    QLW_NEUL_CGMR,
    QLW_NEUL_NUESTATS,
    QLW_NEUL_CGATT_READ,
    QLW_NEUL_QREGSWT_READ,
    QLW_NEUL_QREGSWT_SET, /* %d */
    QLW_NEUL_NQMGS,
    QLW_NEUL_NQMGR,
    QLW_NEUL_NPING,    /* %s addr */
    QLW_NEUL_NPING_EX, /* %s addr, %d size, %u timeout_ms */
    QLW_NEUL_OP_COUNT
} qlw_neul_op;

/*
 * Fills *cmd with the descriptor of op and its text, formatted into buf from
 * the arguments listed beside op. Returns QLW_OK, QLW_ERR_OVERFLOW, or
 * QLW_ERR_ARG for an op out of range.
 */
int qlw_neul_cmd(qlw_at_cmd *cmd, char *buf, size_t size, qlw_neul_op op, ...);
/* qlw_neul_cmd() with the arguments in ap. */
int qlw_neul_vcmd(qlw_at_cmd *cmd, char *buf, size_t size, qlw_neul_op op, va_list ap);

/*
 * qlw_neul_vcmd() for the ops the session sends (below QLW_NEUL_SESSION_OP_COUNT;
 * QLW_ERR_ARG for the others). Their rows are a table of their own, so that
 * a program driving the module only through a session links no other
 * command's text (a microcontroller's flash).
 */
int qlw_neul_session_vcmd(qlw_at_cmd *cmd, char *buf, size_t size, qlw_neul_op op, va_list ap);

/* Formats a command of either table into buf and fills *cmd (no finals, no
 * line filter: the caller adds them). QLW_OK or QLW_ERR_OVERFLOW. */
int qlw_neul_build(qlw_at_cmd *cmd, char *buf, size_t size, const char *format,
                   const char *const *prefixes, unsigned timeout_s, unsigned flags, va_list ap);

#endif
