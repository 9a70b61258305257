/*
 * Declarations shared by the files of lib/io only. Not installed, not API.
 *
 * lib/io has two halves. io.c and io_mem.c need no operating system: they are
 * what the AT engine, the dialects and the session link against, on a
 * microcontroller too. Everything else is one platform's: the clocks
 * (clock_posix.c, clock_win32.c), the serial-port front door (serial.c) and
 * the backends it dispatches to (io_posix.c, io_win32.c, io_libserialport.c). CMake
 * compiles only the files a platform can build and defines QLW_HAVE_* for
 * each one it compiled.
 */
#ifndef QLWM2M_IO_INTERNAL_H
#define QLWM2M_IO_INTERNAL_H

#include "qlwm2m/io.h"

#include "qlw_printf.h"

/* ------------------------------------------------------------- serial.c */

/* Formats into errmsg when the caller gave a buffer; always terminates it. */
void qlw_io_errmsg(char *errmsg, size_t errmsg_size, const char *fmt, ...) QLW_PRINTF(3, 4);

/*
 * Maps the errno of a failed open() (or of what a backend does while opening)
 * to a qlw_err, and writes "cannot open PATH: cause" into errmsg.
 */
int qlw_io_open_failed(int errnum, const char *path, char *errmsg, size_t errmsg_size);

/* Maps the errno of a failed read/write/wait on an open port to a qlw_err. */
int qlw_io_errno_to_err(int errnum);

/* ---------------------------------------------------------- io_posix.c */

/* Declared everywhere (tests compare ops pointers); defined only where built. */

/* The termios transport's operations, so tests can tell which backend opened a path. */
extern const qlw_io_ops qlw_io_posix_ops;

/* Opens a tty with termios; cfg is already validated. */
int qlw_io_posix_open(qlw_io **io, const char *path, const qlw_serial_config *cfg, char *errmsg,
                      size_t errmsg_size);

/* ---------------------------------------------------- io_libserialport.c */

/* The libserialport transport's operations. */
extern const qlw_io_ops qlw_io_sp_ops;

/* True when libserialport lists @p path as a port of this machine. */
bool qlw_io_sp_knows(const char *path);

/* Opens a port with libserialport; cfg is already validated. */
int qlw_io_sp_open(qlw_io **io, const char *path, const qlw_serial_config *cfg, char *errmsg,
                   size_t errmsg_size);

/* ---------------------------------------------------------- io_win32.c */

/* The Windows COM port transport's operations. */
extern const qlw_io_ops qlw_io_win32_ops;

/* Opens a COM port with the Windows communications API; cfg is already validated. */
int qlw_io_win32_open(qlw_io **io, const char *path, const qlw_serial_config *cfg, char *errmsg,
                      size_t errmsg_size);

#ifdef _WIN32
/* Brings a GetLastError() code to the errno name the shared messages speak
 * (ENOENT, EBUSY, ENOMEM, ENODEV; EIO for the rest). */
int qlw_io_win_errno(unsigned long code);
#endif

#ifndef _WIN32
/* The advisory flock() that keeps a second qlwm2m program off the port open
 * on @p fd (io_posix.c; the libserialport backend takes it too on POSIX).
 * QLW_OK (also where the file system has no flock()), or QLW_ERR_PORT_BUSY
 * with the message in @p errmsg. */
int qlw_io_fd_lock(int fd, const char *path, char *errmsg, size_t errmsg_size);
#endif

#endif /* QLWM2M_IO_INTERNAL_H */
