/* Byte-driven line reader: bytes in, lines out, whatever the read sizes. */
#ifndef QLW_AT_READER_H
#define QLW_AT_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The data prompt ("> ", QLW_AT_CMD_PROMPT) is built unless the build
 * leaves it out (QLWM2M_AT_PROMPT=OFF): no dialect of the library uses it. */
#ifdef QLW_NO_AT_PROMPT
#define QLW_AT_PROMPT 0
#else
#define QLW_AT_PROMPT 1
#endif

typedef enum qlw_rd_event {
    QLW_RD_NONE = 0, /* all bytes consumed, no line complete */
    QLW_RD_LINE,     /* a non-empty line is in buf/len */
    QLW_RD_EMPTY,    /* an empty line (framing) */
    QLW_RD_OVERFLOW, /* a line longer than the buffer was dropped */
    QLW_RD_PROMPT    /* the "> " data prompt */
} qlw_rd_event;

typedef struct qlw_reader {
    char *buf;         /* line_max + 1 bytes, NUL-terminated after each line */
    size_t cap;        /* usable bytes in buf, excluding the NUL */
    size_t len;        /* bytes of the line being assembled */
    size_t line_len;   /* length of the line just returned (valid until the next feed) */
    uint8_t prev_term; /* CR or LF that ended the previous line, 0 otherwise */
    bool overflow;     /* current line exceeded cap: skip to its end */
    bool garbled;      /* bytes were removed from the current line */
    bool want_prompt;  /* a '>' at the start of a line is the data prompt */
    bool skip_space;   /* swallow the space that follows the prompt */
    size_t overflow_bytes;
    uint32_t garbage_bytes;
    bool last_garbled; /* flag of the line just returned */
    size_t last_overflow_bytes;
} qlw_reader;

void qlw_reader_init(qlw_reader *rd, char *buf, size_t buf_size);
void qlw_reader_reset(qlw_reader *rd);

/*
 * Consumes bytes from data until one event occurs or the bytes run out.
 * Returns the number of bytes consumed; *ev tells what happened. The line
 * of a QLW_RD_LINE event is rd->buf / rd->line_len until the next call.
 */
size_t qlw_reader_feed(qlw_reader *rd, const uint8_t *data, size_t len, qlw_rd_event *ev);

#endif
