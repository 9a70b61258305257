/* The pseudo-terminal the host talks to. */
#define _XOPEN_SOURCE 700 /* posix_openpt, grantpt, unlockpt, ptsname */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "sim.h"

#define PTY_SETTLE_MS 50

static int set_raw(int fd)
{
    struct termios tio;
    if (tcgetattr(fd, &tio) != 0)
        return -1;
    cfmakeraw(&tio);
    cfsetispeed(&tio, B9600);
    cfsetospeed(&tio, B9600);
    return tcsetattr(fd, TCSANOW, &tio);
}

static int make_link(struct sim *s)
{
    struct stat st;
    /* Replace a stale link from an earlier run, but never a real file. */
    if (lstat(s->opt.link_path, &st) == 0) {
        if (!S_ISLNK(st.st_mode)) {
            fprintf(stderr, "qlwm2m-sim: %s exists and is not a symlink\n", s->opt.link_path);
            return -1;
        }
        unlink(s->opt.link_path);
    }
    if (symlink(s->slave_path, s->opt.link_path) != 0) {
        fprintf(stderr, "qlwm2m-sim: symlink %s: %s\n", s->opt.link_path, strerror(errno));
        return -1;
    }
    s->link_made = true;
    return 0;
}

static int open_master(struct sim *s)
{
    s->master_fd = posix_openpt(O_RDWR | O_NOCTTY);
    if (s->master_fd < 0 || grantpt(s->master_fd) != 0 || unlockpt(s->master_fd) != 0)
        return -1;
    const char *name = ptsname(s->master_fd);
    if (!name)
        return -1;
    str_copy(s->slave_path, sizeof s->slave_path, name);
    int flags = fcntl(s->master_fd, F_GETFL);
    return fcntl(s->master_fd, F_SETFL, flags | O_NONBLOCK);
}

int pty_open(struct sim *s)
{
    if (open_master(s) != 0) {
        fprintf(stderr, "qlwm2m-sim: cannot open a pseudo-terminal: %s\n", strerror(errno));
        return -1;
    }
    /* Holding the slave open keeps the master from seeing EIO whenever the
     * host closes its side, and lets us set raw mode before the host comes:
     * the line discipline must neither echo nor turn CR into LF. */
    s->slave_fd = open(s->slave_path, O_RDWR | O_NOCTTY);
    if (s->slave_fd < 0 || set_raw(s->slave_fd) != 0) {
        fprintf(stderr, "qlwm2m-sim: %s: %s\n", s->slave_path, strerror(errno));
        return -1;
    }
    if (s->opt.link_path && make_link(s) != 0)
        return -1;
    return 0;
}

void pty_close(struct sim *s)
{
    if (s->link_made)
        unlink(s->opt.link_path);
    s->link_made = false;
    if (s->slave_fd >= 0)
        close(s->slave_fd);
    if (s->master_fd >= 0)
        close(s->master_fd);
    s->slave_fd = -1;
    s->master_fd = -1;
}

void pty_flush(struct sim *s)
{
    if (fault_stalled(s))
        return; /* a stalled module prints nothing; its output waits */
    while (s->out.len > 0 && s->master_fd >= 0) {
        ssize_t n = write(s->master_fd, s->out.data, s->out.len);
        if (n > 0) {
            buf_consume(&s->out, (size_t)n);
            s->last_write_ms = sim_now_ms(s);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            sim_log(s, "write to pty: %s", strerror(errno));
        return;
    }
}

bool pty_drained(const struct sim *s)
{
    int pending = 0;
    if (fault_stalled(s))
        return false;
    if (s->out.len > 0)
        return false;
    /* The kernel moves bytes written to the master into the slave's queue
     * a little later; until then the queue looks empty. */
    if (sim_now_ms(s) - s->last_write_ms < PTY_SETTLE_MS)
        return false;
    /* Bytes still queued at the slave's input have not been read by the host. */
    if (ioctl(s->slave_fd, FIONREAD, &pending) != 0)
        return true;
    return pending == 0;
}
