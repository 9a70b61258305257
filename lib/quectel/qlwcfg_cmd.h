/*
 * The AT+QLWCFG family's commands (dialects C and D): one table row per
 * operation with the dialect-C and the dialect-D form side by side, the
 * per-dialect ranges, and the sub-option names that tell the dialects apart.
 * Every AT string of the family lives in qlwcfg_cmd.c; the typed calls and
 * the session build their commands from here.
 */
#ifndef QLW_QUECTEL_QLWCFG_CMD_H
#define QLW_QUECTEL_QLWCFG_CMD_H

#include <stdarg.h>

#include "qlwm2m/at.h"
#include "qlwm2m/qlwcfg.h"

/* Room for the longest command (security: 256-char URI, 128-char identity
 * and 128 hex digits of key, with the fixed text around them). */
#define QLW_QLWCFG_TEXT_MAX 640

/* "+CME ERROR: 4", operation not supported: an optional sub-option the
 * firmware lacks answers this (or a plain ERROR). */
#define QLW_QLWCFG_CME_NOT_SUPPORTED 4

/*
 * Arguments, in this order whatever the dialect (the row reorders them):
 * i = int, u = uint32_t, s = const char * (validated by the caller; the
 * builder still refuses a quote, CR, LF, ';' or backslash).
 */
typedef enum qlw_qlwcfg_op {
    QLW_QLWCFG_SECURITY_PSK,   /* i server_id, i ssid, s uri, i bootstrap, i mode, s id, s key */
    QLW_QLWCFG_SECURITY_NOSEC, /* i server_id, i ssid, s uri, i bootstrap, i mode */
    QLW_QLWCFG_SERVER, /* i server_id, u lifetime, u pmin, u pmax, u disable, i storing, s bind */
    QLW_QLWCFG_EPNAME_MODE, /* i mode */
    QLW_QLWCFG_URC,         /* i on */
    QLW_QLWCFG_FOTA,        /* i download, i update */
    QLW_QLWCFG_RESET,
    QLW_QLWCFG_REGISTER,
    QLW_QLWCFG_DEREGISTER,
    QLW_QLWCFG_UPDATE, /* i ssid */
    QLW_QLWCFG_STATE,  /* i server index (D only; the C form takes none) */
    QLW_QLWCFG_PROBE_QLWSVC,
    QLW_QLWCFG_PROBE_QLWCONFIG,
    QLW_QLWCFG_PROBE_QLWCFG,
    QLW_QLWCFG_PROBE_QLWSERV,
    QLW_QLWCFG_PROBE_NCDP,
    QLW_QLWCFG_OP_COUNT
} qlw_qlwcfg_op;

/*
 * Fills *cmd with the descriptor of op in dialect d and its text, built into
 * buf from the arguments listed beside op. Probes are the same in every
 * dialect. Returns QLW_OK, QLW_ERR_UNSUPPORTED (d has no such command, or d
 * is neither C nor D for a non-probe), QLW_ERR_ARG (bad op, NULL or unsafe
 * string) or QLW_ERR_OVERFLOW.
 */
int qlw_qlwcfg_cmd(qlw_at_cmd *cmd, char *buf, size_t size, qlw_dialect d, qlw_qlwcfg_op op, ...);

/* qlw_qlwcfg_cmd() with a va_list. */
int qlw_qlwcfg_vcmd(qlw_at_cmd *cmd, char *buf, size_t size, qlw_dialect d, qlw_qlwcfg_op op,
                    va_list ap);

/* Timeout of op, ms. */
uint32_t qlw_qlwcfg_cmd_timeout_ms(qlw_qlwcfg_op op);

/* True for sub-options a firmware may lack: their ERROR means "unsupported". */
bool qlw_qlwcfg_op_optional(qlw_qlwcfg_op op);

/* What a dialect accepts beyond the ranges the checkers apply to every dialect. */
typedef struct qlw_qlwcfg_limits {
    int server_id_max;
    long ssid_max;
    uint32_t lifetime_min;
    int epname_mode_max;
} qlw_qlwcfg_limits;

/* Limits of d, or NULL when d is neither C nor D. */
const qlw_qlwcfg_limits *qlw_qlwcfg_limits_of(qlw_dialect d);

/*
 * The dialect an `AT+QLWCFG=?` sub-option name points to ("epns": D,
 * "epname/mode": C, "auto_reg": B, "dataformat": A), with its rank (higher
 * wins when a list names several: D lists "dataformat" too), or
 * QLW_DIALECT_AUTO and rank 0 for a name that tells nothing.
 */
qlw_dialect qlw_qlwcfg_option_dialect(const char *name, size_t len, int *rank);

/* The dialect the `AT+QLWCFG=?` answer r lists (QLW_DIALECT_AUTO: none). */
qlw_dialect qlw_qlwcfg_classify(const qlw_at_response *r);

#endif
