/*
 * The multi handle: many sessions, one wait. Which sessions to service is
 * decided here, portably; how to wait is multi_wait_*.c's business.
 *
 * Each session's deadline is kept here and recomputed only after the
 * session was serviced or touched (a request, a queued uplink: its
 * `touches` counter, read from the session's private state), so that a
 * wake-up of a 1000-session handle costs integer compares, not 1000 clock
 * reads. Sessions on descriptors run on the system clock.
 */
#include <stdlib.h>
#include <string.h>

#include "multi/multi_wait.h"
#include "qlw_text.h"
#include "session/session_internal.h"

typedef struct slot {
    qlw_session *s;
    int fd;               /* as registered with the waiter */
    uint32_t port_losses; /* a change means the port was lost (maybe reopened at the same fd) */
    bool ready;
    bool timed;       /* due_ms holds the session's next deadline */
    uint32_t due_ms;  /* system clock */
    uint32_t touches; /* the session's counter when due_ms was computed */
} slot;

struct qlw_multi {
    qlw_mwait *w;
    qlw_multi_backend backend;
    slot *slots;
    size_t count;
    size_t max;
};

const char *qlw_multi_backend_str(qlw_multi_backend backend)
{
    QLW_NAME_NONE(backend);
    static const char *const names[] = {"auto", "epoll", "poll"};

    return (unsigned)backend < sizeof(names) / sizeof(names[0]) ? names[backend] : "invalid";
}

int qlw_multi_open(qlw_multi **out, size_t max_sessions, qlw_multi_backend backend)
{
    qlw_multi *m;
    int rc;

    if (out == NULL)
        return QLW_ERR_ARG;
    *out = NULL;
    if (max_sessions == 0 || max_sessions > 1000000 || backend < QLW_MULTI_AUTO ||
        backend > QLW_MULTI_POLL)
        return QLW_ERR_ARG;
    m = calloc(1, sizeof(*m));
    if (m == NULL)
        return QLW_ERR_NOMEM;
    m->slots = calloc(max_sessions, sizeof(*m->slots));
    if (m->slots == NULL) {
        free(m);
        return QLW_ERR_NOMEM;
    }
    m->max = max_sessions;
    m->backend = backend;
    rc = qlw_mwait_open(&m->w, max_sessions, &m->backend);
    if (rc != QLW_OK) {
        free(m->slots);
        free(m);
        return rc;
    }
    *out = m;
    return QLW_OK;
}

void qlw_multi_close(qlw_multi *m)
{
    if (m == NULL)
        return;
    qlw_mwait_close(m->w);
    free(m->slots);
    free(m);
}

qlw_multi_backend qlw_multi_get_backend(const qlw_multi *m)
{
    return m != NULL ? m->backend : QLW_MULTI_AUTO;
}

static uint32_t losses(const qlw_session *s)
{
    qlw_session_stats st;

    return qlw_get_stats(s, &st) == QLW_OK ? st.port_losses : 0;
}

/* Follows a session's descriptor: gone with a lost port, new when reopened. */
static int sync_fd(qlw_multi *m, size_t i)
{
    slot *sl = &m->slots[i];
    int fd = qlw_fd(sl->s);
    uint32_t lost = losses(sl->s);
    int rc;

    if (fd == sl->fd && lost == sl->port_losses)
        return QLW_OK;
    rc = qlw_mwait_set(m->w, i, sl->fd, fd);
    sl->fd = rc == QLW_OK ? fd : -1;
    sl->port_losses = lost;
    return rc;
}

/* The session's next deadline, as of now. */
static void refresh(slot *sl, uint32_t now)
{
    int32_t t = qlw_next_timeout_ms(sl->s);

    sl->touches = sl->s->touches;
    sl->timed = t >= 0;
    sl->due_ms = now + (uint32_t)(t > 0 ? t : 0);
}

int qlw_multi_add(qlw_multi *m, qlw_session *s)
{
    slot *sl;
    int rc;

    if (m == NULL || s == NULL)
        return QLW_ERR_ARG;
    for (size_t i = 0; i < m->count; i++) {
        if (m->slots[i].s == s)
            return QLW_ERR_ARG;
    }
    if (m->count == m->max)
        return QLW_ERR_QUEUE_FULL;
    sl = &m->slots[m->count];
    memset(sl, 0, sizeof(*sl));
    sl->s = s;
    sl->fd = -1;
    sl->port_losses = losses(s);
    refresh(sl, qlw_clock_system_ms(NULL));
    rc = qlw_mwait_set(m->w, m->count, -1, qlw_fd(s));
    if (rc != QLW_OK)
        return rc;
    sl->fd = qlw_fd(s);
    m->count++;
    return QLW_OK;
}

int qlw_multi_remove(qlw_multi *m, const qlw_session *s)
{
    size_t last;

    if (m == NULL || s == NULL)
        return QLW_ERR_ARG;
    for (size_t i = 0; i < m->count; i++) {
        if (m->slots[i].s != s)
            continue;
        last = m->count - 1;
        (void)qlw_mwait_set(m->w, i, m->slots[i].fd, -1);
        if (i != last) {
            /* The last session takes the free slot, under its new number. */
            int fd = m->slots[last].fd;

            (void)qlw_mwait_set(m->w, last, fd, -1);
            m->slots[i] = m->slots[last];
            if (qlw_mwait_set(m->w, i, -1, fd) != QLW_OK)
                m->slots[i].fd = -1; /* resynced on its next service */
        }
        m->count--;
        return QLW_OK;
    }
    return QLW_ERR_ARG;
}

size_t qlw_multi_count(const qlw_multi *m)
{
    return m != NULL ? m->count : 0;
}

int qlw_multi_fd(const qlw_multi *m)
{
    return m != NULL ? qlw_mwait_fd(m->w) : -1;
}

size_t qlw_multi_fds(const qlw_multi *m, int *fds, size_t max)
{
    size_t n = 0;

    if (m == NULL || fds == NULL)
        return 0;
    for (size_t i = 0; i < m->count && n < max; i++) {
        if (m->slots[i].fd >= 0)
            fds[n++] = m->slots[i].fd;
    }
    return n;
}

/* A transport without a descriptor cannot say it has input: look each time. */
static bool blind(const slot *sl)
{
    return sl->fd < 0 && !qlw_port_lost(sl->s);
}

/* Deadlines of sessions touched since they were last looked at. */
static void refresh_touched(qlw_multi *m, uint32_t now)
{
    for (size_t i = 0; i < m->count; i++) {
        slot *sl = &m->slots[i];

        if (sl->touches != sl->s->touches || blind(sl))
            refresh(sl, now);
    }
}

int32_t qlw_multi_timeout_ms(qlw_multi *m)
{
    int32_t best = -1;
    uint32_t now;

    if (m == NULL)
        return -1;
    now = qlw_clock_system_ms(NULL);
    refresh_touched(m, now);
    for (size_t i = 0; i < m->count; i++) {
        const slot *sl = &m->slots[i];
        int32_t t = sl->timed ? qlw_ms_diff(sl->due_ms, now) : -1;

        if (sl->timed && t < 0)
            t = 0;
        if (blind(sl) && (t < 0 || t > QLW_MULTI_NOFD_POLL_MS))
            t = QLW_MULTI_NOFD_POLL_MS; /* its input only a look can find */
        if (t >= 0 && (best < 0 || t < best))
            best = t;
    }
    return best;
}

static void mark_ready(void *ctx, size_t i)
{
    qlw_multi *m = ctx;

    m->slots[i].ready = true;
}

/* Services the sessions with input, due, or without a descriptor. */
static int service(qlw_multi *m)
{
    int serviced = 0;
    uint32_t now = qlw_clock_system_ms(NULL);

    refresh_touched(m, now);
    for (size_t i = 0; i < m->count; i++) {
        slot *sl = &m->slots[i];
        bool due = sl->ready || blind(sl) || (sl->timed && qlw_ms_reached(now, sl->due_ms));

        sl->ready = false;
        if (!due)
            continue;
        if (qlw_process(sl->s) == QLW_ERR_STATE)
            return QLW_ERR_STATE;
        (void)sync_fd(m, i);
        refresh(sl, now);
        serviced++;
    }
    return serviced;
}

int qlw_multi_process(qlw_multi *m)
{
    int rc;

    if (m == NULL)
        return QLW_ERR_ARG;
    rc = qlw_mwait_wait(m->w, m->count, 0, mark_ready, m);
    if (rc < 0)
        return rc;
    return service(m);
}

int qlw_multi_poll(qlw_multi *m, uint32_t max_ms)
{
    int32_t t;
    int rc;

    if (m == NULL)
        return QLW_ERR_ARG;
    t = qlw_multi_timeout_ms(m);
    if (max_ms > INT32_MAX)
        max_ms = INT32_MAX;
    if (t < 0 || (uint32_t)t > max_ms)
        t = (int32_t)max_ms;
    rc = qlw_mwait_wait(m->w, m->count, t, mark_ready, m);
    if (rc < 0)
        return rc;
    return service(m);
}
