/**
 * @file common.h
 * @brief Version, export macro and the one error enum shared by every qlwm2m layer.
 *
 * Every call that can fail returns a @ref qlw_err value: zero for success, a negative
 * code otherwise. Calls that return a count (bytes, fields) return it as a
 * non-negative int and use the same negative codes for failure. Handles keep a
 * per-handle detail (the `+CME ERROR` number, the offending line) for the last
 * failure; see the `*_errmsg()` call of each layer.
 */
#ifndef QLWM2M_COMMON_H
#define QLWM2M_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Marks a symbol that is part of the public ABI (everything else is hidden). */
#if defined(_WIN32) && defined(QLWM2M_BUILDING_SHARED)
#define QLW_API __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#define QLW_API __attribute__((visibility("default")))
#else
#define QLW_API
#endif

/** @brief Major version of the library (incompatible ABI changes). */
#define QLWM2M_VERSION_MAJOR 0
/** @brief Minor version of the library (compatible additions). */
#define QLWM2M_VERSION_MINOR 1
/** @brief Patch version of the library (fixes only). */
#define QLWM2M_VERSION_PATCH 0
/** @brief The version as a string, "MAJOR.MINOR.PATCH". */
#define QLWM2M_VERSION_STRING "0.1.0"

/**
 * @brief Error codes returned by every qlwm2m call.
 *
 * The values are stable: they will not be renumbered. New codes may be added
 * at the end. Use qlw_strerror() for a one-line description.
 */
typedef enum qlw_err {
    QLW_OK = 0,           /**< Success. */
    QLW_ERR_ARG = -1,     /**< An argument is invalid (NULL, out of range, bad format). */
    QLW_ERR_NOMEM = -2,   /**< Memory could not be allocated, or a caller buffer is too small. */
    QLW_ERR_BUSY = -3,    /**< A command is already in flight on this handle. */
    QLW_ERR_TIMEOUT = -4, /**< The module did not answer within the timeout. */
    QLW_ERR_IO = -5,      /**< Read or write on the port failed. */
    QLW_ERR_PORT_NOT_FOUND = -6,  /**< The serial port does not exist. */
    QLW_ERR_PORT_PERMISSION = -7, /**< Permission denied opening the port. */
    QLW_ERR_PORT_BUSY = -8,       /**< The port is in use by another process. */
    QLW_ERR_PORT_GONE = -9,       /**< The port went away during use (unplugged, EIO, hang-up). */
    QLW_ERR_MODEM = -10,          /**< The module answered a plain `ERROR`. */
    QLW_ERR_CME = -11,      /**< The module answered `+CME ERROR: n` (n in the handle's detail). */
    QLW_ERR_CMS = -12,      /**< The module answered `+CMS ERROR: n` (n in the handle's detail). */
    QLW_ERR_REBOOTED = -13, /**< The module rebooted while the call was in progress. */
    QLW_ERR_OVERFLOW = -14, /**< Input did not fit a buffer; it was dropped and counted. */
    QLW_ERR_PARSE = -15,    /**< The module's answer did not have the expected shape. */
    QLW_ERR_STATE = -16,    /**< The call is not valid in the current state. */
    QLW_ERR_UNSUPPORTED = -17, /**< Not supported by this module, firmware or build. */
    QLW_ERR_QUEUE_FULL = -18,  /**< A bounded queue is full; nothing was queued. */
    QLW_ERR_DENIED = -19,      /**< The network refused registration (`+CEREG` stat 3). */
    QLW_ERR_NOT_READY = -20,   /**< The LwM2M session is not ready for this operation. */
    QLW_ERR_CANCELLED = -21,   /**< The operation was cancelled by the application. */
    QLW_ERR_FAILED = -22,      /**< The network or server reported a delivery failure. */
    QLW_ERR_STORE = -23, /**< The durable store failed (disk full, read-only, I/O error, corrupt
                              file); qlw_errmsg() names the file and the problem. */
} qlw_err;

/**
 * @brief One-line English description of an error code.
 * @param err A value of @ref qlw_err (any int is accepted).
 * @return A static string; never NULL ("unknown error" for unknown codes).
 * @note Thread-safe.
 */
QLW_API const char *qlw_strerror(int err);

/**
 * @brief Stable identifier of an error code, e.g. "QLW_ERR_TIMEOUT".
 * @param err A value of @ref qlw_err.
 * @return A static string; never NULL.
 */
QLW_API const char *qlw_err_str(int err);

/**
 * @brief The library's version string at run time (may differ from the header's).
 * @return QLWM2M_VERSION_STRING of the linked library.
 */
QLW_API const char *qlw_version(void);

#ifdef __cplusplus
}
#endif
#endif /* QLWM2M_COMMON_H */
