#include <string.h>

#include "qlwm2m/at.h"

int qlw_at_split(const char *line, size_t len, qlw_at_field *fields, size_t max)
{
    const char *p = line, *end = line + len, *stop;
    size_t count = 0;

    if (line == NULL || (fields == NULL && max > 0))
        return QLW_ERR_ARG;
    /* The arguments start after "+NAME:" and one optional space. */
    if (len > 0 && line[0] == '+') {
        p = memchr(line, ':', len);
        if (p == NULL)
            return QLW_ERR_PARSE;
        p++;
        if (p < end && *p == ' ')
            p++;
    }
    if (p == end)
        return 0;
    for (;;) {
        qlw_at_field f;

        /* p is on the field's first byte, or at the end after a trailing comma. */
        f.quoted = p < end && *p == '"';
        if (f.quoted) {
            stop = memchr(p + 1, '"', (size_t)(end - p - 1));
            if (stop == NULL)
                return QLW_ERR_PARSE;
            f.ptr = p + 1;
            f.len = (size_t)(stop - f.ptr);
            p = stop + 1;
            if (p < end && *p != ',')
                return QLW_ERR_PARSE;
        } else {
            /* memchr: the last field of a downlink is a kilobyte of hex. */
            stop = memchr(p, ',', (size_t)(end - p));
            f.ptr = p;
            p = stop != NULL ? stop : end;
            f.len = (size_t)(p - f.ptr);
        }
        if (count >= max)
            return QLW_ERR_OVERFLOW;
        fields[count++] = f;
        if (p == end)
            return (int)count;
        p++; /* the comma; a trailing comma leaves one more empty field */
    }
}

/* A hex digit's value with bit 4 set (0x10..0x1F); 0 for every other ASCII
 * byte. Bytes above 0x7F are turned away before a look-up (ascii()). */
static const uint8_t hex_digit[128] = {
    ['0'] = 0x10, ['1'] = 0x11, ['2'] = 0x12, ['3'] = 0x13, ['4'] = 0x14, ['5'] = 0x15,
    ['6'] = 0x16, ['7'] = 0x17, ['8'] = 0x18, ['9'] = 0x19, ['A'] = 0x1A, ['B'] = 0x1B,
    ['C'] = 0x1C, ['D'] = 0x1D, ['E'] = 0x1E, ['F'] = 0x1F, ['a'] = 0x1A, ['b'] = 0x1B,
    ['c'] = 0x1C, ['d'] = 0x1D, ['e'] = 0x1E, ['f'] = 0x1F,
};

/* True when no byte is above 0x7F: a machine word at a time (a downlink is a
 * kilobyte of hex), which costs less than a test per digit and lets the
 * table stop at 0x7F. */
static bool ascii(const unsigned char *p, size_t n)
{
    size_t acc = 0, w, i = 0;

    for (; n - i >= sizeof(w); i += sizeof(w)) {
        memcpy(&w, p + i, sizeof(w));
        acc |= w;
    }
    for (; i < n; i++)
        acc |= p[i];
    return (acc & ((size_t)-1 / 0xFFu * 0x80u)) == 0;
}

int qlw_at_field_int(const qlw_at_field *f, long min, long max, long *out)
{
    size_t i = 0;
    bool neg;
    long v = 0;

    if (f == NULL || out == NULL)
        return QLW_ERR_ARG;
    neg = f->len > 0 && f->ptr[0] == '-';
    if (f->len > 0 && (neg || f->ptr[0] == '+'))
        i++;
    if (i == f->len)
        return QLW_ERR_PARSE;
    for (; i < f->len; i++) {
        unsigned d = (unsigned)(unsigned char)f->ptr[i] - '0';

        if (d > 9)
            return QLW_ERR_PARSE;
        if (v > (2147483647L - (long)d) / 10)
            return QLW_ERR_ARG; /* beyond any range a module prints */
        v = v * 10 + (long)d;
    }
    v = neg ? -v : v;
    if (v < min || v > max)
        return QLW_ERR_ARG;
    *out = v;
    return QLW_OK;
}

int qlw_at_field_hex32(const qlw_at_field *f, uint32_t *out)
{
    uint32_t v = 0;

    if (f == NULL || out == NULL)
        return QLW_ERR_ARG;
    if (f->len == 0 || f->len > 8)
        return QLW_ERR_PARSE;
    for (size_t i = 0; i < f->len; i++) {
        unsigned char c = (unsigned char)f->ptr[i];
        unsigned d = c < 0x80 ? hex_digit[c] : 0;

        if (d == 0)
            return QLW_ERR_PARSE;
        v = v << 4 | (d & 0x0Fu);
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
    if (!ascii(h, hex_len))
        return QLW_ERR_PARSE;
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
