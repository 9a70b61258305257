/*
 * Waiting on many descriptors on POSIX systems: one epoll descriptor on
 * Linux, poll() over an array elsewhere (and on request, to test it).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/epoll.h>
#endif

#include "multi/multi_wait.h"

struct qlw_mwait {
    qlw_multi_backend backend;
    size_t max;
    int epfd;
    struct pollfd *pfd; /* poll: one per slot; epoll: unused */
#if defined(__linux__)
    struct epoll_event *events;
#endif
};

int qlw_mwait_open(qlw_mwait **out, size_t max, qlw_multi_backend *backend)
{
    qlw_mwait *w;

#if defined(__linux__)
    if (*backend == QLW_MULTI_AUTO)
        *backend = QLW_MULTI_EPOLL;
#else
    if (*backend == QLW_MULTI_EPOLL)
        return QLW_ERR_UNSUPPORTED;
    *backend = QLW_MULTI_POLL;
#endif
    w = calloc(1, sizeof(*w));
    if (w == NULL)
        return QLW_ERR_NOMEM;
    w->backend = *backend;
    w->max = max;
    w->epfd = -1;
    w->pfd = calloc(max, sizeof(*w->pfd));
    if (w->pfd == NULL) {
        qlw_mwait_close(w);
        return QLW_ERR_NOMEM;
    }
    for (size_t i = 0; i < max; i++)
        w->pfd[i].fd = -1;
#if defined(__linux__)
    if (w->backend == QLW_MULTI_EPOLL) {
        w->events = calloc(max, sizeof(*w->events));
        w->epfd = epoll_create1(EPOLL_CLOEXEC);
        if (w->events == NULL || w->epfd < 0) {
            int err = w->events == NULL ? QLW_ERR_NOMEM : QLW_ERR_IO;

            qlw_mwait_close(w);
            return err;
        }
    }
#endif
    *out = w;
    return QLW_OK;
}

void qlw_mwait_close(qlw_mwait *w)
{
    if (w == NULL)
        return;
    if (w->epfd >= 0)
        close(w->epfd);
#if defined(__linux__)
    free(w->events);
#endif
    free(w->pfd);
    free(w);
}

int qlw_mwait_set(qlw_mwait *w, size_t slot, int old_fd, int new_fd)
{
    w->pfd[slot].fd = new_fd;
    w->pfd[slot].events = POLLIN;
#if defined(__linux__)
    if (w->backend == QLW_MULTI_EPOLL) {
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = slot};

        /* The old descriptor may be closed already (its registration went
         * with it) or reused by the new port: a failed removal is fine. */
        if (old_fd >= 0)
            (void)epoll_ctl(w->epfd, EPOLL_CTL_DEL, old_fd, NULL);
        if (new_fd < 0)
            return QLW_OK;
        if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, new_fd, &ev) == 0)
            return QLW_OK;
        if (errno == EEXIST && epoll_ctl(w->epfd, EPOLL_CTL_MOD, new_fd, &ev) == 0)
            return QLW_OK;
        return QLW_ERR_IO;
    }
#else
    (void)old_fd;
#endif
    return QLW_OK;
}

int qlw_mwait_wait(qlw_mwait *w, size_t count, int32_t timeout_ms, qlw_mwait_ready_fn ready,
                   void *ctx)
{
    int n;

#if defined(__linux__)
    if (w->backend == QLW_MULTI_EPOLL) {
        n = epoll_wait(w->epfd, w->events, (int)w->max, timeout_ms);
        if (n < 0)
            return errno == EINTR ? 0 : QLW_ERR_IO;
        for (int i = 0; i < n; i++) {
            if (w->events[i].data.u64 < count)
                ready(ctx, (size_t)w->events[i].data.u64);
        }
        return n;
    }
#endif
    n = poll(w->pfd, (nfds_t)count, timeout_ms);
    if (n < 0)
        return errno == EINTR ? 0 : QLW_ERR_IO;
    for (size_t i = 0; i < count && n > 0; i++) {
        /* A hang-up counts: reading is how the session learns its port is gone. */
        if (w->pfd[i].fd >= 0 && (w->pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) != 0)
            ready(ctx, i);
    }
    return n;
}

int qlw_mwait_fd(const qlw_mwait *w)
{
    return w->epfd;
}
