#include "ts_text.h"

#include <stdarg.h>
#include <stdio.h>

bool qlw_ts_is_text_byte(uint8_t b)
{
    return b >= 0x20 && b <= 0x7e;
}

bool qlw_ts_is_text(const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (!qlw_ts_is_text_byte(data[i])) {
            return false;
        }
    }
    return true;
}

size_t qlw_ts_escape_byte(uint8_t b, char out[QLW_TS_ESCAPE_MAX])
{
    static const char hex[] = "0123456789ABCDEF";
    char named = 0;

    switch (b) {
    case '\r':
        named = 'r';
        break;
    case '\n':
        named = 'n';
        break;
    case '\t':
        named = 't';
        break;
    case '\\':
        named = '\\';
        break;
    default:
        break;
    }
    if (named != 0) {
        out[0] = '\\';
        out[1] = named;
        return 2;
    }
    if (qlw_ts_is_text_byte(b)) {
        out[0] = (char)b;
        return 1;
    }
    out[0] = '\\';
    out[1] = 'x';
    out[2] = hex[b >> 4];
    out[3] = hex[b & 0x0f];
    return 4;
}

void qlw_ts_strbuf_init(qlw_ts_strbuf *sb, char *buf, size_t size)
{
    sb->buf = buf;
    sb->size = size;
    sb->len = 0;
    if (size > 0) {
        buf[0] = '\0';
    }
}

static void strbuf_append(qlw_ts_strbuf *sb, const char *text, size_t len)
{
    if (sb->size == 0) {
        return;
    }
    size_t room = sb->size - 1 - sb->len;
    size_t n = len < room ? len : room;
    for (size_t i = 0; i < n; i++) {
        sb->buf[sb->len + i] = text[i];
    }
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void qlw_ts_strbuf_printf(qlw_ts_strbuf *sb, const char *fmt, ...)
{
    if (sb->size == 0) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(sb->buf + sb->len, sb->size - sb->len, fmt, ap);
    va_end(ap);
    if (n < 0) {
        sb->buf[sb->len] = '\0';
        return;
    }
    size_t room = sb->size - 1 - sb->len;
    sb->len += (size_t)n < room ? (size_t)n : room;
}

void qlw_ts_strbuf_escaped(qlw_ts_strbuf *sb, const uint8_t *data, size_t len, size_t max_len)
{
    bool cut = len > max_len;
    size_t shown = cut ? max_len : len;
    char esc[QLW_TS_ESCAPE_MAX];

    for (size_t i = 0; i < shown; i++) {
        strbuf_append(sb, esc, qlw_ts_escape_byte(data[i], esc));
    }
    if (cut) {
        strbuf_append(sb, "...", 3);
    }
}
