#include "at/reader.h"

#include <string.h>

void qlw_reader_init(qlw_reader *rd, char *buf, size_t buf_size)
{
    memset(rd, 0, sizeof(*rd));
    rd->buf = buf;
    rd->cap = buf_size - 1;
    rd->buf[0] = '\0';
}

void qlw_reader_reset(qlw_reader *rd)
{
    rd->len = 0;
    rd->prev_term = 0;
    rd->overflow = false;
    rd->garbled = false;
    rd->skip_space = false;
    rd->overflow_bytes = 0;
}

/* A line ends: decide which event it is and reset for the next line. */
static qlw_rd_event end_line(qlw_reader *rd)
{
    qlw_rd_event ev;

    if (rd->overflow) {
        ev = QLW_RD_OVERFLOW;
        rd->last_overflow_bytes = rd->overflow_bytes + rd->len;
    } else if (rd->len == 0) {
        ev = QLW_RD_EMPTY;
    } else {
        ev = QLW_RD_LINE;
    }
    rd->line_len = rd->overflow ? 0 : rd->len;
    rd->buf[rd->line_len] = '\0';
    rd->last_garbled = rd->garbled;
    rd->len = 0;
    rd->overflow = false;
    rd->garbled = false;
    rd->overflow_bytes = 0;
    return ev;
}

/* Printable ASCII and TAB are text; everything else is line noise. */
static bool is_text(uint8_t c)
{
    return (c >= 0x20 && c < 0x7F) || c == '\t';
}

/* Words of the machine's own width: eight bytes at a time on a 64-bit host,
 * four on a 32-bit microcontroller, where 64-bit arithmetic would take pairs
 * of registers and twice the code. */
typedef size_t qlw_word;
#define QLW_BYTES_01 ((qlw_word)-1 / 0xFFu)
#define QLW_BYTES_80 (QLW_BYTES_01 * 0x80u)

/* True when all bytes of w are 0x20..0x7E (exact: a borrow or carry only
 * spreads from a byte that is itself out of range). */
static bool word_printable(qlw_word w)
{
    qlw_word below = (w - QLW_BYTES_01 * 0x20u) & ~w;
    qlw_word above = w + QLW_BYTES_01; /* 0x7F becomes 0x80 */

    return ((below | above | w) & QLW_BYTES_80) == 0;
}

/*
 * Copies the run of text bytes at the start of src, at most max, to dst
 * (NULL: only measures it) and returns its length. Nearly every byte is in
 * such a run, and inside a run the state machine has nothing to decide, so
 * the run is taken a word at a time.
 */
static inline size_t text_run(char *dst, const uint8_t *src, size_t max)
{
    size_t n = 0;
    qlw_word w;

    while (max - n >= sizeof(w)) {
        memcpy(&w, src + n, sizeof(w));
        if (!word_printable(w))
            break;
        if (dst != NULL)
            memcpy(dst + n, &w, sizeof(w));
        n += sizeof(w);
    }
    for (; n < max && is_text(src[n]); n++) {
        if (dst != NULL)
            dst[n] = (char)src[n];
    }
    return n;
}

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

size_t qlw_reader_feed(qlw_reader *rd, const uint8_t *data, size_t len, qlw_rd_event *ev)
{
    size_t i, run;
    bool full;

    *ev = QLW_RD_NONE;
    for (i = 0; i < len; i++) {
        uint8_t c = data[i];

        if (c == '\r' || c == '\n') {
            /* CR LF and LF CR are one terminator; CR CR or LF LF are two. */
            if (rd->prev_term != 0 && rd->prev_term != c) {
                rd->prev_term = 0;
                continue;
            }
            rd->prev_term = c;
            rd->skip_space = false;
            *ev = end_line(rd);
            return i + 1;
        }
        rd->prev_term = 0;
        if (QLW_AT_PROMPT) {
            if (rd->skip_space) {
                rd->skip_space = false;
                if (c == ' ')
                    continue;
            }
            if (c == '>' && rd->want_prompt && rd->len == 0 && !rd->overflow) {
                rd->skip_space = true;
                *ev = QLW_RD_PROMPT;
                return i + 1;
            }
        }
        if (!is_text(c)) {
            rd->garbage_bytes++;
            rd->garbled = true;
            continue;
        }
        /* c is text: so is the rest of its run, where no prompt or skipped
         * space can occur any more (both apply to a line's first byte only). */
        full = rd->overflow || rd->len >= rd->cap;
        run = full ? text_run(NULL, data + i, len - i)
                   : text_run(rd->buf + rd->len, data + i, min_size(len - i, rd->cap - rd->len));
        if (full) {
            rd->overflow = true;
            rd->overflow_bytes += run;
        } else {
            rd->len += run;
        }
        i += run - 1;
    }
    return len;
}
