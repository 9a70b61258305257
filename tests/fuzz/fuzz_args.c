/*
 * The argument helpers on arbitrary lines: qlw_at_split() and the field
 * readers, checked against simple reference parsers, and the hex codec
 * round trip in both directions.
 *
 * Input: the line, then an 8-byte trailer that seeds the field limit and
 * the ranges. The line is copied to a buffer of exactly its size, so a read
 * past it is caught.
 */
#include <ctype.h>
#include <string.h>

#include "fuzz_input.h"
#include "qlwm2m/at.h"

#define FIELDS_MAX 12

static bool all_digits(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
    }
    return len > 0;
}

static void check_int(const qlw_at_field *f, fz_rng *in)
{
    long min = -(long)fz_rng_byte(in) * 1000, max = (long)fz_rng_byte(in) * 100000, v = 0;
    int rc = qlw_at_field_int(f, min, max, &v);
    char ref[16];

    FZ_CHECK(rc == QLW_OK || rc == QLW_ERR_PARSE || rc == QLW_ERR_ARG);
    if (rc == QLW_OK)
        FZ_CHECK(v >= min && v <= max);
    if (all_digits(f->ptr, f->len) && f->len < 10) {
        memcpy(ref, f->ptr, f->len);
        ref[f->len] = '\0';
        long want = strtol(ref, NULL, 10);
        FZ_CHECK((rc == QLW_OK) == (want >= min && want <= max));
        if (rc == QLW_OK)
            FZ_CHECK(v == want);
    }
}

static void check_hex32(const qlw_at_field *f)
{
    uint32_t v = 0;
    int rc = qlw_at_field_hex32(f, &v);
    bool hex = f->len > 0 && f->len <= 8;
    char ref[9];

    for (size_t i = 0; hex && i < f->len; i++)
        hex = isxdigit((unsigned char)f->ptr[i]) != 0;
    FZ_CHECK((rc == QLW_OK) == hex);
    if (rc == QLW_OK) {
        memcpy(ref, f->ptr, f->len);
        ref[f->len] = '\0';
        FZ_CHECK(v == (uint32_t)strtoul(ref, NULL, 16));
    }
}

static void check_copy(const qlw_at_field *f, fz_rng *in)
{
    char buf[64];
    size_t size = (size_t)fz_rng_byte(in) % sizeof(buf) + 1;
    int rc = qlw_at_field_copy(f, buf, size);

    FZ_CHECK(rc == (f->len < size ? QLW_OK : QLW_ERR_OVERFLOW));
    FZ_CHECK(memchr(buf, '\0', size) != NULL);
    if (rc == QLW_OK && memchr(f->ptr, '\0', f->len) == NULL)
        FZ_CHECK(qlw_at_field_eq(f, buf));
}

static void check_field(const char *line, size_t len, const qlw_at_field *f, fz_rng *in)
{
    FZ_CHECK(f->ptr >= line && f->ptr + f->len <= line + len);
    if (f->quoted) {
        FZ_CHECK(f->ptr > line && f->ptr[-1] == '"');
        FZ_CHECK(f->ptr + f->len < line + len && f->ptr[f->len] == '"');
        FZ_CHECK(memchr(f->ptr, '"', f->len) == NULL);
    } else {
        FZ_CHECK(memchr(f->ptr, ',', f->len) == NULL);
    }
    check_int(f, in);
    check_hex32(f);
    check_copy(f, in);
}

static void check_split(const char *line, size_t len, fz_rng *in)
{
    qlw_at_field fields[FIELDS_MAX];
    size_t max = fz_rng_byte(in) % (FIELDS_MAX + 1);
    int n = qlw_at_split(line, len, fields, max);

    if (n < 0) {
        FZ_CHECK(n == QLW_ERR_PARSE || n == QLW_ERR_OVERFLOW);
        return;
    }
    FZ_CHECK((size_t)n <= max);
    for (int i = 0; i < n; i++)
        check_field(line, len, &fields[i], in);
}

static void check_hex_decode(const char *line, size_t len)
{
    uint8_t *bytes = malloc(len / 2 + 1);
    char *hex = malloc(len + 1);
    int n = qlw_hex_decode(line, len, bytes, len / 2);

    if (n >= 0) {
        FZ_CHECK((size_t)n == len / 2);
        FZ_CHECK(qlw_hex_encode(bytes, (size_t)n, hex, len + 1) == (int)len);
        for (size_t i = 0; i < len; i++)
            FZ_CHECK(toupper((unsigned char)line[i]) == hex[i]);
        if (n > 0)
            FZ_CHECK(qlw_hex_decode(line, len, bytes, (size_t)n - 1) == QLW_ERR_OVERFLOW);
    } else {
        FZ_CHECK(n == QLW_ERR_PARSE);
    }
    free(hex);
    free(bytes);
}

static void check_hex_encode(const char *line, size_t len)
{
    char *hex = malloc(2 * len + 1);
    uint8_t *back = malloc(len + 1);

    FZ_CHECK(qlw_hex_encode((const uint8_t *)line, len, hex, 2 * len) == QLW_ERR_OVERFLOW);
    FZ_CHECK(qlw_hex_encode((const uint8_t *)line, len, hex, 2 * len + 1) == (int)(2 * len));
    FZ_CHECK(strlen(hex) == 2 * len);
    FZ_CHECK(qlw_hex_decode(hex, 2 * len, back, len) == (int)len);
    FZ_CHECK(memcmp(back, line, len) == 0);
    free(back);
    free(hex);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in in = {data, size};
    fz_rng rng = fz_rng_from_trailer(&in);
    char *line = malloc(in.n > 0 ? in.n : 1);

    memcpy(line, in.p, in.n);
    check_hex_decode(line, in.n);
    check_hex_encode(line, in.n);
    check_split(line, in.n, &rng);
    free(line);
    return 0;
}
