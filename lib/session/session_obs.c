/*
 * What the application can watch: the counters of qlw_get_stats(), the log
 * callback, and the optional signal poll that keeps the last AT+CSQ.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "quectel/neul_cmd.h"
#include "quectel/neul_internal.h"
#include "session/session_internal.h"

void qlw_s_obs_init(qlw_session *s)
{
    memset(&s->stats, 0, sizeof(s->stats));
    s->stats.time_to_ready_ms = -1;
    s->ready_timing = true;
    s->ready_from_ms = qlw_s_now(s);
    s->csq_at_ms = qlw_s_now(s) + s->cfg.signal_poll_ms;
}

#ifndef QLW_NO_TEXT
void qlw_s_log(qlw_session *s, qlw_log_level level, const char *fmt, ...)
{
    char line[256];
    va_list ap;

    if (s->cfg.on_log == NULL || level > s->cfg.log_level)
        return;
    va_start(ap, fmt);
    (void)vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    s->cfg.on_log(s->cfg.ctx, level, s->name, line);
}
#endif

void qlw_s_obs_state(qlw_session *s, qlw_state old_state, qlw_state st, qlw_cause cause)
{
    uint32_t now = qlw_s_now(s);

    if (st == QLW_STATE_STARTING && !s->ready_timing) {
        s->ready_timing = true; /* a reboot or a lost port: the way to READY starts again */
        s->ready_from_ms = now;
    }
    if (st == QLW_STATE_READY) {
        s->stats.readies++;
        if (s->ready_timing)
            s->stats.time_to_ready_ms = qlw_ms_diff(now, s->ready_from_ms);
        s->ready_timing = false;
    }
    /* Set up on the port that came back: the next loss starts from the shortest wait. */
    if (old_state == QLW_STATE_STARTING && !s->port_lost)
        s->reopen_delay_ms = s->cfg.reopen_min_ms;
    qlw_s_log(s, QLW_LOG_INFO, "state %s -> %s (%s)", qlw_state_str(old_state), qlw_state_str(st),
              qlw_cause_str(cause));
}

static qlw_log_level notice_level(qlw_notice kind)
{
    switch (kind) {
    case QLW_NOTICE_ERROR:
        return QLW_LOG_ERROR;
    case QLW_NOTICE_REBOOT:
    case QLW_NOTICE_URC_LOST:
    case QLW_NOTICE_RETRY:
    case QLW_NOTICE_DOWNLINK_LOST:
    case QLW_NOTICE_WARNING:
    case QLW_NOTICE_PORT_LOST:
        return QLW_LOG_WARNING;
    case QLW_NOTICE_PORT_BACK:
    case QLW_NOTICE_DIALECT:
        return QLW_LOG_INFO;
    default:
        return QLW_LOG_DEBUG;
    }
}

void qlw_s_obs_notice(qlw_session *s, qlw_notice kind, int value, const char *text)
{
    if (kind == QLW_NOTICE_REBOOT)
        s->stats.reboots++;
    qlw_s_log(s, notice_level(kind), "%s %d%s%s", qlw_notice_str(kind), value,
              text[0] != '\0' ? " " : "", text);
}

void qlw_s_obs_report(qlw_session *s, const qlw_uplink_report *rep)
{
    qlw_session_stats *st = &s->stats;

    switch (rep->outcome) {
    case QLW_OUTCOME_SENT:
        st->sent++;
        break;
    case QLW_OUTCOME_DELIVERED:
        st->delivered++;
        break;
    case QLW_OUTCOME_FAILED:
        st->failed++;
        break;
    case QLW_OUTCOME_UNKNOWN:
        st->unknown++;
        break;
    case QLW_OUTCOME_EXPIRED:
        st->expired++;
        break;
    default:
        break;
    }
    if (rep->attempts > 1)
        st->resends += rep->attempts - 1;
    if (rep->possible_duplicate)
        st->possible_duplicates++;
    qlw_s_log(
        s,
        rep->outcome == QLW_OUTCOME_FAILED || rep->outcome == QLW_OUTCOME_UNKNOWN ? QLW_LOG_ERROR
                                                                                  : QLW_LOG_INFO,
        "uplink %lu %s%s (%s, %zu bytes, %u attempt%s)", (unsigned long)rep->id,
        qlw_outcome_str(rep->outcome), rep->possible_duplicate ? ", possible duplicate" : "",
        qlw_uplink_mode_str(rep->mode), rep->len, rep->attempts, rep->attempts == 1 ? "" : "s");
}

/* ---------------------------------------------------------- getters */

const char *qlw_session_name(const qlw_session *s)
{
    return s != NULL ? s->name : "";
}

bool qlw_port_lost(const qlw_session *s)
{
    return s != NULL && s->port_lost;
}

int qlw_get_stats(const qlw_session *s, qlw_session_stats *out)
{
    if (s == NULL || out == NULL)
        return QLW_ERR_ARG;
    *out = s->stats;
    out->pending = (uint32_t)s->ulq.count;
    if (out->signal_rssi_dbm != 0)
        out->signal_age_ms = (uint32_t)qlw_ms_diff(qlw_s_now((qlw_session *)s), s->signal_ms);
    return QLW_OK;
}

/* ------------------------------------------------------ signal poll */

/* A procedure of the lowest priority: it runs only when nothing else is due
 * (the session's own commands never wait for it for long). */
bool qlw_s_signal_next(const qlw_session *s, uint32_t *at_ms)
{
    *at_ms = s->csq_at_ms;
    return s->cfg.signal_poll_ms > 0 && s->state >= QLW_STATE_ATTACHED && qlw_s_bc68(s);
}

bool qlw_s_signal_due(const qlw_session *s)
{
    uint32_t at_ms;

    return qlw_s_signal_next(s, &at_ms) && qlw_ms_reached(qlw_s_now((qlw_session *)s), at_ms);
}

int qlw_s_signal_step(qlw_session *s, const qlw_at_response *r)
{
    int dbm;

    if (s->step == 0)
        return qlw_s_issue_neul(s, 1, QLW_NEUL_CSQ);
    qlw_s_finish(s);
    s->csq_at_ms = qlw_s_now(s) + s->cfg.signal_poll_ms;
    /* 0 is "not known" (+CSQ:99): kept as no reading */
    if (qlw_s_ok(r) && r->line_count > 0 &&
        qlw_neul_parse_csq(r->lines[0], strlen(r->lines[0]), &dbm) == QLW_OK && dbm != 0) {
        s->stats.signal_rssi_dbm = dbm;
        s->signal_ms = qlw_s_now(s);
    }
    return 0;
}
