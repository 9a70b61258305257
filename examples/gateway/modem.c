/*
 * One qlwm2m session per module. The gateway hands the session one reading
 * at a time (the module sends one at a time anyway), so the outbox always
 * knows which reading a report belongs to and which one may be on the air.
 *
 * Until the library reopens lost ports itself (a session opened by path
 * that survives its port), the gateway closes a session whose port failed
 * and opens the path again with a back-off: only this module waits; the
 * loop goes on serving the others.
 */
#include <stdio.h>
#include <string.h>

#include "gateway.h"

static void state_changed(void *ctx, qlw_state old, qlw_state st, qlw_cause cause)
{
    gw_modem *m = ctx;

    gw_log(GW_INFO, m->cfg->name, "%s -> %s (%s)", qlw_state_str(old), qlw_state_str(st),
           qlw_cause_str(cause));
    m->state = st;
    m->cause = cause;
    if (cause == QLW_CAUSE_REBOOT)
        m->n.reboots++;
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

static void count_result(gw_modem *m, const char *result)
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
void modem_resolve(gw_modem *m, const gw_reading *rd, const char *result, bool dup,
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
    count_result(m, result);
    gw_log(GW_DEBUG, m->cfg->name, "reading %lld: %s", (long long)rd->id, result);
    g->resolved_this_turn++;
    gw_publish_result(g, rd->id, m->cfg->name, json);
}

static void uplink_reported(void *ctx, const qlw_uplink_report *r)
{
    gw_modem *m = ctx;
    gw *g = m->g;

    if (m->fed_id == 0 || r->id != m->fed_lib_id) {
        gw_log(GW_WARN, m->cfg->name, "a report for an uplink the gateway did not hand over");
        return;
    }
    if (m->closing && r->result == QLW_ERR_CANCELLED) {
        /* The session ends (port lost, shutdown) with this reading open.
         * Failed means it certainly never reached the server: back to the
         * queue as it was. Unknown means it may have: it stays HANDED and
         * goes again flagged when the module is back (at-most-once:
         * reported unknown then). */
        if (r->outcome == QLW_OUTCOME_FAILED) {
            if (outbox_set_state(g->ob, m->fed_id, GW_R_QUEUED) != 0)
                g->db_failed = true;
            m->queued++;
        }
        m->fed_id = 0;
        return;
    }
    modem_resolve(m, &m->fed, result_name(r), r->possible_duplicate || m->fed.possible_duplicate,
                  m->fed.attempts + r->attempts, r);
    if (r->attempts > 1)
        m->n.resends += r->attempts - 1;
    m->fed_id = 0;
    m->state_dirty_counters = true;
}

static void downlink(void *ctx, const uint8_t *data, size_t len)
{
    gw_modem *m = ctx;
    char topic[GW_TOPIC_MAX];

    m->n.downlinks++;
    snprintf(topic, sizeof topic, "%s/%s/down", m->g->cfg.prefix, m->cfg->name);
    mqtt_publish(m->g, topic, data, len, false);
}

static void notice(void *ctx, qlw_notice kind, int value, const char *text)
{
    gw_modem *m = ctx;
    gw_level level = kind == QLW_NOTICE_ERROR ? GW_WARN : GW_DEBUG;

    if (kind == QLW_NOTICE_CEREG)
        m->last_cereg = value;
    gw_log(level, m->cfg->name, "%s %d %s", qlw_notice_str(kind), value, text);
}

/* HANDED readings of this module after a crash or a lost port: by the policy. */
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

int modem_start(gw_modem *m)
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
    cfg.ctx = m;
    settle_handed(m);
    if (outbox_count(g->ob, m->cfg->name, GW_R_QUEUED, &m->queued) != 0)
        g->db_failed = true;
    rc = qlw_open(&m->s, m->cfg->port, NULL, &cfg, err, sizeof err);
    if (rc != QLW_OK) {
        m->s = NULL;
        if (!m->port_lost)
            gw_log(GW_WARN, m->cfg->name, "%s (trying again with a back-off)", err);
        m->port_lost = true;
        m->reopen_at_ms = gw_now_ms() + m->reopen_delay_ms;
        m->reopen_delay_ms =
            m->reopen_delay_ms * 2 > GW_REOPEN_MAX_MS ? GW_REOPEN_MAX_MS : m->reopen_delay_ms * 2;
        m->state_dirty = true;
        return -1;
    }
    if (m->port_lost)
        gw_log(GW_INFO, m->cfg->name, "port %s is back", m->cfg->port);
    m->port_lost = false;
    m->reopen_delay_ms = GW_REOPEN_MIN_MS;
    m->state = QLW_STATE_STARTING;
    m->cause = QLW_CAUSE_NONE;
    if (g->cfg.cdp_host[0] != '\0')
        qlw_request_cdp(m->s, g->cfg.cdp_host, (uint16_t)g->cfg.cdp_port);
    if (g->cfg.apn[0] != '\0') {
        qlw_attach_opts opts = {.apn = g->cfg.apn, .cid = 1, .band = 0};
        qlw_request_attach(m->s, &opts);
    }
    qlw_request_register(m->s);
    m->kick = true;
    m->state_dirty = true;
    return 0;
}

void modem_stop(gw_modem *m)
{
    if (m->s == NULL)
        return;
    m->closing = true;
    qlw_close(m->s);
    m->closing = false;
    m->s = NULL;
}

static void port_lost(gw_modem *m, int rc)
{
    gw_log(GW_WARN, m->cfg->name, "port %s lost (%s): %s; reopening with a back-off", m->cfg->port,
           qlw_err_str(rc), qlw_errmsg(m->s));
    modem_stop(m);
    m->n.port_losses++;
    m->port_lost = true;
    m->reopen_delay_ms = GW_REOPEN_MIN_MS;
    m->reopen_at_ms = gw_now_ms() + m->reopen_delay_ms;
    m->state_dirty = true;
}

void modem_service(gw_modem *m, short revents)
{
    int rc;

    (void)revents;
    if (m->s == NULL) {
        if (!m->g->stopping && qlw_ms_reached(gw_now_ms(), m->reopen_at_ms))
            modem_start(m);
        return;
    }
    m->kick = false;
    rc = qlw_process(m->s);
    if (rc != QLW_OK)
        port_lost(m, rc);
}

bool modem_idle(const gw_modem *m)
{
    /* Paused: nothing new goes to the module; wait for the one on the air. */
    return m->s == NULL || qlw_uplinks_in_flight(m->s) == 0;
}

void modem_pause(gw_modem *m)
{
    if (m->s != NULL)
        qlw_pause(m->s);
}

void modem_feed(gw_modem *m)
{
    gw *g = m->g;
    uint32_t lib_id = 0;
    int rc;

    if (m->s == NULL || m->fed_id != 0 || m->queued <= 0 || g->stopping || g->db_failed)
        return;
    rc = outbox_next(g->ob, m->cfg->name, &m->fed);
    if (rc <= 0) {
        if (rc < 0)
            g->db_failed = true;
        m->queued = 0;
        return;
    }
    m->queued--;
    /* HANDED is written in this turn's transaction, committed before the
     * session writes anything to the module (the session only queues now). */
    if (outbox_set_state(g->ob, m->fed.id, GW_R_HANDED) != 0) {
        g->db_failed = true;
        return;
    }
    rc = qlw_queue_uldata(m->s, m->fed.data, m->fed.len, m->fed.con ? QLW_UL_CON : QLW_UL_NON,
                          &lib_id);
    if (rc != QLW_OK) {
        gw_log(GW_WARN, m->cfg->name, "reading %lld refused by the session: %s",
               (long long)m->fed.id, qlw_strerror(rc));
        if (rc == QLW_ERR_QUEUE_FULL) {
            outbox_set_state(g->ob, m->fed.id, GW_R_QUEUED);
            m->queued++;
            return;
        }
        /* Refused for good (an LTE module has no uplink command): failed. */
        qlw_uplink_report r = {.id = 0, .outcome = QLW_OUTCOME_FAILED, .result = rc, .cme = -1};
        modem_resolve(m, &m->fed, "failed", m->fed.possible_duplicate, m->fed.attempts, &r);
        return;
    }
    m->fed_id = m->fed.id;
    m->fed_lib_id = lib_id;
    m->kick = true;
    g->handed_this_turn++;
}

int modem_fd(gw_modem *m)
{
    return m->s ? qlw_fd(m->s) : -1;
}

int32_t modem_timeout_ms(gw_modem *m)
{
    if (m->kick)
        return 0;
    if (m->s == NULL) {
        if (m->g->stopping)
            return -1;
        int32_t d = qlw_ms_diff(m->reopen_at_ms, gw_now_ms());
        return d < 0 ? 0 : d;
    }
    return qlw_next_timeout_ms(m->s);
}

void modem_publish_state(gw_modem *m)
{
    char topic[GW_TOPIC_MAX], json[1024];
    long queued = m->queued;
    gw *g = m->g;

    snprintf(topic, sizeof topic, "%s/%s/state", g->cfg.prefix, m->cfg->name);
    snprintf(json, sizeof json,
             "{\"modem\":\"%s\",\"state\":\"%s\",\"cause\":\"%s\",\"port\":\"%s\","
             "\"port_path\":\"%s\",\"signal\":null,\"queued\":%ld,\"in_flight\":%d,"
             "\"counters\":{\"received\":%lu,\"delivered\":%lu,\"sent\":%lu,\"failed\":%lu,"
             "\"unknown\":%lu,\"expired\":%lu,\"resends\":%lu,\"reboots\":%lu,"
             "\"port_losses\":%lu,\"downlinks\":%lu}}",
             m->cfg->name, m->s ? qlw_state_str(m->state) : "port_lost", qlw_cause_str(m->cause),
             m->s ? "open" : "lost", m->cfg->port, queued, m->fed_id != 0, m->n.received,
             m->n.delivered, m->n.sent, m->n.failed, m->n.unknown, m->n.expired, m->n.resends,
             m->n.reboots, m->n.port_losses, m->n.downlinks);
    mqtt_publish(g, topic, json, strlen(json), true);
    m->state_dirty = false;
    m->state_dirty_counters = false;
    m->state_published_ms = gw_now_ms();
}
