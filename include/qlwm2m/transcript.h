/**
 * @file transcript.h
 * @brief The `.at` transcript format: parse, replay against the library, record.
 *
 * One plain-text format serves as test fixture, as trace and as simulator
 * script. Lines:
 * - `> TEXT`: the host sends `TEXT` and CR (a replayer also accepts CR LF);
 *   `>` alone: the host sends a bare CR;
 * - `>~ BYTES`: the host sends exactly BYTES;
 * - `< TEXT`: the modem sends `TEXT` CR LF; `<` alone: an empty line (CR LF);
 * - `<~ BYTES`: the modem sends exactly BYTES (at least one byte);
 * - `@ +MS`: MS milliseconds (0 to 2147483647) pass before the next modem bytes;
 * - `# ...`: comment; `## key: value`: metadata (the key has no blanks).
 * TEXT is everything after the one space that follows `>` or `<`, taken
 * literally, leading and trailing spaces included. BYTES use the escapes
 * `\r`, `\n`, `\t`, `\\` and `\xHH` (exactly two hex digits, either case);
 * every other character stands for itself, trailing spaces included, and a
 * backslash followed by anything else is an error. Blank lines are ignored,
 * the file may use LF or CR LF line ends, and raw non-ASCII bytes are kept.
 *
 * Modem lines before the first `>` are available at start; the ones after a
 * `>` become available once the host has sent that command.
 */
#ifndef QLWM2M_TRANSCRIPT_H
#define QLWM2M_TRANSCRIPT_H

#include "qlwm2m/at.h"
#include "qlwm2m/common.h"
#include "qlwm2m/io.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Kind of a transcript step. */
typedef enum qlw_ts_kind {
    QLW_TS_SEND = 0,       /**< `> TEXT`: data is TEXT (no terminator). */
    QLW_TS_SEND_BYTES = 1, /**< `>~ BYTES`: data is the exact bytes. */
    QLW_TS_RECV = 2,       /**< `< TEXT` or `<`: data is TEXT followed by CR LF. */
    QLW_TS_RECV_BYTES = 3, /**< `<~ BYTES`: data is the exact bytes. */
    QLW_TS_DELAY = 4,      /**< `@ +MS`: delay_ms is MS; data is "" (len 0). */
    QLW_TS_META = 5        /**< `## key: value`: key in @ref qlw_ts_step::key, value in data. */
} qlw_ts_kind;

/** @brief Stable name of a step kind ("send", "recv", ...). */
QLW_API const char *qlw_ts_kind_str(qlw_ts_kind kind);

/** @brief One step of a transcript. */
typedef struct qlw_ts_step {
    qlw_ts_kind kind;    /**< What the step does. */
    const uint8_t *data; /**< Bytes (NUL-terminated for convenience; may contain NULs). */
    size_t len;          /**< Length of @ref data. */
    uint32_t delay_ms;   /**< For QLW_TS_DELAY. */
    const char *key;     /**< For QLW_TS_META, else NULL. */
    int line_no;         /**< 1-based line in the file. */
} qlw_ts_step;

/** @brief A parsed transcript (opaque). */
typedef struct qlw_transcript qlw_transcript;

/**
 * @brief Parses transcript text.
 * @param[out] ts   Receives the transcript; free with qlw_transcript_free().
 * @param text      The file's bytes; need not be NUL-terminated.
 * @param len       Length of @p text.
 * @param errmsg    Optional buffer for "line N: what is wrong".
 * @param errmsg_size Size of @p errmsg.
 * @return QLW_OK, QLW_ERR_PARSE (unknown line kind, bad escape, bad delay,
 *         malformed metadata), QLW_ERR_ARG or QLW_ERR_NOMEM. The transcript is
 *         one allocation; nothing is left allocated on failure.
 */
QLW_API int qlw_transcript_parse(qlw_transcript **ts, const char *text, size_t len, char *errmsg,
                                 size_t errmsg_size);

/**
 * @brief Reads and parses a transcript file.
 * @return as qlw_transcript_parse(), or QLW_ERR_IO when the file cannot be
 *         read ("PATH: cause" in @p errmsg).
 */
QLW_API int qlw_transcript_load(qlw_transcript **ts, const char *path, char *errmsg,
                                size_t errmsg_size);

/** @brief Frees a transcript (NULL is ignored). */
QLW_API void qlw_transcript_free(qlw_transcript *ts);

/** @brief Number of steps (comments are not steps). */
QLW_API size_t qlw_transcript_count(const qlw_transcript *ts);

/** @brief Step @p i, or NULL when out of range. */
QLW_API const qlw_ts_step *qlw_transcript_step(const qlw_transcript *ts, size_t i);

/**
 * @brief Value of metadata @p key (`## key: value`, blanks around the value
 *        removed), or NULL. When a key appears twice, the first one counts.
 */
QLW_API const char *qlw_transcript_meta(const qlw_transcript *ts, const char *key);

/* --------------------------------------------------------------- replay */

/** @brief A replayer: an in-memory transport that plays a transcript as the modem. */
typedef struct qlw_replay qlw_replay;

/**
 * @brief Creates a replayer and its transport.
 *
 * The modem steps before the first send are scheduled at once. Every byte the
 * host writes is checked against the next `>`/`>~` step (a `> TEXT` step is
 * TEXT and CR; one LF right after that CR is accepted too, even in a later
 * write); writes may be cut anywhere. On a mismatch, or a write after the
 * last send, that write and every later one fail with QLW_ERR_IO and
 * qlw_replay_error() names the transcript line. After a send step is
 * complete, the modem steps that follow it (up to the next send) are
 * scheduled, `@` delays becoming time on the virtual clock (a delay with no
 * modem bytes before the next send carries over to the modem bytes after it).
 *
 * @param[out] rp    Receives the replayer.
 * @param ts         Transcript (must outlive the replayer).
 * @param start_ms   Initial virtual time.
 * @return QLW_OK, QLW_ERR_ARG or QLW_ERR_NOMEM.
 */
QLW_API int qlw_replay_open(qlw_replay **rp, const qlw_transcript *ts, uint32_t start_ms);

/**
 * @brief The replayer's transport (owned by the replayer; do not close it).
 *
 * Its clock is the virtual clock, which qlw_io_wait() advances to the next
 * scheduled modem bytes. It wraps an in-memory transport but is not one
 * itself: the qlw_io_mem_*() calls do nothing on it.
 */
QLW_API qlw_io *qlw_replay_io(qlw_replay *rp);

/** @brief Limits each read to @p max_bytes (0 = no limit: all bytes that are due). */
QLW_API void qlw_replay_set_read_size(qlw_replay *rp, size_t max_bytes);

/**
 * @brief The next host step the transcript expects (`>` or `>~`), or NULL
 *        when no send remains.
 */
QLW_API const qlw_ts_step *qlw_replay_expected(const qlw_replay *rp);

/** @brief True when every send matched and every modem byte was scheduled and read. */
QLW_API bool qlw_replay_finished(const qlw_replay *rp);

/** @brief QLW_OK, or QLW_ERR_IO after a mismatch (then every write fails). */
QLW_API int qlw_replay_status(const qlw_replay *rp);

/**
 * @brief Message of the first mismatch, or "": `line 12: expected "AT+CFUN=1\r",
 *        host sent "AT+CFUN=0\r"` (non-printable bytes escaped, long text cut
 *        with "..."), or `line 40: transcript ended, host sent "AT\r"`.
 */
QLW_API const char *qlw_replay_error(const qlw_replay *rp);

/** @brief Frees the replayer and its transport. */
QLW_API void qlw_replay_close(qlw_replay *rp);

/* --------------------------------------------------------------- writer */

/**
 * @brief Records traffic in the transcript format (opaque).
 *
 * Host bytes are gathered until CR: printable text (0x20 to 0x7E) becomes
 * `> TEXT`, and an LF right after that CR (even in a later write) is taken as
 * part of it; anything else becomes `>~ BYTES`. Modem bytes are gathered
 * into lines: printable text and CR LF becomes `< TEXT` (`<` when empty);
 * anything else (a lone CR or LF ends it, non-printable bytes, bytes still
 * gathered when the host writes, a gap must be written, or the writer
 * closes) becomes `<~ BYTES`, escaped with upper-case hex. Pieces longer
 * than about 2 KiB are written in several lines. Parsing the output gives
 * back the same bytes in the same order. All memory is allocated at open.
 */
typedef struct qlw_ts_writer qlw_ts_writer;

/** @brief Output sink of a writer: receives text to append. */
typedef void (*qlw_ts_sink)(void *ctx, const char *text, size_t len);

/**
 * @brief Creates a writer.
 * @param[out] w      Receives the writer.
 * @param sink        Receives the transcript text as it is produced.
 * @param ctx         Passed to @p sink.
 * @param gap_ms      A silence of at least this many ms since the previous
 *                    traced bytes (either direction), before modem bytes, is
 *                    written as `@ +MS` (0: never).
 * @return QLW_OK, QLW_ERR_ARG or QLW_ERR_NOMEM.
 */
QLW_API int qlw_ts_writer_open(qlw_ts_writer **w, qlw_ts_sink sink, void *ctx, uint32_t gap_ms);

/**
 * @brief A @ref qlw_trace_fn that feeds the writer given as @p ctx.
 *        Install it with qlw_at_set_trace(at, qlw_ts_writer_trace, w).
 */
QLW_API void qlw_ts_writer_trace(void *ctx, qlw_trace_dir dir, const uint8_t *data, size_t len,
                                 uint32_t time_ms);

/**
 * @brief Writes a `# comment` line at once (bytes of a line still being
 *        gathered follow it). CR and LF in @p text become spaces.
 */
QLW_API void qlw_ts_writer_comment(qlw_ts_writer *w, const char *text);

/** @brief Writes out bytes still held (a partial line) and frees the writer. */
QLW_API void qlw_ts_writer_close(qlw_ts_writer *w);

#ifdef __cplusplus
}
#endif
#endif /* QLWM2M_TRANSCRIPT_H */
