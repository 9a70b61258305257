/*
 * Text helpers shared by the transcript parser, replayer and writer: the
 * BYTES escaping of the `.at` format and a bounded string builder for
 * messages.
 */
#ifndef QLW_TS_TEXT_H
#define QLW_TS_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qlw_printf.h"

/* Longest escape of one byte ("\xHH"). */
#define QLW_TS_ESCAPE_MAX 4

/* Bytes that may stand for themselves in a `> TEXT` or `< TEXT` line. */
bool qlw_ts_is_text_byte(uint8_t b);

/* True when every byte is a text byte (an empty span is text). */
bool qlw_ts_is_text(const uint8_t *data, size_t len);

/*
 * Writes the escape of @p b into @p out (not NUL-terminated) and returns its
 * length, 1 to QLW_TS_ESCAPE_MAX. Hex digits are upper case.
 */
size_t qlw_ts_escape_byte(uint8_t b, char out[QLW_TS_ESCAPE_MAX]);

/* A message being built in a fixed buffer; text that does not fit is cut. */
typedef struct qlw_ts_strbuf {
    char *buf;
    size_t size; /* of buf, NUL included */
    size_t len;  /* characters kept so far */
} qlw_ts_strbuf;

/* Starts an empty message in @p buf (which may be NULL when @p size is 0). */
void qlw_ts_strbuf_init(qlw_ts_strbuf *sb, char *buf, size_t size);

/* Appends formatted text. */
void qlw_ts_strbuf_printf(qlw_ts_strbuf *sb, const char *fmt, ...) QLW_PRINTF(2, 3);

/*
 * Appends the escaped form of @p data; at most @p max_len input bytes are
 * shown, and "..." marks that more followed.
 */
void qlw_ts_strbuf_escaped(qlw_ts_strbuf *sb, const uint8_t *data, size_t len, size_t max_len);

#endif /* QLW_TS_TEXT_H */
