/*
 * The transcript parser on arbitrary text; when it parses, the transcript
 * is replayed as the modem while the engine sends each `>` step (as the
 * qlwm2m tool's replay command does), and the traffic is recorded with the
 * transcript writer. Invariants: parsed steps are well formed; the recorded
 * text parses back to exactly the bytes that passed each way; and what the
 * engine reports (URCs, events, responses) is the same whether the modem
 * bytes are read whole or a few at a time (the read size comes from the
 * input's length).
 */
#include <string.h>

#include "fuzz_input.h"
#include "qlwm2m/neul.h"
#include "qlwm2m/transcript.h"

#define STEP_TIMEOUT_MS 60000u
#define LOG_MAX         (1u << 20)

/* Big enough that no read can overflow it: overflow depends on read sizes. */
#define URC_QUEUE (1u << 16)

/* Reused between runs: allocating them each time would slow the fuzzer down. */
static char text_buf[LOG_MAX];
static uint8_t logs[4][LOG_MAX];
static char reports[2][LOG_MAX];

/* Bytes of one direction, in order. */
typedef struct bytes_log {
    uint8_t *data;
    size_t len;
} bytes_log;

typedef struct rig {
    qlw_transcript *ts;
    qlw_replay *rp;
    qlw_at *at;
    qlw_ts_writer *w;
    char *text; /* what the writer produced */
    size_t text_len;
    bytes_log rx, tx;
    bytes_log report; /* what the engine reported, in order */
} rig;

static void log_append(bytes_log *log, const void *data, size_t len)
{
    FZ_CHECK(log->len + len <= LOG_MAX);
    memcpy(log->data + log->len, data, len);
    log->len += len;
}

static void report_line(rig *r, char kind, const char *text, size_t len, unsigned flags)
{
    char head[16];
    int n = snprintf(head, sizeof(head), "%c%u:", kind, flags);

    log_append(&r->report, head, (size_t)n);
    log_append(&r->report, text, len);
    log_append(&r->report, "\n", 1);
}

static void on_urc(void *ctx, const qlw_at_line *line)
{
    report_line(ctx, 'U', line->text, line->len, line->flags);
}

static void on_event(void *ctx, qlw_at_event ev, uint32_t count)
{
    const char *name = qlw_at_event_str(ev);

    report_line(ctx, 'V', name, strlen(name), count);
}

static void on_done(void *ctx, const qlw_at_response *resp)
{
    rig *r = ctx;

    report_line(r, 'D', resp->final, strlen(resp->final), resp->result);
    for (size_t i = 0; i < resp->line_count; i++)
        report_line(r, 'L', resp->lines[i], strlen(resp->lines[i]), resp->truncated);
}

static void sink(void *ctx, const char *text, size_t len)
{
    rig *r = ctx;

    FZ_CHECK(r->text_len + len <= LOG_MAX);
    memcpy(r->text + r->text_len, text, len);
    r->text_len += len;
}

static void trace(void *ctx, qlw_trace_dir dir, const uint8_t *data, size_t len, uint32_t time_ms)
{
    rig *r = ctx;

    log_append(dir == QLW_TRACE_RX ? &r->rx : &r->tx, data, len);
    qlw_ts_writer_trace(r->w, dir, data, len, time_ms);
}

static void check_steps(const qlw_transcript *ts, size_t text_len)
{
    FZ_CHECK(qlw_transcript_count(ts) <= text_len + 1);
    for (size_t i = 0; i < qlw_transcript_count(ts); i++) {
        const qlw_ts_step *s = qlw_transcript_step(ts, i);

        FZ_CHECK(s->kind <= QLW_TS_META && s->line_no >= 1);
        FZ_CHECK(s->data[s->len] == '\0');
        FZ_CHECK((s->kind == QLW_TS_META) == (s->key != NULL));
        FZ_CHECK(s->kind != QLW_TS_RECV || (s->len >= 2 && s->data[s->len - 2] == '\r'));
        FZ_CHECK(s->kind != QLW_TS_RECV_BYTES || s->len > 0);
    }
    FZ_CHECK(qlw_transcript_step(ts, qlw_transcript_count(ts)) == NULL);
}

/* Reads all that is due and lets a boot banner finish before the next command. */
static void settle(qlw_at *at)
{
    for (int i = 0;
         i < 100000 && (qlw_at_next_timeout_ms(at) == 0 || qlw_io_wait(qlw_at_io(at), 0) == 1); i++)
        qlw_at_process(at);
    for (int i = 0; i < 100 && qlw_at_booting(at); i++)
        qlw_at_poll(at, 1000);
}

static void play(rig *r)
{
    for (size_t i = 0; i < qlw_transcript_count(r->ts); i++) {
        const qlw_ts_step *st = qlw_transcript_step(r->ts, i);

        settle(r->at);
        if (st->kind == QLW_TS_SEND_BYTES) {
            qlw_io_write(qlw_replay_io(r->rp), st->data, st->len);
            continue;
        }
        if (st->kind != QLW_TS_SEND)
            continue;
        if (qlw_at_send_raw(r->at, (const char *)st->data, STEP_TIMEOUT_MS, on_done, r) != QLW_OK)
            break;
        while (qlw_at_busy(r->at))
            qlw_at_poll(r->at, STEP_TIMEOUT_MS);
        if (qlw_replay_status(r->rp) != QLW_OK)
            break;
    }
    for (int i = 0; i < 1000 && !qlw_replay_finished(r->rp); i++)
        qlw_at_poll(r->at, 1000);
    settle(r->at);
    FZ_CHECK(!qlw_replay_finished(r->rp) || qlw_replay_status(r->rp) == QLW_OK);
    FZ_CHECK(qlw_replay_status(r->rp) == QLW_OK || qlw_replay_error(r->rp)[0] != '\0');
}

/* The recorded text gives back the bytes that passed, in each direction. */
static void check_round_trip(rig *r)
{
    qlw_transcript *back = NULL;
    bytes_log rx = {logs[2], 0}, tx = {logs[3], 0};
    char err[128];

    FZ_CHECK(qlw_transcript_parse(&back, r->text, r->text_len, err, sizeof(err)) == QLW_OK);
    for (size_t i = 0; i < qlw_transcript_count(back); i++) {
        const qlw_ts_step *s = qlw_transcript_step(back, i);

        if (s->kind == QLW_TS_RECV || s->kind == QLW_TS_RECV_BYTES)
            log_append(&rx, s->data, s->len);
        else if (s->kind == QLW_TS_SEND_BYTES || s->kind == QLW_TS_SEND)
            log_append(&tx, s->data, s->len);
        if (s->kind == QLW_TS_SEND)
            log_append(&tx, "\r", 1);
    }
    FZ_CHECK(rx.len == r->rx.len && memcmp(rx.data, r->rx.data, rx.len) == 0);
    FZ_CHECK(tx.len == r->tx.len && memcmp(tx.data, r->tx.data, tx.len) == 0);
    qlw_transcript_free(back);
}

/* One replay at one read size; the first one also records the traffic. */
static void replay(rig *r, size_t read_size, bool record)
{
    qlw_at_config cfg;

    qlw_neul_at_config(&cfg);
    cfg.urc_queue_size = URC_QUEUE;
    if (record) {
        cfg.trace = trace;
        cfg.trace_ctx = r;
        FZ_CHECK(qlw_ts_writer_open(&r->w, sink, r, 1000) == QLW_OK);
    }
    FZ_CHECK(qlw_replay_open(&r->rp, r->ts, 0) == QLW_OK);
    qlw_replay_set_read_size(r->rp, read_size);
    FZ_CHECK(qlw_at_open(&r->at, &cfg, qlw_replay_io(r->rp)) == QLW_OK);
    FZ_CHECK(qlw_at_add_urc_handler(r->at, "", on_urc, r) == QLW_OK);
    FZ_CHECK(qlw_at_add_event_handler(r->at, on_event, r) == QLW_OK);
    play(r);
    qlw_at_close(r->at);
    qlw_replay_close(r->rp);
    if (record) {
        qlw_ts_writer_close(r->w);
        check_round_trip(r);
    }
}

static void replay_twice(rig *r, size_t input_len)
{
    bytes_log whole;

    r->text = text_buf;
    r->rx.data = logs[0];
    r->tx.data = logs[1];
    r->report = (bytes_log){(uint8_t *)reports[0], 0};
    replay(r, 0, true);
    whole = r->report;
    r->report = (bytes_log){(uint8_t *)reports[1], 0};
    replay(r, 1 + input_len % 7, false);
    FZ_CHECK(whole.len == r->report.len && memcmp(whole.data, r->report.data, whole.len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size > 0 ? size : 1);
    char err[160];
    rig r;
    int rc;

    memset(&r, 0, sizeof(r));
    memcpy(text, data, size);
    rc = qlw_transcript_parse(&r.ts, text, size, err, sizeof(err));
    FZ_CHECK(rc == QLW_OK || rc == QLW_ERR_PARSE);
    FZ_CHECK(rc == QLW_OK ? err[0] == '\0' : strncmp(err, "line ", 5) == 0);
    if (rc == QLW_OK) {
        check_steps(r.ts, size);
        replay_twice(&r, size);
    }
    qlw_transcript_free(r.ts);
    free(text);
    return 0;
}
