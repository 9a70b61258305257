/**
 * @file transcript.h
 * @brief The `.at` transcript format: parse, replay against the library, record.
 *
 * One plain-text format serves as test fixture, as trace and as simulator
 * script. Lines:
 * - `> TEXT`: the host sends `TEXT` and CR (a replayer also accepts CR LF);
 * - `>~ BYTES`: the host sends exactly BYTES;
 * - `< TEXT`: the modem sends `TEXT` CR LF; `<` alone: an empty line (CR LF);
 * - `<~ BYTES`: the modem sends exactly BYTES;
 * - `@ +MS`: MS milliseconds pass before the next modem bytes;
 * - `# ...`: comment; `## key: value`: metadata.
 * BYTES use the escapes `\r`, `\n`, `\t`, `\\` and `\xHH`; every other
 * character stands for itself, trailing spaces included.
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
    QLW_TS_DELAY = 4,      /**< `@ +MS`: delay_ms is MS. */
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
 * @return QLW_OK, QLW_ERR_PARSE (unknown line kind, bad escape, bad delay),
 *         QLW_ERR_ARG or QLW_ERR_NOMEM.
 */
QLW_API int qlw_transcript_parse(qlw_transcript **ts, const char *text, size_t len, char *errmsg,
                                 size_t errmsg_size);

/**
 * @brief Reads and parses a transcript file.
 * @return as qlw_transcript_parse(), or QLW_ERR_IO when the file cannot be read.
 */
QLW_API int qlw_transcript_load(qlw_transcript **ts, const char *path, char *errmsg,
                                size_t errmsg_size);

/** @brief Frees a transcript (NULL is ignored). */
QLW_API void qlw_transcript_free(qlw_transcript *ts);

/** @brief Number of steps (comments are not steps). */
QLW_API size_t qlw_transcript_count(const qlw_transcript *ts);

/** @brief Step @p i, or NULL when out of range. */
QLW_API const qlw_ts_step *qlw_transcript_step(const qlw_transcript *ts, size_t i);

/** @brief Value of metadata @p key (`## key: value`), or NULL. */
QLW_API const char *qlw_transcript_meta(const qlw_transcript *ts, const char *key);

/* --------------------------------------------------------------- replay */

/** @brief A replayer: an in-memory transport that plays a transcript as the modem. */
typedef struct qlw_replay qlw_replay;

/**
 * @brief Creates a replayer and its transport.
 *
 * Every byte the host writes is checked against the next `>`/`>~` step; on
 * a mismatch the write fails with QLW_ERR_IO and qlw_replay_error() names the
 * transcript line. After a send step is complete, the modem steps that follow
 * it (up to the next send) are scheduled, with `@` delays on the virtual clock.
 *
 * @param[out] rp    Receives the replayer.
 * @param ts         Transcript (must outlive the replayer).
 * @param start_ms   Initial virtual time.
 * @return QLW_OK, QLW_ERR_ARG or QLW_ERR_NOMEM.
 */
QLW_API int qlw_replay_open(qlw_replay **rp, const qlw_transcript *ts, uint32_t start_ms);

/** @brief The replayer's transport (owned by the replayer). */
QLW_API qlw_io *qlw_replay_io(qlw_replay *rp);

/** @brief Limits each read to @p max_bytes (0 = whole chunks). */
QLW_API void qlw_replay_set_read_size(qlw_replay *rp, size_t max_bytes);

/**
 * @brief The next host step the transcript expects (`>` or `>~`), or NULL
 *        when no send remains.
 */
QLW_API const qlw_ts_step *qlw_replay_expected(const qlw_replay *rp);

/** @brief True when every send matched and every modem byte was scheduled and read. */
QLW_API bool qlw_replay_finished(const qlw_replay *rp);

/** @brief QLW_OK, or QLW_ERR_IO after a mismatch. */
QLW_API int qlw_replay_status(const qlw_replay *rp);

/** @brief Message of the first mismatch ("line 12: expected ..., host sent ..."), or "". */
QLW_API const char *qlw_replay_error(const qlw_replay *rp);

/** @brief Frees the replayer and its transport. */
QLW_API void qlw_replay_close(qlw_replay *rp);

/* --------------------------------------------------------------- writer */

/** @brief Records traffic in the transcript format (opaque). */
typedef struct qlw_ts_writer qlw_ts_writer;

/** @brief Output sink of a writer: receives text to append. */
typedef void (*qlw_ts_sink)(void *ctx, const char *text, size_t len);

/**
 * @brief Creates a writer.
 * @param[out] w      Receives the writer.
 * @param sink        Receives the transcript text as it is produced.
 * @param ctx         Passed to @p sink.
 * @param gap_ms      A silence of at least this many ms before modem bytes is
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

/** @brief Writes a `# comment` line (the text must not contain line breaks). */
QLW_API void qlw_ts_writer_comment(qlw_ts_writer *w, const char *text);

/** @brief Writes out bytes still held (a partial line) and frees the writer. */
QLW_API void qlw_ts_writer_close(qlw_ts_writer *w);

#ifdef __cplusplus
}
#endif
#endif /* QLWM2M_TRANSCRIPT_H */
