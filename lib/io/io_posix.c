/*
 * Any tty through POSIX termios, pseudo-terminals included. Built on every
 * POSIX system (QLW_HAVE_POSIX_TTY).
 */
#include "io/io_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

typedef struct posix_port {
    int fd;
} posix_port;

/* ----------------------------------------------------------------- helpers */

int qlw_io_fd_lock(int fd, const char *path, char *errmsg, size_t errmsg_size)
{
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
        return QLW_OK;
    }
    if (errno == EWOULDBLOCK || errno == EAGAIN) {
        qlw_io_errmsg(errmsg, errmsg_size, "cannot open %s: port is in use by another program",
                      path);
        return QLW_ERR_PORT_BUSY;
    }
    /* A file system without flock support must not make the port unusable. */
    return QLW_OK;
}

static int bytes_waiting(int fd)
{
    int count = 0;
    if (ioctl(fd, FIONREAD, &count) != 0) {
        return 0;
    }
    return count;
}

static int poll_result(int fd, short revents)
{
    if (revents & POLLNVAL) {
        return QLW_ERR_IO;
    }
    /* A hung-up tty still delivers what it had buffered: report gone only when drained. */
    if (revents & (POLLHUP | POLLERR)) {
        return bytes_waiting(fd) > 0 ? 1 : QLW_ERR_PORT_GONE;
    }
    return (revents & POLLIN) ? 1 : 0;
}

static int fd_wait(int fd, uint32_t timeout_ms)
{
    uint32_t start_ms = qlw_clock_system_ms(NULL);
    for (;;) {
        uint32_t elapsed_ms = qlw_clock_system_ms(NULL) - start_ms;
        uint32_t left_ms = elapsed_ms >= timeout_ms ? 0 : timeout_ms - elapsed_ms;
        int chunk_ms = left_ms > INT_MAX ? INT_MAX : (int)left_ms;
        struct pollfd pfd = {.fd = fd, .events = POLLIN, .revents = 0};
        int n = poll(&pfd, 1, chunk_ms);
        if (n > 0) {
            return poll_result(fd, pfd.revents);
        }
        if (n == 0 && left_ms <= INT_MAX) {
            return 0;
        }
        if (n < 0 && errno != EINTR) {
            return qlw_io_errno_to_err(errno);
        }
        /* EINTR, or a wait longer than poll() accepts: go round with what is left. */
    }
}

/* ------------------------------------------------------------- operations */

static int posix_read(void *ctx, uint8_t *buf, size_t size)
{
    posix_port *port = ctx;
    if (size == 0) {
        return 0;
    }
    ssize_t n = read(port->fd, buf, size > INT_MAX ? INT_MAX : size);
    if (n > 0) {
        return (int)n;
    }
    /* VMIN is 1, so a live port with no data gives EAGAIN and 0 can only mean hang-up. */
    if (n == 0) {
        return QLW_ERR_PORT_GONE;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        return 0;
    }
    return qlw_io_errno_to_err(errno);
}

static int posix_write(void *ctx, const uint8_t *buf, size_t size)
{
    posix_port *port = ctx;
    if (size == 0) {
        return 0;
    }
    ssize_t n = write(port->fd, buf, size > INT_MAX ? INT_MAX : size);
    if (n >= 0) {
        return (int)n;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        return 0;
    }
    return qlw_io_errno_to_err(errno);
}

static int posix_wait(void *ctx, uint32_t timeout_ms)
{
    posix_port *port = ctx;
    return fd_wait(port->fd, timeout_ms);
}

static int posix_fd(void *ctx)
{
    posix_port *port = ctx;
    return port->fd;
}

static void posix_close(void *ctx)
{
    posix_port *port = ctx;
    (void)close(port->fd);
    free(port);
}

const qlw_io_ops qlw_io_posix_ops = {
    .read = posix_read,
    .write = posix_write,
    .wait = posix_wait,
    .fd = posix_fd,
    .close = posix_close,
};

/* ------------------------------------------------------------------- open */

typedef struct baud_speed {
    uint32_t baud;
    speed_t speed;
} baud_speed;

/* The non-POSIX rates are guarded: not every system names them. */
static const baud_speed baud_speeds[] = {
    {1200, B1200},     {2400, B2400},   {4800, B4800},
    {9600, B9600},     {19200, B19200}, {38400, B38400},
#ifdef B57600
    {57600, B57600},
#endif
#ifdef B115200
    {115200, B115200},
#endif
#ifdef B230400
    {230400, B230400},
#endif
#ifdef B460800
    {460800, B460800},
#endif
#ifdef B921600
    {921600, B921600},
#endif
};

static bool baud_to_speed(uint32_t baud, speed_t *speed)
{
    for (size_t i = 0; i < sizeof baud_speeds / sizeof baud_speeds[0]; i++) {
        if (baud_speeds[i].baud == baud) {
            *speed = baud_speeds[i].speed;
            return true;
        }
    }
    return false;
}

/* Raw 8N1: the AT stream must reach the engine byte for byte, CR and XON included. */
static void make_raw(struct termios *tio)
{
    tio->c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON |
                                IXOFF | IXANY | INPCK);
    tio->c_oflag &= ~(tcflag_t)OPOST;
    tio->c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    tio->c_cflag &= ~(tcflag_t)(CSIZE | PARENB | CSTOPB);
    /* CLOCAL: a modem that does not drive DCD must still be readable. */
    tio->c_cflag |= (tcflag_t)(CS8 | CREAD | CLOCAL);
    /* VMIN 1 makes an empty non-blocking read fail with EAGAIN, so 0 means hang-up. */
    tio->c_cc[VMIN] = 1;
    tio->c_cc[VTIME] = 0;
}

static bool set_flow(struct termios *tio, qlw_flow flow)
{
#ifdef CRTSCTS
    tio->c_cflag &= ~(tcflag_t)CRTSCTS;
    if (flow == QLW_FLOW_RTSCTS) {
        tio->c_cflag |= (tcflag_t)CRTSCTS;
    }
#else
    if (flow == QLW_FLOW_RTSCTS) {
        return false;
    }
#endif
    if (flow == QLW_FLOW_XONXOFF) {
        tio->c_iflag |= (tcflag_t)(IXON | IXOFF);
    }
    return true;
}

static int configure(int fd, const char *path, const qlw_serial_config *cfg, speed_t speed,
                     char *errmsg, size_t errmsg_size)
{
    struct termios tio;
    if (tcgetattr(fd, &tio) != 0) {
        return qlw_io_open_failed(errno, path, errmsg, errmsg_size);
    }
    make_raw(&tio);
    if (!set_flow(&tio, cfg->flow)) {
        qlw_io_errmsg(errmsg, errmsg_size,
                      "cannot open %s: RTS/CTS flow control is not available here", path);
        return QLW_ERR_UNSUPPORTED;
    }
    if (cfsetispeed(&tio, speed) != 0 || cfsetospeed(&tio, speed) != 0 ||
        tcsetattr(fd, TCSANOW, &tio) != 0) {
        return qlw_io_open_failed(errno, path, errmsg, errmsg_size);
    }
    return QLW_OK;
}

/* Refuses anything that is not a character device before opening it, so that a
 * regular file or a FIFO is never opened read-write by mistake. */
static int open_tty(const char *path, int *fd, char *errmsg, size_t errmsg_size)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        return qlw_io_open_failed(errno, path, errmsg, errmsg_size);
    }
    if (!S_ISCHR(st.st_mode)) {
        qlw_io_errmsg(errmsg, errmsg_size, "%s is not a serial port", path);
        return QLW_ERR_ARG;
    }
    *fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (*fd < 0) {
        return qlw_io_open_failed(errno, path, errmsg, errmsg_size);
    }
    if (!isatty(*fd)) {
        (void)close(*fd);
        *fd = -1;
        qlw_io_errmsg(errmsg, errmsg_size, "%s is not a serial port", path);
        return QLW_ERR_ARG;
    }
    return QLW_OK;
}

static int wrap_fd(qlw_io **io, int fd, const char *path, char *errmsg, size_t errmsg_size)
{
    posix_port *port = malloc(sizeof *port);
    if (port == NULL) {
        qlw_io_errmsg(errmsg, errmsg_size, "cannot open %s: out of memory", path);
        return QLW_ERR_NOMEM;
    }
    port->fd = fd;
    int err = qlw_io_create(io, &qlw_io_posix_ops, port, path, NULL);
    if (err != QLW_OK) {
        free(port);
        qlw_io_errmsg(errmsg, errmsg_size, "cannot open %s: out of memory", path);
    }
    return err;
}

int qlw_io_posix_open(qlw_io **io, const char *path, const qlw_serial_config *cfg, char *errmsg,
                      size_t errmsg_size)
{
    speed_t speed;
    if (!baud_to_speed(cfg->baud, &speed)) {
        qlw_io_errmsg(errmsg, errmsg_size, "cannot open %s: baud rate %lu is not available here",
                      path, (unsigned long)cfg->baud);
        return QLW_ERR_UNSUPPORTED;
    }
    int fd = -1;
    int err = open_tty(path, &fd, errmsg, errmsg_size);
    if (err != QLW_OK) {
        return err;
    }
    err = qlw_io_fd_lock(fd, path, errmsg, errmsg_size);
    if (err == QLW_OK) {
        err = configure(fd, path, cfg, speed, errmsg, errmsg_size);
    }
    if (err == QLW_OK) {
        err = wrap_fd(io, fd, path, errmsg, errmsg_size);
    }
    if (err != QLW_OK) {
        (void)close(fd);
    }
    return err;
}
