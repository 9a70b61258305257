/*
 * event_loop: several modems driven by one thread through one multi handle.
 *
 *   event_loop [--poll] HOST PORT [PORT...]
 *       e.g.  event_loop 198.51.100.1 /dev/serial/by-id/usb-A-if00 /dev/serial/by-id/usb-B-if00
 *
 * Every modem gets its own context and callbacks, is asked for the server
 * HOST:5683 and for registration, and gets three confirmable readings
 * queued at once: the session sends them in order once the server observes
 * /19/0/0. A port that goes away (a modem unplugged, or power-cycled) is
 * reopened by its session, which then sends what is still queued. The
 * program ends when every modem has a report for each of its readings, or
 * after five minutes. --poll waits with poll() instead of epoll.
 */
#include <stdio.h>
#include <string.h>

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
    qlw_session_stats stats;
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

    if (r->outcome == QLW_OUTCOME_DELIVERED)
        m->delivered++;
    else
        m->failed++;
    printf("%s: reading %u %s%s (seq %d, %u attempt%s)\n", m->port, (unsigned)r->id,
           qlw_outcome_str(r->outcome), r->possible_duplicate ? ", possible duplicate" : "", r->seq,
           r->attempts, r->attempts == 1 ? "" : "s");
}

/* Warnings and errors of every modem, each line with the modem's name. */
static void on_log(void *ctx, qlw_log_level level, const char *name, const char *text)
{
    (void)ctx;
    if (level <= QLW_LOG_WARNING)
        fprintf(stderr, "%s: %s: %s\n", name, qlw_log_level_str(level), text);
}

static int start_modem(modem *m, const char *host)
{
    qlw_session_config cfg;
    char err[160];

    qlw_session_config_default(&cfg);
    cfg.on_state = on_state;
    cfg.on_uplink = on_uplink;
    cfg.on_log = on_log;
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

        if (qlw_queue_uplink(m->s, reading, sizeof(reading), QLW_UPLINK_CON, NULL) != QLW_OK) {
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

int main(int argc, char **argv)
{
    modem m[MODEMS_MAX] = {{0}};
    qlw_multi_backend backend = QLW_MULTI_AUTO;
    uint32_t start = qlw_clock_system_ms(NULL);
    qlw_multi *multi;
    bool ok = true;
    int first = 1, n;

    if (argc > 1 && strcmp(argv[1], "--poll") == 0) {
        backend = QLW_MULTI_POLL;
        first = 2;
    }
    n = argc - first - 1;
    if (n < 1 || n > MODEMS_MAX) {
        fprintf(stderr, "usage: %s [--poll] HOST PORT [PORT...] (at most %d ports)\n", argv[0],
                MODEMS_MAX);
        return 2;
    }
    if (qlw_multi_open(&multi, MODEMS_MAX, backend) != QLW_OK) {
        fprintf(stderr, "event_loop: cannot create the multi handle\n");
        return 1;
    }
    for (int i = 0; i < n; i++) {
        m[i].port = argv[first + 1 + i];
        m[i].index = i;
        if (start_modem(&m[i], argv[first]) != 0 || qlw_multi_add(multi, m[i].s) != QLW_OK)
            ok = false;
    }
    /* One wait for every port and every session's timers; a lost port is the
     * session's business: it reopens by itself. */
    while (ok && !all_reported(m, n) &&
           qlw_ms_diff(qlw_clock_system_ms(NULL), start) < (int32_t)RUN_MS)
        qlw_multi_poll(multi, IDLE_WAIT_MS);
    for (int i = 0; i < n; i++) {
        qlw_get_stats(m[i].s, &m[i].stats);
        qlw_multi_remove(multi, m[i].s);
        qlw_close(m[i].s);
        printf("%s: %u of %d readings delivered (port lost %u times, reboots %u)\n", m[i].port,
               m[i].delivered, READINGS, (unsigned)m[i].stats.port_losses,
               (unsigned)m[i].stats.reboots);
        ok = ok && m[i].delivered == READINGS;
    }
    qlw_multi_close(multi);
    return ok ? 0 : 1;
}
