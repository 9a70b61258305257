/*
 * qlwm2m-gateway: drives every module of a gateway and bridges it to an
 * MQTT broker. One thread: one ppoll() over the MQTT socket and the multi
 * handle's descriptor (every module's port behind it), with the earliest
 * timer as its timeout.
 *
 * One turn of the loop:
 *   1. wait for input, a timer or a signal;
 *   2. open a transaction in the outbox;
 *   3. read the broker: each reading is stored (its PUBACK only queued);
 *   4. let the multi handle service the sessions whose port has input or
 *      whose timer is due: reports become results (recorded, their
 *      publication queued);
 *   5. hand each idle module its next reading (marked HANDED; its session
 *      paused, so that nothing reaches the module yet);
 *   6. commit: one fsync for everything above;
 *   7. resume the sessions fed in 5: the readings go to the modules;
 *   8. write to the broker: PUBACKs, results, state.
 * So a PUBACK never leaves before its reading is on the disk, and a
 * reading is never on the air before the outbox says it may be.
 */
#define _GNU_SOURCE /* ppoll() */
#include <errno.h>
#include <mosquitto.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gateway.h"

#define STATE_PERIOD_MS 5000u /* counters in the retained state: at most this often */
#define PRUNE_PERIOD_MS 60000u
#define DONE_DELAY_MS   1000u

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

uint32_t gw_now_ms(void)
{
    return qlw_clock_system_ms(NULL);
}

int64_t gw_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void gw_hex(char *out, const uint8_t *data, size_t len)
{
    static const char digits[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 15];
    }
    out[2 * len] = '\0';
}

void gw_crash_point(gw *g, const char *point)
{
    if (g->crash_point == NULL || strcmp(g->crash_point, point) != 0)
        return;
    if (--g->crash_after == 0) {
        gw_log(GW_WARN, NULL, "test hook: killing myself at '%s'", point);
        raise(SIGKILL);
    }
}

gw_modem *gw_find_modem(gw *g, const char *name)
{
    for (size_t i = 0; i < g->nmodems; i++) {
        if (!strcmp(g->modems[i].cfg->name, name))
            return &g->modems[i];
    }
    return NULL;
}

/* P/NAME/up or P/NAME/up/non -> NAME and the mode. */
static bool parse_topic(const gw *g, const char *topic, char *name, bool *con)
{
    size_t np = strlen(g->cfg.prefix);
    const char *rest, *slash;

    if (strncmp(topic, g->cfg.prefix, np) != 0 || topic[np] != '/')
        return false;
    rest = topic + np + 1;
    slash = strchr(rest, '/');
    if (slash == NULL || slash == rest || (size_t)(slash - rest) >= GW_NAME_MAX)
        return false;
    if (!strcmp(slash, "/up"))
        *con = true;
    else if (!strcmp(slash, "/up/non"))
        *con = false;
    else
        return false;
    memcpy(name, rest, (size_t)(slash - rest));
    name[slash - rest] = '\0';
    return true;
}

void gw_on_reading(gw *g, const char *topic, const uint8_t *data, size_t len, int mid)
{
    char name[GW_NAME_MAX];
    bool con, fresh;
    int64_t id;
    gw_modem *m;
    size_t keep = len > GW_PAYLOAD_MAX ? GW_PAYLOAD_MAX : len;

    if (!parse_topic(g, topic, name, &con)) {
        gw_log(GW_WARN, NULL, "ignored a message on %s (not a reading topic)", topic);
        return;
    }
    if (g->db_failed)
        return;
    if (outbox_put(g->ob, name, con, data, keep, mid, topic, &id, &fresh) != 0) {
        gw_log(GW_ERR, name, "outbox: %s", outbox_errmsg(g->ob));
        g->db_failed = true;
        return;
    }
    m = gw_find_modem(g, name);
    if (!fresh) {
        gw_log(GW_INFO, name, "message %d is a redelivery of reading %lld: kept once", mid,
               (long long)id);
        return;
    }
    g->stored_this_turn++;
    if (m == NULL) {
        gw_log(GW_WARN, name,
               "reading %lld for a module this gateway does not drive: kept in "
               "the outbox",
               (long long)id);
        return;
    }
    m->n.received++;
    m->queued++;
    m->state_dirty_counters = true;
    gw_log(GW_DEBUG, name, "reading %lld stored (%zu bytes, %s)", (long long)id, len,
           con ? "con" : "non");
    if (len == 0 || len > GW_PAYLOAD_MAX) {
        /* Nothing a module can send: its result says so at once. */
        gw_reading rd = {.id = id, .con = con, .len = keep, .received_ms = gw_wall_ms()};
        qlw_uplink_report r = {.outcome = QLW_OUTCOME_FAILED, .result = QLW_ERR_ARG, .cme = -1};
        snprintf(rd.modem, sizeof rd.modem, "%s", name);
        memcpy(rd.data, data, keep);
        m->queued--;
        if (outbox_set_state(g->ob, id, GW_R_HANDED) == 0)
            modem_resolve(m, &rd, "failed", false, 0, &r);
    }
}

/*
 * The broker has a result. Marking it DONE is not urgent (if the mark is
 * lost, the result is published again with the same id), so the marks wait
 * for a commit that happens anyway, or for a second: one fsync fewer per
 * reading.
 */
void gw_on_published(gw *g, int mid)
{
    if (mid <= 0 || mid > 65535 || g->mid_reading[mid] == 0)
        return;
    if (g->ndone == 65536) { /* not marked: published again at the next start */
        g->mid_reading[mid] = 0;
        return;
    }
    if (g->ndone == 0)
        g->done_since_ms = gw_now_ms();
    g->done[g->ndone++] = g->mid_reading[mid];
    g->mid_reading[mid] = 0;
}

static void mark_done(gw *g, bool force)
{
    if (g->ndone == 0 || (!force && !outbox_dirty(g->ob) && g->ndone < 65536 &&
                          !qlw_ms_reached(gw_now_ms(), g->done_since_ms + DONE_DELAY_MS)))
        return;
    for (size_t i = 0; i < g->ndone; i++) {
        if (outbox_set_state(g->ob, g->done[i], GW_R_DONE) != 0) {
            gw_log(GW_ERR, NULL, "outbox: %s", outbox_errmsg(g->ob));
            g->db_failed = true;
            return;
        }
    }
    g->ndone = 0;
}

void gw_publish_result(gw *g, int64_t id, const char *modem_name, const char *json)
{
    char topic[GW_TOPIC_MAX];
    int mid;

    if (!g->connected)
        return; /* stays RESOLVED: published when the broker is back */
    snprintf(topic, sizeof topic, "%s/%s/up/result", g->cfg.prefix, modem_name);
    mid = mqtt_publish(g, topic, json, strlen(json), false);
    if (mid > 0 && mid <= 65535)
        g->mid_reading[mid] = id;
}

static void republish(void *ctx, const gw_reading *r, const char *json)
{
    gw *g = ctx;

    for (int mid = 1; mid <= 65535; mid++) {
        if (g->mid_reading[mid] == r->id)
            return; /* libmosquitto still has it in flight and sends it again itself */
    }
    gw_publish_result(g, r->id, r->modem, json);
}

void gw_on_connected(gw *g, bool session_present)
{
    static const char online[] = "online";
    char topic[GW_TOPIC_MAX];

    gw_log(GW_INFO, NULL, "connected to %s:%d as %s (%s)", g->cfg.broker_host, g->cfg.broker_port,
           g->cfg.client_id,
           session_present ? "the broker kept our session" : "a new session at the broker");
    if (outbox_connection(g->ob, false) != 0) {
        gw_log(GW_ERR, NULL, "outbox: %s", outbox_errmsg(g->ob));
        g->db_failed = true;
        return;
    }
    for (size_t i = 0; i < g->nmodems; i++) {
        snprintf(topic, sizeof topic, "%s/%s/up", g->cfg.prefix, g->modems[i].cfg->name);
        mosquitto_subscribe(g->mosq, NULL, topic, 1);
        snprintf(topic, sizeof topic, "%s/%s/up/non", g->cfg.prefix, g->modems[i].cfg->name);
        mosquitto_subscribe(g->mosq, NULL, topic, 1);
        g->modems[i].state_dirty = true;
    }
    g->subscribed = true;
    mqtt_publish(g, g->status_topic, online, strlen(online), true);
    /* Results recorded but not acknowledged by the broker: again (same id). */
    if (outbox_each(g->ob, NULL, GW_R_RESOLVED, republish, g) != 0)
        g->db_failed = true;
    g->republished = true;
}

static gw G; /* large (the modules' records); one per process */

/* The descriptors to wait on: the broker's socket and the multi handle's. */
static nfds_t wait_set(gw *g, struct pollfd *pfd, int mqtt_fd, bool want_write)
{
    static int fds[GW_MODEMS_MAX];
    int mfd = qlw_multi_fd(g->multi);
    nfds_t n = 1;

    pfd[0].fd = mqtt_fd;
    pfd[0].events = (short)(POLLIN | (want_write ? POLLOUT : 0));
    pfd[0].revents = 0;
    if (mfd >= 0) {
        pfd[1].fd = mfd;
        pfd[1].events = POLLIN;
        pfd[1].revents = 0;
        return 2;
    }
    /* No epoll here: the sessions' own descriptors, as the handle lists them. */
    size_t k = qlw_multi_fds(g->multi, fds, GW_MODEMS_MAX);
    for (size_t i = 0; i < k; i++, n++) {
        pfd[n].fd = fds[i];
        pfd[n].events = POLLIN;
        pfd[n].revents = 0;
    }
    return n;
}

static int32_t min_wait(int32_t wait_ms, int32_t t)
{
    if (t < 0)
        return wait_ms;
    return t < wait_ms ? t : wait_ms;
}

static int run(gw *g)
{
    static struct pollfd pfd[GW_MODEMS_MAX + 1];
    sigset_t blocked, empty;
    uint32_t stop_deadline = 0, last_prune = gw_now_ms();
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGTERM);
    sigaddset(&blocked, SIGINT);
    sigprocmask(SIG_BLOCK, &blocked, NULL);
    sigemptyset(&empty);

    for (;;) {
        bool want_write = false;
        int mfd;
        int32_t wait_ms = (int32_t)mqtt_misc(g);
        struct timespec ts;
        nfds_t nfds;
        uint32_t now;
        int rc;

        if (g->ndone > 0) {
            int32_t d = qlw_ms_diff(g->done_since_ms + DONE_DELAY_MS, gw_now_ms());
            wait_ms = min_wait(wait_ms, d < 0 ? 0 : d);
        }
        if (g->stopping) {
            bool idle = true;
            for (size_t i = 0; i < g->nmodems; i++)
                idle = idle && modem_idle(&g->modems[i]);
            if (idle || qlw_ms_reached(gw_now_ms(), stop_deadline))
                break;
            wait_ms = min_wait(wait_ms, 200);
        }
        wait_ms = min_wait(wait_ms, qlw_multi_timeout_ms(g->multi));
        for (size_t i = 0; i < g->nmodems; i++) {
            gw_modem *m = &g->modems[i];
            wait_ms = min_wait(wait_ms, modem_open_timeout_ms(m));
            if (m->state_dirty_counters && !m->state_dirty && g->connected) {
                int32_t d = qlw_ms_diff(m->state_published_ms + STATE_PERIOD_MS, gw_now_ms());
                wait_ms = min_wait(wait_ms, d < 0 ? 0 : d);
            }
        }
        mfd = mqtt_fd(g, &want_write); /* mqtt_misc() may have (re)connected */
        nfds = wait_set(g, pfd, mfd, want_write);
        ts.tv_sec = wait_ms / 1000;
        ts.tv_nsec = (long)(wait_ms % 1000) * 1000000L;
        if (ppoll(pfd, nfds, &ts, &empty) < 0 && errno != EINTR) {
            gw_log(GW_ERR, NULL, "poll: %s", strerror(errno));
            return 1;
        }
        if (stop_signal && !g->stopping) {
            g->stopping = true;
            stop_deadline = gw_now_ms() + GW_SHUTDOWN_MS;
            for (size_t i = 0; i < g->nmodems; i++)
                modem_pause(&g->modems[i]);
            gw_log(GW_INFO, NULL, "%s: finishing the uplinks in flight, keeping the rest",
                   stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
        }

        g->stored_this_turn = 0;
        g->handed_this_turn = 0;
        g->resolved_this_turn = 0;
        if (outbox_begin(g->ob) != 0) {
            gw_log(GW_ERR, NULL, "outbox: %s", outbox_errmsg(g->ob));
            return 1;
        }
        if (mfd >= 0 && (pfd[0].revents & (POLLIN | POLLERR | POLLHUP)))
            mqtt_read(g);
        /* Every session with input or due; a lost port is the session's business. */
        rc = qlw_multi_process(g->multi);
        if (rc < 0)
            gw_log(GW_WARN, NULL, "multi handle: %s", qlw_strerror(rc));
        now = gw_now_ms();
        for (size_t i = 0; i < g->nmodems; i++) {
            modem_retry_open(&g->modems[i]);
            modem_feed(&g->modems[i]);
        }
        if (g->connected) {
            for (size_t i = 0; i < g->nmodems; i++) {
                gw_modem *m = &g->modems[i];
                bool period = qlw_ms_reached(now, m->state_published_ms + STATE_PERIOD_MS);
                if (m->state_dirty ||
                    (period && (m->state_dirty_counters || modem_stats_changed(m))))
                    modem_publish_state(m);
            }
        }
        if (qlw_ms_diff(now, last_prune) >= (int32_t)PRUNE_PERIOD_MS) {
            last_prune = now;
            if (outbox_prune(g->ob) != 0)
                g->db_failed = true;
        }
        mark_done(g, g->stopping);
        if (g->db_failed) {
            /* Nothing more leaves: unacknowledged messages come again from the broker. */
            gw_log(GW_ERR, NULL,
                   "the outbox cannot be written (%s): exiting without "
                   "acknowledging what it could not store",
                   outbox_errmsg(g->ob));
            return 1;
        }
        if (outbox_commit(g->ob) != 0) {
            gw_log(GW_ERR, NULL, "outbox commit: %s", outbox_errmsg(g->ob));
            return 1;
        }
        /* The test hook's windows: committed, nothing of it written anywhere yet. */
        for (unsigned i = 0; i < g->stored_this_turn; i++)
            gw_crash_point(g, "stored");
        for (unsigned i = 0; i < g->handed_this_turn; i++)
            gw_crash_point(g, "handed");
        for (unsigned i = 0; i < g->resolved_this_turn; i++)
            gw_crash_point(g, "resolved");
        /* HANDED is on the disk: the readings fed this turn may go to the modules. */
        for (size_t i = 0; i < g->nmodems; i++)
            modem_release(&g->modems[i]);
        mqtt_write(g);
    }
    return 0;
}

int main(int argc, char **argv)
{
    gw *g = &G;
    const char *crash = getenv("QLWM2M_GATEWAY_CRASH");
    char crash_point[32];
    int rc;

    rc = gw_config_parse(&g->cfg, argc, argv);
    if (rc == 1)
        return 0;
    if (rc != 0)
        return 2;
    gw_log_init(g->cfg.json, g->cfg.verbosity);
    if (crash != NULL && strchr(crash, ':') != NULL) {
        size_t n = (size_t)(strchr(crash, ':') - crash);
        if (n < sizeof crash_point) {
            memcpy(crash_point, crash, n);
            crash_point[n] = '\0';
            g->crash_point = crash_point;
            g->crash_after = strtol(strchr(crash, ':') + 1, NULL, 10);
        }
    }
    if (outbox_open(&g->ob, g->cfg.state_dir, g->cfg.redelivery_window) != 0) {
        gw_log(GW_ERR, NULL, "outbox in %s: %s", g->cfg.state_dir,
               g->ob ? outbox_errmsg(g->ob) : "out of memory");
        return 1;
    }
    if (mqtt_init(g) != 0)
        return 1;
    rc = qlw_multi_open(&g->multi, g->cfg.modems, QLW_MULTI_AUTO);
    if (rc != QLW_OK) {
        gw_log(GW_ERR, NULL, "multi handle: %s", qlw_strerror(rc));
        return 1;
    }
    gw_log(GW_INFO, NULL, "qlwm2m-gateway (qlwm2m %s): %zu module(s), broker %s:%d, state %s",
           qlw_version(), g->cfg.modems, g->cfg.broker_host, g->cfg.broker_port, g->cfg.state_dir);
    if (outbox_begin(g->ob) != 0)
        return 1;
    g->nmodems = g->cfg.modems;
    for (size_t i = 0; i < g->nmodems; i++) {
        gw_modem *m = &g->modems[i];
        m->g = g;
        m->cfg = &g->cfg.modem[i];
        modem_start(m);
    }
    if (g->db_failed || outbox_commit(g->ob) != 0) {
        gw_log(GW_ERR, NULL, "outbox: %s", outbox_errmsg(g->ob));
        return 1;
    }
    rc = run(g);
    if (rc == 0) {
        bool clean;
        outbox_begin(g->ob);
        for (size_t i = 0; i < g->nmodems; i++)
            modem_stop(&g->modems[i]);
        mark_done(g, true);
        if (g->db_failed || outbox_commit(g->ob) != 0) {
            gw_log(GW_ERR, NULL, "outbox: %s", outbox_errmsg(g->ob));
            return 1;
        }
        clean = mqtt_disconnect(g, 3000);
        /* Every PUBACK left before our DISCONNECT: nothing of this connection comes again. */
        if (clean)
            outbox_mark_clean(g->ob);
        gw_log(GW_INFO, NULL, "stopped%s", clean ? "" : " (the broker was not reachable)");
    }
    qlw_multi_close(g->multi);
    mqtt_free(g);
    outbox_close(g->ob);
    return rc;
}
