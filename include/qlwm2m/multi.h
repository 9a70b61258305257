/**
 * @file multi.h
 * @brief One handle for many sessions: one wait, one timeout, one call that
 *        services whatever is ready (as curl's multi handle gathers easy handles).
 *
 * A gateway with N modems adds its N sessions to a multi handle and runs one
 * loop:
 * @code
 * qlw_multi *m;
 * qlw_multi_open(&m, 16, QLW_MULTI_AUTO);
 * for (int i = 0; i < n; i++)
 *     qlw_multi_add(m, session[i]);
 * while (running)
 *     qlw_multi_poll(m, 1000); // sleeps until a port has input or a session is due
 * @endcode
 * The handle keeps one set of descriptors: on Linux one epoll descriptor
 * (qlw_multi_fd(), which a program with its own event loop polls readable,
 * then calls qlw_multi_process()); elsewhere, or with @ref QLW_MULTI_POLL,
 * poll() over the sessions' descriptors. It follows each session's
 * descriptor as it changes (a lost port has none; a reopened one has a new
 * one; see @ref s_port in session.h). A session whose transport has no
 * descriptor (an in-memory or microcontroller transport) is serviced on
 * every call, and it bounds qlw_multi_poll()'s sleep to
 * @ref QLW_MULTI_NOFD_POLL_MS.
 *
 * Memory is taken at qlw_multi_open() for @p max_sessions; nothing is
 * allocated afterwards. A multi handle is used by one thread, the one that
 * drives its sessions; its calls must not be made from a session callback.
 * Closing the handle does not close the sessions.
 */
#ifndef QLWM2M_MULTI_H
#define QLWM2M_MULTI_H

#include "qlwm2m/common.h"
#include "qlwm2m/session.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief A multi handle (opaque). */
typedef struct qlw_multi qlw_multi;

/** @brief Longest sleep of qlw_multi_poll() while a session has no descriptor (ms). */
#define QLW_MULTI_NOFD_POLL_MS 10

/** @brief How the handle waits for its descriptors. */
typedef enum qlw_multi_backend {
    QLW_MULTI_AUTO = 0,  /**< epoll on Linux, poll() elsewhere. */
    QLW_MULTI_EPOLL = 1, /**< One epoll descriptor (Linux only). */
    QLW_MULTI_POLL = 2   /**< poll() over the sessions' descriptors (any POSIX system). */
} qlw_multi_backend;

/** @brief Stable name of a backend ("auto", "epoll", "poll"). */
QLW_API const char *qlw_multi_backend_str(qlw_multi_backend backend);

/**
 * @brief Creates a multi handle for up to @p max_sessions sessions.
 * @return QLW_OK; QLW_ERR_ARG (NULL, 0 sessions, bad backend);
 *         QLW_ERR_UNSUPPORTED (epoll asked for where there is none);
 *         QLW_ERR_NOMEM; QLW_ERR_IO (the system refused an epoll descriptor).
 */
QLW_API int qlw_multi_open(qlw_multi **m, size_t max_sessions, qlw_multi_backend backend);

/** @brief Frees the handle; its sessions are left as they are. NULL is ignored. */
QLW_API void qlw_multi_close(qlw_multi *m);

/** @brief The backend in use (never QLW_MULTI_AUTO). */
QLW_API qlw_multi_backend qlw_multi_get_backend(const qlw_multi *m);

/**
 * @brief Adds a session. It is serviced from the next call on.
 * @return QLW_OK; QLW_ERR_ARG (NULL, or already added); QLW_ERR_QUEUE_FULL
 *         (max_sessions reached); QLW_ERR_IO (epoll refused its descriptor).
 */
QLW_API int qlw_multi_add(qlw_multi *m, qlw_session *s);

/**
 * @brief Removes a session (then the application may close it).
 * @return QLW_OK, or QLW_ERR_ARG when it is not in the handle.
 */
QLW_API int qlw_multi_remove(qlw_multi *m, const qlw_session *s);

/** @brief Sessions in the handle. */
QLW_API size_t qlw_multi_count(const qlw_multi *m);

/**
 * @brief The descriptor that polls readable when any session's port has input
 *        (epoll backend), or -1 (poll backend: use qlw_multi_fds()).
 */
QLW_API int qlw_multi_fd(const qlw_multi *m);

/**
 * @brief The sessions' descriptors, for a program that polls them itself.
 * @return How many were written to @p fds (at most @p max; lost ports and
 *         transports without one are left out).
 */
QLW_API size_t qlw_multi_fds(const qlw_multi *m, int *fds, size_t max);

/**
 * @brief Ms until the earliest session is due without input (0: now); at
 *        most @ref QLW_MULTI_NOFD_POLL_MS while a session has no descriptor;
 *        -1 when nothing is timed.
 */
QLW_API int32_t qlw_multi_timeout_ms(qlw_multi *m);

/**
 * @brief Services, without blocking, every session whose port has input or
 *        whose time has come (or that has no descriptor).
 * @return How many sessions were serviced (>= 0), or QLW_ERR_STATE from a
 *         callback. A session's own transport error is its business: it
 *         goes on as its header says (see @ref s_port).
 */
QLW_API int qlw_multi_process(qlw_multi *m);

/**
 * @brief Sleeps until a port has input or a session is due (at most
 *        @p max_ms), then does what qlw_multi_process() does.
 * @return as qlw_multi_process().
 */
QLW_API int qlw_multi_poll(qlw_multi *m, uint32_t max_ms);

#ifdef __cplusplus
}
#endif
#endif /* QLWM2M_MULTI_H */
