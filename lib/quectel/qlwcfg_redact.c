/*
 * The trace filter of qlwcfg_redact.h. Bytes that could be the start of the
 * secret are held back until they either complete it (then "***" goes out
 * instead) or stop matching (then they go out as they were), so a secret
 * split across writes or reads is caught too.
 */
#include <ctype.h>
#include <string.h>

#include "quectel/qlwcfg_redact.h"

#define OUT_CHUNK 64

static const uint8_t stars[] = {'*', '*', '*'};

/* Filtered bytes on their way to the original hook, in chunks. */
typedef struct out {
    const qlw_redact *r;
    qlw_trace_dir dir;
    uint32_t time_ms;
    uint8_t buf[OUT_CHUNK];
    size_t len;
} out;

static void out_flush(out *o)
{
    if (o->len > 0)
        o->r->inner(o->r->inner_ctx, o->dir, o->buf, o->len, o->time_ms);
    o->len = 0;
}

static void out_put(out *o, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (o->len == sizeof(o->buf))
            out_flush(o);
        o->buf[o->len++] = p[i];
    }
}

static bool starts_secret(const qlw_redact *r, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (tolower(p[i]) != tolower((unsigned char)r->secret[i]))
            return false;
    }
    return true;
}

static void feed(const qlw_redact *r, qlw_redact_dir *d, out *o, uint8_t b)
{
    d->held[d->count++] = b;
    /* Drop from the front until what is held could still become the secret. */
    while (d->count > 0 && !starts_secret(r, d->held, d->count)) {
        out_put(o, d->held, 1);
        memmove(d->held, d->held + 1, --d->count);
    }
    if (d->count == r->secret_len) {
        out_put(o, stars, sizeof(stars));
        d->count = 0;
    }
}

static void filter(void *ctx, qlw_trace_dir dir, const uint8_t *data, size_t len, uint32_t time_ms)
{
    qlw_redact *r = ctx;
    qlw_redact_dir *d = &r->dir[dir == QLW_TRACE_TX ? 1 : 0];
    out o = {.r = r, .dir = dir, .time_ms = time_ms};

    d->time_ms = time_ms;
    for (size_t i = 0; i < len; i++)
        feed(r, d, &o, data[i]);
    out_flush(&o);
}

void qlw_redact_begin(qlw_redact *r, qlw_at *at, const char *secret)
{
    size_t n = secret != NULL ? strlen(secret) : 0;

    memset(r, 0, sizeof(*r));
    r->at = at;
    if (at == NULL || n == 0 || n > QLW_REDACT_SECRET_MAX)
        return;
    memcpy(r->secret, secret, n + 1);
    r->secret_len = n;
    qlw_at_get_trace(at, &r->inner, &r->inner_ctx);
    if (r->inner != NULL) {
        qlw_at_set_trace(at, filter, r);
        r->active = true;
    }
}

/* A run still held when the command is over is part of the secret's start:
 * it never goes out as it was. */
static void flush_held(qlw_redact *r, qlw_trace_dir dir)
{
    qlw_redact_dir *d = &r->dir[dir == QLW_TRACE_TX ? 1 : 0];
    out o = {.r = r, .dir = dir, .time_ms = d->time_ms};

    if (d->count > 0)
        out_put(&o, stars, sizeof(stars));
    d->count = 0;
    out_flush(&o);
}

void qlw_redact_end(qlw_redact *r)
{
    qlw_trace_fn now;
    void *now_ctx;

    if (r->at == NULL || r->secret_len == 0)
        return;
    if (r->active) {
        flush_held(r, QLW_TRACE_TX);
        flush_held(r, QLW_TRACE_RX);
        qlw_at_get_trace(r->at, &now, &now_ctx);
        /* A handler that installed its own hook meanwhile keeps it. */
        if (now == filter && now_ctx == r)
            qlw_at_set_trace(r->at, r->inner, r->inner_ctx);
        r->active = false;
    }
    qlw_at_redact_command(r->at, r->secret);
    memset(r->secret, 0, sizeof(r->secret));
    memset(r->dir, 0, sizeof(r->dir));
    r->secret_len = 0;
}
