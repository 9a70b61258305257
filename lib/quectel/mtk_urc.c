/*
 * The lines the BC26/BC66 print on their own (reference quectel-lwm2m-dialects.md
 * 1.2, 2.4-2.6 and quirks 2, 8, 9). Fields may be quoted or not and the
 * space after the colon may be missing (quirk 8): qlw_at_split() takes both.
 */
#include <string.h>

#include "quectel/mtk_cmd.h"

#define FIELDS_MAX 12

static bool starts(const char *line, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);

    return len >= n && memcmp(line, prefix, n) == 0;
}

/* "+NAME:" or "+NAME: " exactly (not "+NAMEX:"). */
static bool named(const char *line, size_t len, const char *name)
{
    size_t n = strlen(name);

    return len > n && memcmp(line, name, n) == 0 && line[n] == ':';
}

static bool num(const qlw_at_field *f, long min, long max, long *out)
{
    return qlw_at_field_int(f, min, max, out) == QLW_OK;
}

static int id_field(const qlw_at_field *f, int *out)
{
    long v;

    if (!num(f, 0, 65535, &v))
        return QLW_ERR_PARSE;
    *out = (int)v;
    return QLW_OK;
}

/* The bare words of dialect A that end QLWOPEN, QLWDATASEND, QLWUPDATE and QLWCLOSE. */
static int bare_word(const char *line, size_t len, qlw_mtk_urc *out)
{
    static const struct {
        const char *word;
        qlw_mtk_urc_kind kind;
    } words[] = {{"CONNECT", QLW_MTK_URC_CONNECT},
                 {"SEND", QLW_MTK_URC_SEND},
                 {"CLOSE", QLW_MTK_URC_CLOSE},
                 {"UPDATE", QLW_MTK_URC_UPDATE}};

    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        size_t n = strlen(words[i].word);

        if (len <= n || memcmp(line, words[i].word, n) != 0 || line[n] != ' ')
            continue;
        if (len == n + 3 && memcmp(line + n + 1, "OK", 2) == 0)
            out->result = 0;
        else if (len == n + 5 && memcmp(line + n + 1, "FAIL", 4) == 0)
            out->result = 1;
        else
            return QLW_ERR_PARSE;
        out->kind = words[i].kind;
        return QLW_OK;
    }
    return QLW_ERR_PARSE;
}

static int observe_a(const qlw_at_field *f, int n, qlw_mtk_urc *out)
{
    long flag;

    if (n != 4 || !num(&f[0], 0, 1, &flag) || id_field(&f[1], &out->obj) != QLW_OK ||
        id_field(&f[2], &out->ins) != QLW_OK || id_field(&f[3], &out->res) != QLW_OK)
        return QLW_ERR_PARSE;
    out->flag = (int)flag;
    out->kind = QLW_MTK_URC_OBSERVE;
    return QLW_OK;
}

/* "<obj>,<ins>,<res>,<len>,<data>", or the abbreviated "<data>" alone. */
static int datarecv(const qlw_at_field *f, int n, qlw_mtk_urc *out)
{
    long len;

    if (n == 1) {
        out->obj = 19;
        out->ins = 1;
        out->res = 0;
    } else if (n != 5 || id_field(&f[0], &out->obj) != QLW_OK ||
               id_field(&f[1], &out->ins) != QLW_OK || id_field(&f[2], &out->res) != QLW_OK ||
               !num(&f[3], 0, 1 << 20, &len) || f[4].len != 2 * (size_t)len) {
        return QLW_ERR_PARSE;
    }
    out->value = f[n - 1].ptr;
    out->value_len = f[n - 1].len;
    out->kind = QLW_MTK_URC_DATARECV;
    return QLW_OK;
}

/* "+QLWREG: <result>" and the like: one number. */
static int one_result(const qlw_at_field *f, int n, qlw_mtk_urc_kind kind, qlw_mtk_urc *out)
{
    long v;

    if (n < 1 || !num(&f[0], 0, 255, &v))
        return QLW_ERR_PARSE;
    out->result = (int)v;
    out->kind = kind;
    return QLW_OK;
}

static bool msgid(const qlw_at_field *f, qlw_mtk_urc *out)
{
    return num(f, 0, 65535, &out->msgid);
}

/* <obj>,<ins>[,<res>] from field i on; a missing or -1 resource means the
 * whole instance. */
static int path(const qlw_at_field *f, int n, int i, qlw_mtk_urc *out)
{
    long res;

    if (n < i + 2 || id_field(&f[i], &out->obj) != QLW_OK ||
        id_field(&f[i + 1], &out->ins) != QLW_OK)
        return QLW_ERR_PARSE;
    if (n == i + 2)
        return QLW_OK;
    if (!num(&f[i + 2], -1, 65535, &res))
        return QLW_ERR_PARSE;
    out->res = (int)res;
    return QLW_OK;
}

static int write_req(const qlw_at_field *f, int n, qlw_mtk_urc *out)
{
    long type, len, index;

    if (n != 9 || !msgid(&f[1], out) || path(f, n, 2, out) != QLW_OK || out->res < 0 ||
        !num(&f[5], 1, 5, &type) || !num(&f[6], 0, 1 << 20, &len) || !num(&f[8], 0, 255, &index))
        return QLW_ERR_PARSE;
    if (type == QLW_LW_OPAQUE && f[7].len != 2 * (size_t)len)
        return QLW_ERR_PARSE;
    out->type = (int)type;
    out->index = (int)index;
    out->value = f[7].ptr;
    out->value_len = f[7].len;
    out->kind = QLW_MTK_URC_REQ_WRITE;
    return QLW_OK;
}

static int qlwurc(const qlw_at_field *f, int n, qlw_mtk_urc *out)
{
    long v;

    if (n < 1)
        return QLW_ERR_PARSE;
    if (qlw_at_field_copy(&f[0], out->name, sizeof(out->name)) != QLW_OK)
        out->name[0] = '\0'; /* an event name too long for it: none of ours */
    out->kind = QLW_MTK_URC_OTHER;
    if (qlw_at_field_eq(&f[0], "read")) {
        if (n < 4 || n > 5 || !msgid(&f[1], out) || path(f, n, 2, out) != QLW_OK)
            return QLW_ERR_PARSE;
        out->kind = QLW_MTK_URC_REQ_READ;
    } else if (qlw_at_field_eq(&f[0], "write")) {
        return write_req(f, n, out);
    } else if (qlw_at_field_eq(&f[0], "execute")) {
        /* UNCONFIRMED: an argument field may follow */
        if (n < 5 || n > 6 || !msgid(&f[1], out) || path(f, 5, 2, out) != QLW_OK || out->res < 0)
            return QLW_ERR_PARSE;
        if (n == 6) {
            out->value = f[5].ptr;
            out->value_len = f[5].len;
        }
        out->kind = QLW_MTK_URC_REQ_EXECUTE;
    } else if (qlw_at_field_eq(&f[0], "observe")) {
        if (n < 5 || n > 6 || !msgid(&f[1], out) || !num(&f[2], 0, 1, &v) ||
            path(f, n, 3, out) != QLW_OK)
            return QLW_ERR_PARSE;
        out->flag = (int)v;
        out->kind = QLW_MTK_URC_REQ_OBSERVE;
    } else if (qlw_at_field_eq(&f[0], "report")) {
        if (n != 2 || !msgid(&f[1], out))
            return QLW_ERR_PARSE;
        out->kind = QLW_MTK_URC_REPORT;
    } else if (qlw_at_field_eq(&f[0], "report_ack")) {
        if (n != 3 || !num(&f[1], 0, 255, &v) || !msgid(&f[2], out))
            return QLW_ERR_PARSE;
        out->result = (int)v;
        out->kind = QLW_MTK_URC_REPORT_ACK;
    } else if (qlw_at_field_eq(&f[0], "reg")) {
        return one_result(f + 1, n - 1, QLW_MTK_URC_REG, out);
    }
    return QLW_OK;
}

int qlw_mtk_parse_urc(const char *line, size_t len, qlw_mtk_urc *out)
{
    qlw_at_field f[FIELDS_MAX];
    int n;

    if (line == NULL || out == NULL)
        return QLW_ERR_ARG;
    *out = (qlw_mtk_urc){.msgid = -1, .obj = -1, .ins = -1, .res = -1};
    if (len == 0)
        return QLW_ERR_PARSE;
    if (line[0] != '+')
        return bare_word(line, len, out);
    if (!starts(line, len, "+QLW"))
        return QLW_ERR_PARSE;
    /* From here the line is these dialects' own: one whose shape is not
     * understood (a field too many, a number out of range) is still claimed,
     * as MALFORMED, so that it is reported rather than read as another
     * dialect's line or dropped without a word. */
    int rc = QLW_ERR_PARSE;
    n = qlw_at_split(line, len, f, FIELDS_MAX);
    if (n < 0)
        rc = QLW_ERR_PARSE;
    else if (named(line, len, "+QLWURC"))
        rc = qlwurc(f, n, out);
    else if (named(line, len, "+QLWOBSERVE"))
        rc = observe_a(f, n, out);
    else if (named(line, len, "+QLWDATARECV"))
        rc = datarecv(f, n, out);
    else if (named(line, len, "+QLWREG"))
        rc = one_result(f, n, QLW_MTK_URC_REG, out);
    else if (named(line, len, "+QLWDEREG"))
        rc = one_result(f, n, QLW_MTK_URC_DEREG, out);
    else if (named(line, len, "+QLWNOTIFY"))
        rc = one_result(f, n, QLW_MTK_URC_NOTIFY, out);
    else if (named(line, len, "+QLWADDOBJ"))
        rc = one_result(f, n, QLW_MTK_URC_ADDOBJ, out);
    else if (named(line, len, "+QLWRDRSP") || named(line, len, "+QLWOBSRSP") ||
             named(line, len, "+QLWWRRSP") || named(line, len, "+QLWEXERSP"))
        rc = one_result(f, n, QLW_MTK_URC_RSP, out);
    if (rc != QLW_OK)
        *out = (qlw_mtk_urc){
            .kind = QLW_MTK_URC_MALFORMED, .msgid = -1, .obj = -1, .ins = -1, .res = -1};
    return QLW_OK;
}
