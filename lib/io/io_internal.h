/*
 * Declarations shared by the files of lib/io only. Not installed, not API.
 */
#ifndef QLWM2M_IO_INTERNAL_H
#define QLWM2M_IO_INTERNAL_H

#include "qlwm2m/io.h"

#if defined(__GNUC__) || defined(__clang__)
#define QLW_IO_PRINTF(fmt_arg, first_arg) __attribute__((format(printf, fmt_arg, first_arg)))
#else
#define QLW_IO_PRINTF(fmt_arg, first_arg)
#endif

/* ---------------------------------------------------------------- io.c */

/* Formats into errmsg when the caller gave a buffer; always terminates it. */
void qlw_io_errmsg(char *errmsg, size_t errmsg_size, const char *fmt, ...) QLW_IO_PRINTF(3, 4);

/*
 * Maps the errno of a failed open() (or of what a backend does while opening)
 * to a qlw_err, and writes "cannot open PATH: cause" into errmsg.
 */
int qlw_io_open_failed(int errnum, const char *path, char *errmsg, size_t errmsg_size);

/* ---------------------------------------------------------- io_posix.c */

/* The termios transport's operations, so tests can tell which backend opened a path. */
extern const qlw_io_ops qlw_io_posix_ops;

/* Opens a tty with termios; cfg is already validated. */
int qlw_io_posix_open(qlw_io **io, const char *path, const qlw_serial_config *cfg, char *errmsg,
                      size_t errmsg_size);

/*
 * Takes the advisory lock that keeps two qlwm2m programs off one port.
 * Returns QLW_OK or QLW_ERR_PORT_BUSY (with errmsg filled).
 */
int qlw_io_fd_lock(int fd, const char *path, char *errmsg, size_t errmsg_size);

/* Maps the errno of a failed read/write/poll on an open port to a qlw_err. */
int qlw_io_errno_to_err(int errnum);

/* The wait operation of fd-based transports (1 readable, 0 timeout, <0 error). */
int qlw_io_fd_wait(int fd, uint32_t timeout_ms);

/* ---------------------------------------------------- io_libserialport.c */

#ifdef QLW_HAVE_LIBSERIALPORT
/* The libserialport transport's operations. */
extern const qlw_io_ops qlw_io_sp_ops;

/* True when libserialport lists @p path as a port of this machine. */
bool qlw_io_sp_knows(const char *path);

/* Opens a port with libserialport; cfg is already validated. */
int qlw_io_sp_open(qlw_io **io, const char *path, const qlw_serial_config *cfg, char *errmsg,
                   size_t errmsg_size);
#endif

#endif /* QLWM2M_IO_INTERNAL_H */
