/*
 * The AT+QLWCFG family's command table. A form is the command text with
 * `{N}` standing for argument N of the op's fixed argument list, so a
 * dialect that orders the fields differently (D's "server") only reorders
 * the placeholders, and a correction from the field is a one-line change.
 *
 * Confidence (reference quectel-lwm2m-dialects.md): the C forms of
 * "security", "server", "epname/mode", "urc", "fota" and "reset" and the D
 * forms of "security" and "epns" follow real `AT+QLWCFG=?` dumps; every row
 * marked UNCONFIRMED follows the QuecPython documentation or an inference.
 */
#include <stdio.h>
#include <string.h>

#include "quectel/qlwcfg_cmd.h"

#define ARGS_MAX 7

/* The state answer: "+QLWSTAT" (C); D's answer carries the command's name. */
static const char *const p_state[] = {"+QLWSTAT", "+QLWSVC", NULL};
static const char *const p_qlwsvc[] = {"+QLWSVC", NULL};
static const char *const p_qlwconfig[] = {"+QLWCONFIG", NULL};
static const char *const p_qlwcfg[] = {"+QLWCFG", NULL};
static const char *const p_qlwserv[] = {"+QLWSERV", NULL};
static const char *const p_ncdp[] = {"+NCDP", NULL};

typedef struct row {
    const char *c;   /* dialect C form, NULL: no such command */
    const char *d;   /* dialect D form, NULL: no such command */
    const char *sig; /* argument types, see qlwcfg_cmd.h */
    const char *const *prefixes;
    uint32_t timeout_ms;
    unsigned flags;
    bool probe;    /* the same in every dialect */
    bool optional; /* ERROR means "this firmware lacks it" */
} row;

#define BARE QLW_AT_CMD_BARE
/* Probes are the same text whatever the dialect. */
#define PROBE(text, prefixes, flags)                                                               \
    {                                                                                              \
        text, text, "", prefixes, 1000, flags, true, false                                         \
    }

/* Timeouts as qlwcfg.h documents them: the module answers these locally. */
static const row table[QLW_QLWCFG_OP_COUNT] = {
    /* D: same field list in the BG95 dump (index 0-5, ssid 1-65534, mode 0/2/3). */
    [QLW_QLWCFG_SECURITY_PSK] = {"AT+QLWCFG=\"security\",{0},{1},\"{2}\",{3},{4},\"{5}\",\"{6}\"",
                                 "AT+QLWCFG=\"security\",{0},{1},\"{2}\",{3},{4},\"{5}\",\"{6}\"",
                                 "iisiiss", NULL, 2000, 0, false, false},
    /* UNCONFIRMED (C and D): PSK fields left out when the mode is not PSK, as
     * QuecPython's config(Security) does; D may want them as empty strings. */
    [QLW_QLWCFG_SECURITY_NOSEC] = {"AT+QLWCFG=\"security\",{0},{1},\"{2}\",{3},{4}",
                                   "AT+QLWCFG=\"security\",{0},{1},\"{2}\",{3},{4}", "iisii", NULL,
                                   2000, 0, false, false},
    /* D order UNCONFIRMED: index, pmin, pmax, disable timeout, lifetime (the
     * 60-minimum field), storing, binding. */
    [QLW_QLWCFG_SERVER] = {"AT+QLWCFG=\"server\",{0},{1},{2},{3},{4},{5},\"{6}\"",
                           "AT+QLWCFG=\"server\",{0},{2},{3},{4},{1},{5},\"{6}\"", "iuuuuis", NULL,
                           2000, 0, false, false},
    /* D UNCONFIRMED: "epns" with the mode alone, the two names left out. */
    [QLW_QLWCFG_EPNAME_MODE] = {"AT+QLWCFG=\"epname/mode\",{0}", "AT+QLWCFG=\"epns\",{0}", "i",
                                NULL, 2000, 0, false, true},
    /* D: no "urc" in the BG95 dump. */
    [QLW_QLWCFG_URC] = {"AT+QLWCFG=\"urc\",{0}", NULL, "i", NULL, 2000, 0, false, true},
    /* D: no "fota" in the BG95 dump; EG25 firmware 30.203 lacks it too. */
    [QLW_QLWCFG_FOTA] = {"AT+QLWCFG=\"fota\",{0},{1}", NULL, "ii", NULL, 2000, 0, false, true},
    /* D: no "reset" in the BG95 dump. */
    [QLW_QLWCFG_RESET] = {"AT+QLWCFG=\"reset\"", NULL, "", NULL, 5000, 0, false, false},
    /* UNCONFIRMED (C: name only; D: "reg",1 from the =? ranges). */
    [QLW_QLWCFG_REGISTER] = {"AT+QLWREG", "AT+QLWSVC=\"reg\",1", "", NULL, 5000, 0, false, false},
    /* UNCONFIRMED, as register. */
    [QLW_QLWCFG_DEREGISTER] = {"AT+QLWDEREG", "AT+QLWSVC=\"dereg\",1", "", NULL, 5000, 0, false,
                               false},
    /* UNCONFIRMED: C takes the ssid as the EC200U C API does; D's second
     * field (1) is a guess. */
    [QLW_QLWCFG_UPDATE] = {"AT+QLWUPDATE={0}", "AT+QLWSVC=\"update\",{0},1", "i", NULL, 5000, 0,
                           false, false},
    /* UNCONFIRMED: C answers "+QLWSTAT: <n>"; D's answer line is unknown
     * (the state is taken from its last field). */
    [QLW_QLWCFG_STATE] = {"AT+QLWSTAT?", "AT+QLWSVC=\"state\",{0}", "i", p_state, 2000, 0, false,
                          false},
    [QLW_QLWCFG_PROBE_QLWSVC] = PROBE("AT+QLWSVC=?", p_qlwsvc, BARE),
    [QLW_QLWCFG_PROBE_QLWCONFIG] = PROBE("AT+QLWCONFIG=?", p_qlwconfig, BARE),
    [QLW_QLWCFG_PROBE_QLWCFG] = PROBE("AT+QLWCFG=?", p_qlwcfg, BARE),
    /* The test form: an unconfigured dialect-A module may refuse the read. */
    [QLW_QLWCFG_PROBE_QLWSERV] = PROBE("AT+QLWSERV=?", p_qlwserv, BARE),
    [QLW_QLWCFG_PROBE_NCDP] = PROBE("AT+NCDP?", p_ncdp, 0),
};

/* Ranges from the `=?` dumps (EG25-G for C, BG95-M3 for D); the C endpoint-name
 * bound covers every mode any source names (EG25-G 3, 6, 7; EC200U API 0, 3, 7, 9). */
static const qlw_qlwcfg_limits limits_c = {3, 65535, 1, 9};
static const qlw_qlwcfg_limits limits_d = {5, 65534, 60, 1};

/* Sub-option names that give a dialect away (reference section 0.1, step 4). */
static const struct {
    const char *name;
    qlw_dialect dialect;
    int rank;
} markers[] = {
    {"autostart", QLW_DIALECT_QLWSVC_D, 4},   {"epns", QLW_DIALECT_QLWSVC_D, 4},
    {"pdpcid", QLW_DIALECT_QLWSVC_D, 4},      {"epname/mode", QLW_DIALECT_QLWCFG_C, 3},
    {"auto_reg", QLW_DIALECT_QLWCONFIG_B, 2}, {"access_mode", QLW_DIALECT_QLWCONFIG_B, 2},
    {"dataformat", QLW_DIALECT_MTK_A, 1},
};

/* ------------------------------------------------------------- building */

typedef struct arg {
    char type;
    int i;
    uint32_t u;
    const char *s;
} arg;

/* What could end the command early or open a second one (or a V.250
 * backslash escape) never goes into a command. */
static bool safe_string(const char *s)
{
    return s != NULL && strpbrk(s, "\"\r\n;\\") == NULL;
}

static int collect(const char *sig, va_list ap, arg *args, size_t *count)
{
    size_t n = strlen(sig);

    if (n > ARGS_MAX)
        return QLW_ERR_ARG;
    for (size_t k = 0; k < n; k++) {
        args[k].type = sig[k];
        if (sig[k] == 'i')
            args[k].i = va_arg(ap, int);
        else if (sig[k] == 'u')
            args[k].u = va_arg(ap, uint32_t);
        else if (!safe_string(args[k].s = va_arg(ap, const char *)))
            return QLW_ERR_ARG;
    }
    *count = n;
    return QLW_OK;
}

/* Appends text to buf at *used; false when it does not fit. */
static bool put(char *buf, size_t size, size_t *used, const char *text, size_t len)
{
    if (len >= size - *used)
        return false;
    memcpy(buf + *used, text, len);
    *used += len;
    buf[*used] = '\0';
    return true;
}

static bool put_arg(char *buf, size_t size, size_t *used, const arg *a)
{
    char num[16];

    if (a->type == 's')
        return put(buf, size, used, a->s, strlen(a->s));
    if (a->type == 'i')
        snprintf(num, sizeof(num), "%d", a->i);
    else
        snprintf(num, sizeof(num), "%lu", (unsigned long)a->u);
    return put(buf, size, used, num, strlen(num));
}

static bool placeholder(const char *p, size_t count, size_t *index)
{
    if (p[0] != '{' || p[1] < '0' || p[1] > '9' || p[2] != '}')
        return false;
    *index = (size_t)(p[1] - '0');
    return *index < count;
}

static int expand(const char *form, const arg *args, size_t count, char *buf, size_t size)
{
    size_t used = 0, index;

    if (size == 0)
        return QLW_ERR_OVERFLOW;
    buf[0] = '\0';
    for (const char *p = form; *p != '\0';) {
        bool ok;

        if (placeholder(p, count, &index)) {
            ok = put_arg(buf, size, &used, &args[index]);
            p += 3;
        } else {
            ok = put(buf, size, &used, p, 1);
            p++;
        }
        if (!ok)
            return QLW_ERR_OVERFLOW;
    }
    return QLW_OK;
}

static const char *form_of(const row *r, qlw_dialect d)
{
    if (r->probe)
        return r->c;
    if (d == QLW_DIALECT_QLWCFG_C)
        return r->c;
    return d == QLW_DIALECT_QLWSVC_D ? r->d : NULL;
}

int qlw_qlwcfg_vcmd(qlw_at_cmd *cmd, char *buf, size_t size, qlw_dialect d, qlw_qlwcfg_op op,
                    va_list ap)
{
    arg args[ARGS_MAX];
    size_t count;
    const row *r;
    const char *form;
    int rc;

    if (cmd == NULL || buf == NULL || (unsigned)op >= QLW_QLWCFG_OP_COUNT)
        return QLW_ERR_ARG;
    r = &table[op];
    form = form_of(r, d);
    if (form == NULL)
        return QLW_ERR_UNSUPPORTED;
    rc = collect(r->sig, ap, args, &count);
    if (rc == QLW_OK)
        rc = expand(form, args, count, buf, size);
    if (rc != QLW_OK)
        return rc;
    *cmd = (qlw_at_cmd){
        .text = buf, .prefixes = r->prefixes, .timeout_ms = r->timeout_ms, .flags = r->flags};
    return QLW_OK;
}

int qlw_qlwcfg_cmd(qlw_at_cmd *cmd, char *buf, size_t size, qlw_dialect d, qlw_qlwcfg_op op, ...)
{
    va_list ap;
    int rc;

    va_start(ap, op);
    rc = qlw_qlwcfg_vcmd(cmd, buf, size, d, op, ap);
    va_end(ap);
    return rc;
}

uint32_t qlw_qlwcfg_cmd_timeout_ms(qlw_qlwcfg_op op)
{
    return (unsigned)op < QLW_QLWCFG_OP_COUNT ? table[op].timeout_ms : 0;
}

bool qlw_qlwcfg_op_optional(qlw_qlwcfg_op op)
{
    return (unsigned)op < QLW_QLWCFG_OP_COUNT && table[op].optional;
}

const qlw_qlwcfg_limits *qlw_qlwcfg_limits_of(qlw_dialect d)
{
    if (d == QLW_DIALECT_QLWCFG_C)
        return &limits_c;
    return d == QLW_DIALECT_QLWSVC_D ? &limits_d : NULL;
}

qlw_dialect qlw_qlwcfg_option_dialect(const char *name, size_t len, int *rank)
{
    *rank = 0;
    for (size_t i = 0; name != NULL && i < sizeof(markers) / sizeof(markers[0]); i++) {
        if (strlen(markers[i].name) == len && memcmp(markers[i].name, name, len) == 0) {
            *rank = markers[i].rank;
            return markers[i].dialect;
        }
    }
    return QLW_DIALECT_AUTO;
}
