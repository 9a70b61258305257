/* What leaves the simulator: modem bytes to the pty, JSON events to stdout, diagnostics to stderr.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sim.h"

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void sim_clock_start(struct sim *s)
{
    s->start_ms = mono_ms();
}

uint64_t sim_now_ms(const struct sim *s)
{
    return mono_ms() - s->start_ms;
}

bool sim_spaced(const struct sim *s)
{
    return s->opt.model == MODEL_EC200U || sim_mtk(s);
}

/* One framed line into dst. The handlers write "+X:v" as the BC68 prints it;
 * a 3GPP-style model gets "+X: v". */
__attribute__((format(printf, 3, 0))) static void frame_line(struct sim_buf *dst, bool spaced,
                                                             const char *fmt, va_list ap)
{
    struct sim_buf line = {0};
    buf_vprintf(&line, fmt, ap);
    buf_append(&line, "", 0);
    char *colon = line.data[0] == '+' ? strchr(line.data, ':') : NULL;
    buf_puts(dst, "\r\n");
    if (spaced && colon && colon[1] != ' ') {
        buf_append(dst, line.data, (size_t)(colon - line.data) + 1);
        buf_puts(dst, " ");
        buf_puts(dst, colon + 1);
    } else {
        buf_append(dst, line.data, line.len);
    }
    buf_puts(dst, "\r\n");
    buf_free(&line);
}

/* Garbage goes between lines or inside them, never between a CR and its LF:
 * a reader that drops NULs and bytes >= 0x80 must get the original lines back. */
static size_t garbage_cut(struct sim *s, const char *p, size_t len)
{
    if (len < 3 || prng_next(&s->st.prng) % 16 != 0)
        return 0;
    size_t cut = 1 + prng_next(&s->st.prng) % (len - 1);
    if (p[cut - 1] == '\r' && p[cut] == '\n')
        cut++;
    return cut < len ? cut : 0;
}

static void out_append(struct sim *s, const void *data, size_t len)
{
    if (s->out.len + len > SIM_OUT_MAX) {
        sim_log(s, "host is not reading: %zu modem bytes dropped", len);
        return;
    }
    buf_append(&s->out, data, len);
}

void out_put(struct sim *s, const void *data, size_t len)
{
    if (len == 0)
        return;
    if (s->st.faults.garbage) {
        const char *p = data;
        struct sim_buf g = {0};
        if (prng_next(&s->st.prng) % 8 == 0)
            fault_garbage_bytes(s, &g);
        size_t cut = garbage_cut(s, p, len);
        if (cut) {
            buf_append(&g, p, cut);
            fault_garbage_bytes(s, &g);
        }
        buf_append(&g, p + cut, len - cut);
        out_append(s, g.data, g.len);
        buf_free(&g);
    } else {
        out_append(s, data, len);
    }
    pty_flush(s);
}

void sim_raw(struct sim *s, const void *data, size_t len)
{
    if (s->cur_reply)
        buf_append(&s->cur_reply->post, data, len);
    else
        out_put(s, data, len);
}

void sim_urc(struct sim *s, const char *fmt, ...)
{
    struct sim_buf line = {0};
    va_list ap;
    va_start(ap, fmt);
    frame_line(&line, sim_spaced(s), fmt, ap);
    va_end(ap);
    sim_raw(s, line.data, line.len);
    buf_free(&line);
}

void reply_line(struct sim_reply *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    frame_line(&r->info, r->spaced, fmt, ap);
    va_end(ap);
}

struct sim_buf *ev_begin(struct sim *s, const char *event)
{
    buf_clear(&s->ev);
    buf_puts(&s->ev, "{\"event\":");
    buf_json_str(&s->ev, event, strlen(event));
    return &s->ev;
}

void ev_str(struct sim_buf *ev, const char *key, const char *value)
{
    buf_printf(ev, ",\"%s\":", key);
    buf_json_str(ev, value, strlen(value));
}

void ev_end(struct sim *s)
{
    /* A dry run (reboot-mid-command fault) only computes the answer; what it
     * did never happened, so it must not be reported. */
    if (s->dry_run)
        return;
    buf_puts(&s->ev, "}\n");
    fwrite(s->ev.data, 1, s->ev.len, stdout);
    fflush(stdout);
}

void sim_log(const struct sim *s, const char *fmt, ...)
{
    if (s->dry_run)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "qlwm2m-sim: [%llu ms] ", (unsigned long long)sim_now_ms(s));
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}
