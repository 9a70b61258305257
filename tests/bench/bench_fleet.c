/*
 * Fleet benchmark: one thread drives N sessions (qlw_session over
 * descriptor transports, all in one qlw_multi handle) through setup, attach, register, observe and
 * K uplinks each, against BC68 modems played by a responder thread on the other ends of socketpairs
 * (default) or pseudo-terminals (--pty; the host then opens the pty with qlw_io_open_serial(), as a
 * real port).
 *
 * Phase 1 (setup): every session is asked to register with one uplink
 * queued; each modem attaches and is observed after random delays (up to
 * --attach-ms and --observe-ms), as modules on a real network do. It ends
 * when every first uplink was accepted.
 * Phase 2 (saturated): K-1 more uplinks each, eight queued at a time, every
 * OK sent at once: the host runs flat out; this gives CPU per uplink and
 * the throughput of one thread.
 * Phase 3 (paced): P more uplinks each, the modem answering each after a
 * random delay up to --ok-ms, as a module sending over the air does: this
 * gives the reaction delay of a busy but not overloaded host.
 * Phase 4 (idle): nothing to do for --idle-ms: the fleet must not use the CPU.
 *
 * Reaction delay: from the responder writing `+QLWEVTIND:3` (or the OK of
 * the previous uplink) to the host's transport being handed the next
 * `AT+QLWULDATA`.
 *
 * Options: --n=N (default 100), --k=K (default 20), --p=P (default 10),
 * --pty, --idle-ms=MS (1000), --attach-ms (500), --observe-ms (500),
 * --ok-ms (200). Linux only (the responder uses epoll; the host, qlw_multi).
 */
#define _GNU_SOURCE /* RUSAGE_THREAD; also posix_openpt() and friends */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_util.h"
#include "qlwm2m/multi.h"
#include "qlwm2m/session.h"

#define UL_PAYLOAD_LEN 16
#define NONE_DUE       UINT64_MAX

/* ---------------------------------------------------------- deadlines */

typedef struct timer {
    uint64_t due_ns;
    uint32_t idx;
} timer;

/* A min-heap of session deadlines; superseded entries are skipped when popped. */
typedef struct heap {
    timer *v;
    size_t n;
    size_t cap;
} heap;

static void heap_push(heap *hp, uint64_t due, uint32_t idx)
{
    size_t i = hp->n++;

    if (hp->n > hp->cap) {
        hp->cap = hp->cap * 2 + 64;
        hp->v = realloc(hp->v, hp->cap * sizeof(*hp->v));
        if (hp->v == NULL)
            exit(1);
    }
    while (i > 0 && hp->v[(i - 1) / 2].due_ns > due) {
        hp->v[i] = hp->v[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    hp->v[i] = (timer){due, idx};
}

static void heap_pop(heap *hp)
{
    timer last = hp->v[--hp->n];
    size_t i = 0;

    for (;;) {
        size_t c = 2 * i + 1;

        if (c >= hp->n)
            break;
        if (c + 1 < hp->n && hp->v[c + 1].due_ns < hp->v[c].due_ns)
            c++;
        if (hp->v[c].due_ns >= last.due_ns)
            break;
        hp->v[i] = hp->v[c];
        i = c;
    }
    if (hp->n > 0)
        hp->v[i] = last;
}

/* ------------------------------------------------------------ the modems */

enum { EV_NONE = 0, EV_CEREG, EV_READY, EV_OK };

/* One simulated module; touched by the responder thread only. */
typedef struct modem {
    int fd;
    char line[1280];
    size_t len;
    bool attached;
    int pending; /* a URC due at due_ns */
    uint64_t due_ns;
    unsigned uplinks;  /* AT+QLWULDATA received */
    uint32_t rng;      /* for this modem's delays */
    uint64_t t_ready;  /* when +QLWEVTIND:3 was written */
    uint64_t *t_ok;    /* [j]: when the OK of uplink j was written */
    char pty_path[64]; /* --pty: the slave the host opens */
} modem;

typedef struct responder {
    modem *m;
    size_t n;
    unsigned k;     /* uplinks answered at once; later ones are paced */
    unsigned total; /* uplinks per modem in all phases */
    int ep;
    int stop[2];
    heap timers;
    uint64_t attach_ns; /* longest delays */
    uint64_t observe_ns;
    uint64_t ok_ns;
    uint64_t cpu_ns; /* the thread's CPU time, set when it ends */
} responder;

static void say(modem *m, const char *text)
{
    size_t len = strlen(text);

    /* Socket and pty buffers hold far more than one answer. */
    if (write(m->fd, text, len) != (ssize_t)len)
        fprintf(stderr, "bench_fleet: short write to modem %d\n", m->fd);
}

/* Schedules a URC (or a late OK) after a random delay of 1 ms to max_ns. */
static void schedule(responder *r, modem *m, int ev, uint64_t max_ns)
{
    uint64_t delay = 1000000u + (uint64_t)bench_rand(&m->rng) % (max_ns / 1000u + 1) * 1000u;

    m->pending = ev;
    m->due_ns = bench_now_ns() + delay;
    heap_push(&r->timers, m->due_ns, (uint32_t)(m - r->m));
}

static void uplink_ok(modem *m, unsigned total)
{
    if (m->uplinks < total)
        m->t_ok[m->uplinks] = bench_now_ns();
    m->uplinks++;
    /* With AT+NSMI=1 (the session's setup) the module says when it left. */
    say(m, "\r\nOK\r\n\r\n+NSMI:SENT\r\n");
}

static bool is_cmd(const char *line, const char *prefix)
{
    return strncmp(line, prefix, strlen(prefix)) == 0;
}

/* Answers one command line the way a registered BC68 does. */
static void answer(responder *r, modem *m, const char *line)
{
    if (strcmp(line, "AT+CEREG?") == 0) {
        say(m, m->attached ? "\r\n+CEREG:2,1\r\n\r\nOK\r\n" : "\r\n+CEREG:2,0\r\n\r\nOK\r\n");
    } else if (strcmp(line, "AT+CFUN?") == 0) {
        say(m, "\r\n+CFUN:1\r\n\r\nOK\r\n");
    } else if (strcmp(line, "AT+CGATT=1") == 0) {
        say(m, "\r\nOK\r\n");
        schedule(r, m, EV_CEREG, r->attach_ns);
    } else if (strcmp(line, "AT+QLWSREGIND=0") == 0) {
        say(m, "\r\nOK\r\n\r\n+QLWEVTIND:0\r\n");
        schedule(r, m, EV_READY, r->observe_ns);
    } else if (is_cmd(line, "AT+QLWULDATA=") && m->uplinks >= r->k) {
        schedule(r, m, EV_OK, r->ok_ns);
    } else if (is_cmd(line, "AT+QLWULDATA=")) {
        uplink_ok(m, r->total);
    } else if (strcmp(line, "AT+NMSTATUS?") == 0) {
        say(m, "\r\n+NMSTATUS:MO_DATA_ENABLED\r\n\r\nOK\r\n");
    } else if (line[0] != '\0') {
        say(m, "\r\nOK\r\n");
    }
}

static void fire(responder *r, modem *m)
{
    int ev = m->pending;

    m->pending = EV_NONE;
    if (ev == EV_OK) {
        uplink_ok(m, r->total);
    } else if (ev == EV_CEREG) {
        m->attached = true;
        say(m, "\r\n+CEREG:1,213D,0318886E,9\r\n");
    } else {
        m->t_ready = bench_now_ns();
        say(m, "\r\n+QLWEVTIND:3\r\n");
    }
}

/* Fires due URCs; returns the epoll timeout until the next one (-1: none). */
static int fire_due(responder *r)
{
    uint64_t now = bench_now_ns();

    while (r->timers.n > 0) {
        timer t = r->timers.v[0];
        modem *m = &r->m[t.idx];

        if (m->pending == EV_NONE || t.due_ns != m->due_ns) { /* superseded */
            heap_pop(&r->timers);
            continue;
        }
        if (t.due_ns > now)
            return (int)((t.due_ns - now + 999999u) / 1000000u);
        heap_pop(&r->timers);
        fire(r, m);
    }
    return -1;
}

/* Returns false when the host closed its end. */
static bool modem_read(responder *r, modem *m)
{
    char buf[512];
    ssize_t got = read(m->fd, buf, sizeof(buf));

    if (got <= 0)
        return got < 0 && errno == EAGAIN;
    for (ssize_t i = 0; i < got; i++) {
        if (buf[i] == '\r') {
            m->line[m->len] = '\0';
            answer(r, m, m->line);
            m->len = 0;
        } else if (buf[i] != '\n' && m->len + 1 < sizeof(m->line)) {
            m->line[m->len++] = buf[i];
        }
    }
    return true;
}

static void *responder_main(void *arg)
{
    responder *r = arg;
    struct epoll_event ev[64];

    for (;;) {
        int n = epoll_wait(r->ep, ev, 64, fire_due(r));

        for (int i = 0; i < n; i++) {
            modem *m = ev[i].data.ptr;

            if (m == NULL) {
                r->cpu_ns = bench_thread_cpu_ns();
                return NULL;
            }
            if (!modem_read(r, m))
                epoll_ctl(r->ep, EPOLL_CTL_DEL, m->fd, NULL);
        }
    }
}

/* -------------------------------------------------------------- the host */

struct fleet;

/* One modem as the application sees it; touched by the main thread only. */
typedef struct host {
    struct fleet *f;
    qlw_session *s;
    qlw_io *io;
    qlw_io *inner; /* --pty: the serial transport being wrapped */
    int fd;
    unsigned sent; /* AT+QLWULDATA handed to the transport */
    unsigned queued;
    unsigned reported;
    uint64_t *t_ul; /* [j]: when uplink j was handed to the transport */
} host;

typedef struct fleet {
    host *h;
    size_t n;
    unsigned k;      /* uplinks per session in phases 1 and 2 */
    unsigned total;  /* ... and in phase 3 */
    unsigned target; /* uplinks each session should get in the current phase */
    unsigned long reports;
    unsigned long failures;
    qlw_multi *multi;
    unsigned long wakeups;
    unsigned long spins; /* wake-ups with a zero timeout that found nothing */
    uint8_t payload[UL_PAYLOAD_LEN];
} fleet;

/* The event loop is the library's multi handle: one epoll descriptor for
 * every session, the earliest deadline, one call that services what is ready. */
static void run(fleet *f, bool (*done)(const fleet *), uint64_t max_ns)
{
    uint64_t end = bench_now_ns() + max_ns;

    while (!done(f) && bench_now_ns() < end) {
        uint64_t left_ms = (end - bench_now_ns()) / 1000000u + 1;
        int32_t timeout = qlw_multi_timeout_ms(f->multi);
        int n = qlw_multi_poll(f->multi, (uint32_t)left_ms);

        f->wakeups++;
        f->spins += n == 0 && timeout == 0;
    }
}

static bool target_reached(const fleet *f)
{
    return f->reports >= (unsigned long)f->n * f->target;
}

static bool never_done(const fleet *f)
{
    (void)f;
    return false;
}

static void queue_uplink(fleet *f, host *h)
{
    if (qlw_queue_uplink(h->s, f->payload, sizeof(f->payload), QLW_UPLINK_NON, NULL) == QLW_OK)
        h->queued++;
}

static void on_uplink(void *ctx, const qlw_uplink_report *rep)
{
    host *h = ctx;

    h->reported++;
    h->f->reports++;
    h->f->failures += rep->result != QLW_OK;
    if (h->queued < h->f->target)
        queue_uplink(h->f, h);
}

/* ------------------------------------------------------- the transports */

static int port_read(void *ctx, uint8_t *buf, size_t size)
{
    host *h = ctx;
    ssize_t n;

    if (h->inner != NULL)
        return qlw_io_read(h->inner, buf, size);
    n = read(h->fd, buf, size);
    if (n < 0)
        return errno == EAGAIN || errno == EINTR ? 0 : QLW_ERR_IO;
    return n == 0 ? QLW_ERR_PORT_GONE : (int)n;
}

static int port_write(void *ctx, const uint8_t *buf, size_t size)
{
    host *h = ctx;
    ssize_t n;

    if (size >= 13 && memcmp(buf, "AT+QLWULDATA=", 13) == 0) {
        if (h->sent < h->f->total)
            h->t_ul[h->sent] = bench_now_ns();
        h->sent++;
    }
    if (h->inner != NULL)
        return qlw_io_write(h->inner, buf, size);
    n = write(h->fd, buf, size);
    if (n < 0)
        return errno == EAGAIN || errno == EINTR ? 0 : QLW_ERR_IO;
    return (int)n;
}

static int port_wait(void *ctx, uint32_t timeout_ms)
{
    host *h = ctx;
    struct pollfd p = {h->fd, POLLIN, 0};
    int rc;

    if (h->inner != NULL)
        return qlw_io_wait(h->inner, timeout_ms);
    rc = poll(&p, 1, (int)(timeout_ms > 60000 ? 60000 : timeout_ms));
    return rc < 0 ? (errno == EINTR ? 0 : QLW_ERR_IO) : rc > 0;
}

static int port_fd(void *ctx)
{
    const host *h = ctx;

    return h->fd;
}

static void port_close(void *ctx)
{
    host *h = ctx;

    if (h->inner != NULL)
        qlw_io_close(h->inner);
    else
        close(h->fd);
}

static const qlw_io_ops port_ops = {port_read, port_write, port_wait, port_fd, port_close};

static void nonblocking(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* A socketpair: one end for the modem, one for the host. */
static int link_socketpair(modem *m, host *h)
{
    int sv[2];

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return -1;
    nonblocking(sv[0]);
    nonblocking(sv[1]);
    m->fd = sv[0];
    h->fd = sv[1];
    return 0;
}

/* A pseudo-terminal: the modem keeps the master, the host opens the slave as a port. */
static int link_pty(modem *m, host *h)
{
    qlw_serial_config sc;
    char err[160];
    int fd = posix_openpt(O_RDWR | O_NOCTTY);

    if (fd < 0 || grantpt(fd) != 0 || unlockpt(fd) != 0 || ptsname(fd) == NULL)
        return -1;
    snprintf(m->pty_path, sizeof(m->pty_path), "%s", ptsname(fd));
    nonblocking(fd);
    m->fd = fd;
    qlw_serial_config_default(&sc);
    sc.baud = 115200;
    sc.backend = QLW_IO_POSIX;
    if (qlw_io_open_serial(&h->inner, m->pty_path, &sc, err, sizeof(err)) != QLW_OK) {
        fprintf(stderr, "bench_fleet: %s\n", err);
        return -1;
    }
    h->fd = qlw_io_fd(h->inner);
    return 0;
}

/* ------------------------------------------------------------ set-up */

static void add_fd(int ep, int fd, void *ptr)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = ptr};

    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
        perror("bench_fleet: epoll_ctl");
        exit(1);
    }
}

static void open_host(fleet *f, host *h)
{
    qlw_session_config cfg;

    h->f = f;
    if (qlw_io_create(&h->io, &port_ops, h, "bench", NULL) != QLW_OK)
        exit(1);
    qlw_session_config_default(&cfg);
    cfg.on_uplink = on_uplink;
    cfg.ctx = h;
    if (qlw_session_open(&h->s, &cfg, h->io) != QLW_OK || qlw_multi_add(f->multi, h->s) != QLW_OK)
        exit(1);
}

static void open_fleet(fleet *f, responder *r, bool pty)
{
    f->h = calloc(f->n, sizeof(*f->h));
    r->m = calloc(r->n, sizeof(*r->m));
    r->ep = epoll_create1(0);
    if (f->h == NULL || r->m == NULL || r->ep < 0 || pipe(r->stop) != 0 ||
        qlw_multi_open(&f->multi, f->n, QLW_MULTI_AUTO) != QLW_OK)
        exit(1);
    for (size_t i = 0; i < f->n; i++) {
        r->m[i].t_ok = calloc(f->total, sizeof(uint64_t));
        r->m[i].rng = (uint32_t)(2654435761u * (i + 1));
        f->h[i].t_ul = calloc(f->total, sizeof(uint64_t));
        if ((pty ? link_pty(&r->m[i], &f->h[i]) : link_socketpair(&r->m[i], &f->h[i])) != 0) {
            fprintf(stderr, "bench_fleet: cannot open link %zu (ulimit -n?)\n", i);
            exit(1);
        }
        add_fd(r->ep, r->m[i].fd, &r->m[i]);
        open_host(f, &f->h[i]);
    }
    add_fd(r->ep, r->stop[0], NULL);
}

/* ------------------------------------------------------------- results */

typedef struct phase {
    uint64_t wall_ns;
    uint64_t cpu_ns; /* the host thread's */
    unsigned long wakeups;
    unsigned long spins;
    long preempted; /* involuntary context switches of the host thread */
} phase;

static long preemptions(void)
{
    struct rusage ru;

    getrusage(RUSAGE_THREAD, &ru);
    return ru.ru_nivcsw;
}

static void phase_begin(const fleet *f, phase *p)
{
    p->wall_ns = bench_now_ns();
    p->cpu_ns = bench_thread_cpu_ns();
    p->wakeups = f->wakeups;
    p->spins = f->spins;
    p->preempted = preemptions();
}

static void phase_end(const fleet *f, phase *p)
{
    p->wall_ns = bench_now_ns() - p->wall_ns;
    p->cpu_ns = bench_thread_cpu_ns() - p->cpu_ns;
    p->wakeups = f->wakeups - p->wakeups;
    p->spins = f->spins - p->spins;
    p->preempted = preemptions() - p->preempted;
}

typedef struct delays {
    uint64_t *v;
    size_t n;
    uint64_t p50;
    uint64_t p99;
} delays;

static void delay_add(delays *d, uint64_t from, uint64_t to)
{
    if (from != 0 && to >= from)
        d->v[d->n++] = to - from;
}

/* OK of uplink j-1 -> uplink j, for j in [first, end): the session's own reaction. */
static void collect_ok(const fleet *f, const responder *r, delays *d, unsigned first, unsigned end)
{
    d->v = calloc((size_t)f->n * f->total + 1, sizeof(uint64_t));
    for (size_t i = 0; i < f->n; i++) {
        for (unsigned j = first; j < end && j < f->h[i].sent; j++)
            delay_add(d, r->m[i].t_ok[j - 1], f->h[i].t_ul[j]);
    }
    d->p50 = bench_percentile(d->v, d->n, 50);
    d->p99 = bench_percentile(d->v, d->n, 99);
}

static void collect_ready(const fleet *f, const responder *r, delays *d)
{
    d->v = calloc(f->n + 1, sizeof(uint64_t));
    for (size_t i = 0; i < f->n; i++)
        delay_add(d, r->m[i].t_ready, f->h[i].t_ul[0]);
    d->p50 = bench_percentile(d->v, d->n, 50);
    d->p99 = bench_percentile(d->v, d->n, 99);
}

static double us(uint64_t ns)
{
    return (double)ns / 1000.0;
}

static double per(uint64_t ns, unsigned long count)
{
    return count ? us(ns) / (double)count : 0;
}

enum { P_SETUP, P_SATURATED, P_PACED, P_IDLE, P_COUNT };

typedef struct results {
    const char *transport;
    phase p[P_COUNT];
    delays ready, sat, paced;
    long rss0;
} results;

static void print_human(const fleet *f, const responder *r, const results *x)
{
    unsigned long sat = (unsigned long)f->n * (f->k - 1),
                  paced = (unsigned long)f->n * (f->total - f->k);

    printf("fleet %-10s n=%-5zu: setup to first uplink %.2f s, host CPU %.0f us/session;"
           " %lu failed\n",
           x->transport, f->n, (double)x->p[P_SETUP].wall_ns / 1e9, per(x->p[P_SETUP].cpu_ns, f->n),
           f->failures);
    printf("  saturated: %lu uplinks in %.1f ms = %.0f uplinks/s, host CPU %.2f us/uplink;"
           " OK -> next uplink p50 %.0f us, p99 %.0f us (queueing behind the whole fleet)\n",
           sat, (double)x->p[P_SATURATED].wall_ns / 1e6,
           (double)sat / ((double)x->p[P_SATURATED].wall_ns / 1e9),
           per(x->p[P_SATURATED].cpu_ns, sat), us(x->sat.p50), us(x->sat.p99));
    printf("  paced: %lu uplinks in %.2f s, host CPU %.2f us/uplink; reaction OK -> next uplink"
           " p50 %.0f us, p99 %.0f us; +QLWEVTIND:3 -> first uplink p50 %.0f us, p99 %.0f us;"
           " host thread preempted %ld times\n",
           paced, (double)x->p[P_PACED].wall_ns / 1e9, per(x->p[P_PACED].cpu_ns, paced),
           us(x->paced.p50), us(x->paced.p99), us(x->ready.p50), us(x->ready.p99),
           x->p[P_PACED].preempted);
    printf("  idle %.0f ms: host CPU %.3f ms, %lu wake-ups; zero-timeout spins in all phases %lu;"
           " peak RSS %ld KiB (%.1f KiB per modem, responder included); responder CPU %.0f ms\n",
           (double)x->p[P_IDLE].wall_ns / 1e6, us(x->p[P_IDLE].cpu_ns) / 1e3, x->p[P_IDLE].wakeups,
           f->spins, bench_peak_rss_kib(), (double)(bench_peak_rss_kib() - x->rss0) / (double)f->n,
           us(r->cpu_ns) / 1e3);
}

static void print_json(const fleet *f, const results *x)
{
    unsigned long sat = (unsigned long)f->n * (f->k - 1),
                  paced = (unsigned long)f->n * (f->total - f->k);

    printf("{\"bench\":\"fleet\",\"transport\":\"%s\",\"n\":%zu,\"setup_s\":%.3f,"
           "\"cpu_us_per_session_setup\":%.1f,\"saturated_uplinks\":%lu,\"saturated_s\":%.4f,"
           "\"cpu_us_per_uplink\":%.2f,\"saturated_react_us_p50\":%.0f,"
           "\"saturated_react_us_p99\":%.0f,\"paced_uplinks\":%lu,\"paced_cpu_us_per_uplink\":%.2f,"
           "\"react_us_p50\":%.0f,\"react_us_p99\":%.0f,\"react_ready_us_p50\":%.0f,"
           "\"react_ready_us_p99\":%.0f,\"paced_preempted\":%ld,\"peak_rss_kib\":%ld,\"idle_cpu_"
           "ms\":%.3f,"
           "\"idle_wakeups\":%lu,\"spins\":%lu,\"failed\":%lu}\n",
           x->transport, f->n, (double)x->p[P_SETUP].wall_ns / 1e9, per(x->p[P_SETUP].cpu_ns, f->n),
           sat, (double)x->p[P_SATURATED].wall_ns / 1e9, per(x->p[P_SATURATED].cpu_ns, sat),
           us(x->sat.p50), us(x->sat.p99), paced, per(x->p[P_PACED].cpu_ns, paced),
           us(x->paced.p50), us(x->paced.p99), us(x->ready.p50), us(x->ready.p99),
           x->p[P_PACED].preempted, bench_peak_rss_kib(), us(x->p[P_IDLE].cpu_ns) / 1e3,
           x->p[P_IDLE].wakeups, f->spins, f->failures);
}

/* ----------------------------------------------------------------- main */

/* Raises every session's target and fills its queue (eight uplinks at most). */
static void raise_target(fleet *f, unsigned target)
{
    f->target = target;
    for (size_t i = 0; i < f->n; i++) {
        host *h = &f->h[i];

        while (h->queued < target && qlw_uplinks_pending(h->s) < 8)
            queue_uplink(f, h);
    }
}

static void run_phase(fleet *f, phase *p, unsigned target, uint64_t max_ns)
{
    phase_begin(f, p);
    if (target > 0)
        raise_target(f, target);
    run(f, target > 0 ? target_reached : never_done, max_ns);
    phase_end(f, p);
}

static void start(fleet *f)
{
    f->target = 1;
    for (size_t i = 0; i < f->n; i++) {
        qlw_request_register(f->h[i].s);
        queue_uplink(f, &f->h[i]);
    }
}

static void options(int argc, char **argv, fleet *f, responder *r)
{
    f->n = r->n = (size_t)bench_opt(argc, argv, "--n", 100);
    f->k = r->k = (unsigned)bench_opt(argc, argv, "--k", 20);
    f->total = r->total = f->k + (unsigned)bench_opt(argc, argv, "--p", 10);
    r->attach_ns = (uint64_t)bench_opt(argc, argv, "--attach-ms", 500) * 1000000u;
    r->observe_ns = (uint64_t)bench_opt(argc, argv, "--observe-ms", 500) * 1000000u;
    r->ok_ns = (uint64_t)bench_opt(argc, argv, "--ok-ms", 200) * 1000000u;
}

int main(int argc, char **argv)
{
    static fleet f;
    static responder r;
    static results x;
    bool pty = bench_flag(argc, argv, "--pty");
    uint64_t idle_ns = (uint64_t)bench_opt(argc, argv, "--idle-ms", 1000) * 1000000u;
    const uint64_t limit_ns = 120000000000u;
    pthread_t thread;

    options(argc, argv, &f, &r);
    if (f.n < 1 || f.k < 3 || f.total < f.k + 2)
        return 2;
    for (size_t i = 0; i < sizeof(f.payload); i++)
        f.payload[i] = (uint8_t)(0xA0 + i);
    x.transport = pty ? "pty" : "socketpair";
    x.rss0 = bench_rss_kib();
    open_fleet(&f, &r, pty);
    if (pthread_create(&thread, NULL, responder_main, &r) != 0)
        return 1;
    phase_begin(&f, &x.p[P_SETUP]);
    start(&f);
    run(&f, target_reached, limit_ns);
    phase_end(&f, &x.p[P_SETUP]);
    run_phase(&f, &x.p[P_SATURATED], f.k, limit_ns);
    run_phase(&f, &x.p[P_PACED], f.total, limit_ns);
    run_phase(&f, &x.p[P_IDLE], 0, idle_ns);
    if (write(r.stop[1], "x", 1) != 1 || pthread_join(thread, NULL) != 0)
        return 1;
    collect_ready(&f, &r, &x.ready);
    /* Uplinks 1 and k were queued by the application, not sent in reaction to an OK. */
    collect_ok(&f, &r, &x.sat, 2, f.k);
    collect_ok(&f, &r, &x.paced, f.k + 1, f.total);
    print_human(&f, &r, &x);
    print_json(&f, &x);
    for (size_t i = 0; i < f.n; i++) {
        qlw_multi_remove(f.multi, f.h[i].s);
        qlw_close(f.h[i].s);
        qlw_io_close(f.h[i].io);
    }
    qlw_multi_close(f.multi);
    return f.reports == (unsigned long)f.n * f.total && f.failures == 0 ? 0 : 1;
}
