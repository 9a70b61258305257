/*
 * The serial-port front door: checks the settings and hands the path to the
 * backends this platform has (termios, the Windows COM API, libserialport).
 * Needs an OS.
 */
#include "io/io_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------ error text */

void qlw_io_errmsg(char *errmsg, size_t errmsg_size, const char *fmt, ...)
{
    if (errmsg == NULL || errmsg_size == 0) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(errmsg, errmsg_size, fmt, ap);
    va_end(ap);
}

int qlw_io_open_failed(int errnum, const char *path, char *errmsg, size_t errmsg_size)
{
    switch (errnum) {
    case ENOENT:
    case ENODEV:
    case ENXIO:
    case ENOTDIR:
        qlw_io_errmsg(errmsg, errmsg_size, "cannot open %s: no such port", path);
        return QLW_ERR_PORT_NOT_FOUND;
    case EACCES:
    case EPERM:
        qlw_io_errmsg(errmsg, errmsg_size,
                      "cannot open %s: permission denied (add your user to the dialout group)",
                      path);
        return QLW_ERR_PORT_PERMISSION;
    case EBUSY:
        qlw_io_errmsg(errmsg, errmsg_size, "cannot open %s: port is in use by another program",
                      path);
        return QLW_ERR_PORT_BUSY;
    case ENOMEM:
        qlw_io_errmsg(errmsg, errmsg_size, "cannot open %s: out of memory", path);
        return QLW_ERR_NOMEM;
    default: {
        char cause[128];
        /* strerror() may share a buffer between threads; these variants do not. */
#ifdef _WIN32
        int failed = strerror_s(cause, sizeof cause, errnum);
#else
        int failed = strerror_r(errnum, cause, sizeof cause);
#endif
        if (failed != 0) {
            (void)snprintf(cause, sizeof cause, "error %d", errnum);
        }
        qlw_io_errmsg(errmsg, errmsg_size, "cannot open %s: %s", path, cause);
        return QLW_ERR_IO;
    }
    }
}

int qlw_io_errno_to_err(int errnum)
{
    switch (errnum) {
    case EIO:
    case ENXIO:
    case ENODEV:
    case EPIPE:
        return QLW_ERR_PORT_GONE;
    case ENOMEM:
        return QLW_ERR_NOMEM;
    default:
        return QLW_ERR_IO;
    }
}

/* ----------------------------------------------------------- serial ports */

static const uint32_t standard_bauds[] = {1200,  2400,   4800,   9600,   19200, 38400,
                                          57600, 115200, 230400, 460800, 921600};

static bool baud_is_standard(uint32_t baud)
{
    for (size_t i = 0; i < sizeof standard_bauds / sizeof standard_bauds[0]; i++) {
        if (standard_bauds[i] == baud) {
            return true;
        }
    }
    return false;
}

static bool flow_is_valid(qlw_flow flow)
{
    return flow == QLW_FLOW_NONE || flow == QLW_FLOW_RTSCTS || flow == QLW_FLOW_XONXOFF;
}

static bool backend_is_valid(qlw_io_backend backend)
{
    return backend == QLW_IO_AUTO || backend == QLW_IO_POSIX || backend == QLW_IO_LIBSERIALPORT ||
           backend == QLW_IO_WIN32;
}

static int check_config(const char *path, const qlw_serial_config *cfg, char *errmsg,
                        size_t errmsg_size)
{
    if (!baud_is_standard(cfg->baud)) {
        qlw_io_errmsg(errmsg, errmsg_size,
                      "cannot open %s: baud rate %lu is not supported (use 1200, 2400, 4800, "
                      "9600, 19200, 38400, 57600, 115200, 230400, 460800 or 921600)",
                      path, (unsigned long)cfg->baud);
        return QLW_ERR_ARG;
    }
    if (!flow_is_valid(cfg->flow)) {
        qlw_io_errmsg(errmsg, errmsg_size, "cannot open %s: flow control %d is not valid", path,
                      (int)cfg->flow);
        return QLW_ERR_ARG;
    }
    if (!backend_is_valid(cfg->backend)) {
        qlw_io_errmsg(errmsg, errmsg_size, "cannot open %s: backend %d is not valid", path,
                      (int)cfg->backend);
        return QLW_ERR_ARG;
    }
    return QLW_OK;
}

static int open_libserialport(qlw_io **io, const char *path, const qlw_serial_config *cfg,
                              char *errmsg, size_t errmsg_size)
{
#ifdef QLW_HAVE_LIBSERIALPORT
    if (!qlw_io_sp_knows(path)) {
#ifdef _WIN32
        /* No other backend to point at for a name Windows does not know. */
        return qlw_io_open_failed(ENOENT, path, errmsg, errmsg_size);
#else
        qlw_io_errmsg(errmsg, errmsg_size,
                      "cannot open %s: no such port known to libserialport (use the POSIX "
                      "backend for pseudo-terminals and other ttys)",
                      path);
        return QLW_ERR_PORT_NOT_FOUND;
#endif
    }
    return qlw_io_sp_open(io, path, cfg, errmsg, errmsg_size);
#else
    (void)io;
    (void)cfg;
    qlw_io_errmsg(errmsg, errmsg_size, "cannot open %s: this build has no libserialport support",
                  path);
    return QLW_ERR_UNSUPPORTED;
#endif
}

static int open_posix(qlw_io **io, const char *path, const qlw_serial_config *cfg, char *errmsg,
                      size_t errmsg_size)
{
#ifdef QLW_HAVE_POSIX_TTY
    return qlw_io_posix_open(io, path, cfg, errmsg, errmsg_size);
#else
    (void)io;
    (void)cfg;
    qlw_io_errmsg(errmsg, errmsg_size,
                  "cannot open %s: this build has no POSIX termios support (use libserialport)",
                  path);
    return QLW_ERR_UNSUPPORTED;
#endif
}

static int open_win32(qlw_io **io, const char *path, const qlw_serial_config *cfg, char *errmsg,
                      size_t errmsg_size)
{
#ifdef QLW_HAVE_WIN32_COMM
    return qlw_io_win32_open(io, path, cfg, errmsg, errmsg_size);
#else
    (void)io;
    (void)cfg;
    qlw_io_errmsg(errmsg, errmsg_size,
                  "cannot open %s: the Windows COM port backend exists only on Windows", path);
    return QLW_ERR_UNSUPPORTED;
#endif
}

static int open_auto(qlw_io **io, const char *path, const qlw_serial_config *cfg, char *errmsg,
                     size_t errmsg_size)
{
#if defined(QLW_HAVE_LIBSERIALPORT) && defined(QLW_HAVE_POSIX_TTY)
    /* libserialport only knows ports the OS lists (not /dev/pts/N), so it goes first. */
    if (qlw_io_sp_knows(path)) {
        return qlw_io_sp_open(io, path, cfg, errmsg, errmsg_size);
    }
    return qlw_io_posix_open(io, path, cfg, errmsg, errmsg_size);
#elif defined(QLW_HAVE_LIBSERIALPORT) && defined(QLW_HAVE_WIN32_COMM)
    /* Windows: libserialport when the build has it, for every port. */
    return open_libserialport(io, path, cfg, errmsg, errmsg_size);
#elif defined(QLW_HAVE_WIN32_COMM)
    return open_win32(io, path, cfg, errmsg, errmsg_size);
#elif defined(QLW_HAVE_LIBSERIALPORT)
    /* The only backend: let it say why a path is refused. */
    return open_libserialport(io, path, cfg, errmsg, errmsg_size);
#else
    return open_posix(io, path, cfg, errmsg, errmsg_size);
#endif
}

void qlw_serial_config_default(qlw_serial_config *cfg)
{
    if (cfg == NULL) {
        return;
    }
    cfg->baud = 9600;
    cfg->flow = QLW_FLOW_NONE;
    cfg->backend = QLW_IO_AUTO;
}

int qlw_io_open_serial(qlw_io **io, const char *path, const qlw_serial_config *cfg, char *errmsg,
                       size_t errmsg_size)
{
    qlw_io_errmsg(errmsg, errmsg_size, "%s", "");
    if (io != NULL) {
        *io = NULL; /* a caller may close it on every failure path */
    }
    if (io == NULL || path == NULL || path[0] == '\0') {
        qlw_io_errmsg(errmsg, errmsg_size, "cannot open a serial port: %s is missing",
                      io == NULL ? "the io pointer" : "the path");
        return QLW_ERR_ARG;
    }
    qlw_serial_config defaults;
    if (cfg == NULL) {
        qlw_serial_config_default(&defaults);
        cfg = &defaults;
    }
    int err = check_config(path, cfg, errmsg, errmsg_size);
    if (err != QLW_OK) {
        return err;
    }
    switch (cfg->backend) {
    case QLW_IO_POSIX:
        return open_posix(io, path, cfg, errmsg, errmsg_size);
    case QLW_IO_LIBSERIALPORT:
        return open_libserialport(io, path, cfg, errmsg, errmsg_size);
    case QLW_IO_WIN32:
        return open_win32(io, path, cfg, errmsg, errmsg_size);
    case QLW_IO_AUTO:
    default:
        return open_auto(io, path, cfg, errmsg, errmsg_size);
    }
}

bool qlw_io_has_posix_tty(void)
{
#ifdef QLW_HAVE_POSIX_TTY
    return true;
#else
    return false;
#endif
}

bool qlw_io_has_libserialport(void)
{
#ifdef QLW_HAVE_LIBSERIALPORT
    return true;
#else
    return false;
#endif
}

bool qlw_io_has_win32_comm(void)
{
#ifdef QLW_HAVE_WIN32_COMM
    return true;
#else
    return false;
#endif
}
