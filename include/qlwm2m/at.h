/**
 * @file at.h
 * @brief The AT engine: lines in, one command in flight, URCs queued and dispatched.
 *
 * @section at_rules How a line is classified
 * Bytes from the transport are cut into lines at CR LF, a lone CR, a lone LF
 * or LF CR. NUL and other non-printable bytes (the module prints garbage when
 * it reboots) are removed and counted, and the line is flagged
 * @ref QLW_LINE_GARBLED. A line longer than `line_max` is dropped whole and
 * counted, never written past the buffer. Empty lines are counted and ignored.
 *
 * Each remaining line is, in this order:
 * 1. while the module is booting (after a @ref QLW_URC_REBOOT line, until the
 *    configured `boot_end` line or a @ref QLW_URC_BOOT_END line): part of the boot banner,
 * delivered as a URC with @ref QLW_LINE_BOOT; the in-flight command already failed with
 *    @ref QLW_AT_RESULT_REBOOTED, so the banner's `OK` completes nothing;
 * 2. the echo of the in-flight command (the exact command text, before any
 *    response line): skipped;
 * 3. a final result of the in-flight command: `OK`, `ERROR`, `+CME ERROR: n`,
 *    `+CMEE ERROR: n` (the BC66's spelling, taken as `+CME ERROR: n`),
 *    `+CMS ERROR: n` (space after the colon optional) or one of the command's
 *    extra final lines (`REBOOTING`, `SEND OK`, matched as a prefix);
 * 4. a response line, when the line starts with a prefix the command declared
 *    (`+CGATT` matches `+CGATT:1` and `+CGATT: 1`, never `+CGATTX:`), and the
 *    command's `accept` filter, if any, agrees;
 * 5. a URC, when it matches an entry of the URC table (`REBOOT_CAUSE_`, `Neul`);
 * 6. a response line, when the command has @ref QLW_AT_CMD_BARE and the line
 *    does not start with `+` (`AT+CIMI` answers a bare IMSI);
 * 7. otherwise a URC.
 * Steps 2 to 4 and 6 apply only once every byte of the command has been
 * written: anything that arrives earlier is a URC. A garbled line can still be
 * a final result or end a banner (its remaining text matched exactly), but is
 * never a response line: corrupt data must not become an IMSI or a payload;
 * it goes to the URC handlers with its flag.
 *
 * @section at_shared Same prefix, two meanings
 * `+CEREG:` is both the answer to `AT+CEREG?` and a URC. While `AT+CEREG?` is
 * in flight, the command's `accept` filter decides; the Neul dialect's filter
 * knows the read form carries `<n>` first and so one field more than a URC of
 * the same `n`. A line the filter rejects is a URC.
 *
 * @section at_late Late answers, and resynchronising
 * After a command times out, final results that arrive before the next
 * command is written are counted as stale and dropped, and the next command
 * is held until the line has been quiet for `guard_ms`. That is not enough
 * on its own: a module that is still busy with the timed-out command (a
 * stall, a slow network) answers it later, after the next command was
 * written, and with echo off no AT protocol says which command an `OK`
 * ends. So when `sync_command` is set (qlw_quectel_at_config() sets
 * "AT+CMEE?" and "AT+CGATT?"), the engine first writes one of those probes:
 * the module answers in order, so every final result before the probe's own
 * `sync_prefix` line is an older command's (counted stale, dropped), and the
 * final result after that line ends the probe. Only then is the next command
 * written, and its `OK` is its own. A probe is written once per command; the
 * command's timeout runs from qlw_at_send(), so a module that never answers
 * ends the command with @ref QLW_AT_RESULT_TIMEOUT without it having been
 * written. The next command then uses the other probe, whose answer line
 * cannot be mistaken for a late answer to the unanswered one. A restart
 * banner ends the need (a restarted module owes no answers).
 *
 * @section at_drive Two ways to drive it
 * - Blocking: qlw_at_exec() sends and waits up to the command's timeout.
 * - Event loop: qlw_at_send() starts a command and returns; the application
 *   polls qlw_at_fd(), calls qlw_at_process() when it is readable or when
 *   qlw_at_next_timeout_ms() expires; the completion callback and URC
 *   handlers run from inside qlw_at_process().
 *
 * Handlers always run in the caller's context, after the line that completed
 * or queued them has been classified, never from inside the line reader. URCs
 * that arrive before a command's final result are dispatched before the
 * command's completion callback, in arrival order.
 *
 * @section at_mem Memory
 * All memory is sized from @ref qlw_at_config when the handle is created
 * (qlw_at_mem_size() tells how much); nothing is allocated afterwards.
 * With A(n) = n rounded up to the pointer size (at least 4):
 *
 *     A(S) + A(line_max + 1) + A(cmd_max + 2) + A(resp_size)
 *          + A(resp_lines_max * sizeof(char *)) + A(urc_queue_size rounded up to 4)
 *          + A(handlers_max * H)
 *
 * where S is the engine's own state and H one handler (about 1.2 KiB and 48
 * bytes with 64-bit pointers): about 6.8 KiB with the defaults on a 64-bit
 * host. `bench_mem` (scripts/bench.sh) prints every term for its platform.
 *
 * @section at_threads Threads
 * A handle is used by one thread at a time; handles are independent.
 * The engine starts no threads.
 */
#ifndef QLWM2M_AT_H
#define QLWM2M_AT_H

#include "qlwm2m/common.h"
#include "qlwm2m/io.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief An AT engine handle (opaque). */
typedef struct qlw_at qlw_at;

/* ---------------------------------------------------------------- lines */

/** @brief Flags of a received line. */
enum qlw_line_flags {
    QLW_LINE_GARBLED = 1u << 0, /**< Non-printable bytes were removed from this line. */
    QLW_LINE_BOOT = 1u << 1,    /**< The line belongs to a boot banner. */
    QLW_LINE_BOOT_END = 1u << 2 /**< The line ended a boot banner (e.g. the Neul `OK`). */
};

/** @brief A line delivered to a URC handler. */
typedef struct qlw_at_line {
    const char *text; /**< NUL-terminated line, without its terminator. */
    size_t len;       /**< Length of qlw_at_line::text. */
    unsigned flags;   /**< @ref qlw_line_flags. */
    uint32_t time_ms; /**< Transport clock when the bytes that complete the line were read. */
} qlw_at_line;

/** @brief Flags of a URC table entry. */
enum qlw_urc_flags {
    /** The line means the module restarted: fail the command in flight with
     *  @ref QLW_AT_RESULT_REBOOTED and enter the boot banner. */
    QLW_URC_REBOOT = 1u << 0,
    /** The line ends a boot banner (with QLW_URC_REBOOT: it is a whole banner,
     *  like the LTE modules' lone `RDY`), whatever `boot_end` says. */
    QLW_URC_BOOT_END = 1u << 1
};

/** @brief One entry of the static URC table given in @ref qlw_at_config. */
typedef struct qlw_at_urc_def {
    const char *prefix; /**< Line prefix, e.g. "+QLWEVTIND" or "REBOOT_CAUSE_". */
    unsigned flags;     /**< @ref qlw_urc_flags. */
} qlw_at_urc_def;

/* ------------------------------------------------------------- commands */

/** @brief Flags of a command descriptor. */
enum qlw_at_cmd_flags {
    /** Lines without a `+` prefix that match no URC are response lines. */
    QLW_AT_CMD_BARE = 1u << 0,
    /** After the command, wait for the `> ` prompt and then write the payload.
     *  A build with `QLWM2M_AT_PROMPT=OFF` has no prompt: qlw_at_send() then
     *  refuses a command with this flag (QLW_ERR_ARG). */
    QLW_AT_CMD_PROMPT = 1u << 1,
    /** Do not treat an exact copy of the command text as echo. */
    QLW_AT_CMD_NO_ECHO = 1u << 2
};

/**
 * @brief Decides whether a line with a declared prefix is the response
 *        (true) or a URC that shares the prefix (false).
 */
typedef bool (*qlw_at_accept_fn)(void *ctx, const char *line, size_t len);

/**
 * @brief Describes one command. Usually a `static const` in a dialect file;
 *        only qlw_at_cmd::text changes between calls.
 */
typedef struct qlw_at_cmd {
    const char *text;            /**< Command without terminator, e.g. "AT+CGATT?". */
    const char *const *prefixes; /**< NULL-terminated response prefixes, or NULL. */
    const char *const *finals;   /**< NULL-terminated extra final lines, or NULL. */
    qlw_at_accept_fn accept;     /**< Optional filter for prefixed lines. */
    void *accept_ctx;            /**< Passed to @ref accept. */
    uint32_t timeout_ms;         /**< Time from the last byte written to the final result
                                      (writing itself may take at most this long plus `guard_ms`).
                                      A final result that had arrived, but was not yet read when
                                      the time ran out, still counts (up to `guard_ms` later). */
    unsigned flags;              /**< @ref qlw_at_cmd_flags. */
    const uint8_t *payload;      /**< Bytes written after the prompt (QLW_AT_CMD_PROMPT). */
    size_t payload_len;          /**< Length of @ref payload. */
} qlw_at_cmd;

/** @brief How a command ended. */
typedef enum qlw_at_result {
    QLW_AT_RESULT_OK = 0,        /**< `OK`. */
    QLW_AT_RESULT_ERROR = 1,     /**< `ERROR`. */
    QLW_AT_RESULT_CME_ERROR = 2, /**< `+CME ERROR: n` (or `+CMEE ERROR: n`); n in
                                      @ref qlw_at_response::code. */
    QLW_AT_RESULT_CMS_ERROR = 3, /**< `+CMS ERROR: n`; n in @ref qlw_at_response::code. */
    QLW_AT_RESULT_FINAL = 4,     /**< One of the command's extra final lines. */
    QLW_AT_RESULT_TIMEOUT = 5,   /**< No final result within the timeout. */
    QLW_AT_RESULT_IO_ERROR = 6,  /**< The transport failed. */
    QLW_AT_RESULT_REBOOTED = 7,  /**< The module rebooted before answering. */
    QLW_AT_RESULT_CANCELLED = 8  /**< qlw_at_cancel() was called. */
} qlw_at_result;

/** @brief Stable lower-case name of a result ("ok", "cme_error", ...). */
QLW_API const char *qlw_at_result_str(qlw_at_result result);

/**
 * @brief Maps a result to an error code: OK and FINAL give QLW_OK, ERROR
 *        QLW_ERR_MODEM, CME QLW_ERR_CME, CMS QLW_ERR_CMS, TIMEOUT
 *        QLW_ERR_TIMEOUT, IO_ERROR QLW_ERR_IO, REBOOTED QLW_ERR_REBOOTED,
 *        CANCELLED QLW_ERR_CANCELLED.
 */
QLW_API int qlw_at_result_err(qlw_at_result result);

/**
 * @brief The outcome of a command. Points into the handle's memory and stays
 *        valid until the next command is sent on the same handle.
 */
typedef struct qlw_at_response {
    const char *command;  /**< The command text that was sent. */
    qlw_at_result result; /**< How it ended. */
    int code;          /**< CME/CMS number; for IO_ERROR the transport's @ref qlw_err; else -1. */
    const char *final; /**< The final line ("OK", "+CME ERROR: 513"); "" if none. */
    size_t line_count; /**< Number of response lines. */
    const char *const *lines; /**< The response lines, in order (echo and empty lines removed). */
    bool truncated;           /**< Response lines were dropped for lack of room. */
    uint32_t elapsed_ms;      /**< From the first byte written to the final result. */
} qlw_at_response;

/** @brief Completion callback of qlw_at_send(). */
typedef void (*qlw_at_done_fn)(void *ctx, const qlw_at_response *resp);

/** @brief URC handler: receives one unsolicited line. */
typedef void (*qlw_at_urc_fn)(void *ctx, const qlw_at_line *line);

/** @brief Diagnostic events of the engine. */
typedef enum qlw_at_event {
    QLW_AT_EV_BOOT_START = 0,   /**< A boot banner began (`count` unused). */
    QLW_AT_EV_BOOT_END = 1,     /**< A boot banner ended with its terminator line. */
    QLW_AT_EV_BOOT_TIMEOUT = 2, /**< A boot banner ended without terminator (`boot_timeout_ms`). */
    QLW_AT_EV_URC_OVERFLOW =
        3, /**< URCs were dropped because the queue was full (`count` dropped). */
    QLW_AT_EV_LINE_OVERFLOW = 4, /**< An over-long line was dropped (`count` bytes dropped). */
    QLW_AT_EV_STALE_FINAL = 5,   /**< A final result arrived with no command waiting for it. */
    QLW_AT_EV_IO_ERROR = 6       /**< The transport failed (`count` = -error code). */
} qlw_at_event;

/** @brief Stable name of an event ("boot_start", "urc_overflow", ...). */
QLW_API const char *qlw_at_event_str(qlw_at_event ev);

/** @brief Event handler. */
typedef void (*qlw_at_event_fn)(void *ctx, qlw_at_event ev, uint32_t count);

/** @brief Direction of traced bytes. */
typedef enum qlw_trace_dir {
    QLW_TRACE_RX = 0, /**< From the module. */
    QLW_TRACE_TX = 1  /**< To the module. */
} qlw_trace_dir;

/** @brief Trace hook: sees every byte in both directions, as it passes. */
typedef void (*qlw_trace_fn)(void *ctx, qlw_trace_dir dir, const uint8_t *data, size_t len,
                             uint32_t time_ms);

/* --------------------------------------------------------------- config */

/** @brief Sizes and tables of an engine handle. Start from qlw_at_config_default(). */
typedef struct qlw_at_config {
    size_t line_max;  /**< Longest line kept, bytes (default 1100: a 512-byte +NNMI fits). */
    size_t cmd_max;   /**< Longest command text, bytes (default 1100). */
    size_t resp_size; /**< Bytes for one command's response lines (default 1104: an `AT+NMGR` answer
                         with 512 bytes fits). */
    size_t resp_lines_max; /**< Response lines kept per command (default 16). */
    size_t urc_queue_size; /**< Bytes of queued URCs (default 1280). A URC takes its length
                                plus 13, rounded up to 4, and 64 bytes stay free for events,
                                so the default carries any line of the default `line_max`. */
    size_t handlers_max;   /**< URC and event handlers (default 6: the session takes 2,
                              qlw_neul_ping() 3). */
    const qlw_at_urc_def *urc_table; /**< Static URC table, or NULL. */
    size_t urc_table_len;            /**< Entries in @ref urc_table. */
    const char *boot_end;            /**< Line that ends a boot banner ("OK" for Neul); NULL:
                                          the reboot line alone is the banner (LTE "RDY"). */
    uint32_t boot_timeout_ms;        /**< Longest boot banner (default 15000). */
    uint32_t guard_ms;               /**< Quiet time required after a timeout (default 200). */
    const char *sync_command[2];     /**< After a timeout, one of these is written before the next
                                          command (e.g. "AT+CMEE?", "AT+CGATT?"); NULL (default):
                                          none. See "Late answers, and resynchronising" above. */
    const char *sync_prefix[2];      /**< The line that answers each ("+CMEE:", "+CGATT:"). */
    qlw_trace_fn trace;              /**< Optional trace hook. */
    void *trace_ctx;                 /**< Passed to @ref trace. */
} qlw_at_config;

/** @brief Fills @p cfg with the defaults documented on each field. */
QLW_API void qlw_at_config_default(qlw_at_config *cfg);

/**
 * @brief Bytes of memory a handle with @p cfg needs (for qlw_at_init()).
 * @return the size, or 0 when @p cfg is invalid.
 */
QLW_API size_t qlw_at_mem_size(const qlw_at_config *cfg);

/**
 * @brief Creates a handle in caller-owned memory.
 * @param[out] at   Receives the handle (it lives inside @p mem).
 * @param mem       At least qlw_at_mem_size(cfg) bytes, aligned for pointers.
 * @param mem_size  Size of @p mem.
 * @param cfg       Configuration (copied; the URC table is kept by pointer).
 * @param io        Transport (kept by pointer; not closed by qlw_at_close()).
 * @return QLW_OK, QLW_ERR_ARG (NULL, zero sizes), QLW_ERR_NOMEM (@p mem too small).
 */
QLW_API int qlw_at_init(qlw_at **at, void *mem, size_t mem_size, const qlw_at_config *cfg,
                        qlw_io *io);

/**
 * @brief Creates a handle with one allocation of qlw_at_mem_size() bytes.
 * @param[out] at Receives the handle; release it with qlw_at_close().
 * @param cfg Configuration, or NULL for the defaults.
 * @param io  Transport (kept by pointer; not closed by qlw_at_close()).
 * @return QLW_OK, QLW_ERR_ARG or QLW_ERR_NOMEM.
 */
QLW_API int qlw_at_open(qlw_at **at, const qlw_at_config *cfg, qlw_io *io);

/**
 * @brief Releases a handle (frees it if it came from qlw_at_open()). A command
 *        in flight is dropped without callback. The transport is not closed.
 */
QLW_API void qlw_at_close(qlw_at *at);

/* -------------------------------------------------------------- driving */

/**
 * @brief Starts a command without waiting for it.
 *
 * Writes `text` followed by CR. If the engine is still in its post-timeout
 * guard, or the transport accepts only part of the bytes, the rest is written
 * by later qlw_at_process() calls; the timeout starts when the last byte is out.
 *
 * @param at   The handle.
 * @param cmd  Descriptor; it and every string it points to must stay valid
 *             until the command completes (the text is copied).
 * @param done Called once with the outcome (may be NULL).
 * @param ctx  Passed to @p done.
 * @return QLW_OK; QLW_ERR_BUSY (a command is in flight); QLW_ERR_ARG (NULL,
 *         empty text, CR/LF inside the text, a timeout that with `guard_ms`
 *         exceeds 2147483647 ms, @ref QLW_AT_CMD_PROMPT in a build without
 *         the prompt); QLW_ERR_OVERFLOW (text longer than `cmd_max`).
 */
QLW_API int qlw_at_send(qlw_at *at, const qlw_at_cmd *cmd, qlw_at_done_fn done, void *ctx);

/**
 * @brief Does all work that is due without blocking: reads what the transport
 *        has, classifies lines, writes pending command bytes, expires
 *        timeouts, and runs callbacks and URC handlers.
 * @return QLW_OK, or the transport's error (QLW_ERR_IO, QLW_ERR_PORT_GONE);
 *         a command in flight then completes with QLW_AT_RESULT_IO_ERROR.
 */
QLW_API int qlw_at_process(qlw_at *at);

/**
 * @brief Milliseconds until qlw_at_process() must run even without input.
 * @return 0 when work is due now, -1 when nothing is timed.
 */
QLW_API int32_t qlw_at_next_timeout_ms(qlw_at *at);

/** @brief The transport's pollable descriptor, or -1 (then poll with timeouts). */
QLW_API int qlw_at_fd(qlw_at *at);

/**
 * @brief Blocks until input arrives or @p max_ms (or an engine deadline)
 *        passes, then calls qlw_at_process().
 * @return QLW_OK or the transport's error.
 */
QLW_API int qlw_at_poll(qlw_at *at, uint32_t max_ms);

/**
 * @brief Sends a command and blocks until its final result or timeout.
 *
 * URC handlers run from inside this call.
 * @param at   The handle.
 * @param cmd  Descriptor (as for qlw_at_send()).
 * @param[out] resp Receives the response (may be NULL); valid until the next command.
 * @return QLW_OK for `OK` or an extra final line, otherwise the error of
 *         qlw_at_result_err() (QLW_ERR_MODEM, QLW_ERR_CME, QLW_ERR_TIMEOUT,
 *         QLW_ERR_REBOOTED, QLW_ERR_IO ...), or the errors of qlw_at_send().
 */
QLW_API int qlw_at_exec(qlw_at *at, const qlw_at_cmd *cmd, const qlw_at_response **resp);

/**
 * @brief The raw escape hatch: sends any command text with a generic descriptor.
 *
 * The response prefix is taken from the command name (`AT+CGATT?` gives
 * `+CGATT`, each `;`-chained part adds its own), bare lines are accepted, and
 * one final result is expected per `;`-chained part (the BC68 family answers
 * `AT+CEREG=2;+NPSMR=1` with two `OK`s).
 *
 * @param at         The handle.
 * @param text       Command text without terminator.
 * @param timeout_ms Timeout for the final result.
 * @param[out] resp  Receives the response (may be NULL).
 * @return as qlw_at_exec().
 */
QLW_API int qlw_at_exec_raw(qlw_at *at, const char *text, uint32_t timeout_ms,
                            const qlw_at_response **resp);

/**
 * @brief Starts a raw command without waiting (event-loop form of qlw_at_exec_raw()).
 * @return as qlw_at_send().
 */
QLW_API int qlw_at_send_raw(qlw_at *at, const char *text, uint32_t timeout_ms, qlw_at_done_fn done,
                            void *ctx);

/**
 * @brief The response of the last command that completed on the handle, so
 *        that a caller of a typed call (neul.h) can read the `+CME ERROR`
 *        number or the offending line.
 * @return the response, valid until the next command is sent; NULL before
 *         the first command completed and while a command is in flight.
 */
QLW_API const qlw_at_response *qlw_at_last_response(const qlw_at *at);

/**
 * @brief A buffer of `cmd_max + 1` bytes to build the next command's text in,
 *        so that qlw_at_send() takes it without a copy (the session builds its
 *        1 KB uplink commands there instead of in a buffer of its own).
 * @param at The handle.
 * @param[out] size Receives the buffer's size.
 * @return the buffer, or NULL while a command is in flight. Building in it
 *         overwrites the previous response's qlw_at_response::command.
 */
QLW_API char *qlw_at_text_buffer(qlw_at *at, size_t *size);

/** @brief True while a command is in flight. */
QLW_API bool qlw_at_busy(const qlw_at *at);

/** @brief True once the command in flight is written whole and waits for its answer
 *  (false while idle or still writing). */
QLW_API bool qlw_at_waiting(const qlw_at *at);

/**
 * @brief Whether the last command given to qlw_at_send() has left whole.
 *
 * Writes nothing. True once every byte of its text and, for a
 * @ref QLW_AT_CMD_PROMPT command, of its payload has been written, and so
 * until the next qlw_at_send(); false before that (still being written, or
 * held behind the resynchronising probe), and when it ended without having
 * left whole (a timeout or qlw_at_cancel() while held: the module has no
 * complete command line of it). What arrives while it is false cannot be
 * about that command. Same thread rules as the other calls on @p at.
 * @return The answer; false for NULL.
 */
QLW_API bool qlw_at_written(const qlw_at *at);

/** @brief True while the engine runs a callback (a URC, event or completion handler):
 *  calls that wait for input return QLW_ERR_STATE then. */
QLW_API bool qlw_at_in_callback(const qlw_at *at);

/** @brief True while a boot banner is being received. */
QLW_API bool qlw_at_booting(const qlw_at *at);

/**
 * @brief Ends the command in flight with QLW_AT_RESULT_CANCELLED (its
 *        callback runs now). A late answer to it is then treated as stale.
 * @return QLW_OK, or QLW_ERR_STATE when nothing is in flight.
 */
QLW_API int qlw_at_cancel(qlw_at *at);

/* ------------------------------------------------------------- handlers */

/**
 * @brief Registers a URC handler for lines starting with @p prefix
 *        ("" or NULL: every URC). Every matching handler is called, in
 *        registration order.
 * @return QLW_OK, QLW_ERR_ARG, or QLW_ERR_NOMEM when `handlers_max` are taken.
 */
QLW_API int qlw_at_add_urc_handler(qlw_at *at, const char *prefix, qlw_at_urc_fn fn, void *ctx);

/** @brief Registers an event handler. @return QLW_OK or QLW_ERR_NOMEM. */
QLW_API int qlw_at_add_event_handler(qlw_at *at, qlw_at_event_fn fn, void *ctx);

/** @brief Removes every handler registered with @p ctx. @return how many were removed. */
QLW_API int qlw_at_remove_handlers(qlw_at *at, const void *ctx);

/** @brief Replaces the trace hook (NULL to stop tracing). */
QLW_API void qlw_at_set_trace(qlw_at *at, qlw_trace_fn fn, void *ctx);

/**
 * @brief The trace hook in use (both NULL when none), so that a caller can
 *        wrap it for a while, e.g. to redact a secret being written.
 */
QLW_API void qlw_at_get_trace(const qlw_at *at, qlw_trace_fn *fn, void **ctx);

/**
 * @brief Replaces each occurrence of @p secret in the finished command's text
 *        (qlw_at_response::command) with `***`, so that a key sent in a
 *        command cannot reach a log through the response. Does nothing while
 *        a command is in flight.
 */
QLW_API void qlw_at_redact_command(qlw_at *at, const char *secret);

/* ---------------------------------------------------------------- stats */

/** @brief Counters kept by a handle since it was created. */
typedef struct qlw_at_stats {
    uint32_t bytes_rx;         /**< Bytes read. */
    uint32_t bytes_tx;         /**< Bytes written. */
    uint32_t lines;            /**< Non-empty lines classified. */
    uint32_t empty_lines;      /**< Empty lines ignored. */
    uint32_t urcs;             /**< URCs queued. */
    uint32_t urcs_dropped;     /**< URCs dropped because the queue was full. */
    uint32_t lines_overflowed; /**< Lines dropped because they exceeded `line_max`. */
    uint32_t garbage_bytes;    /**< Non-printable bytes removed from lines. */
    uint32_t echoes;           /**< Echoed command lines skipped. */
    uint32_t stale_finals;     /**< Final results that belonged to no command. */
    uint32_t commands;         /**< Commands completed. */
    uint32_t timeouts;         /**< Commands that timed out. */
    uint32_t reboots;          /**< Boot banners seen. */
} qlw_at_stats;

/** @brief Copies the handle's counters into @p out. */
QLW_API void qlw_at_get_stats(const qlw_at *at, qlw_at_stats *out);

/** @brief The transport of the handle. */
QLW_API qlw_io *qlw_at_io(qlw_at *at);

/**
 * @brief Gives the handle another transport (the port was reopened).
 *
 * Whatever the old transport left half read (a partial line, an unread
 * chunk) is dropped, a boot banner in progress is forgotten, and a command
 * still in flight completes with @ref QLW_AT_RESULT_IO_ERROR (code
 * QLW_ERR_PORT_GONE), dispatched by the next qlw_at_process(): its answer
 * cannot come over the new transport. URCs already queued are kept. The old
 * transport is not touched; the caller closes it. The new transport's clock
 * must continue the old one's (deadlines are kept as they are).
 * @return QLW_OK; QLW_ERR_ARG (NULL); QLW_ERR_STATE from inside a callback.
 */
QLW_API int qlw_at_set_io(qlw_at *at, qlw_io *io);

/** @brief The handle's clock, read now. */
QLW_API uint32_t qlw_at_now_ms(const qlw_at *at);

/* ------------------------------------------------------ argument helpers */

/** @brief One field of a response line: a span into the line, quotes removed. */
typedef struct qlw_at_field {
    const char *ptr; /**< First character (after an opening quote). */
    size_t len;      /**< Length (without quotes). */
    bool quoted;     /**< The field was in double quotes. */
} qlw_at_field;

/**
 * @brief Splits the arguments of a line into fields.
 *
 * If the line starts with `+`, everything up to the first `:` and one optional
 * space after it is skipped (`+X:a,"b,c",,d` and `+X: a,...` both give
 * `a`, `b,c`, empty, `d`). Commas inside quotes do not split. An empty
 * argument list gives zero fields.
 *
 * @return the number of fields, QLW_ERR_PARSE (unterminated quote, a `+` line
 *         without `:`, text after a closing quote), or QLW_ERR_OVERFLOW (more
 *         than @p max fields).
 */
QLW_API int qlw_at_split(const char *line, size_t len, qlw_at_field *fields, size_t max);

/**
 * @brief Parses a decimal integer field (optional sign) in [@p min, @p max].
 * @return QLW_OK, QLW_ERR_PARSE (empty or not a number) or QLW_ERR_ARG (out of range).
 */
QLW_API int qlw_at_field_int(const qlw_at_field *f, long min, long max, long *out);

/**
 * @brief Parses a hexadecimal field (no `0x`, at most 8 digits), e.g. a TAC or cell id.
 * @return QLW_OK or QLW_ERR_PARSE.
 */
QLW_API int qlw_at_field_hex32(const qlw_at_field *f, uint32_t *out);

/** @brief True when the field equals @p s exactly. */
QLW_API bool qlw_at_field_eq(const qlw_at_field *f, const char *s);

/**
 * @brief Copies a field as a NUL-terminated string.
 * @return QLW_OK or QLW_ERR_OVERFLOW (then @p buf holds a truncated copy).
 */
QLW_API int qlw_at_field_copy(const qlw_at_field *f, char *buf, size_t size);

/**
 * @brief Decodes hex digits (either case) into bytes.
 * @param hex      Digits; @p hex_len must be even.
 * @param hex_len  Number of digits.
 * @param out      Output buffer.
 * @param out_size Size of @p out.
 * @return the number of bytes, QLW_ERR_PARSE (odd length, not hex) or
 *         QLW_ERR_OVERFLOW (does not fit).
 */
QLW_API int qlw_hex_decode(const char *hex, size_t hex_len, uint8_t *out, size_t out_size);

/**
 * @brief Encodes bytes as upper-case hex and a terminating NUL.
 * @return the number of digits (2 * @p len) or QLW_ERR_OVERFLOW
 *         (@p out_size < 2 * len + 1).
 */
QLW_API int qlw_hex_encode(const uint8_t *data, size_t len, char *out, size_t out_size);

#ifdef __cplusplus
}
#endif
#endif /* QLWM2M_AT_H */
