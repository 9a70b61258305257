/*
 * The BC26/BC66 command table: one row per command form, dialect A's rows
 * first. A form is a printf format of the arguments listed beside its op in
 * mtk_cmd.h.
 *
 * Confidence (reference quectel-lwm2m-dialects.md sections 1 and 2): names
 * and argument order CONFIRMED by Quectel's OpenCPU RIL and three host
 * drivers; the rows marked UNCONFIRMED follow one source or an inference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quectel/mtk_cmd.h"

typedef struct row {
    const char *form;
    uint32_t timeout_ms;
} row;

/* The module answers these locally; the results of registration, sends and
 * closing come later as lines of their own (reference quirk 2), so no row
 * waits for them. */
static const row table[QLW_MTK_OP_COUNT] = {
    /* 1 = hex both ways: payloads are hex digits on the line. */
    [QLW_MTK_A_DATAFORMAT] = {"AT+QLWCFG=\"dataformat\",1,1", 2000},
    /* Quoted id list (the four-argument RIL form). */
    [QLW_MTK_A_ADDOBJ] = {"AT+QLWADDOBJ=%u,%u,1,\"%u\"", 2000},
    /* 0 = direct push: downlinks come in +QLWDATARECV with their data. */
    [QLW_MTK_A_OPEN] = {"AT+QLWOPEN=0", 5000},
    /* UNCONFIRMED: data and mode unquoted (RIL versions differ; the Magenta
     * quick-start sends them bare). */
    [QLW_MTK_A_SEND_NON] = {"AT+QLWDATASEND=19,0,0,%u,%s,0x0000", 5000},
    [QLW_MTK_A_SEND_CON] = {"AT+QLWDATASEND=19,0,0,%u,%s,0x0100", 5000},
    [QLW_MTK_A_CLOSE] = {"AT+QLWCLOSE", 5000},
    /* Forces direct push, so that requests and downlinks arrive in +QLWURC
     * (reference quirk 10); firmware without it answers ERROR, which is fine. */
    [QLW_MTK_B_ACCESS_MODE] = {"AT+QLWCFG=\"access_mode\",0", 2000},
    /* Unquoted ids (the later firmware's form). */
    [QLW_MTK_B_ADDOBJ] = {"AT+QLWADDOBJ=%u,%u,%u,%s", 2000},
    [QLW_MTK_B_REG] = {"AT+QLWREG", 5000},
    [QLW_MTK_B_DEREG] = {"AT+QLWDEREG", 5000},
    /* Without the optional <rai> field. */
    [QLW_MTK_B_NOTIFY] = {"AT+QLWNOTIFY=%u,%u,%u,%d,%u,%s,0,%d", 5000},
    [QLW_MTK_B_RDRSP] = {"AT+QLWRDRSP=%u,%d,%u,%u,%u,%d,%u,%s,%u", 2000},
    [QLW_MTK_B_OBSRSP] = {"AT+QLWOBSRSP=%u,%d,%u,%u,%u,%d,%u,%s,%u", 2000},
    /* UNCONFIRMED: a refusal (4.04, 4.05) with an empty opaque value; no
     * source shows the fields of an error answer. */
    [QLW_MTK_B_RDRSP_ERR] = {"AT+QLWRDRSP=%u,%d,%u,%u,%d,2,0,\"\",0", 2000},
    [QLW_MTK_B_OBSRSP_ERR] = {"AT+QLWOBSRSP=%u,%d,%u,%u,%d,2,0,\"\",0", 2000},
    [QLW_MTK_B_WRRSP] = {"AT+QLWWRRSP=%u,%d", 2000},
    [QLW_MTK_B_EXERSP] = {"AT+QLWEXERSP=%u,%d", 2000},
};

int qlw_mtk_vcmd(qlw_at_cmd *cmd, char *buf, size_t size, qlw_mtk_op op, va_list ap)
{
    int n;

    if (cmd == NULL || buf == NULL || size == 0 || (unsigned)op >= QLW_MTK_OP_COUNT)
        return QLW_ERR_ARG;
        /* The forms are the table's constants, each checked against its op's
         * argument list by the tests. */
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif
    n = vsnprintf(buf, size, table[op].form, ap);
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
    if (n < 0 || (size_t)n >= size)
        return QLW_ERR_OVERFLOW;
    *cmd = (qlw_at_cmd){.text = buf, .timeout_ms = table[op].timeout_ms};
    return QLW_OK;
}

int qlw_mtk_value_text(const qlw_lw_value *v, char *out, size_t size, unsigned *len)
{
    int n;

    if (v == NULL || out == NULL || len == NULL || size < 3)
        return QLW_ERR_ARG;
    switch (v->type) {
    case QLW_LW_STRING:
        if (v->str == NULL || strpbrk(v->str, "\"\r\n;\\") != NULL)
            return QLW_ERR_ARG;
        n = snprintf(out, size, "\"%s\"", v->str);
        *len = (unsigned)strlen(v->str);
        break;
    case QLW_LW_OPAQUE:
        if (v->bytes == NULL && v->len > 0)
            return QLW_ERR_ARG;
        if (2 * v->len + 3 > size)
            return QLW_ERR_OVERFLOW;
        out[0] = '"';
        qlw_hex_encode(v->bytes, v->len, out + 1, size - 1);
        n = (int)(2 * v->len + 2);
        out[n - 1] = '"';
        out[n] = '\0';
        *len = (unsigned)v->len;
        return QLW_OK;
    case QLW_LW_INTEGER:
        n = snprintf(out, size, "%lld", (long long)v->i);
        *len = n > 0 ? (unsigned)n : 0;
        break;
    case QLW_LW_FLOAT:
        /* The shortest of 15 or 17 significant digits that reads back as the
         * same double (%g's 6 digits would round 3.14159265 to 3.14159). */
        n = snprintf(out, size, "%.15g", v->f);
        if (n > 0 && (size_t)n < size && strtod(out, NULL) != v->f)
            n = snprintf(out, size, "%.17g", v->f);
        *len = n > 0 ? (unsigned)n : 0;
        break;
    case QLW_LW_BOOLEAN:
        n = snprintf(out, size, "%d", v->b ? 1 : 0);
        *len = 1;
        break;
    default:
        return QLW_ERR_ARG;
    }
    return n < 0 || (size_t)n >= size ? QLW_ERR_OVERFLOW : QLW_OK;
}
