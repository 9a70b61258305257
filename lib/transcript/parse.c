/*
 * Parser of the `.at` transcript format (see transcript.h and TRANSCRIPTS.md).
 *
 * The whole transcript lives in one allocation: the header, an array with
 * room for one step per line, then a pool for the step bytes. A line never
 * yields more bytes than it has characters plus three (CR LF and NUL of a
 * `< TEXT` line, or the two NULs of a `## key: value` line), which bounds the
 * pool before the text is read.
 */
#include "qlwm2m/transcript.h"

#include "ts_text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest `@` delay: beyond it wrap-safe clock comparisons stop working. */
#define TS_DELAY_MAX_MS 2147483647u

/* Bytes a line may add to the pool beyond its own characters. */
#define TS_LINE_OVERHEAD 3u

/* How much of an offending line an error message quotes. */
#define TS_QUOTE_MAX 16u

struct qlw_transcript {
    size_t count;
    qlw_ts_step steps[];
};

typedef struct ts_parser {
    qlw_transcript *ts;
    uint8_t *pool; /* next free byte */
    int line_no;
    char *errmsg;
    size_t errmsg_size;
} ts_parser;

/* One line of the file, without its terminator. */
typedef struct ts_line {
    const char *text;
    size_t len;
} ts_line;

static int parse_fail(ts_parser *p, const char *fmt, ...) QLW_PRINTF(2, 3);

static int parse_fail(ts_parser *p, const char *fmt, ...)
{
    if (p->errmsg == NULL || p->errmsg_size == 0) {
        return QLW_ERR_PARSE;
    }
    int n = snprintf(p->errmsg, p->errmsg_size, "line %d: ", p->line_no);
    if (n >= 0 && (size_t)n < p->errmsg_size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->errmsg + n, p->errmsg_size - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return QLW_ERR_PARSE;
}

/* Quotes (escaped, shortened) part of the line for an error message. */
static const char *quote(char *buf, size_t size, const char *text, size_t len)
{
    qlw_ts_strbuf sb;
    qlw_ts_strbuf_init(&sb, buf, size);
    qlw_ts_strbuf_escaped(&sb, (const uint8_t *)text, len, TS_QUOTE_MAX);
    return buf;
}

static qlw_ts_step *new_step(ts_parser *p, qlw_ts_kind kind)
{
    qlw_ts_step *s = &p->ts->steps[p->ts->count++];
    s->kind = kind;
    s->data = p->pool;
    s->len = 0;
    s->delay_ms = 0;
    s->key = NULL;
    s->line_no = p->line_no;
    return s;
}

/* Copies @p len bytes to the pool as the step's data and NUL-terminates them. */
static void step_copy(ts_parser *p, qlw_ts_step *s, const char *text, size_t len)
{
    memcpy(p->pool, text, len);
    p->pool += len;
    *p->pool++ = '\0';
    s->len = len;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* @p after: the characters that follow the backslash (at most three). */
static int bad_escape(ts_parser *p, const char *after, size_t after_len, size_t column)
{
    char q[TS_QUOTE_MAX * QLW_TS_ESCAPE_MAX + 4];
    if (after_len == 0) {
        return parse_fail(p, "lone '\\' at the end of the line (write \\\\ for a backslash)");
    }
    return parse_fail(
        p, "bad escape \"\\%s\" at column %zu (use \\r \\n \\t \\\\ or \\x and two hex digits)",
        quote(q, sizeof q, after, after_len), column);
}

/*
 * Decodes one escape starting at text[i] (a backslash) into @p out.
 * Returns the characters consumed, or 0 after reporting a bad escape.
 */
static size_t unescape_one(ts_parser *p, const ts_line *ln, size_t i, uint8_t *out)
{
    size_t rest = ln->len - i;
    char c = '\0';
    static const char named[] = "r\rn\nt\t\\\\";

    if (rest > 1) {
        c = ln->text[i + 1];
    }
    for (size_t k = 0; rest > 1 && named[k] != '\0'; k += 2) {
        if (c == named[k]) {
            *out = (uint8_t)named[k + 1];
            return 2;
        }
    }
    if (c == 'x' && rest >= 4) {
        int hi = hex_value(ln->text[i + 2]);
        int lo = hex_value(ln->text[i + 3]);
        if (hi >= 0 && lo >= 0) {
            *out = (uint8_t)(hi << 4 | lo);
            return 4;
        }
    }
    size_t shown = c == 'x' ? (rest < 4 ? rest : 4) : (rest < 2 ? rest : 2);
    bad_escape(p, ln->text + i + 1, shown - 1, i + 1);
    return 0;
}

/* Decodes the BYTES of a `>~`/`<~` line that start at column @p from. */
static int parse_bytes(ts_parser *p, qlw_ts_kind kind, const ts_line *ln, size_t from)
{
    qlw_ts_step *s = new_step(p, kind);
    size_t n = 0;
    for (size_t i = from; i < ln->len;) {
        if (ln->text[i] != '\\') {
            p->pool[n++] = (uint8_t)ln->text[i++];
            continue;
        }
        size_t used = unescape_one(p, ln, i, &p->pool[n]);
        if (used == 0) {
            return QLW_ERR_PARSE;
        }
        n++;
        i += used;
    }
    p->pool[n] = '\0';
    p->pool += n + 1;
    s->len = n;
    return QLW_OK;
}

/* TEXT of a `>`/`<` line: everything after the one space, trailing spaces included. */
static int parse_text(ts_parser *p, qlw_ts_kind kind, const ts_line *ln)
{
    size_t skip = ln->len == 1 ? 1 : 2;
    size_t n = ln->len - skip;
    qlw_ts_step *s = new_step(p, kind);
    memcpy(p->pool, ln->text + skip, n);
    if (kind == QLW_TS_RECV) {
        memcpy(p->pool + n, "\r\n", 2);
        n += 2;
    }
    p->pool[n] = '\0';
    p->pool += n + 1;
    s->len = n;
    return QLW_OK;
}

static int unknown_kind(ts_parser *p, const ts_line *ln)
{
    char q[TS_QUOTE_MAX * QLW_TS_ESCAPE_MAX + 4];
    return parse_fail(p,
                      "unknown line kind \"%s\" (a line starts with \"> \", \">~ \", \"< \", "
                      "\"<~ \", \"@ +\", \"#\" or \"## \", or is \"<\" or \">\" alone)",
                      quote(q, sizeof q, ln->text, ln->len));
}

/* A `>`/`<` line: TEXT form, alone (empty TEXT), or the `~` BYTES form. */
static int parse_dir(ts_parser *p, const ts_line *ln, qlw_ts_kind text_kind, qlw_ts_kind bytes_kind)
{
    if (ln->len >= 2 && ln->text[1] == '~') {
        if (ln->len < 4 || ln->text[2] != ' ') {
            return parse_fail(p, "\"%c~\" needs one space and then the bytes", ln->text[0]);
        }
        return parse_bytes(p, bytes_kind, ln, 3);
    }
    if (ln->len >= 2 && ln->text[1] != ' ') {
        return unknown_kind(p, ln);
    }
    return parse_text(p, text_kind, ln);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* `@ +MS`, trailing blanks allowed. */
static int parse_delay(ts_parser *p, const ts_line *ln)
{
    size_t i = 3;
    uint64_t ms = 0;

    if (ln->len < 4 || ln->text[1] != ' ' || ln->text[2] != '+') {
        return parse_fail(p, "'@' needs a delay written \"@ +MS\" (e.g. \"@ +5000\")");
    }
    for (; i < ln->len && ln->text[i] >= '0' && ln->text[i] <= '9'; i++) {
        ms = ms * 10u + (uint64_t)(ln->text[i] - '0');
        if (ms > TS_DELAY_MAX_MS) {
            return parse_fail(p, "delay out of range (0 to %u ms)", TS_DELAY_MAX_MS);
        }
    }
    size_t digits_end = i;
    while (i < ln->len && is_blank(ln->text[i])) {
        i++;
    }
    if (digits_end == 3 || i != ln->len) {
        return parse_fail(p, "'@' needs a delay written \"@ +MS\" (e.g. \"@ +5000\")");
    }
    new_step(p, QLW_TS_DELAY)->delay_ms = (uint32_t)ms;
    p->pool[0] = '\0';
    p->pool++;
    return QLW_OK;
}

/* `## key: value`: the key has no blanks; blanks around the value are dropped. */
static int parse_meta(ts_parser *p, const ts_line *ln)
{
    size_t k = 2;
    while (k < ln->len && is_blank(ln->text[k])) {
        k++;
    }
    size_t key_end = k;
    while (key_end < ln->len && ln->text[key_end] != ':' && !is_blank(ln->text[key_end])) {
        key_end++;
    }
    if (key_end == k || key_end == ln->len || ln->text[key_end] != ':') {
        return parse_fail(p, "metadata must be written \"## key: value\"");
    }
    size_t v = key_end + 1;
    size_t v_end = ln->len;
    while (v < v_end && is_blank(ln->text[v])) {
        v++;
    }
    while (v_end > v && is_blank(ln->text[v_end - 1])) {
        v_end--;
    }
    qlw_ts_step *s = new_step(p, QLW_TS_META);
    s->key = (const char *)p->pool;
    step_copy(p, s, ln->text + k, key_end - k);
    s->data = p->pool;
    step_copy(p, s, ln->text + v, v_end - v);
    return QLW_OK;
}

static bool is_blank_line(const ts_line *ln)
{
    for (size_t i = 0; i < ln->len; i++) {
        if (!is_blank(ln->text[i])) {
            return false;
        }
    }
    return true;
}

static int parse_line(ts_parser *p, const ts_line *ln)
{
    if (is_blank_line(ln)) {
        return QLW_OK;
    }
    switch (ln->text[0]) {
    case '#':
        return ln->len >= 2 && ln->text[1] == '#' ? parse_meta(p, ln) : QLW_OK;
    case '@':
        return parse_delay(p, ln);
    case '>':
        return parse_dir(p, ln, QLW_TS_SEND, QLW_TS_SEND_BYTES);
    case '<':
        return parse_dir(p, ln, QLW_TS_RECV, QLW_TS_RECV_BYTES);
    default:
        return unknown_kind(p, ln);
    }
}

/* Upper bound of the allocation for @p len bytes of text, or 0 on overflow. */
static size_t alloc_size(const char *text, size_t len, size_t *max_steps)
{
    size_t lines = 1;
    for (size_t i = 0; i < len; i++) {
        lines += text[i] == '\n';
    }
    *max_steps = lines;
    if (lines > (SIZE_MAX - sizeof(qlw_transcript)) / (sizeof(qlw_ts_step) + TS_LINE_OVERHEAD)) {
        return 0;
    }
    size_t fixed = sizeof(qlw_transcript) + lines * (sizeof(qlw_ts_step) + TS_LINE_OVERHEAD);
    return len > SIZE_MAX - fixed ? 0 : fixed + len;
}

static int parse_all(ts_parser *p, const char *text, size_t len)
{
    size_t pos = 0;
    for (;;) {
        p->line_no++;
        const char *nl = len > pos ? memchr(text + pos, '\n', len - pos) : NULL;
        size_t end = nl != NULL ? (size_t)(nl - text) : len;
        ts_line ln = {text + pos, end - pos};
        if (ln.len > 0 && ln.text[ln.len - 1] == '\r') {
            ln.len--; /* a file saved with CR LF line ends */
        }
        int rc = parse_line(p, &ln);
        if (rc != QLW_OK) {
            return rc;
        }
        if (nl == NULL) {
            return QLW_OK;
        }
        pos = end + 1;
    }
}

int qlw_transcript_parse(qlw_transcript **ts, const char *text, size_t len, char *errmsg,
                         size_t errmsg_size)
{
    if (errmsg != NULL && errmsg_size > 0) {
        errmsg[0] = '\0';
    }
    if (ts == NULL) {
        return QLW_ERR_ARG;
    }
    *ts = NULL;
    if (text == NULL && len > 0) {
        return QLW_ERR_ARG;
    }
    if (text == NULL) {
        text = "";
    }
    size_t max_steps = 0;
    size_t size = alloc_size(text, len, &max_steps);
    qlw_transcript *t = size != 0 ? malloc(size) : NULL;
    if (t == NULL) {
        return QLW_ERR_NOMEM;
    }
    t->count = 0;
    ts_parser p = {t, (uint8_t *)&t->steps[max_steps], 0, errmsg, errmsg_size};
    int rc = parse_all(&p, text, len);
    if (rc != QLW_OK) {
        free(t);
        return rc;
    }
    *ts = t;
    return QLW_OK;
}

static int load_fail(const char *path, int err, char *errmsg, size_t errmsg_size)
{
    if (errmsg != NULL && errmsg_size > 0) {
        snprintf(errmsg, errmsg_size, "%s: %s", path, strerror(err));
    }
    return QLW_ERR_IO;
}

/* Reads a whole stream into a malloc'ed buffer (works for pipes too). */
static int read_all(FILE *f, char **out, size_t *out_len)
{
    size_t cap = 4096;
    size_t len = 0;
    char *buf = malloc(cap);

    while (buf != NULL) {
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap) {
            break;
        }
        char *bigger = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
        if (bigger == NULL) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    if (buf == NULL) {
        return QLW_ERR_NOMEM;
    }
    if (ferror(f)) {
        free(buf);
        return QLW_ERR_IO;
    }
    *out = buf;
    *out_len = len;
    return QLW_OK;
}

int qlw_transcript_load(qlw_transcript **ts, const char *path, char *errmsg, size_t errmsg_size)
{
    if (errmsg != NULL && errmsg_size > 0) {
        errmsg[0] = '\0';
    }
    if (ts == NULL) {
        return QLW_ERR_ARG;
    }
    *ts = NULL;
    if (path == NULL) {
        return QLW_ERR_ARG;
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return load_fail(path, errno, errmsg, errmsg_size);
    }
    char *text = NULL;
    size_t len = 0;
    int rc = read_all(f, &text, &len);
    int read_errno = errno;
    fclose(f);
    if (rc == QLW_ERR_IO) {
        return load_fail(path, read_errno, errmsg, errmsg_size);
    }
    if (rc != QLW_OK) {
        return rc;
    }
    rc = qlw_transcript_parse(ts, text, len, errmsg, errmsg_size);
    free(text);
    return rc;
}

void qlw_transcript_free(qlw_transcript *ts)
{
    free(ts);
}

size_t qlw_transcript_count(const qlw_transcript *ts)
{
    return ts != NULL ? ts->count : 0;
}

const qlw_ts_step *qlw_transcript_step(const qlw_transcript *ts, size_t i)
{
    return ts != NULL && i < ts->count ? &ts->steps[i] : NULL;
}

const char *qlw_transcript_meta(const qlw_transcript *ts, const char *key)
{
    if (ts == NULL || key == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < ts->count; i++) {
        const qlw_ts_step *s = &ts->steps[i];
        if (s->kind == QLW_TS_META && strcmp(s->key, key) == 0) {
            return (const char *)s->data;
        }
    }
    return NULL;
}

const char *qlw_ts_kind_str(qlw_ts_kind kind)
{
    switch (kind) {
    case QLW_TS_SEND:
        return "send";
    case QLW_TS_SEND_BYTES:
        return "send_bytes";
    case QLW_TS_RECV:
        return "recv";
    case QLW_TS_RECV_BYTES:
        return "recv_bytes";
    case QLW_TS_DELAY:
        return "delay";
    case QLW_TS_META:
        return "meta";
    }
    return "unknown";
}
