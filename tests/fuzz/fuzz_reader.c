/*
 * The AT engine with the BC68 URC table, fed arbitrary modem bytes in
 * arbitrary pieces while raw commands are in flight one after another.
 *
 * Input: modem bytes from the front; from the back, the engine's sizes and
 * then, per step, how many bytes arrive, how reads are cut, how much time
 * passes and which command comes next (raw ones, and one that writes a
 * payload after the "> " prompt). Invariants: no line longer than line_max or holding CR, LF
 * or NUL; every command completes exactly once; a command in flight always
 * has a deadline; the counters agree with what the handlers saw.
 */
#include <string.h>

#include "fuzz_input.h"
#include "qlwm2m/neul.h"

#define CMD_TIMEOUT_MS 1000u

static const char *const commands[] = {
    "AT+CGATT?", "AT",   "AT+CEREG?", "AT+CEREG=2;+NPSMR=1",     "AT+NRB",
    "AT+CGSN=1", "ATE1", "AT+CIMI",   "AT+QLWULDATA=4,DEADBEEF", "AT+NCDP?",
};

static const uint32_t advances_ms[] = {0, 1, 20, 200, 999, 1000, 5000, 16000};

typedef struct rig {
    qlw_at_config cfg;
    qlw_io *io;
    qlw_at *at;
    unsigned sent;
    unsigned done;
    uint32_t urcs;
    uint32_t overflow_reported;
    uint32_t line_overflow_events;
    size_t pushed;
    size_t written;
} rig;

static void check_text(const rig *r, const char *text, size_t len)
{
    FZ_CHECK(len <= r->cfg.line_max);
    FZ_CHECK(strlen(text) == len);
    FZ_CHECK(strpbrk(text, "\r\n") == NULL);
}

static void on_urc(void *ctx, const qlw_at_line *line)
{
    rig *r = ctx;

    check_text(r, line->text, line->len);
    FZ_CHECK(line->len > 0);
    r->urcs++;
}

static void on_event(void *ctx, qlw_at_event ev, uint32_t count)
{
    rig *r = ctx;

    FZ_CHECK(ev <= QLW_AT_EV_IO_ERROR);
    if (ev == QLW_AT_EV_URC_OVERFLOW) {
        FZ_CHECK(count > 0);
        r->overflow_reported += count;
    } else if (ev == QLW_AT_EV_LINE_OVERFLOW) {
        r->line_overflow_events++;
    }
}

static void on_done(void *ctx, const qlw_at_response *resp)
{
    rig *r = ctx;

    FZ_CHECK(r->done < r->sent);
    r->done++;
    FZ_CHECK(resp->result <= QLW_AT_RESULT_CANCELLED);
    FZ_CHECK(resp->line_count <= r->cfg.resp_lines_max);
    for (size_t i = 0; i < resp->line_count; i++)
        check_text(r, resp->lines[i], strlen(resp->lines[i]));
    FZ_CHECK(strlen(resp->final) < 48);
    FZ_CHECK(!qlw_at_busy(r->at));
}

static void on_write(void *ctx, qlw_io *io, const uint8_t *data, size_t len)
{
    rig *r = ctx;

    (void)io;
    (void)data;
    r->written += len;
}

/* Mostly raw commands; now and then one that waits for the "> " prompt. */
static void send_next(rig *r, uint8_t pick)
{
    static const char *const finals[] = {"SEND OK", NULL};
    static const uint8_t payload[] = {0x01, 0x02, 0x1A};
    static const qlw_at_cmd prompt = {.text = "AT+NMGS=3",
                                      .finals = finals,
                                      .timeout_ms = CMD_TIMEOUT_MS,
                                      .flags = QLW_AT_CMD_PROMPT,
                                      .payload = payload,
                                      .payload_len = sizeof(payload)};
    size_t n = sizeof(commands) / sizeof(commands[0]);

    if (pick % (n + 1) == n)
        FZ_CHECK(qlw_at_send(r->at, &prompt, on_done, r) == QLW_OK);
    else
        FZ_CHECK(qlw_at_send_raw(r->at, commands[pick % (n + 1)], CMD_TIMEOUT_MS, on_done, r) ==
                 QLW_OK);
    r->sent++;
}

static void check_stats(const rig *r)
{
    qlw_at_stats st;

    qlw_at_get_stats(r->at, &st);
    FZ_CHECK(st.bytes_rx == r->pushed - qlw_io_mem_pending(r->io));
    FZ_CHECK(st.bytes_tx == r->written);
    FZ_CHECK(st.commands == r->done);
    FZ_CHECK(st.urcs == r->urcs);
    FZ_CHECK(st.garbage_bytes <= st.bytes_rx);
    FZ_CHECK(st.timeouts <= st.commands);
    FZ_CHECK(st.echoes + st.stale_finals + st.reboots <= st.lines);
    FZ_CHECK(r->line_overflow_events <= st.lines_overflowed);
    FZ_CHECK(r->overflow_reported >= st.urcs_dropped);
    if (qlw_at_busy(r->at))
        FZ_CHECK(qlw_at_next_timeout_ms(r->at) >= 0);
}

static void configure(rig *r, fz_in *in)
{
    uint8_t b = fz_pick(in);

    qlw_neul_at_config(&r->cfg);
    if (b & 1) /* small buffers reach the overflow paths with short inputs */
        r->cfg.line_max = 16 + (b >> 1) % 64;
    if (b & 0x80)
        r->cfg.urc_queue_size = 128 + 32 * ((b >> 4) & 7);
}

static void step(rig *r, fz_in *in)
{
    uint8_t op = fz_pick(in);
    size_t want = (size_t)(op & 0x1f) + 1, got;
    const uint8_t *bytes;

    if (op & 0x20)
        want *= 24;
    bytes = fz_bytes(in, want, &got);
    FZ_CHECK(qlw_io_mem_push(r->io, bytes, got, 0) == QLW_OK);
    r->pushed += got;
    qlw_io_mem_set_read_size(r->io, (op & 0x40) ? (size_t)(fz_pick(in) % 9) : 0);
    if (op & 0x80)
        qlw_io_mem_advance(r->io, advances_ms[fz_pick(in) % 8]);
    FZ_CHECK(qlw_at_process(r->at) == QLW_OK);
    check_stats(r);
    if (!qlw_at_busy(r->at))
        send_next(r, fz_pick(in));
}

/* Lets every byte be read and every deadline pass. */
static void settle(rig *r)
{
    for (int i = 0; i < 10000 &&
                    (qlw_io_mem_pending(r->io) > 0 || qlw_at_busy(r->at) || qlw_at_booting(r->at));
         i++) {
        qlw_io_mem_advance(r->io, 500);
        FZ_CHECK(qlw_at_process(r->at) == QLW_OK);
        check_stats(r);
    }
    FZ_CHECK(!qlw_at_busy(r->at));
    FZ_CHECK(qlw_io_mem_pending(r->io) == 0);
    FZ_CHECK(r->done == r->sent);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in in = {data, size};
    rig r;

    memset(&r, 0, sizeof(r));
    configure(&r, &in);
    FZ_CHECK(qlw_io_mem_open(&r.io, size + 64, 0) == QLW_OK);
    qlw_io_mem_set_write_hook(r.io, on_write, &r);
    FZ_CHECK(qlw_at_open(&r.at, &r.cfg, r.io) == QLW_OK);
    FZ_CHECK(qlw_at_add_urc_handler(r.at, "", on_urc, &r) == QLW_OK);
    FZ_CHECK(qlw_at_add_event_handler(r.at, on_event, &r) == QLW_OK);
    send_next(&r, fz_pick(&in));
    while (!fz_empty(&in))
        step(&r, &in);
    settle(&r);
    qlw_at_close(r.at);
    qlw_io_close(r.io);
    return 0;
}
