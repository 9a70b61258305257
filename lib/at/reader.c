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

size_t qlw_reader_feed(qlw_reader *rd, const uint8_t *data, size_t len, qlw_rd_event *ev)
{
    size_t i;

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
        if (!is_text(c)) {
            rd->garbage_bytes++;
            rd->garbled = true;
            continue;
        }
        if (rd->overflow || rd->len >= rd->cap) {
            rd->overflow = true;
            rd->overflow_bytes++;
            continue;
        }
        rd->buf[rd->len++] = (char)c;
    }
    return len;
}
