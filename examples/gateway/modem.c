/*
 * One qlwm2m session per module, all of them in one multi handle (main.c).
 * The gateway hands the session one reading at a time (the module sends one
 * at a time anyway), so the outbox always knows which reading a report
 * belongs to and which one may be on the air.
 *
 * What the library does here, and the gateway no longer does itself:
 * - a lost port: the session (opened by path with qlw_open()) keeps its
 *   queue and the reading it was given, reopens the same path with a
 *   back-off and hands the reading over again flagged possible_duplicate
 *   (or reports it unknown under at-most-once); the gateway only logs the
 *   notices and shows the port in the retained state;
 * - the payload: once handed over, the session's queue holds it; the
 *   gateway keeps only the reading's id and reads the payload back from the
 *   outbox for the result's "hex" when the report comes;
 * - counters and the signal (qlw_get_stats()), the log lines (on_log).
 *
 * What is left: qlw_open() needs the port to exist, so a module whose port
 * is missing when the gateway starts has no session yet; modem_try_open()
 * tries again with a back-off until it appears. From then on the session
 * is never closed before the gateway stops.
 */
#include <stdio.h>
#include <string.h>

#include "gateway.h"

static void state_changed(void *ctx, qlw_state old, qlw_state st, qlw_cause cause)
{
    gw_modem *m = ctx;

    (void)old;
    m->state = st;
    m->cause = cause;
    m->state_dirty = true;
}

static const char *result_name(const qlw_uplink_report *r)
{
    switch (r->outcome) {
    case QLW_OUTCOME_SENT:
        return "sent";
    case QLW_OUTCOME_DELIVERED:
        return "delivered";
    case QLW_OUTCOME_UNKNOWN:
        return "unknown";
    case QLW_OUTCOME_EXPIRED:
        return "expired";
    case QLW_OUTCOME_FAILED:
        break;
    }
    return "failed";
}

/* Results the gateway gives without the session (counted beside the session's). */
static void count_own_result(gw_modem *m, const char *result)
{
    if (!strcmp(result, "delivered"))
        m->n.delivered++;
    else if (!strcmp(result, "sent"))
        m->n.sent++;
    else if (!strcmp(result, "unknown"))
        m->n.unknown++;
    else if (!strcmp(result, "expired"))
        m->n.expired++;
    else
        m->n.failed++;
}

/* The result document: what the contract names, and a few details. */
static void result_json(char *out, size_t size, const gw_reading *rd, const char *result, bool dup,
                        unsigned attempts, const qlw_uplink_report *r)
{
    char hex[2 * GW_PAYLOAD_MAX + 1];
    int n;

    gw_hex(hex, rd->data, rd->len);
    n = snprintf(out, size,
                 "{\"id\":%lld,\"modem\":\"%s\",\"hex\":\"%s\",\"result\":\"%s\","
                 "\"possible_duplicate\":%s,\"attempts\":%u,\"mode\":\"%s\"",
                 (long long)rd->id, rd->modem, hex, result, dup ? "true" : "false", attempts,
                 rd->con ? "con" : "non");
    if (r != NULL && n > 0 && (size_t)n < size) {
        n += snprintf(out + n, size - (size_t)n, ",\"seq\":%d", r->seq);
        if (r->result != QLW_OK && (size_t)n < size)
            n += snprintf(out + n, size - (size_t)n, ",\"error\":\"%s\"", qlw_err_str(r->result));
        if (r->cme >= 0 && (size_t)n < size)
            n += snprintf(out + n, size - (size_t)n, ",\"cme\":%d", r->cme);
    }
    if (n > 0 && (size_t)n < size)
        n += snprintf(out + n, size - (size_t)n, ",\"received_ms\":%lld,\"reported_ms\":%lld}",
                      (long long)rd->received_ms, (long long)gw_wall_ms());
}

/* Resolves a reading for good: recorded, then published (the PUBACK marks it done). */
static void resolve(gw_modem *m, const gw_reading *rd, const char *result, bool dup,
                    unsigned attempts, const qlw_uplink_report *r)
{
    char json[2 * GW_PAYLOAD_MAX + 512];
    gw *g = m->g;

    result_json(json, sizeof json, rd, result, dup, attempts, r);
    if (outbox_resolve(g->ob, rd->id, json) != 0) {
        gw_log(GW_ERR, m->cfg->name, "outbox: %s", outbox_errmsg(g->ob));
        g->db_failed = true;
        return;
    }
    gw_log(GW_DEBUG, m->cfg->name, "reading %lld: %s", (long long)rd->id, result);
    g->resolved_this_turn++;
    m->state_dirty_counters = true;
    gw_publish_result(g, rd->id, m->cfg->name, json);
}

void modem_resolve(gw_modem *m, const gw_reading *rd, const char *result, bool dup,
                   unsigned attempts, const qlw_uplink_report *r)
{
    resolve(m, rd, result, dup, attempts, r);
    if (!m->g->db_failed)
        count_own_result(m, result);
}

static void uplink_reported(void *ctx, const qlw_uplink_report *r)
{
    gw_modem *m = ctx;
    gw *g = m->g;
    gw_reading rd;

    if (m->fed_id == 0 || r->id != m->fed_lib_id) {
        gw_log(GW_WARN, m->cfg->name, "a report for an uplink the gateway did not hand over");
        return;
    }
    if (m->closing && (r->outcome == QLW_OUTCOME_UNKNOWN || r->result == QLW_ERR_CANCELLED)) {
        /* The gateway stops with this reading open. Failed here means it
         * was never handed to the module: back to the queue as it was.
         * Unknown means it may have reached the module: it stays HANDED and
         * the next start settles it by the policy. */
        if (r->outcome == QLW_OUTCOME_FAILED) {
            if (outbox_set_state(g->ob, m->fed_id, GW_R_QUEUED) != 0)
                g->db_failed = true;
            m->queued++;
        }
        m->fed_id = 0;
        return;
    }
    /* The payload is the session's until now; the outbox has it too. */
    if (outbox_get(g->ob, m->fed_id, &rd) != 1) {
        gw_log(GW_ERR, m->cfg->name, "outbox: reading %lld: %s", (long long)m->fed_id,
               outbox_errmsg(g->ob));
        g->db_failed = true;
        return;
    }
    resolve(m, &rd, result_name(r), r->possible_duplicate || rd.possible_duplicate,
            rd.attempts + r->attempts, r);
    m->fed_id = 0;
}

static void downlink(void *ctx, const uint8_t *data, size_t len)
{
    gw_modem *m = ctx;
    char topic[GW_TOPIC_MAX];

    m->n.downlinks++;
    snprintf(topic, sizeof topic, "%s/%s/down", m->g->cfg.prefix, m->cfg->name);
    mqtt_publish(m->g, topic, data, len, false);
}

/* The port's comings and goings, for the retained state; the log lines come from on_log. */
static void notice(void *ctx, qlw_notice kind, int value, const char *text)
{
    gw_modem *m = ctx;

    (void)value;
    if (kind == QLW_NOTICE_PORT_LOST) {
        gw_log(GW_WARN, m->cfg->name, "port %s lost (%s); the session reopens it", text,
               qlw_err_str(value));
        m->state_dirty = true;
    } else if (kind == QLW_NOTICE_PORT_BACK) {
        gw_log(GW_INFO, m->cfg->name, "port %s is back", text);
        m->state_dirty = true;
    }
}

static void session_log(void *ctx, qlw_log_level level, const char *name, const char *text)
{
    static const gw_level map[] = {GW_ERR, GW_WARN, GW_INFO, GW_DEBUG};

    (void)ctx;
    gw_log((unsigned)level < 4 ? map[level] : GW_DEBUG, name, "%s", text);
}

/* HANDED readings of this module after a crash or a kill: by the policy. */
static void settle_handed(gw_modem *m)
{
    gw *g = m->g;
    int n = 0;

    if (g->cfg.delivery == QLW_DELIVERY_AT_MOST_ONCE) {
        gw_reading rd;
        while (outbox_first_handed(g->ob, m->cfg->name, &rd) == 1) {
            modem_resolve(m, &rd, "unknown", rd.possible_duplicate, rd.attempts + 1, NULL);
            if (g->db_failed)
                return;
        }
        return;
    }
    if (outbox_requeue_handed(g->ob, m->cfg->name, &n) != 0) {
        g->db_failed = true;
        return;
    }
    if (n > 0)
        gw_log(GW_INFO, m->cfg->name,
               "%d reading(s) may have reached the module before the interruption: they go "
               "again, flagged possible_duplicate",
               n);
}

/* Opens the session; while the port does not exist yet, again with a back-off. */
static int try_open(gw_modem *m)
{
    qlw_session_config cfg;
    char err[200];
    gw *g = m->g;
    int rc;

    qlw_session_config_default(&cfg);
    cfg.delivery = g->cfg.delivery;
    cfg.on_state = state_changed;
    cfg.on_uplink = uplink_reported;
    cfg.on_downlink = downlink;
    cfg.on_notice = notice;
    cfg.on_log = session_log;
    cfg.log_level = g->cfg.verbosity > 0 ? QLW_LOG_DEBUG : QLW_LOG_INFO;
    cfg.name = m->cfg->name;
    cfg.ctx = m;
    cfg.reopen_min_ms = GW_REOPEN_MIN_MS;
    cfg.reopen_max_ms = GW_REOPEN_MAX_MS;
    cfg.signal_poll_ms = g->cfg.signal_poll_s * 1000u;
    rc = qlw_open(&m->s, m->cfg->port, NULL, &cfg, err, sizeof err);
    if (rc != QLW_OK) {
        m->s = NULL;
        if (m->open_tries++ == 0)
            gw_log(GW_WARN, m->cfg->name, "%s (trying again with a back-off)", err);
        m->open_at_ms = gw_now_ms() + m->open_delay_ms;
        m->open_delay_ms =
            m->open_delay_ms * 2 > GW_REOPEN_MAX_MS ? GW_REOPEN_MAX_MS : m->open_delay_ms * 2;
        return -1;
    }
    if (m->open_tries > 0)
        gw_log(GW_INFO, m->cfg->name, "port %s is back", m->cfg->port);
    rc = qlw_multi_add(g->multi, m->s);
    if (rc != QLW_OK) {
        gw_log(GW_ERR, m->cfg->name, "multi handle: %s", qlw_strerror(rc));
        qlw_close(m->s);
        m->s = NULL;
        return -1;
    }
    m->state = QLW_STATE_STARTING;
    m->cause = QLW_CAUSE_NONE;
    if (g->cfg.cdp_host[0] != '\0')
        qlw_request_cdp(m->s, g->cfg.cdp_host, (uint16_t)g->cfg.cdp_port);
    if (g->cfg.apn[0] != '\0') {
        qlw_attach_opts opts = {.apn = g->cfg.apn, .cid = 1, .band = 0};
        qlw_request_attach(m->s, &opts);
    }
    qlw_request_register(m->s);
    m->state_dirty = true;
    return 0;
}

int modem_start(gw_modem *m)
{
    gw *g = m->g;

    m->open_delay_ms = GW_REOPEN_MIN_MS;
    settle_handed(m);
    if (outbox_count(g->ob, m->cfg->name, GW_R_QUEUED, &m->queued) != 0)
        g->db_failed = true;
    return try_open(m);
}

void modem_retry_open(gw_modem *m)
{
    if (m->s == NULL && !m->g->stopping && qlw_ms_reached(gw_now_ms(), m->open_at_ms))
        try_open(m);
}

int32_t modem_open_timeout_ms(const gw_modem *m)
{
    int32_t d;

    if (m->s != NULL || m->g->stopping)
        return -1;
    d = qlw_ms_diff(m->open_at_ms, gw_now_ms());
    return d < 0 ? 0 : d;
}

void modem_stop(gw_modem *m)
{
    if (m->s == NULL)
        return;
    qlw_multi_remove(m->g->multi, m->s);
    m->closing = true;
    qlw_close(m->s);
    m->closing = false;
    m->s = NULL;
}

bool modem_idle(const gw_modem *m)
{
    /* Paused: nothing new goes to the module; wait for the one on the air.
     * A lost port has nothing on the air that waiting could settle. */
    return m->s == NULL || qlw_port_lost(m->s) || qlw_uplinks_in_flight(m->s) == 0;
}

void modem_pause(gw_modem *m)
{
    if (m->s != NULL)
        qlw_pause(m->s);
}

/* Ms left of the reading's deadline (counted from its arrival), or 0 = none. */
static int64_t deadline_left_ms(const gw *g, const gw_reading *rd)
{
    if (g->cfg.deadline_s == 0)
        return 0;
    return (int64_t)g->cfg.deadline_s * 1000 - (gw_wall_ms() - rd->received_ms);
}

void modem_feed(gw_modem *m)
{
    gw *g = m->g;
    gw_reading rd; /* read from the outbox, copied once into the session's queue */

    while (m->s != NULL && m->fed_id == 0 && m->queued > 0 && !g->stopping && !g->db_failed) {
        qlw_uplink_opts opts = {.mode = QLW_UPLINK_NON, .deadline_ms = 0};
        uint32_t lib_id = 0;
        int64_t left;
        int rc = outbox_next(g->ob, m->cfg->name, &rd);

        if (rc <= 0) {
            if (rc < 0)
                g->db_failed = true;
            m->queued = 0;
            return;
        }
        m->queued--;
        /* HANDED is written in this turn's transaction, committed before the
         * session writes anything to the module (the session only queues now). */
        if (outbox_set_state(g->ob, rd.id, GW_R_HANDED) != 0) {
            g->db_failed = true;
            return;
        }
        left = deadline_left_ms(g, &rd);
        if (left < 0 || (g->cfg.deadline_s > 0 && left == 0)) {
            /* Its deadline passed while it waited in the outbox: never sent. */
            qlw_uplink_report r = {
                .outcome = QLW_OUTCOME_EXPIRED, .result = QLW_ERR_TIMEOUT, .cme = -1};
            modem_resolve(m, &rd, "expired", rd.possible_duplicate, rd.attempts, &r);
            continue;
        }
        opts.mode = rd.con ? QLW_UPLINK_CON : QLW_UPLINK_NON;
        /* Without a store the session may write the command from inside
         * the queueing call; paused, it only queues, and modem_release()
         * lets it go once HANDED is committed. */
        qlw_pause(m->s);
        m->release = true;
        opts.deadline_ms = (uint32_t)(left > INT32_MAX ? INT32_MAX : left);
        rc = qlw_queue_uplink_opts(m->s, rd.data, rd.len, &opts, &lib_id);
        if (rc != QLW_OK) {
            gw_log(GW_WARN, m->cfg->name, "reading %lld refused by the session: %s",
                   (long long)rd.id, qlw_strerror(rc));
            if (rc == QLW_ERR_QUEUE_FULL) {
                outbox_set_state(g->ob, rd.id, GW_R_QUEUED);
                m->queued++;
                return;
            }
            /* Refused for good (an LTE module has no uplink command): failed. */
            qlw_uplink_report r = {.id = 0, .outcome = QLW_OUTCOME_FAILED, .result = rc, .cme = -1};
            modem_resolve(m, &rd, "failed", rd.possible_duplicate, rd.attempts, &r);
            continue;
        }
        m->fed_id = rd.id;
        m->fed_lib_id = lib_id;
        g->handed_this_turn++;
        gw_crash_point(g, "fed"); /* HANDED not committed: nothing may have reached the module */
    }
}

void modem_release(gw_modem *m)
{
    if (!m->release)
        return;
    m->release = false;
    if (m->s != NULL && !m->g->stopping)
        qlw_resume(m->s);
}

void modem_publish_state(gw_modem *m)
{
    char topic[GW_TOPIC_MAX], json[1536], signal[48];
    qlw_session_stats st;
    gw *g = m->g;
    bool lost = m->s == NULL || qlw_port_lost(m->s);

    memset(&st, 0, sizeof st);
    st.time_to_ready_ms = -1;
    if (m->s != NULL)
        qlw_get_stats(m->s, &st);
    if (st.signal_rssi_dbm != 0)
        snprintf(signal, sizeof signal, "{\"rssi_dbm\":%d,\"age_ms\":%lu}", st.signal_rssi_dbm,
                 (unsigned long)st.signal_age_ms);
    else
        snprintf(signal, sizeof signal, "null");
    snprintf(topic, sizeof topic, "%s/%s/state", g->cfg.prefix, m->cfg->name);
    /* Results are the session's reports plus those the gateway gave itself
     * (a bad length, a deadline passed in the outbox, at-most-once after a crash). */
    snprintf(json, sizeof json,
             "{\"modem\":\"%s\",\"state\":\"%s\",\"cause\":\"%s\",\"port\":\"%s\","
             "\"port_path\":\"%s\",\"signal\":%s,\"queued\":%ld,\"in_flight\":%d,"
             "\"counters\":{\"received\":%lu,\"delivered\":%lu,\"sent\":%lu,\"failed\":%lu,"
             "\"unknown\":%lu,\"expired\":%lu,\"resends\":%lu,\"possible_duplicates\":%lu,"
             "\"reboots\":%lu,\"port_losses\":%lu,\"port_reopens\":%lu,\"readies\":%lu,"
             "\"time_to_ready_ms\":%ld,\"downlinks\":%lu}}",
             m->cfg->name, m->s == NULL ? "port_lost" : qlw_state_str(m->state),
             qlw_cause_str(m->cause), lost ? "lost" : "open", m->cfg->port, signal, m->queued,
             m->fed_id != 0, m->n.received, m->n.delivered + st.delivered, m->n.sent + st.sent,
             m->n.failed + st.failed, m->n.unknown + st.unknown, m->n.expired + st.expired,
             (unsigned long)st.resends, (unsigned long)st.possible_duplicates,
             (unsigned long)st.reboots, (unsigned long)st.port_losses,
             (unsigned long)st.port_reopens, (unsigned long)st.readies, (long)st.time_to_ready_ms,
             m->n.downlinks);
    mqtt_publish(g, topic, json, strlen(json), true);
    m->published = st;
    m->state_dirty = false;
    m->state_dirty_counters = false;
    m->state_published_ms = gw_now_ms();
}

bool modem_stats_changed(gw_modem *m)
{
    qlw_session_stats st;

    if (m->s == NULL || qlw_get_stats(m->s, &st) != QLW_OK)
        return false;
    /* Ages move all the time: only a new reading of the signal counts. */
    st.signal_age_ms = m->published.signal_age_ms;
    return memcmp(&st, &m->published, sizeof st) != 0;
}
