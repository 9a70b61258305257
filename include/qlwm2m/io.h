/**
 * @file io.h
 * @brief Transports (serial port, pseudo-terminal, in-memory) and the monotonic clock.
 *
 * A transport is five operations behind a @ref qlw_io. They read what is
 * there (never blocking), write, wait until readable, give a pollable
 * descriptor, and close.
 * The AT engine only ever talks to this interface, so a transport of your own
 * (a socket, a USB CDC driver on an MCU) plugs in by filling @ref qlw_io_ops.
 *
 * Implementations shipped, by platform:
 * - qlw_io_open_serial() (not in `QLWM2M_NO_OS` builds): opens a serial
 *   device. On Linux and the BSDs, `/dev/ttyUSB0` and other ports known to
 *   the OS go through libserialport when the library was built with it; any
 *   other tty path (pseudo-terminals such as `/dev/pts/7`, which Debian's
 *   libserialport 0.1.1 refuses) goes through POSIX termios. On Windows a
 *   COM port (`COM3`, `COM12`, `\\.\COM12`) is opened with the Windows
 *   communications API, or through libserialport when the build has it. On
 *   macOS libserialport is the backend.
 * - qlw_io_mem_open(): an in-memory transport for tests, with a virtual clock,
 *   scheduled input, forced read sizes and injected I/O errors. No OS needed.
 * - qlw_io_init(): your own operations (a UART driver on a microcontroller)
 *   in memory you own, with your clock. No OS and no heap needed.
 *
 * Thread rules: a transport is used by one thread at a time.
 */
#ifndef QLWM2M_IO_H
#define QLWM2M_IO_H

#include "qlwm2m/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ clock */

/**
 * @brief A monotonic millisecond clock.
 *
 * Values wrap at 2^32 ms (about 49.7 days); compare them only with
 * qlw_ms_diff() or qlw_ms_reached(), never with `<`.
 */
typedef struct qlw_clock {
    /** Returns the current time in ms; must never go backwards (modulo wrap). */
    uint32_t (*now_ms)(void *ctx);
    /** Passed to @ref now_ms. */
    void *ctx;
} qlw_clock;

/**
 * @brief The system's monotonic clock (CLOCK_MONOTONIC on POSIX,
 *        GetTickCount64() on Windows) in ms. Not in `QLWM2M_NO_OS` builds,
 *        where the application's @ref qlw_clock takes its place.
 * @param ctx Ignored (so that it fits @ref qlw_clock::now_ms).
 * @return Milliseconds since an arbitrary start, wrapping at 2^32.
 */
QLW_API uint32_t qlw_clock_system_ms(void *ctx);

/** @brief A @ref qlw_clock reading the system's monotonic clock. */
QLW_API qlw_clock qlw_clock_system(void);

/**
 * @brief Sleeps about @p ms on the system clock (what a blocking session call
 *        does while its port is lost and has no descriptor to wait on).
 */
QLW_API void qlw_clock_sleep_ms(uint32_t ms);

/** @brief True when @p clock is the system clock of qlw_clock_system(). */
QLW_API bool qlw_clock_is_system(const qlw_clock *clock);

/**
 * @brief Wrap-safe difference `later - earlier` in ms.
 * @return Positive when @p later is after @p earlier, negative when before;
 *         correct across the 2^32 wrap for intervals shorter than 24.8 days.
 */
static inline int32_t qlw_ms_diff(uint32_t later, uint32_t earlier)
{
    return (int32_t)(later - earlier);
}

/** @brief True when @p now is at or after @p deadline (wrap-safe). */
static inline bool qlw_ms_reached(uint32_t now, uint32_t deadline)
{
    return qlw_ms_diff(now, deadline) >= 0;
}

/* -------------------------------------------------------------- transport */

/** @brief The operations of a transport. Every pointer must be set. */
typedef struct qlw_io_ops {
    /**
     * Reads what is available, never blocking.
     * @return bytes read (0 when nothing is there), or a negative @ref qlw_err
     *         (QLW_ERR_PORT_GONE when the device disappeared).
     */
    int (*read)(void *ctx, uint8_t *buf, size_t size);
    /**
     * Writes up to @p size bytes.
     * @return bytes accepted (may be fewer than @p size), or a negative @ref qlw_err.
     */
    int (*write)(void *ctx, const uint8_t *buf, size_t size);
    /**
     * Waits until data can be read or @p timeout_ms passes.
     * @return 1 readable, 0 timed out, negative @ref qlw_err on failure.
     */
    int (*wait)(void *ctx, uint32_t timeout_ms);
    /** @return a descriptor that polls readable when data arrives, or -1. */
    int (*fd)(void *ctx);
    /** Releases the transport and @p ctx. */
    void (*close)(void *ctx);
} qlw_io_ops;

/**
 * @brief A transport: its operations, their context, and its clock.
 *
 * The AT engine takes its time from qlw_io::clock, so a transport with a virtual
 * clock (the in-memory one) makes timeouts deterministic in tests.
 */
typedef struct qlw_io {
    const qlw_io_ops *ops; /**< The operations. */
    void *ctx;             /**< Passed to every operation. */
    qlw_clock clock;       /**< Clock that belongs with this transport. */
    char name[64];         /**< Human name for messages, e.g. the port path. */
    bool allocated;        /**< Set by qlw_io_create(): qlw_io_close() frees it. A
                                struct filled by hand must leave it false (use
                                qlw_io_init()). */
} qlw_io;

/** @brief Flow control of a serial port. */
typedef enum qlw_flow {
    QLW_FLOW_NONE = 0,    /**< No flow control (what the BC68 family uses). */
    QLW_FLOW_RTSCTS = 1,  /**< Hardware flow control. */
    QLW_FLOW_XONXOFF = 2, /**< Software flow control. */
} qlw_flow;

/** @brief Which implementation opens a serial path. */
typedef enum qlw_io_backend {
    /** POSIX: libserialport for ports it knows, termios for other ttys.
     *  Windows: libserialport when built in, else the Windows COM API. */
    QLW_IO_AUTO = 0,
    QLW_IO_POSIX = 1,         /**< POSIX termios (any tty path, pseudo-terminals included). */
    QLW_IO_LIBSERIALPORT = 2, /**< libserialport only. */
    QLW_IO_WIN32 = 3,         /**< The Windows communications API (Windows builds only). */
} qlw_io_backend;

/** @brief Stable name of a flow control setting ("none", "rtscts", "xonxoff"); "unknown" out of
 *  range, "" in a build without text (QLWM2M_TEXT=OFF). */
QLW_API const char *qlw_flow_str(qlw_flow flow);

/** @brief Stable name of a backend ("auto", "posix", "libserialport", "win32"); "unknown" out of
 *  range, "" in a build without text (QLWM2M_TEXT=OFF). */
QLW_API const char *qlw_io_backend_str(qlw_io_backend backend);

/** @brief Serial line settings. Always 8 data bits, no parity, 1 stop bit. */
typedef struct qlw_serial_config {
    uint32_t baud;          /**< Baud rate; the BC68 family defaults to 9600. */
    qlw_flow flow;          /**< Flow control. */
    qlw_io_backend backend; /**< Implementation choice. */
} qlw_serial_config;

/**
 * @brief Fills @p cfg with 9600 baud, no flow control, automatic backend.
 * @param cfg Config to fill; must not be NULL.
 */
QLW_API void qlw_serial_config_default(qlw_serial_config *cfg);

/**
 * @brief Opens a serial device.
 *
 * @param[out] io      Receives the transport; close it with qlw_io_close().
 * @param path         Device path (`/dev/ttyUSB0`, `/dev/pts/7`, `COM3`). On
 *                     Windows a name without a leading `\\` is opened in
 *                     the device namespace (`COM12` as `\\.\COM12`), so
 *                     ports above COM9 need no prefix.
 * @param cfg          Settings, or NULL for qlw_serial_config_default().
 * @param errmsg       Optional buffer that receives a message naming the port
 *                     and the cause on failure (may be NULL).
 * @param errmsg_size  Size of @p errmsg.
 * @return QLW_OK; QLW_ERR_ARG (NULL path, baud 0 or not a standard rate
 *         from 1200 to 921600, flow or backend out of range, or a path that
 *         is not a tty, such as a regular file or `/dev/null`);
 *         QLW_ERR_PORT_NOT_FOUND; QLW_ERR_PORT_PERMISSION; QLW_ERR_PORT_BUSY
 *         (locked by another process); QLW_ERR_UNSUPPORTED (libserialport
 *         asked for but not built in, or a rate or flow control this system
 *         cannot set; QLW_IO_WIN32 outside Windows); QLW_ERR_IO (anything
 *         else); QLW_ERR_NOMEM.
 * @note Allocates the transport. Thread-safe (no shared state).
 * @note On POSIX, takes an advisory `flock()` on the port for as long as it
 *       is open, so a second program using qlwm2m gets QLW_ERR_PORT_BUSY;
 *       programs that do not take the lock are not kept out. On Windows the
 *       port is opened exclusively: any second program, qlwm2m or not, gets
 *       QLW_ERR_PORT_BUSY.
 * @note On Windows the transport has no pollable descriptor (qlw_io_fd()
 *       returns -1): wait with qlw_io_wait() or qlw_poll().
 */
QLW_API int qlw_io_open_serial(qlw_io **io, const char *path, const qlw_serial_config *cfg,
                               char *errmsg, size_t errmsg_size);

/**
 * @brief True when this build includes the libserialport backend.
 */
QLW_API bool qlw_io_has_libserialport(void);

/**
 * @brief True when this build includes the Windows COM port backend
 *        (every Windows build).
 */
QLW_API bool qlw_io_has_win32_comm(void);

/**
 * @brief True when this build includes the POSIX termios backend (every
 *        POSIX system; not Windows).
 */
QLW_API bool qlw_io_has_posix_tty(void);

/**
 * @brief Makes a transport of caller-supplied operations in caller memory.
 *
 * What a port to a microcontroller uses: no heap, no OS. The transport lives
 * as long as @p io does; qlw_io_close() calls `ops->close` and frees nothing.
 *
 * @param[out] io Transport to fill (any content; overwritten).
 * @param ops     Operations (kept by pointer; must outlive the transport).
 * @param ctx     Their context; released by `ops->close` in qlw_io_close().
 * @param name    Name for messages (copied, truncated to 63 bytes), or NULL.
 * @param clock   Clock, or NULL for the system clock. Required (NULL is
 *                QLW_ERR_ARG) in `QLWM2M_NO_OS` builds, which have none.
 * @return QLW_OK or QLW_ERR_ARG (NULL @p io or @p ops, an operation
 *         missing, a clock without `now_ms`).
 */
QLW_API int qlw_io_init(qlw_io *io, const qlw_io_ops *ops, void *ctx, const char *name,
                        const qlw_clock *clock);

/**
 * @brief Wraps caller-supplied operations in a transport.
 * @param[out] io Receives the transport.
 * @param ops     Operations (kept by pointer; must outlive the transport).
 * @param ctx     Their context; released by `ops->close` in qlw_io_close().
 * @param name    Name for messages (copied, truncated to 63 bytes), or NULL.
 * @param clock   Clock, or NULL for the system clock (required in
 *                `QLWM2M_NO_OS` builds).
 * @return QLW_OK, QLW_ERR_ARG or QLW_ERR_NOMEM. On failure @p ctx is left
 *         alone (`ops->close` is not called): it is still the caller's.
 * @note Allocates the @ref qlw_io; qlw_io_init() is the same in caller memory.
 */
QLW_API int qlw_io_create(qlw_io **io, const qlw_io_ops *ops, void *ctx, const char *name,
                          const qlw_clock *clock);

/**
 * @brief Closes a transport (`ops->close`) and frees it when qlw_io_create()
 *        allocated it. NULL, and a second close of a qlw_io_init() transport,
 *        are accepted and ignored; a qlw_io_init() transport used after its
 *        close answers QLW_ERR_STATE (qlw_io_fd(): -1) instead of calling a
 *        backend that is gone.
 */
QLW_API void qlw_io_close(qlw_io *io);

/** @brief Calls `io->ops->read`. @return bytes read or a negative @ref qlw_err. */
QLW_API int qlw_io_read(qlw_io *io, uint8_t *buf, size_t size);
/** @brief Calls `io->ops->write`. @return bytes written or a negative @ref qlw_err. */
QLW_API int qlw_io_write(qlw_io *io, const uint8_t *buf, size_t size);
/** @brief Calls `io->ops->wait`. @return 1 readable, 0 timeout, negative on error. */
QLW_API int qlw_io_wait(qlw_io *io, uint32_t timeout_ms);
/** @brief Calls `io->ops->fd`. @return a pollable descriptor or -1. */
QLW_API int qlw_io_fd(qlw_io *io);
/** @brief The transport's clock, read now. */
QLW_API uint32_t qlw_io_now_ms(const qlw_io *io);

/* ------------------------------------------------------- memory transport */

/**
 * @brief Opens an in-memory transport with a virtual clock starting at @p start_ms.
 *
 * Bytes pushed with qlw_io_mem_push() become readable at their scheduled
 * virtual time; bytes the host writes are collected and can be taken with
 * qlw_io_mem_take_tx() or observed through a write hook. `wait` advances the
 * virtual clock to the next scheduled input (or by the whole timeout), so a
 * test never sleeps. Its descriptor is -1. Nothing is allocated after open.
 *
 * @param[out] io  Receives the transport.
 * @param capacity Bytes of input and of output it can hold (each).
 * @param start_ms Initial virtual time (use a value near UINT32_MAX to test wrap).
 * @return QLW_OK, QLW_ERR_ARG or QLW_ERR_NOMEM.
 */
QLW_API int qlw_io_mem_open(qlw_io **io, size_t capacity, uint32_t start_ms);

/**
 * @brief Schedules modem bytes to become readable @p delay_ms after the last
 *        scheduled chunk, or after now when nothing is pending or the last
 *        pending chunk is already due (the later of the two).
 * @return QLW_OK (a zero-length push schedules nothing), QLW_ERR_ARG (not an
 *         in-memory transport, NULL data), or QLW_ERR_NOMEM when the input
 *         buffer cannot hold all @p len bytes (then nothing is pushed).
 */
QLW_API int qlw_io_mem_push(qlw_io *io, const void *data, size_t len, uint32_t delay_ms);

/**
 * @brief Limits every read to at most @p max_bytes (0 = no limit), to replay
 *        the same stream cut at different boundaries.
 */
QLW_API void qlw_io_mem_set_read_size(qlw_io *io, size_t max_bytes);

/**
 * @brief Makes reads, writes and waits fail with @p err once @p after_bytes
 *        more bytes have been read (simulates an unplugged port); the read
 *        that reaches the limit returns the bytes up to it. @p err 0 clears it.
 */
QLW_API void qlw_io_mem_fail_after(qlw_io *io, size_t after_bytes, int err);

/**
 * @brief Called for every write the host makes, with the bytes written.
 *        The hook may push the modem's answer with qlw_io_mem_push().
 *
 * While a hook is installed, written bytes go to the hook only and are not
 * kept for qlw_io_mem_take_tx(), so a long test cannot fill the buffer.
 */
typedef void (*qlw_io_mem_write_hook)(void *ctx, qlw_io *io, const uint8_t *data, size_t len);

/** @brief Installs (or with NULL removes) the write hook. */
QLW_API void qlw_io_mem_set_write_hook(qlw_io *io, qlw_io_mem_write_hook hook, void *ctx);

/**
 * @brief Moves up to @p size written bytes into @p buf.
 *
 * Without a write hook, writes are kept here; once `capacity` bytes are
 * waiting, a write takes what fits and fails with QLW_ERR_NOMEM when
 * nothing fits.
 * @return the number of bytes copied.
 */
QLW_API size_t qlw_io_mem_take_tx(qlw_io *io, uint8_t *buf, size_t size);

/** @brief Bytes pushed that the host has not read yet (due or not). */
QLW_API size_t qlw_io_mem_pending(const qlw_io *io);

/** @brief Advances the virtual clock by @p ms. */
QLW_API void qlw_io_mem_advance(qlw_io *io, uint32_t ms);

#ifdef __cplusplus
}
#endif
#endif /* QLWM2M_IO_H */
