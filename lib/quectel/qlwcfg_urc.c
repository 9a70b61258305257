/*
 * The +QLWURC decoder. Firmware and host logs differ in quoting and spacing
 * (`+QLWURC: "ready","successfully",1000`, `+QLWURC:ready,successfully`),
 * so quotes are optional and blanks around fields are skipped. The event
 * strings are QuecPython's (UNCONFIRMED as AT output); an event that is not
 * known keeps its name and argument count. It works on (line, len) without
 * reading past len: it sees raw module output and is fuzzed.
 */
#include <string.h>
#include <strings.h>

#include "qlwm2m/qlwcfg.h"

#define URC_NAME   "+QLWURC:"
#define ARGS_KEPT  3
#define SSID_MAX   65535
#define CODE_MAX   255
#define NUMBER_MAX 10

/* Where the arguments go in the decoded struct. */
typedef enum layout {
    L_NONE,        /* no arguments */
    L_RESULT_TEXT, /* <result>,<text> */
    L_RESULT_SSID, /* <result>,<ssid> */
    L_DEREGISTER,  /* [<ssid>,]<code> */
    L_TEXT,        /* <text> */
    L_SECRET       /* <text> that is never copied */
} layout;

typedef struct event_row {
    const char *name;
    layout lay;
} event_row;

/* Indexed by qlw_qlwurc_kind; the names are the module's own strings. */
static const event_row events[] = {
    [QLW_QLWURC_UNKNOWN] = {"unknown", L_TEXT},
    [QLW_QLWURC_PDP_ACTIVE] = {"pdp active", L_RESULT_TEXT},
    [QLW_QLWURC_INITIAL] = {"initial", L_RESULT_SSID},
    [QLW_QLWURC_DTLS] = {"dtls", L_RESULT_SSID},
    [QLW_QLWURC_BOOTSTRAPING] = {"bootstraping", L_NONE},
    [QLW_QLWURC_BOOTSTRAP] = {"bootstrap", L_RESULT_SSID},
    [QLW_QLWURC_REGISTERING] = {"registering", L_NONE},
    [QLW_QLWURC_READY] = {"ready", L_RESULT_SSID},
    [QLW_QLWURC_UPDATE] = {"update", L_RESULT_SSID},
    [QLW_QLWURC_DEREGISTER] = {"deregister", L_DEREGISTER},
    [QLW_QLWURC_FOTA_PKGURL] = {"fota/pkgurl", L_TEXT},
    [QLW_QLWURC_APN_CHANGED] = {"apn_changed", L_TEXT},
    [QLW_QLWURC_USER_NAME_CHANGED] = {"user_name_changed", L_TEXT},
    [QLW_QLWURC_SECRET_CHANGED] = {"secret_changed", L_SECRET},
    [QLW_QLWURC_AUTH_TYPE_CHANGED] = {"authentication_type_changed", L_TEXT},
    [QLW_QLWURC_LIFETIME_CHANGED] = {"lifetime_changed", L_TEXT},
    [QLW_QLWURC_CURRENT_TIME_CHANGED] = {"current_time_changed", L_TEXT},
};

#define EVENT_COUNT (sizeof(events) / sizeof(events[0]))

const char *qlw_qlwurc_kind_str(qlw_qlwurc_kind kind)
{
    return (unsigned)kind < EVENT_COUNT ? events[kind].name : "unknown";
}

/* ---------------------------------------------------------------- fields */

typedef struct span {
    const char *p;
    size_t n;
    bool quoted;
} span;

typedef struct cursor {
    const char *line;
    size_t len;
    size_t pos;
} cursor;

static void skip_blanks(cursor *c)
{
    while (c->pos < c->len && (c->line[c->pos] == ' ' || c->line[c->pos] == '\t'))
        c->pos++;
}

static span trimmed(const char *p, size_t n, bool quoted)
{
    while (!quoted && n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    return (span){p, n, quoted};
}

/* One field from c->pos, leaving c->pos on the comma after it or at the end.
 * An unterminated quote runs to the end of the line; text after a closing
 * quote is ignored up to the comma. */
static span next_field(cursor *c)
{
    const char *start, *end;

    skip_blanks(c);
    start = c->line + c->pos;
    if (c->pos < c->len && *start == '"') {
        end = memchr(start + 1, '"', c->len - c->pos - 1);
        if (end == NULL) {
            c->pos = c->len;
            return (span){start + 1, (size_t)(c->line + c->len - start - 1), true};
        }
        c->pos = (size_t)(end - c->line) + 1;
        while (c->pos < c->len && c->line[c->pos] != ',')
            c->pos++;
        return (span){start + 1, (size_t)(end - start - 1), true};
    }
    end = memchr(start, ',', c->len - c->pos);
    c->pos = end != NULL ? (size_t)(end - c->line) : c->len;
    return trimmed(start, (size_t)(c->line + c->pos - start), false);
}

/* The event string; a quote that never closes leaves no event. */
static bool event_field(cursor *c, span *ev)
{
    skip_blanks(c);
    if (c->pos < c->len && c->line[c->pos] == '"' &&
        memchr(c->line + c->pos + 1, '"', c->len - c->pos - 1) == NULL)
        return false;
    *ev = next_field(c);
    return ev->n > 0;
}

/* --------------------------------------------------------------- values */

static bool span_ieq(const span *s, const char *word)
{
    return strlen(word) == s->n && strncasecmp(s->p, word, s->n) == 0;
}

/* "successfully"/"failed" as QuecPython's example matches them, and the
 * short forms. Numbers are not taken: Quectel's other LwM2M sets use 0 for
 * success, the opposite of this field's 1. */
static int result_of(const span *s)
{
    if (span_ieq(s, "successfully") || span_ieq(s, "success"))
        return 1;
    if (span_ieq(s, "failed") || span_ieq(s, "fail"))
        return 0;
    return -1;
}

static int number_of(const span *s, int max)
{
    long v = 0;

    if (s->n == 0 || s->n > NUMBER_MAX)
        return -1;
    for (size_t i = 0; i < s->n; i++) {
        if (s->p[i] < '0' || s->p[i] > '9')
            return -1;
        v = v * 10 + (s->p[i] - '0');
    }
    return v <= max ? (int)v : -1;
}

static void copy_text(char *dst, size_t size, const char *p, size_t n)
{
    n = n < size - 1 ? n : size - 1;
    memcpy(dst, p, n);
    dst[n] = '\0';
}

static qlw_qlwurc_kind kind_of(const span *ev)
{
    for (size_t k = 1; k < EVENT_COUNT; k++) {
        if (span_ieq(ev, events[k].name))
            return (qlw_qlwurc_kind)k;
    }
    /* The spelling a fixed firmware would print. */
    return span_ieq(ev, "bootstrapping") ? QLW_QLWURC_BOOTSTRAPING : QLW_QLWURC_UNKNOWN;
}

/* ---------------------------------------------------------------- decode */

typedef struct parsed {
    span args[ARGS_KEPT];
    size_t argc;
    const char *rest; /* the arguments as printed, from the first one */
    size_t rest_len;
} parsed;

static void scan_args(cursor *c, parsed *a)
{
    a->argc = 0;
    a->rest = NULL;
    a->rest_len = 0;
    while (c->pos < c->len) {
        span f;

        c->pos++; /* the comma */
        skip_blanks(c);
        if (a->rest == NULL)
            a->rest = c->line + c->pos;
        f = next_field(c);
        if (a->argc < ARGS_KEPT)
            a->args[a->argc] = f;
        a->argc++;
    }
    if (a->rest != NULL)
        a->rest_len = trimmed(a->rest, (size_t)(c->line + c->len - a->rest), false).n;
}

/* One argument: that field unquoted; more: the arguments as printed, so an
 * unquoted "23/01/01,12:00:00" survives its comma. */
static void text_value(const parsed *a, qlw_qlwurc *out)
{
    if (a->argc == 1)
        copy_text(out->value, sizeof(out->value), a->args[0].p, a->args[0].n);
    else if (a->argc > 1)
        copy_text(out->value, sizeof(out->value), a->rest, a->rest_len);
}

static void fill(layout lay, const parsed *a, qlw_qlwurc *out)
{
    const span *v = a->args;

    if ((lay == L_RESULT_TEXT || lay == L_RESULT_SSID) && a->argc > 0)
        out->result = result_of(&v[0]);
    if (lay == L_RESULT_SSID && a->argc > 1)
        out->ssid = number_of(&v[1], SSID_MAX);
    if (lay == L_RESULT_TEXT && a->argc > 1)
        copy_text(out->value, sizeof(out->value), v[1].p, v[1].n);
    if (lay == L_DEREGISTER && a->argc == 1)
        out->code = number_of(&v[0], CODE_MAX);
    if (lay == L_DEREGISTER && a->argc >= 2) {
        out->ssid = number_of(&v[0], SSID_MAX);
        out->code = number_of(&v[1], CODE_MAX);
    }
    if (lay == L_TEXT)
        text_value(a, out);
}

int qlw_parse_qlwurc(const char *line, size_t len, qlw_qlwurc *out)
{
    const size_t name_len = sizeof(URC_NAME) - 1;
    cursor c = {line, len, name_len};
    parsed a;
    span ev;

    if (line == NULL || out == NULL)
        return QLW_ERR_ARG;
    memset(out, 0, sizeof(*out));
    out->result = out->ssid = out->code = -1;
    if (len < name_len || memcmp(line, URC_NAME, name_len) != 0 || !event_field(&c, &ev))
        return QLW_ERR_PARSE;
    out->kind = kind_of(&ev);
    copy_text(out->name, sizeof(out->name), ev.p, ev.n);
    scan_args(&c, &a);
    out->argc = a.argc;
    fill(events[out->kind].lay, &a, out);
    return QLW_OK;
}
