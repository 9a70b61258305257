/* Small helpers: growable buffers, string checks, the seeded PRNG. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

static void buf_reserve(struct sim_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        fputs("qlwm2m-sim: out of memory\n", stderr);
        abort();
    }
    b->data = p;
    b->cap = cap;
}

void buf_append(struct sim_buf *b, const void *p, size_t n)
{
    buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_puts(struct sim_buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void buf_vprintf(struct sim_buf *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n <= 0)
        return;
    buf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void buf_printf(struct sim_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void buf_consume(struct sim_buf *b, size_t n)
{
    if (n >= b->len) {
        buf_clear(b);
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
    b->data[b->len] = '\0';
}

void buf_clear(struct sim_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void buf_free(struct sim_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void buf_json_str(struct sim_buf *b, const char *s, size_t n)
{
    buf_puts(b, "\"");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            buf_printf(b, "\\%c", c);
        else if (c == '\r')
            buf_puts(b, "\\r");
        else if (c == '\n')
            buf_puts(b, "\\n");
        else if (c < 0x20 || c >= 0x7f)
            /* Bytes, not characters: the host may send anything, and the
             * output must stay valid JSON whatever it sent. */
            buf_printf(b, "\\u%04x", c);
        else
            buf_append(b, &s[i], 1);
    }
    buf_puts(b, "\"");
}

bool str_ieq(const char *a, const char *b)
{
    while (*a && *b) {
        if (toupper((unsigned char)*a) != toupper((unsigned char)*b))
            return false;
        a++;
        b++;
    }
    return *a == *b;
}

bool str_iprefix(const char *s, const char *prefix)
{
    for (; *prefix; prefix++, s++) {
        if (toupper((unsigned char)*s) != toupper((unsigned char)*prefix))
            return false;
    }
    return true;
}

void str_upper(char *s)
{
    for (; *s; s++)
        *s = (char)toupper((unsigned char)*s);
}

void str_copy(char *dst, size_t size, const char *src)
{
    if (size == 0)
        return;
    size_t n = strlen(src);
    if (n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

bool parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
    if (!s || !isdigit((unsigned char)*s))
        return false;
    uint64_t v = 0;
    for (; *s; s++) {
        if (!isdigit((unsigned char)*s))
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > max)
            return false;
    }
    if (v < min)
        return false;
    *out = (uint32_t)v;
    return true;
}

bool hex_valid(const char *s, size_t *bytes)
{
    size_t n = strlen(s);
    if (n == 0 || n % 2)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!isxdigit((unsigned char)s[i]))
            return false;
    }
    *bytes = n / 2;
    return true;
}

bool ipv4_valid(const char *s)
{
    uint32_t octet;
    char part[4];
    for (int i = 0; i < 4; i++) {
        size_t n = 0;
        while (*s && *s != '.' && n < sizeof part - 1)
            part[n++] = *s++;
        part[n] = '\0';
        if (!parse_u32(part, 0, 255, &octet))
            return false;
        if (i < 3 && *s++ != '.')
            return false;
    }
    return *s == '\0';
}

uint32_t prng_next(uint64_t *state)
{
    /* xorshift64*: tiny, and the same sequence on every platform. */
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return (uint32_t)((x * 2685821657736338717ull) >> 32);
}
