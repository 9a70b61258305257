/*
 * Serial ports through libserialport. Built only when QLW_HAVE_LIBSERIALPORT
 * is defined. Waiting polls the port's descriptor (shared with the termios
 * backend) because sp_wait() reports neither which event fired nor a hang-up.
 */
#include "io/io_internal.h"

#include <errno.h>
#include <libserialport.h>
#include <limits.h>
#include <stdlib.h>

typedef struct sp_ctx {
    struct sp_port *port;
    int fd;
} sp_ctx;

static int sp_to_err(enum sp_return ret)
{
    switch (ret) {
    case SP_ERR_ARG:
        return QLW_ERR_ARG;
    case SP_ERR_MEM:
        return QLW_ERR_NOMEM;
    case SP_ERR_SUPP:
        return QLW_ERR_UNSUPPORTED;
    case SP_ERR_FAIL:
        return qlw_io_errno_to_err(sp_last_error_code());
    default:
        return QLW_ERR_IO;
    }
}

/* EAGAIN and EINTR mean "nothing moved this time", not failure. */
static bool sp_transient(enum sp_return ret)
{
    if (ret != SP_ERR_FAIL) {
        return false;
    }
    int errnum = sp_last_error_code();
    return errnum == EAGAIN || errnum == EWOULDBLOCK || errnum == EINTR;
}

/* ------------------------------------------------------------- operations */

static int sp_io_read(void *ctx, uint8_t *buf, size_t size)
{
    sp_ctx *c = ctx;
    if (size == 0) {
        return 0;
    }
    enum sp_return n = sp_nonblocking_read(c->port, buf, size > INT_MAX ? INT_MAX : size);
    if (n > 0) {
        return (int)n;
    }
    if (n == 0) {
        /* libserialport reads nothing from a hung-up port too; poll tells the two apart. */
        int ready = qlw_io_fd_wait(c->fd, 0);
        return ready < 0 ? ready : 0;
    }
    return sp_transient(n) ? 0 : sp_to_err(n);
}

static int sp_io_write(void *ctx, const uint8_t *buf, size_t size)
{
    sp_ctx *c = ctx;
    if (size == 0) {
        return 0;
    }
    enum sp_return n = sp_nonblocking_write(c->port, buf, size > INT_MAX ? INT_MAX : size);
    if (n >= 0) {
        return (int)n;
    }
    return sp_transient(n) ? 0 : sp_to_err(n);
}

static int sp_io_wait(void *ctx, uint32_t timeout_ms)
{
    sp_ctx *c = ctx;
    return qlw_io_fd_wait(c->fd, timeout_ms);
}

static int sp_io_fd(void *ctx)
{
    sp_ctx *c = ctx;
    return c->fd;
}

static void sp_io_close(void *ctx)
{
    sp_ctx *c = ctx;
    (void)sp_close(c->port);
    sp_free_port(c->port);
    free(c);
}

const qlw_io_ops qlw_io_sp_ops = {
    .read = sp_io_read,
    .write = sp_io_write,
    .wait = sp_io_wait,
    .fd = sp_io_fd,
    .close = sp_io_close,
};

/* ------------------------------------------------------------------- open */

bool qlw_io_sp_knows(const char *path)
{
    struct sp_port *port = NULL;
    if (sp_get_port_by_name(path, &port) != SP_OK) {
        return false;
    }
    sp_free_port(port);
    return true;
}

static int sp_failed(enum sp_return ret, const char *path, char *errmsg, size_t errmsg_size)
{
    if (ret == SP_ERR_FAIL) {
        return qlw_io_open_failed(sp_last_error_code(), path, errmsg, errmsg_size);
    }
    if (ret == SP_ERR_MEM) {
        return qlw_io_open_failed(ENOMEM, path, errmsg, errmsg_size);
    }
    qlw_io_errmsg(errmsg, errmsg_size, "cannot open %s: libserialport refused it (error %d)", path,
                  (int)ret);
    return ret == SP_ERR_SUPP ? QLW_ERR_UNSUPPORTED : QLW_ERR_IO;
}

static enum sp_flowcontrol sp_flow(qlw_flow flow)
{
    switch (flow) {
    case QLW_FLOW_RTSCTS:
        return SP_FLOWCONTROL_RTSCTS;
    case QLW_FLOW_XONXOFF:
        return SP_FLOWCONTROL_XONXOFF;
    case QLW_FLOW_NONE:
    default:
        return SP_FLOWCONTROL_NONE;
    }
}

static int sp_configure(struct sp_port *port, const char *path, const qlw_serial_config *cfg,
                        char *errmsg, size_t errmsg_size)
{
    enum sp_return ret = sp_set_baudrate(port, (int)cfg->baud);
    if (ret == SP_OK) {
        ret = sp_set_bits(port, 8);
    }
    if (ret == SP_OK) {
        ret = sp_set_parity(port, SP_PARITY_NONE);
    }
    if (ret == SP_OK) {
        ret = sp_set_stopbits(port, 1);
    }
    if (ret == SP_OK) {
        ret = sp_set_flowcontrol(port, sp_flow(cfg->flow));
    }
    return ret == SP_OK ? QLW_OK : sp_failed(ret, path, errmsg, errmsg_size);
}

static int sp_wrap(qlw_io **io, struct sp_port *port, int fd, const char *path, char *errmsg,
                   size_t errmsg_size)
{
    sp_ctx *c = malloc(sizeof *c);
    if (c == NULL) {
        return qlw_io_open_failed(ENOMEM, path, errmsg, errmsg_size);
    }
    c->port = port;
    c->fd = fd;
    int err = qlw_io_create(io, &qlw_io_sp_ops, c, path, NULL);
    if (err != QLW_OK) {
        free(c);
        return qlw_io_open_failed(ENOMEM, path, errmsg, errmsg_size);
    }
    return QLW_OK;
}

/* Everything after sp_open(); on failure the caller closes the port. */
static int sp_setup(qlw_io **io, struct sp_port *port, const char *path,
                    const qlw_serial_config *cfg, char *errmsg, size_t errmsg_size)
{
    int fd = -1;
    enum sp_return ret = sp_get_port_handle(port, &fd);
    if (ret != SP_OK) {
        return sp_failed(ret, path, errmsg, errmsg_size);
    }
    int err = qlw_io_fd_lock(fd, path, errmsg, errmsg_size);
    if (err == QLW_OK) {
        err = sp_configure(port, path, cfg, errmsg, errmsg_size);
    }
    if (err == QLW_OK) {
        err = sp_wrap(io, port, fd, path, errmsg, errmsg_size);
    }
    return err;
}

int qlw_io_sp_open(qlw_io **io, const char *path, const qlw_serial_config *cfg, char *errmsg,
                   size_t errmsg_size)
{
    struct sp_port *port = NULL;
    enum sp_return ret = sp_get_port_by_name(path, &port);
    if (ret != SP_OK) {
        return ret == SP_ERR_MEM ? sp_failed(ret, path, errmsg, errmsg_size)
                                 : qlw_io_open_failed(ENOENT, path, errmsg, errmsg_size);
    }
    ret = sp_open(port, SP_MODE_READ_WRITE);
    if (ret != SP_OK) {
        int err = sp_failed(ret, path, errmsg, errmsg_size);
        sp_free_port(port);
        return err;
    }
    int err = sp_setup(io, port, path, cfg, errmsg, errmsg_size);
    if (err != QLW_OK) {
        (void)sp_close(port);
        sp_free_port(port);
    }
    return err;
}
