/*
 * The BC26/BC66 LwM2M command sets: dialect A (AT+QLWSERV/AT+QLWOPEN,
 * "object 19" transparent data) and dialect B (AT+QLWCONFIG/AT+QLWREG, the
 * host answers the server's requests). One table row per command form, in
 * mtk_cmd.c; the URC decoders of both sets in mtk_urc.c. The session builds
 * its commands and reads its URCs from here only.
 */
#ifndef QLW_QUECTEL_MTK_CMD_H
#define QLW_QUECTEL_MTK_CMD_H

#include <stdarg.h>

#include "qlwm2m/at.h"
#include "qlwm2m/lwobj.h"
#include "qlwm2m/qlwcfg.h"

typedef enum qlw_mtk_op {
    /* dialect A */
    QLW_MTK_A_DATAFORMAT, /* hex both ways */
    QLW_MTK_A_ADDOBJ,     /* %u obj, %u ins, %u res */
    QLW_MTK_A_OPEN,       /* direct push; CONNECT OK/FAIL follows */
    QLW_MTK_A_SEND_NON,   /* %u len, %s hex */
    QLW_MTK_A_SEND_CON,   /* %u len, %s hex */
    QLW_MTK_A_CLOSE,      /* CLOSE OK/FAIL follows */
    /* dialect B */
    QLW_MTK_B_ACCESS_MODE, /* direct push */
    QLW_MTK_B_ADDOBJ,      /* %u obj, %u ins, %u count, %s comma-separated ids */
    QLW_MTK_B_REG,         /* +QLWREG: <result> follows */
    QLW_MTK_B_DEREG,       /* +QLWDEREG: <result> follows */
    /* %u obj, %u ins, %u res, %d type, %u len, %s value (as formatted), %d ack */
    QLW_MTK_B_NOTIFY,
    /* %u msgid, %d result, %u obj, %u ins, %u res, %d type, %u len, %s value, %u index */
    QLW_MTK_B_RDRSP,
    QLW_MTK_B_OBSRSP, /* as RDRSP */
    /* %u msgid, %d result, %u obj, %u ins, %d res: a refusal carries no value */
    QLW_MTK_B_RDRSP_ERR,
    QLW_MTK_B_OBSRSP_ERR,
    QLW_MTK_B_WRRSP,  /* %u msgid, %d result */
    QLW_MTK_B_EXERSP, /* %u msgid, %d result */
    QLW_MTK_OP_COUNT
} qlw_mtk_op;

/* The module's result codes in AT+QLW...RSP (reference 2.4). */
#define QLW_MTK_RSP_CONTENT     1  /* 2.05 */
#define QLW_MTK_RSP_CHANGED     2  /* 2.04 */
#define QLW_MTK_RSP_BAD_REQUEST 11 /* 4.00 */
#define QLW_MTK_RSP_NOT_FOUND   13 /* 4.04 */
#define QLW_MTK_RSP_NOT_ALLOWED 14 /* 4.05 */

/*
 * Fills *cmd with op's descriptor and its text, formatted into buf from the
 * arguments (a va_list) listed beside op. QLW_OK, QLW_ERR_ARG (bad op) or
 * QLW_ERR_OVERFLOW.
 */
int qlw_mtk_vcmd(qlw_at_cmd *cmd, char *buf, size_t size, qlw_mtk_op op, va_list ap);

/*
 * A value as dialect B's commands carry it (reference 2.4, quirk 7): a string
 * in quotes, opaque bytes as quoted hex, numbers and booleans bare; *len is
 * the <len> field (bytes for strings and opaque, characters of the number
 * otherwise). QLW_ERR_ARG for a string a command could not carry (quote,
 * CR, LF, ';' or backslash) or an unknown type, QLW_ERR_OVERFLOW.
 */
int qlw_mtk_value_text(const qlw_lw_value *v, char *out, size_t size, unsigned *len);

/* ---------------------------------------------------------------- URCs */

typedef enum qlw_mtk_urc_kind {
    QLW_MTK_URC_NONE = 0,
    /* dialect A */
    QLW_MTK_URC_CONNECT,  /* CONNECT OK (result 0) / CONNECT FAIL (1) */
    QLW_MTK_URC_SEND,     /* SEND OK / SEND FAIL */
    QLW_MTK_URC_CLOSE,    /* CLOSE OK / CLOSE FAIL */
    QLW_MTK_URC_UPDATE,   /* UPDATE OK / UPDATE FAIL */
    QLW_MTK_URC_OBSERVE,  /* +QLWOBSERVE: <flag>,<obj>,<ins>,<res> */
    QLW_MTK_URC_DATARECV, /* +QLWDATARECV: <obj>,<ins>,<res>,<len>,<data> (or <data> alone) */
    /* dialect B */
    QLW_MTK_URC_REG,         /* +QLWREG: <result>, or +QLWURC: "reg",<result> */
    QLW_MTK_URC_DEREG,       /* +QLWDEREG: <result> */
    QLW_MTK_URC_NOTIFY,      /* +QLWNOTIFY: <result> */
    QLW_MTK_URC_RSP,         /* +QLWRDRSP/OBSRSP/WRRSP/EXERSP: <result> */
    QLW_MTK_URC_ADDOBJ,      /* +QLWADDOBJ: <result> */
    QLW_MTK_URC_REQ_READ,    /* "read",<msgid>,<obj>,<ins>[,<res>] */
    QLW_MTK_URC_REQ_WRITE,   /* "write",<msgid>,<obj>,<ins>,<res>,<type>,<len>,<value>,<index> */
    QLW_MTK_URC_REQ_EXECUTE, /* "execute",<msgid>,<obj>,<ins>,<res>[,<args>] */
    QLW_MTK_URC_REQ_OBSERVE, /* "observe",<msgid>,<flag>,<obj>,<ins>[,<res>] */
    QLW_MTK_URC_REPORT,      /* "report",<msgid> */
    QLW_MTK_URC_REPORT_ACK,  /* "report_ack",<status>,<msgid> */
    QLW_MTK_URC_OTHER,       /* any other +QLWURC event: name only */
    QLW_MTK_URC_MALFORMED    /* a +QLW line of these dialects whose shape is not understood */
} qlw_mtk_urc_kind;

typedef struct qlw_mtk_urc {
    qlw_mtk_urc_kind kind;
    int result;        /* 0 ok, else the module's failure number (A: FAIL = 1) */
    long msgid;        /* -1 when absent */
    int flag;          /* observe: 0 observe, 1 cancel */
    int obj, ins, res; /* -1 when absent (a whole object or instance) */
    int type;          /* write: 1..5 */
    int index;         /* write: parts still to come */
    const char *value; /* write / downlink: points into the line, unquoted */
    size_t value_len;
    char name[24]; /* the +QLWURC event name, unquoted; "" when too long for it */
} qlw_mtk_urc;

/*
 * Decodes a line of either dialect. QLW_OK with out->kind set (MALFORMED for
 * a "+QLW..." line whose shape is not understood), or QLW_ERR_PARSE (not a
 * line of these dialects).
 * The value points into line, which must outlive its use.
 */
int qlw_mtk_parse_urc(const char *line, size_t len, qlw_mtk_urc *out);

#endif
