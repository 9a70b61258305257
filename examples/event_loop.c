/*
 * event_loop: several modems driven by one thread through one poll().
 *
 *   event_loop HOST PORT [PORT...]    e.g.  event_loop 198.51.100.1 /dev/ttyUSB0 /dev/ttyUSB1
 *
 * Every modem gets its own context and callbacks, is asked for the server
 * HOST:5683 and for registration, and gets three confirmable readings
 * queued at once: the session sends them in order once the server observes
 * /19/0/0. The program ends when every modem has a report for each of its
 * readings, or after five minutes.
 */
#ifndef _WIN32
#define _POSIX_C_SOURCE 200809L
#include <poll.h>
#endif
#include <stdio.h>

#include <qlwm2m/qlwm2m.h>

#define MODEMS_MAX   16
#define READINGS     3
#define RUN_MS       300000u
#define IDLE_WAIT_MS 1000

typedef struct modem {
    const char *port;
    int index;
    qlw_session *s;
    unsigned delivered;
    unsigned failed;
} modem;

static void on_state(void *ctx, qlw_state old, qlw_state st, qlw_cause cause)
{
    const modem *m = ctx;

    printf("%s: %s -> %s (%s)\n", m->port, qlw_state_str(old), qlw_state_str(st),
           qlw_cause_str(cause));
}

static void on_uplink(void *ctx, const qlw_uplink_report *r)
{
    modem *m = ctx;

    if (r->result == QLW_OK)
        m->delivered++;
    else
        m->failed++;
    printf("%s: reading %u %s (seq %d, %u attempt%s)\n", m->port, (unsigned)r->id,
           r->result == QLW_OK ? "delivered" : qlw_strerror(r->result), r->seq, r->attempts,
           r->attempts == 1 ? "" : "s");
}

static int start_modem(modem *m, const char *host)
{
    qlw_session_config cfg;
    char err[160];

    qlw_session_config_default(&cfg);
    cfg.on_state = on_state;
    cfg.on_uplink = on_uplink;
    cfg.ctx = m;
    if (qlw_open(&m->s, m->port, NULL, &cfg, err, sizeof(err)) != QLW_OK) {
        fprintf(stderr, "event_loop: %s\n", err);
        return -1;
    }
    /* Nothing is sent here: the requests are goals the loop below works towards. */
    if (qlw_request_cdp(m->s, host, 5683) != QLW_OK || qlw_request_register(m->s) != QLW_OK) {
        fprintf(stderr, "event_loop: %s: %s\n", m->port, qlw_errmsg(m->s));
        return -1;
    }
    for (int i = 0; i < READINGS; i++) {
        uint8_t reading[3] = {0x01, (uint8_t)m->index, (uint8_t)i};

        if (qlw_queue_uldata(m->s, reading, sizeof(reading), QLW_UL_CON, NULL) != QLW_OK) {
            fprintf(stderr, "event_loop: %s: %s\n", m->port, qlw_errmsg(m->s));
            return -1;
        }
    }
    return 0;
}

static bool all_reported(const modem *m, int n)
{
    for (int i = 0; i < n; i++) {
        if (m[i].s != NULL && m[i].delivered + m[i].failed < READINGS)
            return false;
    }
    return true;
}

/* qlw_process() returns at once when nothing is due, and it also runs the timers. */
static void service(modem *m, int n)
{
    for (int i = 0; i < n; i++) {
        if (m[i].s != NULL && qlw_process(m[i].s) != QLW_OK) {
            fprintf(stderr, "event_loop: %s: lost the port\n", m[i].port);
            qlw_close(m[i].s); /* reports its queued readings as failed */
            m[i].s = NULL;
        }
    }
}

#ifdef _WIN32
/* Windows has no descriptor to poll a COM port with: each session's transport
 * waits a short slice in turn (qlw_poll() also processes what came). */
#define WIN_SLICE_MS 20

static void run_once(modem *m, int n)
{
    for (int i = 0; i < n; i++) {
        int32_t due = m[i].s != NULL ? qlw_next_timeout_ms(m[i].s) : -1;
        uint32_t slice = due >= 0 && due < WIN_SLICE_MS ? (uint32_t)due : WIN_SLICE_MS;

        if (m[i].s != NULL)
            (void)qlw_poll(m[i].s, slice);
    }
    service(m, n);
}
#else
/* One round: sleep until a port has input or the earliest session is due, then let each work. */
static void run_once(modem *m, int n)
{
    struct pollfd pfd[MODEMS_MAX];
    int wait_ms = IDLE_WAIT_MS;

    for (int i = 0; i < n; i++) {
        int32_t due = m[i].s != NULL ? qlw_next_timeout_ms(m[i].s) : -1;

        pfd[i].fd = m[i].s != NULL ? qlw_fd(m[i].s) : -1; /* poll() skips negative fds */
        pfd[i].events = POLLIN;
        pfd[i].revents = 0;
        if (due >= 0 && due < wait_ms)
            wait_ms = (int)due;
    }
    poll(pfd, (nfds_t)n, wait_ms);
    service(m, n);
}
#endif

int main(int argc, char **argv)
{
    modem m[MODEMS_MAX] = {{0}};
    int n = argc - 2;
    uint32_t start = qlw_clock_system_ms(NULL);
    bool ok = true;

    if (argc < 3 || n > MODEMS_MAX) {
        fprintf(stderr, "usage: %s HOST PORT [PORT...] (at most %d ports)\n", argv[0], MODEMS_MAX);
        return 2;
    }
    for (int i = 0; i < n; i++) {
        m[i].port = argv[i + 2];
        m[i].index = i;
        if (start_modem(&m[i], argv[1]) != 0)
            ok = false;
    }
    while (ok && !all_reported(m, n) &&
           qlw_ms_diff(qlw_clock_system_ms(NULL), start) < (int32_t)RUN_MS)
        run_once(m, n);
    for (int i = 0; i < n; i++) {
        qlw_close(m[i].s);
        printf("%s: %u of %d readings delivered\n", m[i].port, m[i].delivered, READINGS);
        ok = ok && m[i].delivered == READINGS;
    }
    return ok ? 0 : 1;
}
