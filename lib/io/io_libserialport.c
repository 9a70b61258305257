/*
 * Serial ports through libserialport: the backend on Windows and macOS, and
 * for ports the OS lists on Linux. Built only when QLW_HAVE_LIBSERIALPORT is
 * defined. It stands on libserialport alone (no termios helpers), so that it
 * builds wherever libserialport does; the few OS calls it makes are for what
 * libserialport does not offer (an exclusive lock on POSIX, error codes).
 */
#include "io/io_internal.h"

#include <errno.h>
#include <libserialport.h>
#include <limits.h>
#include <stdlib.h>

typedef struct sp_ctx {
    struct sp_port *port;
    /* RX_READY and ERROR on the port: what wait() sleeps on. */
    struct sp_event_set *events;
#ifndef _WIN32
    int fd; /* for fd(): the descriptor an event loop polls */
#endif
} sp_ctx;

/* ------------------------------------------------------------------ errors */

/*
 * sp_last_error_code() is errno on POSIX and GetLastError() on Windows; both
 * are brought to the errno names the shared messages speak (on Windows by the
 * same mapping as the native COM backend's).
 */
static int sp_errno(void)
{
    int code = sp_last_error_code();
#ifdef _WIN32
    return qlw_io_win_errno((unsigned long)code);
#else
    return code;
#endif
}

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
        return qlw_io_errno_to_err(sp_errno());
    default:
        return QLW_ERR_IO;
    }
}

/* EAGAIN and EINTR mean "nothing moved this time", not failure. */
static bool sp_transient(enum sp_return ret)
{
#ifdef _WIN32
    (void)ret;
    return false;
#else
    if (ret != SP_ERR_FAIL) {
        return false;
    }
    int errnum = sp_last_error_code();
    return errnum == EAGAIN || errnum == EWOULDBLOCK || errnum == EINTR;
#endif
}

/* ------------------------------------------------------------- operations */

/* 1 when bytes wait, 0 when none, a negative qlw_err when the port failed. */
static int sp_readable(sp_ctx *c)
{
    enum sp_return n = sp_input_waiting(c->port);
    if (n > 0) {
        return 1;
    }
    return n == 0 ? 0 : sp_to_err(n);
}

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
        /* A hung-up tty (a USB modem unplugged) reads nothing too, for ever:
         * asking how many bytes wait fails there, which tells the two apart. */
        int ready = sp_readable(c);
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

/* The device is still listed by the OS (a USB modem unplugged is not). */
static bool sp_present(const sp_ctx *c)
{
    struct sp_port *found = NULL;
    if (sp_get_port_by_name(sp_get_port_name(c->port), &found) != SP_OK) {
        return false;
    }
    sp_free_port(found);
    return true;
}

/*
 * sp_wait() returns SP_OK both when the port became ready and when the time
 * ran out, and does not say which event fired. So the answer comes from the
 * port itself: bytes waiting mean readable; none, with time left, means an
 * error event or a hang-up woke us, and a port the OS no longer lists is gone.
 */
static int sp_io_wait(void *ctx, uint32_t timeout_ms)
{
    sp_ctx *c = ctx;
    int ready = sp_readable(c);
    if (ready != 0 || timeout_ms == 0) {
        return ready; /* sp_wait() would take a timeout of 0 as "forever" */
    }
    uint32_t deadline_ms = qlw_clock_system_ms(NULL) + timeout_ms;
    for (;;) {
        uint32_t now_ms = qlw_clock_system_ms(NULL);
        if (qlw_ms_reached(now_ms, deadline_ms)) {
            return 0;
        }
        enum sp_return ret = sp_wait(c->events, (unsigned int)qlw_ms_diff(deadline_ms, now_ms));
        if (ret != SP_OK && !sp_transient(ret)) {
            return sp_to_err(ret);
        }
        ready = sp_readable(c);
        if (ready != 0) {
            return ready;
        }
        if (!qlw_ms_reached(qlw_clock_system_ms(NULL), deadline_ms) && !sp_present(c)) {
            return QLW_ERR_PORT_GONE;
        }
    }
}

static int sp_io_fd(void *ctx)
{
#ifdef _WIN32
    /* A Windows HANDLE cannot be polled like a descriptor: wait() is the way. */
    (void)ctx;
    return -1;
#else
    sp_ctx *c = ctx;
    return c->fd;
#endif
}

static void sp_io_close(void *ctx)
{
    sp_ctx *c = ctx;
    sp_free_event_set(c->events);
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
        return qlw_io_open_failed(sp_errno(), path, errmsg, errmsg_size);
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

/*
 * Keeps a second program off the port. Windows opens a COM port exclusively
 * by itself; on POSIX an advisory flock() keeps out other qlwm2m programs.
 */
static int sp_lock(sp_ctx *c, const char *path, char *errmsg, size_t errmsg_size)
{
#ifdef _WIN32
    (void)c;
    (void)path;
    (void)errmsg;
    (void)errmsg_size;
    return QLW_OK;
#else
    enum sp_return ret = sp_get_port_handle(c->port, &c->fd);
    if (ret != SP_OK) {
        return sp_failed(ret, path, errmsg, errmsg_size);
    }
    return qlw_io_fd_lock(c->fd, path, errmsg, errmsg_size);
#endif
}

/* Everything after sp_open(); on failure the caller releases c. */
static int sp_setup(sp_ctx *c, const char *path, const qlw_serial_config *cfg, char *errmsg,
                    size_t errmsg_size)
{
    int err = sp_lock(c, path, errmsg, errmsg_size);
    if (err == QLW_OK) {
        err = sp_configure(c->port, path, cfg, errmsg, errmsg_size);
    }
    if (err == QLW_OK) {
        enum sp_return ret = sp_new_event_set(&c->events);
        if (ret == SP_OK) {
            ret = sp_add_port_events(c->events, c->port, SP_EVENT_RX_READY | SP_EVENT_ERROR);
        }
        if (ret != SP_OK) {
            err = sp_failed(ret, path, errmsg, errmsg_size);
        }
    }
    return err;
}

int qlw_io_sp_open(qlw_io **io, const char *path, const qlw_serial_config *cfg, char *errmsg,
                   size_t errmsg_size)
{
    sp_ctx *c = calloc(1, sizeof *c);
    if (c == NULL) {
        return qlw_io_open_failed(ENOMEM, path, errmsg, errmsg_size);
    }
    enum sp_return ret = sp_get_port_by_name(path, &c->port);
    if (ret != SP_OK) {
        free(c);
        return ret == SP_ERR_MEM ? sp_failed(ret, path, errmsg, errmsg_size)
                                 : qlw_io_open_failed(ENOENT, path, errmsg, errmsg_size);
    }
    ret = sp_open(c->port, SP_MODE_READ_WRITE);
    if (ret != SP_OK) {
        int err = sp_failed(ret, path, errmsg, errmsg_size);
        sp_free_port(c->port);
        free(c);
        return err;
    }
    int err = sp_setup(c, path, cfg, errmsg, errmsg_size);
    if (err == QLW_OK) {
        err = qlw_io_create(io, &qlw_io_sp_ops, c, path, NULL);
        if (err != QLW_OK) {
            err = qlw_io_open_failed(ENOMEM, path, errmsg, errmsg_size);
        }
    }
    if (err != QLW_OK) {
        sp_free_event_set(c->events); /* accepts NULL */
        (void)sp_close(c->port);
        sp_free_port(c->port);
        free(c);
    }
    return err;
}
