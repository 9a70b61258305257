#include "io/io_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------ clock */

uint32_t qlw_clock_system_ms(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        return 0; /* cannot happen with CLOCK_MONOTONIC on a POSIX system */
    }
    uint64_t ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
    /* Truncation is the documented wrap at 2^32 ms. */
    return (uint32_t)ms;
}

qlw_clock qlw_clock_system(void)
{
    qlw_clock clock = {qlw_clock_system_ms, NULL};
    return clock;
}

/* -------------------------------------------------------------- transport */

static bool ops_complete(const qlw_io_ops *ops)
{
    return ops->read != NULL && ops->write != NULL && ops->wait != NULL && ops->fd != NULL &&
           ops->close != NULL;
}

int qlw_io_create(qlw_io **io, const qlw_io_ops *ops, void *ctx, const char *name,
                  const qlw_clock *clock)
{
    if (io == NULL) {
        return QLW_ERR_ARG;
    }
    *io = NULL;
    if (ops == NULL || !ops_complete(ops) || (clock != NULL && clock->now_ms == NULL)) {
        return QLW_ERR_ARG;
    }
    qlw_io *t = calloc(1, sizeof *t);
    if (t == NULL) {
        return QLW_ERR_NOMEM;
    }
    t->ops = ops;
    t->ctx = ctx;
    t->clock = clock != NULL ? *clock : qlw_clock_system();
    if (name != NULL) {
        size_t len = strnlen(name, sizeof t->name - 1);
        memcpy(t->name, name, len);
    }
    *io = t;
    return QLW_OK;
}

void qlw_io_close(qlw_io *io)
{
    if (io == NULL) {
        return;
    }
    io->ops->close(io->ctx);
    free(io);
}

int qlw_io_read(qlw_io *io, uint8_t *buf, size_t size)
{
    if (io == NULL || (buf == NULL && size > 0)) {
        return QLW_ERR_ARG;
    }
    return io->ops->read(io->ctx, buf, size);
}

int qlw_io_write(qlw_io *io, const uint8_t *buf, size_t size)
{
    if (io == NULL || (buf == NULL && size > 0)) {
        return QLW_ERR_ARG;
    }
    return io->ops->write(io->ctx, buf, size);
}

int qlw_io_wait(qlw_io *io, uint32_t timeout_ms)
{
    if (io == NULL) {
        return QLW_ERR_ARG;
    }
    return io->ops->wait(io->ctx, timeout_ms);
}

int qlw_io_fd(qlw_io *io)
{
    if (io == NULL) {
        return -1;
    }
    return io->ops->fd(io->ctx);
}

uint32_t qlw_io_now_ms(const qlw_io *io)
{
    if (io == NULL) {
        return 0;
    }
    return io->clock.now_ms(io->clock.ctx);
}

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
        /* strerror() may share a buffer between threads; the XSI variant does not. */
        if (strerror_r(errnum, cause, sizeof cause) != 0) {
            (void)snprintf(cause, sizeof cause, "error %d", errnum);
        }
        qlw_io_errmsg(errmsg, errmsg_size, "cannot open %s: %s", path, cause);
        return QLW_ERR_IO;
    }
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
    return backend == QLW_IO_AUTO || backend == QLW_IO_POSIX || backend == QLW_IO_LIBSERIALPORT;
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
        qlw_io_errmsg(errmsg, errmsg_size,
                      "cannot open %s: no such port known to libserialport (use the POSIX "
                      "backend for pseudo-terminals and other ttys)",
                      path);
        return QLW_ERR_PORT_NOT_FOUND;
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

static int open_auto(qlw_io **io, const char *path, const qlw_serial_config *cfg, char *errmsg,
                     size_t errmsg_size)
{
#ifdef QLW_HAVE_LIBSERIALPORT
    /* libserialport only knows ports the OS lists (not /dev/pts/N), so it goes first. */
    if (qlw_io_sp_knows(path)) {
        return qlw_io_sp_open(io, path, cfg, errmsg, errmsg_size);
    }
#endif
    return qlw_io_posix_open(io, path, cfg, errmsg, errmsg_size);
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
        return qlw_io_posix_open(io, path, cfg, errmsg, errmsg_size);
    case QLW_IO_LIBSERIALPORT:
        return open_libserialport(io, path, cfg, errmsg, errmsg_size);
    case QLW_IO_AUTO:
    default:
        return open_auto(io, path, cfg, errmsg, errmsg_size);
    }
}

bool qlw_io_has_libserialport(void)
{
#ifdef QLW_HAVE_LIBSERIALPORT
    return true;
#else
    return false;
#endif
}
