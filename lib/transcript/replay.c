/*
 * Replayer: plays a transcript as the modem behind a transport the host
 * writes to and reads from.
 *
 * The modem side is an in-memory transport (qlw_io_mem_*) that schedules the
 * transcript's modem bytes on its virtual clock. The host does not get that
 * transport directly but a thin one wrapped around it: the write hook of the
 * memory transport cannot make the write it observes fail, and a mismatch must
 * fail that very write with QLW_ERR_IO. Reads, waits and the clock go straight
 * to the memory transport.
 */
#include "qlwm2m/transcript.h"

#include "ts_text.h"

#include <limits.h>
#include <stdlib.h>

/* Room for a mismatch message with two quoted commands of ordinary length. */
#define REPLAY_ERROR_MAX 1024u

/* Host bytes shown in a mismatch message beyond what the step expected. */
#define REPLAY_EXTRA_SHOWN 32u

/* Smallest input capacity asked of the memory transport. */
#define REPLAY_MIN_CAPACITY 64u

struct qlw_replay {
    const qlw_transcript *ts;
    qlw_io *mem;       /* modem side: scheduled input and the virtual clock */
    qlw_io *io;        /* host side: checks writes, reads from mem */
    size_t send_idx;   /* send step being matched; the step count when none is left */
    size_t send_pos;   /* bytes of that step matched so far */
    uint32_t carry_ms; /* `@` delay not yet applied to modem bytes */
    bool lf_optional;  /* a `> TEXT` step just ended with CR, so an LF may follow */
    int status;        /* QLW_OK, or the error of the first failure */
    char error[REPLAY_ERROR_MAX];
};

static bool is_send(const qlw_ts_step *s)
{
    return s->kind == QLW_TS_SEND || s->kind == QLW_TS_SEND_BYTES;
}

static bool is_recv(const qlw_ts_step *s)
{
    return s->kind == QLW_TS_RECV || s->kind == QLW_TS_RECV_BYTES;
}

/* Bytes a send step stands for: `> TEXT` is TEXT and CR. */
static size_t send_len(const qlw_ts_step *s)
{
    return s->kind == QLW_TS_SEND ? s->len + 1 : s->len;
}

static uint8_t send_byte(const qlw_ts_step *s, size_t pos)
{
    return pos < s->len ? s->data[pos] : (uint8_t)'\r';
}

static const qlw_ts_step *current_send(const qlw_replay *rp)
{
    return qlw_transcript_step(rp->ts, rp->send_idx);
}

static int last_line_no(const qlw_transcript *ts)
{
    size_t n = qlw_transcript_count(ts);
    return n > 0 ? qlw_transcript_step(ts, n - 1)->line_no : 1;
}

static uint32_t add_ms_saturated(uint32_t a, uint32_t b)
{
    return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

static void record_failure(qlw_replay *rp, int line_no, const char *what)
{
    qlw_ts_strbuf sb;
    qlw_ts_strbuf_init(&sb, rp->error, sizeof rp->error);
    qlw_ts_strbuf_printf(&sb, "line %d: %s", line_no, what);
    rp->status = QLW_ERR_IO;
}

/*
 * Schedules the modem steps from @p from up to the next send step, and makes
 * that send step the expected one.
 */
static int schedule_modem(qlw_replay *rp, size_t from)
{
    size_t i = from;
    for (const qlw_ts_step *s; (s = qlw_transcript_step(rp->ts, i)) != NULL && !is_send(s); i++) {
        if (s->kind == QLW_TS_DELAY) {
            rp->carry_ms = add_ms_saturated(rp->carry_ms, s->delay_ms);
        } else if (is_recv(s)) {
            int rc = qlw_io_mem_push(rp->mem, s->data, s->len, rp->carry_ms);
            if (rc != QLW_OK) {
                record_failure(rp, s->line_no, "the replayer could not schedule the modem bytes");
                return rc;
            }
            rp->carry_ms = 0;
        }
    }
    rp->send_idx = i;
    rp->send_pos = 0;
    return QLW_OK;
}

/* Records what the host sent instead of the expected step (or after the end). */
static void record_mismatch(qlw_replay *rp, const uint8_t *rest, size_t rest_len)
{
    const qlw_ts_step *exp = current_send(rp);
    qlw_ts_strbuf sb;
    qlw_ts_strbuf_init(&sb, rp->error, sizeof rp->error);
    rp->status = QLW_ERR_IO;
    if (exp == NULL) {
        qlw_ts_strbuf_printf(&sb, "line %d: transcript ended, host sent \"", last_line_no(rp->ts));
        qlw_ts_strbuf_escaped(&sb, rest, rest_len, REPLAY_EXTRA_SHOWN);
        qlw_ts_strbuf_printf(&sb, "\"");
        return;
    }
    size_t exp_len = send_len(exp);
    qlw_ts_strbuf_printf(&sb, "line %d: expected \"", exp->line_no);
    qlw_ts_strbuf_escaped(&sb, exp->data, exp->len, exp->len);
    if (exp->kind == QLW_TS_SEND) {
        qlw_ts_strbuf_printf(&sb, "\\r");
    }
    /* The matched part of the step is what the host sent before this byte. */
    qlw_ts_strbuf_printf(&sb, "\", host sent \"");
    qlw_ts_strbuf_escaped(&sb, exp->data, rp->send_pos < exp->len ? rp->send_pos : exp->len,
                          SIZE_MAX);
    qlw_ts_strbuf_escaped(&sb, rest, rest_len, exp_len - rp->send_pos + REPLAY_EXTRA_SHOWN);
    qlw_ts_strbuf_printf(&sb, "\"");
}

/*
 * Takes one host byte: the next byte of the expected send step, or the LF
 * that may follow the CR of a `> TEXT` step. Returns false on a mismatch.
 */
static bool take_byte(qlw_replay *rp, uint8_t b)
{
    const qlw_ts_step *exp = current_send(rp);
    if (exp != NULL && b == send_byte(exp, rp->send_pos)) {
        rp->lf_optional = false;
        if (++rp->send_pos < send_len(exp)) {
            return true;
        }
        rp->lf_optional = exp->kind == QLW_TS_SEND;
        return schedule_modem(rp, rp->send_idx + 1) == QLW_OK;
    }
    if (rp->lf_optional && b == '\n') {
        rp->lf_optional = false;
        return true;
    }
    return false;
}

static int replay_write(void *ctx, const uint8_t *buf, size_t size)
{
    qlw_replay *rp = ctx;
    if (rp->status != QLW_OK || (buf == NULL && size > 0)) {
        return QLW_ERR_IO;
    }
    size_t n = size < INT_MAX ? size : INT_MAX;
    for (size_t i = 0; i < n; i++) {
        if (!take_byte(rp, buf[i])) {
            if (rp->status == QLW_OK) {
                record_mismatch(rp, buf + i, size - i);
            }
            return QLW_ERR_IO;
        }
    }
    return (int)n;
}

static int replay_read(void *ctx, uint8_t *buf, size_t size)
{
    qlw_replay *rp = ctx;
    return qlw_io_read(rp->mem, buf, size);
}

static int replay_wait(void *ctx, uint32_t timeout_ms)
{
    qlw_replay *rp = ctx;
    return qlw_io_wait(rp->mem, timeout_ms);
}

static int replay_fd(void *ctx)
{
    qlw_replay *rp = ctx;
    return qlw_io_fd(rp->mem);
}

/* The replayer owns its state; qlw_replay_close() releases it. */
static void replay_io_close(void *ctx)
{
    (void)ctx;
}

static uint32_t replay_now_ms(void *ctx)
{
    const qlw_replay *rp = ctx;
    return qlw_io_now_ms(rp->mem);
}

static const qlw_io_ops replay_ops = {
    .read = replay_read,
    .write = replay_write,
    .wait = replay_wait,
    .fd = replay_fd,
    .close = replay_io_close,
};

/* Input capacity: every modem byte of the transcript could be pending at once. */
static size_t modem_bytes(const qlw_transcript *ts)
{
    size_t total = REPLAY_MIN_CAPACITY;
    for (size_t i = 0; i < qlw_transcript_count(ts); i++) {
        const qlw_ts_step *s = qlw_transcript_step(ts, i);
        if (is_recv(s)) {
            total += s->len;
        }
    }
    return total;
}

int qlw_replay_open(qlw_replay **rp, const qlw_transcript *ts, uint32_t start_ms)
{
    if (rp == NULL) {
        return QLW_ERR_ARG;
    }
    *rp = NULL;
    if (ts == NULL) {
        return QLW_ERR_ARG;
    }
    qlw_replay *r = calloc(1, sizeof *r);
    if (r == NULL) {
        return QLW_ERR_NOMEM;
    }
    r->ts = ts;
    r->status = QLW_OK;
    qlw_clock clock = {replay_now_ms, r};
    int rc = qlw_io_mem_open(&r->mem, modem_bytes(ts), start_ms);
    if (rc == QLW_OK) {
        rc = qlw_io_create(&r->io, &replay_ops, r, "replay", &clock);
    }
    if (rc == QLW_OK) {
        rc = schedule_modem(r, 0);
    }
    if (rc != QLW_OK) {
        qlw_replay_close(r);
        return rc;
    }
    *rp = r;
    return QLW_OK;
}

qlw_io *qlw_replay_io(qlw_replay *rp)
{
    return rp != NULL ? rp->io : NULL;
}

void qlw_replay_set_read_size(qlw_replay *rp, size_t max_bytes)
{
    if (rp != NULL) {
        qlw_io_mem_set_read_size(rp->mem, max_bytes);
    }
}

const qlw_ts_step *qlw_replay_expected(const qlw_replay *rp)
{
    return rp != NULL ? current_send(rp) : NULL;
}

bool qlw_replay_finished(const qlw_replay *rp)
{
    return rp != NULL && rp->status == QLW_OK && current_send(rp) == NULL &&
           qlw_io_mem_pending(rp->mem) == 0;
}

int qlw_replay_status(const qlw_replay *rp)
{
    return rp != NULL ? rp->status : QLW_ERR_ARG;
}

const char *qlw_replay_error(const qlw_replay *rp)
{
    return rp != NULL ? rp->error : "";
}

void qlw_replay_close(qlw_replay *rp)
{
    if (rp == NULL) {
        return;
    }
    qlw_io_close(rp->io);
    qlw_io_close(rp->mem);
    free(rp);
}
