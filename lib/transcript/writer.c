/*
 * Writer: turns traced bytes into transcript text.
 *
 * Host bytes are gathered until CR and modem bytes until the end of a line,
 * so that commands written in pieces and answers read in pieces still come
 * out as one `>`/`<` line each. Bytes still gathered in one direction are
 * written out (as exact bytes) as soon as the other direction moves, or a gap
 * must be written, so the text keeps the order in which bytes passed.
 */
#include "qlwm2m/transcript.h"

#include "ts_text.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

/* Bytes gathered per direction before they are written out anyway. */
#define WRITER_CHUNK_MAX 2048u

/* One written line: a two-character prefix, a space, escaped bytes, LF. */
#define WRITER_OUT_MAX (WRITER_CHUNK_MAX * QLW_TS_ESCAPE_MAX + 8u)

struct qlw_ts_writer {
    qlw_ts_sink sink;
    void *sink_ctx;
    uint32_t gap_ms;
    uint32_t last_ms;    /* time of the previous traced bytes */
    bool has_last;       /* false until bytes were traced */
    bool tx_lf_optional; /* a `> TEXT` line ended at CR: an LF right after it is its own */
    size_t tx_len;
    size_t rx_len;
    uint8_t tx[WRITER_CHUNK_MAX];
    uint8_t rx[WRITER_CHUNK_MAX];
    char out[WRITER_OUT_MAX];
};

/* `PREFIX TEXT` (or PREFIX alone for empty text); TEXT is known to be printable. */
static void emit_text(qlw_ts_writer *w, char prefix, const uint8_t *text, size_t len)
{
    size_t n = 0;
    w->out[n++] = prefix;
    if (len > 0) {
        w->out[n++] = ' ';
        for (size_t i = 0; i < len; i++) {
            w->out[n++] = (char)text[i];
        }
    }
    w->out[n++] = '\n';
    w->sink(w->sink_ctx, w->out, n);
}

/* `PREFIX~ BYTES` with every byte escaped as needed. */
static void emit_bytes(qlw_ts_writer *w, char prefix, const uint8_t *data, size_t len)
{
    size_t n = 0;
    w->out[n++] = prefix;
    w->out[n++] = '~';
    w->out[n++] = ' ';
    for (size_t i = 0; i < len; i++) {
        n += qlw_ts_escape_byte(data[i], &w->out[n]);
    }
    w->out[n++] = '\n';
    w->sink(w->sink_ctx, w->out, n);
}

/* Host bytes that did not end with CR (yet) are written as exact bytes. */
static void flush_tx(qlw_ts_writer *w)
{
    if (w->tx_len > 0) {
        emit_bytes(w, '>', w->tx, w->tx_len);
        w->tx_len = 0;
    }
}

/* Modem bytes that are not a complete line (yet) are written as exact bytes. */
static void flush_rx(qlw_ts_writer *w)
{
    if (w->rx_len > 0) {
        emit_bytes(w, '<', w->rx, w->rx_len);
        w->rx_len = 0;
    }
}

/* The host ended a command with CR. */
static void end_tx_line(qlw_ts_writer *w)
{
    if (qlw_ts_is_text(w->tx, w->tx_len)) {
        emit_text(w, '>', w->tx, w->tx_len);
        w->tx_lf_optional = true;
    } else {
        w->tx[w->tx_len++] = '\r';
        emit_bytes(w, '>', w->tx, w->tx_len);
    }
    w->tx_len = 0;
}

static void tx_byte(qlw_ts_writer *w, uint8_t b)
{
    bool lf_optional = w->tx_lf_optional;
    w->tx_lf_optional = false;
    if (lf_optional && b == '\n' && w->tx_len == 0) {
        return;
    }
    if (b == '\r') {
        end_tx_line(w);
        return;
    }
    w->tx[w->tx_len++] = b;
    /* Keep room for the CR that end_tx_line() may add. */
    if (w->tx_len == WRITER_CHUNK_MAX - 1) {
        flush_tx(w);
    }
}

/* The modem ended a line with LF: CR LF after text is a `<` line. */
static void end_rx_line(qlw_ts_writer *w)
{
    size_t n = w->rx_len;
    if (n >= 2 && w->rx[n - 2] == '\r' && qlw_ts_is_text(w->rx, n - 2)) {
        emit_text(w, '<', w->rx, n - 2);
        w->rx_len = 0;
        return;
    }
    flush_rx(w);
}

static void rx_byte(qlw_ts_writer *w, uint8_t b)
{
    /* A CR not followed by LF ends a piece of its own (an echo, a prompt). */
    if (w->rx_len > 0 && w->rx[w->rx_len - 1] == '\r' && b != '\n') {
        flush_rx(w);
    }
    w->rx[w->rx_len++] = b;
    if (b == '\n') {
        end_rx_line(w);
    } else if (w->rx_len == WRITER_CHUNK_MAX) {
        flush_rx(w);
    }
}

/* Writes `@ +MS` when the modem was silent for at least gap_ms. */
static void note_gap(qlw_ts_writer *w, uint32_t time_ms)
{
    if (w->gap_ms == 0 || !w->has_last) {
        return;
    }
    int32_t silent_ms = qlw_ms_diff(time_ms, w->last_ms);
    if (silent_ms <= 0 || (uint32_t)silent_ms < w->gap_ms) {
        return;
    }
    flush_rx(w);
    int n = snprintf(w->out, sizeof w->out, "@ +%" PRIu32 "\n", (uint32_t)silent_ms);
    if (n > 0) {
        w->sink(w->sink_ctx, w->out, (size_t)n);
    }
}

int qlw_ts_writer_open(qlw_ts_writer **w, qlw_ts_sink sink, void *ctx, uint32_t gap_ms)
{
    if (w == NULL) {
        return QLW_ERR_ARG;
    }
    *w = NULL;
    if (sink == NULL) {
        return QLW_ERR_ARG;
    }
    qlw_ts_writer *nw = calloc(1, sizeof *nw);
    if (nw == NULL) {
        return QLW_ERR_NOMEM;
    }
    nw->sink = sink;
    nw->sink_ctx = ctx;
    nw->gap_ms = gap_ms;
    *w = nw;
    return QLW_OK;
}

void qlw_ts_writer_trace(void *ctx, qlw_trace_dir dir, const uint8_t *data, size_t len,
                         uint32_t time_ms)
{
    qlw_ts_writer *w = ctx;
    if (w == NULL || data == NULL || len == 0) {
        return;
    }
    if (dir == QLW_TRACE_TX) {
        flush_rx(w);
        for (size_t i = 0; i < len; i++) {
            tx_byte(w, data[i]);
        }
    } else {
        flush_tx(w);
        note_gap(w, time_ms);
        for (size_t i = 0; i < len; i++) {
            rx_byte(w, data[i]);
        }
    }
    w->last_ms = time_ms;
    w->has_last = true;
}

void qlw_ts_writer_comment(qlw_ts_writer *w, const char *text)
{
    if (w == NULL) {
        return;
    }
    size_t n = 0;
    w->out[n++] = '#';
    if (text != NULL && *text != '\0') {
        w->out[n++] = ' ';
    }
    for (const char *p = text; p != NULL && *p != '\0'; p++) {
        /* A line break would end the comment and start a line of another kind. */
        char c = *p;
        if (c == '\r' || c == '\n') {
            c = ' ';
        }
        w->out[n++] = c;
        if (n == sizeof w->out - 1) {
            w->sink(w->sink_ctx, w->out, n);
            n = 0;
        }
    }
    w->out[n++] = '\n';
    w->sink(w->sink_ctx, w->out, n);
}

void qlw_ts_writer_close(qlw_ts_writer *w)
{
    if (w == NULL) {
        return;
    }
    flush_tx(w);
    flush_rx(w);
    free(w);
}
