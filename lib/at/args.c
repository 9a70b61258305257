#include <string.h>

#include "qlwm2m/at.h"

/* Where the arguments start: after "+NAME:" and one optional space. */
static int args_start(const char *line, size_t len, size_t *pos)
{
    const char *colon;

    *pos = 0;
    if (len == 0 || line[0] != '+')
        return QLW_OK;
    colon = memchr(line, ':', len);
    if (colon == NULL)
        return QLW_ERR_PARSE;
    *pos = (size_t)(colon - line) + 1;
    if (*pos < len && line[*pos] == ' ')
        (*pos)++;
    return QLW_OK;
}

/* Scans one field starting at *pos; leaves *pos on the comma or at len. */
static int scan_field(const char *line, size_t len, size_t *pos, qlw_at_field *f)
{
    size_t i = *pos;

    f->quoted = i < len && line[i] == '"';
    if (f->quoted) {
        const char *end = memchr(line + i + 1, '"', len - i - 1);

        if (end == NULL)
            return QLW_ERR_PARSE;
        f->ptr = line + i + 1;
        f->len = (size_t)(end - f->ptr);
        i = (size_t)(end - line) + 1;
        if (i < len && line[i] != ',')
            return QLW_ERR_PARSE;
    } else {
        /* memchr: the last field of a downlink is a kilobyte of hex. */
        const char *comma = memchr(line + i, ',', len - i);

        f->ptr = line + i;
        i = comma != NULL ? (size_t)(comma - line) : len;
        f->len = (size_t)(line + i - f->ptr);
    }
    *pos = i;
    return QLW_OK;
}

int qlw_at_split(const char *line, size_t len, qlw_at_field *fields, size_t max)
{
    size_t pos, count = 0;
    int rc;

    if (line == NULL || (fields == NULL && max > 0))
        return QLW_ERR_ARG;
    rc = args_start(line, len, &pos);
    if (rc != QLW_OK)
        return rc;
    if (pos == len)
        return 0;
    for (;;) {
        qlw_at_field f;

        rc = scan_field(line, len, &pos, &f);
        if (rc != QLW_OK)
            return rc;
        if (count >= max)
            return QLW_ERR_OVERFLOW;
        fields[count++] = f;
        if (pos >= len)
            break;
        pos++; /* the comma; a trailing comma leaves one more empty field */
    }
    return (int)count;
}

int qlw_at_field_int(const qlw_at_field *f, long min, long max, long *out)
{
    size_t i = 0;
    bool neg = false;
    long v = 0;

    if (f == NULL || out == NULL)
        return QLW_ERR_ARG;
    if (i < f->len && (f->ptr[i] == '-' || f->ptr[i] == '+'))
        neg = f->ptr[i++] == '-';
    if (i == f->len)
        return QLW_ERR_PARSE;
    for (; i < f->len; i++) {
        char c = f->ptr[i];

        if (c < '0' || c > '9')
            return QLW_ERR_PARSE;
        if (v > (2147483647L - (c - '0')) / 10)
            return QLW_ERR_ARG; /* beyond any range a module prints */
        v = v * 10 + (c - '0');
    }
    v = neg ? -v : v;
    if (v < min || v > max)
        return QLW_ERR_ARG;
    *out = v;
    return QLW_OK;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int qlw_at_field_hex32(const qlw_at_field *f, uint32_t *out)
{
    uint32_t v = 0;

    if (f == NULL || out == NULL)
        return QLW_ERR_ARG;
    if (f->len == 0 || f->len > 8)
        return QLW_ERR_PARSE;
    for (size_t i = 0; i < f->len; i++) {
        int d = hex_value(f->ptr[i]);

        if (d < 0)
            return QLW_ERR_PARSE;
        v = (v << 4) | (uint32_t)d;
    }
    *out = v;
    return QLW_OK;
}

bool qlw_at_field_eq(const qlw_at_field *f, const char *s)
{
    return f != NULL && s != NULL && strlen(s) == f->len && memcmp(f->ptr, s, f->len) == 0;
}

int qlw_at_field_copy(const qlw_at_field *f, char *buf, size_t size)
{
    bool fits;
    size_t n;

    if (f == NULL || buf == NULL || size == 0)
        return QLW_ERR_ARG;
    fits = f->len < size;
    n = fits ? f->len : size - 1;
    memcpy(buf, f->ptr, n);
    buf[n] = '\0';
    return fits ? QLW_OK : QLW_ERR_OVERFLOW;
}

/* A hex digit's value with bit 4 set (0x10..0x1F); 0 for every other byte. */
static const uint8_t hex_digit[256] = {
    ['0'] = 0x10, ['1'] = 0x11, ['2'] = 0x12, ['3'] = 0x13, ['4'] = 0x14, ['5'] = 0x15,
    ['6'] = 0x16, ['7'] = 0x17, ['8'] = 0x18, ['9'] = 0x19, ['A'] = 0x1A, ['B'] = 0x1B,
    ['C'] = 0x1C, ['D'] = 0x1D, ['E'] = 0x1E, ['F'] = 0x1F, ['a'] = 0x1A, ['b'] = 0x1B,
    ['c'] = 0x1C, ['d'] = 0x1D, ['e'] = 0x1E, ['f'] = 0x1F,
};

int qlw_hex_decode(const char *hex, size_t hex_len, uint8_t *out, size_t out_size)
{
    const unsigned char *h = (const unsigned char *)hex;
    size_t i = 0, n = hex_len / 2;

    if (hex == NULL || (out == NULL && hex_len > 0))
        return QLW_ERR_ARG;
    if (hex_len % 2 != 0)
        return QLW_ERR_PARSE;
    if (n > out_size)
        return QLW_ERR_OVERFLOW;
    /* A downlink is up to a kilobyte of hex: one table look-up per digit
     * and one test per byte (a digit's entry has bit 4 set, any other
     * byte's is 0, so the AND of the two is 0 unless both are digits). */
    for (; i < n; i++) {
        unsigned hi = hex_digit[h[2 * i]], lo = hex_digit[h[2 * i + 1]];

        if ((hi & lo) == 0)
            return QLW_ERR_PARSE;
        out[i] = (uint8_t)(hi << 4 | (lo & 0x0Fu));
    }
    return (int)n;
}

int qlw_hex_encode(const uint8_t *data, size_t len, char *out, size_t out_size)
{
    static const char digits[] = "0123456789ABCDEF";

    if ((data == NULL && len > 0) || out == NULL)
        return QLW_ERR_ARG;
    if (out_size < 2 * len + 1)
        return QLW_ERR_OVERFLOW;
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 0x0F];
    }
    out[2 * len] = '\0';
    return (int)(2 * len);
}
