/*
 * Reads a fuzzer input as two streams: bytes for the modem (or the text
 * under test) from the front, small decisions from the back. A seed made of
 * plain modem output is then already meaningful: its decisions come from its
 * last bytes and its data from its first ones.
 */
#ifndef QLW_FUZZ_INPUT_H
#define QLW_FUZZ_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct fz_in {
    const uint8_t *p;
    size_t n;
} fz_in;

static inline bool fz_empty(const fz_in *in)
{
    return in->n == 0;
}

/* One decision byte from the back; 0 once the input is used up. */
static inline uint8_t fz_pick(fz_in *in)
{
    if (in->n == 0)
        return 0;
    in->n--;
    return in->p[in->n];
}

/* One data byte from the front; 0 once the input is used up. */
static inline uint8_t fz_byte(fz_in *in)
{
    if (in->n == 0)
        return 0;
    in->n--;
    return *in->p++;
}

/* Up to want data bytes from the front; *got says how many. */
static inline const uint8_t *fz_bytes(fz_in *in, size_t want, size_t *got)
{
    const uint8_t *p = in->p;

    *got = want < in->n ? want : in->n;
    in->p += *got;
    in->n -= *got;
    return p;
}

/*
 * Decisions for a harness whose whole front is one piece of text: the last
 * FZ_TRAILER bytes seed a small generator, so a seed is "text + trailer".
 */
#define FZ_TRAILER 8u

typedef struct fz_rng {
    uint64_t s;
} fz_rng;

/* Splits off the trailer; *in keeps the text. */
static inline fz_rng fz_rng_from_trailer(fz_in *in)
{
    fz_rng r = {0x9E3779B97F4A7C15u};

    for (unsigned i = 0; i < FZ_TRAILER && in->n > 0; i++)
        r.s = r.s * 131u + fz_pick(in) + 1u;
    return r;
}

static inline uint8_t fz_rng_byte(fz_rng *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return (uint8_t)(r->s >> 24);
}

/* Records of modem output in the session harness (see fuzz_session.c). */
#define FZ_REC_RAW  0x80u
#define FZ_REC_MORE 0x40u
#define FZ_REC_LEN  0x3Fu

/* An invariant failed: report it and abort, so libFuzzer keeps the input as a crash. */
#define FZ_CHECK(cond)                                                                             \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#endif
