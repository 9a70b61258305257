/* --script: play a `.at` transcript as the modem, checking what the host sends against it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qlwm2m/transcript.h"
#include "sim.h"

#define DRAIN_MS 2000 /* how long the end of a script waits for the host to read */

struct sim_script {
    qlw_transcript *ts;
    size_t pos; /* next step */
    bool delaying;
    bool skip_lf; /* the LF of a CR LF that ended the previous host line */
    struct sim_buf in;
    unsigned mismatches;
};

int script_open(struct sim *s, const char *path)
{
    char err[256] = "";
    struct sim_script *sc = calloc(1, sizeof *sc);
    if (!sc)
        return -1;
    int rc = qlw_transcript_load(&sc->ts, path, err, sizeof err);
    if (rc != QLW_OK) {
        fprintf(stderr, "qlwm2m-sim: %s: %s%s%s\n", path, qlw_strerror(rc), *err ? ": " : "", err);
        free(sc);
        return -1;
    }
    s->script = sc;
    s->exit_code = 1; /* until the script has run to its end */
    return 0;
}

void script_close(struct sim *s)
{
    if (!s->script)
        return;
    qlw_transcript_free(s->script->ts);
    buf_free(&s->script->in);
    free(s->script);
    s->script = NULL;
}

static bool is_send(const qlw_ts_step *st)
{
    return st->kind == QLW_TS_SEND || st->kind == QLW_TS_SEND_BYTES;
}

/* Whether the parser keeps the CR LF of a `<` line in the step or not, the
 * wire carries exactly one. */
static void send_line(struct sim *s, const qlw_ts_step *st)
{
    out_put(s, st->data, st->len);
    bool has_crlf = st->len >= 2 && st->data[st->len - 2] == '\r' && st->data[st->len - 1] == '\n';
    if (!has_crlf)
        out_put(s, "\r\n", 2);
}

static void finish(struct sim *s)
{
    struct sim_buf *ev = ev_begin(s, "script_done");
    buf_printf(ev, ",\"mismatches\":%u", s->script->mismatches);
    ev_end(s);
    s->exit_code = s->script->mismatches ? 1 : 0;
    s->draining = true;
    s->drain_deadline_ms = sim_now_ms(s) + DRAIN_MS;
}

static void report_mismatch(struct sim *s, const qlw_ts_step *st, const char *got, size_t len)
{
    struct sim_script *sc = s->script;
    sc->mismatches++;
    struct sim_buf *ev = ev_begin(s, "script_mismatch");
    buf_printf(ev, ",\"line\":%d,\"expected\":", st->line_no);
    buf_json_str(ev, (const char *)st->data, st->len);
    buf_puts(ev, ",\"got\":");
    buf_json_str(ev, got, len);
    ev_end(s);
    sim_log(s, "script line %d: expected \"%.*s\", host sent \"%.*s\"", st->line_no, (int)st->len,
            (const char *)st->data, (int)len, got);
}

/* Takes the next host command (ended by CR) if it is complete. */
static bool take_line(struct sim_script *sc, struct sim_buf *line)
{
    size_t start = 0;
    while (start < sc->in.len && (sc->in.data[start] == '\r' || sc->in.data[start] == '\n'))
        start++;
    char *cr = start < sc->in.len ? memchr(sc->in.data + start, '\r', sc->in.len - start) : NULL;
    if (!cr)
        return false;
    size_t end = (size_t)(cr - sc->in.data);
    buf_append(line, sc->in.data + start, end - start);
    buf_consume(&sc->in, end + 1);
    sc->skip_lf = true;
    return true;
}

static bool take_bytes(struct sim_script *sc, size_t n, struct sim_buf *bytes)
{
    if (sc->in.len < n)
        return false;
    buf_append(bytes, sc->in.data, n);
    buf_consume(&sc->in, n);
    sc->skip_lf = false;
    return true;
}

/* Returns true when the host step at the cursor was satisfied. */
static bool match_host(struct sim *s, const qlw_ts_step *st)
{
    struct sim_script *sc = s->script;
    struct sim_buf got = {0};
    if (sc->skip_lf && sc->in.len && sc->in.data[0] == '\n')
        buf_consume(&sc->in, 1);
    if (sc->in.len)
        sc->skip_lf = false;
    bool done = st->kind == QLW_TS_SEND ? take_line(sc, &got) : take_bytes(sc, st->len, &got);
    if (done && (got.len != st->len || memcmp(got.data, st->data, st->len) != 0))
        report_mismatch(s, st, got.data ? got.data : "", got.len);
    buf_free(&got);
    return done;
}

/* Plays modem steps until the script waits for the host or for time. */
static void advance(struct sim *s)
{
    struct sim_script *sc = s->script;
    size_t count = qlw_transcript_count(sc->ts);
    while (!sc->delaying && sc->pos < count) {
        const qlw_ts_step *st = qlw_transcript_step(sc->ts, sc->pos);
        if (is_send(st) && !match_host(s, st))
            return;
        sc->pos++;
        if (st->kind == QLW_TS_RECV)
            send_line(s, st);
        else if (st->kind == QLW_TS_RECV_BYTES)
            out_put(s, st->data, st->len);
        else if (st->kind == QLW_TS_DELAY)
            sc->delaying = timer_add(s, TMR_SCRIPT, st->delay_ms, 0, 0, NULL);
    }
    if (!sc->delaying && sc->pos >= count && !s->draining)
        finish(s);
}

void script_start(struct sim *s)
{
    advance(s);
}

void script_feed(struct sim *s, const uint8_t *data, size_t len)
{
    if (s->opt.verbose)
        sim_log(s, "host: %zu bytes", len);
    buf_append(&s->script->in, data, len);
    advance(s);
}

void script_tmr_resume(struct sim *s, const struct sim_timer *t)
{
    (void)t;
    s->script->delaying = false;
    advance(s);
}
