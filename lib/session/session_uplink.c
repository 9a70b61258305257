/*
 * Uplinks of the BC68 family: one at a time, each to exactly one report that
 * claims only what the module said (session.h, "Uplinks and their reports").
 *
 * The head of the queue moves through phases: its command in flight; then,
 * accepted, waiting for +NSMI (NON) or +QLWULDATASTATUS (CON); or, when the
 * outcome of the command is unknown, asking AT+QLWULDATASTATUS?. Every way
 * out of a phase is one of four verdicts:
 *   left       the module says it left / the server acknowledged it: report;
 *   not gone   the module says it did not leave: hand it over again, up to
 *              max_resends, then report it failed;
 *   uncertain  nobody can say: hand it over again flagged (at-least-once) or
 *              report it unknown (at-most-once);
 *   not ready  refused before anything happened: keep it queued.
 */
#include <string.h>

#include "quectel/neul_cmd.h"
#include "session/session_internal.h"

static bool is_con(qlw_uplink_mode m)
{
    return m == QLW_UPLINK_CON || m == QLW_UPLINK_CON_RELEASE;
}

/* The mode field of AT+QLWULDATAEX, printed as 0x%04X. */
static unsigned ex_mode(qlw_uplink_mode m)
{
    static const uint16_t modes[] = {
        [QLW_UPLINK_NON] = 0x0000,
        [QLW_UPLINK_NON_RELEASE] = 0x0001,
        [QLW_UPLINK_NON_RELEASE_AFTER_REPLY] = 0x0010,
        [QLW_UPLINK_CON] = 0x0100,
        [QLW_UPLINK_CON_RELEASE] = 0x0101,
    };

    return (unsigned)m < sizeof(modes) / sizeof(modes[0]) ? modes[m] : 0;
}

/* -------------------------------------------------------------- reports */

void qlw_s_report_head(qlw_session *s, qlw_outcome outcome, int result, int cme)
{
    qlw_s_report_at(s, 0, outcome, result, cme);
}

void qlw_s_report_at(qlw_session *s, size_t i, qlw_outcome outcome, int result, int cme)
{
    qlw_ul *ul;
    qlw_uplink_report rep;

    if (i >= s->ulq.count)
        return;
    ul = qlw_ulq_at(&s->ulq, i);
    rep = (qlw_uplink_report){.id = ul->id,
                              .mode = ul->mode,
                              .outcome = outcome,
                              .possible_duplicate = ul->resent,
                              .seq = is_con(ul->mode) ? ul->seq : 0,
                              .result = result,
                              .status = ul->status,
                              .cme = cme,
                              .attempts = ul->attempts,
                              .len = ul->len};
    qlw_ulq_remove(&s->ulq, i);
    if (i == 0) { /* the others were never handed over: no phase of theirs */
        s->ul_phase = QLW_UPLINK_IDLE;
        s->ul_news = QLW_UPLINK_NEWS_NONE;
        s->ul_extended = false;
    }
    /* With AT+NNMI=0 downlinks are never announced; a PSM server sends them
     * after an uplink, so look then. */
    if (s->cfg.setup.nnmi == 0 && result == QLW_OK)
        s->dl_pending = true;
    if (rep.id == s->watch_id) {
        s->watch_report = rep;
        s->watch_done = true;
    }
    qlw_s_obs_report(s, &rep);
    qlw_s_deliver(s, &rep); /* the callback, inside the store's removal */
}

void qlw_s_report_head_final(qlw_session *s, int result)
{
    qlw_ul *ul = qlw_ulq_head(&s->ulq);

    if (ul == NULL)
        return;
    /* Handed over and not resolved: it may be at the server. */
    if (ul->handed && (ul->uncertain || s->ul_phase != QLW_UPLINK_IDLE))
        qlw_s_report_head(s, QLW_OUTCOME_UNKNOWN, result, -1);
    else
        qlw_s_report_head(s, QLW_OUTCOME_FAILED, result, -1);
}

/* ------------------------------------------------------------- verdicts */

static void left(qlw_session *s, qlw_ul *ul)
{
    qlw_s_report_head(s, is_con(ul->mode) ? QLW_OUTCOME_DELIVERED : QLW_OUTCOME_SENT, QLW_OK, -1);
}

/* The module says this handover did not reach the server. */
static void not_gone(qlw_session *s, qlw_ul *ul, int err, int cme)
{
    s->ul_phase = QLW_UPLINK_IDLE;
    s->ul_news = QLW_UPLINK_NEWS_NONE;
    if (ul->attempts > s->cfg.max_resends)
        qlw_s_report_head(s, ul->uncertain ? QLW_OUTCOME_UNKNOWN : QLW_OUTCOME_FAILED, err, cme);
    /* else it stays at the head and goes again: no duplicate from this attempt */
}

bool qlw_s_uplink_unwritten(qlw_session *s, qlw_ul *ul, const qlw_at_response *r)
{
    if (qlw_at_written(s->at))
        return false;
    /* The command never left whole (the engine was still resynchronising,
     * or qlw_pause() took it back): the module has nothing of it. A pause
     * costs no attempt; a module that does not answer the probe does. */
    if (r->result == QLW_AT_RESULT_CANCELLED)
        ul->attempts--;
    not_gone(s, ul, qlw_at_result_err(r->result), -1);
    return true;
}

/* This handover may or may not have reached the server (both dialect
 * families judge their uplinks with it). */
void qlw_s_uplink_uncertain(qlw_session *s, qlw_ul *ul, int err)
{
    s->ul_phase = QLW_UPLINK_IDLE;
    s->ul_news = QLW_UPLINK_NEWS_NONE;
    ul->uncertain = true;
    if (s->cfg.delivery == QLW_DELIVERY_AT_MOST_ONCE || ul->attempts > s->cfg.max_resends)
        qlw_s_report_head(s, QLW_OUTCOME_UNKNOWN, err, -1);
    /* at-least-once: it goes again, and its report will say possible_duplicate */
}

/* The command was accepted: wait for what says the message left. */
static void accepted(qlw_session *s, qlw_ul *ul)
{
    if (is_con(ul->mode)) {
        s->ul_phase = QLW_UPLINK_WAIT_STATUS;
        s->ul_deadline_ms = qlw_s_now(s) + s->cfg.con_ack_timeout_ms;
    } else if (s->nsmi_on) {
        s->ul_phase = QLW_UPLINK_WAIT_SENT;
        s->ul_deadline_ms = qlw_s_now(s) + s->cfg.sent_timeout_ms;
    } else {
        left(s, ul); /* firmware without +NSMI: the OK is all it will say */
    }
}

static void apply(qlw_session *s, qlw_ul *ul, qlw_uplink_news news)
{
    switch (news) {
    case QLW_UPLINK_NEWS_LEFT:
        left(s, ul);
        break;
    case QLW_UPLINK_NEWS_NOT_GONE:
        not_gone(s, ul, QLW_ERR_FAILED, -1);
        break;
    case QLW_UPLINK_NEWS_UNCERTAIN:
        qlw_s_uplink_uncertain(s, ul, QLW_ERR_TIMEOUT);
        break;
    default:
        accepted(s, ul);
        break;
    }
}

/* ----------------------------------------------------------- from URCs */

void qlw_s_ul_news(qlw_session *s, qlw_uplink_news news, int status)
{
    qlw_ul *ul = qlw_ulq_head(&s->ulq);

    if (ul == NULL || !ul->handed)
        return;
    if (status >= 0)
        ul->status = status;
    switch (s->ul_phase) {
    case QLW_UPLINK_COMMAND:
        /* Not written yet (the engine still resynchronises after a timeout):
         * the word is about an older message, not this one. */
        if (!qlw_at_written(s->at))
            break;
        /* Before the command's final result: remember it; a verdict also ends
         * the wait for an OK that adds nothing (a lost OK must not stall). */
        s->ul_news = news;
        if (news != QLW_UPLINK_NEWS_PENDING)
            qlw_s_overtake(s, qlw_s_mtk(s) ? QLW_PROC_MTK_UPLINK : QLW_PROC_UPLINK, 1);
        break;
    case QLW_UPLINK_WAIT_SENT:
    case QLW_UPLINK_WAIT_STATUS:
    case QLW_UPLINK_QUERY: /* newer than the answer to come, which is then ignored */
        if (news != QLW_UPLINK_NEWS_PENDING)
            apply(s, ul, news);
        break;
    case QLW_UPLINK_IDLE:
        /* Late word on a handover already judged uncertain: it did arrive. */
        if (ul->uncertain && news == QLW_UPLINK_NEWS_LEFT)
            left(s, ul);
        break;
    }
}

void qlw_s_ul_module_lost(qlw_session *s, int err)
{
    qlw_ul *ul = qlw_ulq_head(&s->ulq);

    s->ul_hold = false;
    if (ul == NULL || s->ul_phase == QLW_UPLINK_IDLE)
        return;
    /* Whatever the module knew of the message is gone with it. */
    if (s->ul_news == QLW_UPLINK_NEWS_LEFT)
        left(s, ul);
    else
        qlw_s_uplink_uncertain(s, ul, err);
}

/* --------------------------------------------------------- the command */

void qlw_s_uplink_handing(qlw_session *s, qlw_ul *ul)
{
    ul->attempts++;
    if (ul->uncertain)
        ul->resent = true; /* the server may get it twice: say so */
    ul->handed = true;
    s->ul_phase = QLW_UPLINK_COMMAND;
    s->ul_news = QLW_UPLINK_NEWS_NONE;
    s->ul_extended = false;
}

static int uplink_send(qlw_session *s, qlw_ul *ul)
{
    char hex[2 * QLW_NEUL_PAYLOAD_MAX + 1];
    unsigned len = (unsigned)ul->len;

    qlw_hex_encode(qlw_ulq_data(&s->ulq, ul), ul->len, hex, sizeof(hex));
    qlw_s_uplink_handing(s, ul);
    if (ul->mode == QLW_UPLINK_NON)
        return qlw_s_issue_neul(s, 1, QLW_NEUL_QLWULDATA, len, hex);
    if (ul->mode == QLW_UPLINK_LEGACY_NMGS)
        return qlw_s_issue_neul(s, 1, QLW_NEUL_NMGS, len, hex);
    return qlw_s_issue_neul(s, 1, QLW_NEUL_QLWULDATAEX, len, hex, ex_mode(ul->mode), ul->seq);
}

static void hold_uplinks(qlw_session *s, uint32_t ms)
{
    s->ul_hold = true;
    s->ul_hold_until_ms = qlw_s_now(s) + ms;
}

static void uplink_result(qlw_session *s, qlw_ul *ul, const qlw_at_response *r)
{
    int cme = r->result == QLW_AT_RESULT_CME_ERROR ? r->code : -1;

    if (qlw_s_ok(r)) {
        apply(s, ul, s->ul_news);
        return;
    }
    if (s->ul_news != QLW_UPLINK_NEWS_NONE && s->ul_news != QLW_UPLINK_NEWS_PENDING) {
        apply(s, ul, s->ul_news); /* a URC already said what happened */
        return;
    }
    if (qlw_s_uplink_unwritten(s, ul, r))
        return;
    switch (r->result) {
    case QLW_AT_RESULT_ERROR:
        /* Not registered/observed after all: the module registers again by
         * itself and dropped the data (reference §3): it did not go. */
        s->ul_phase = QLW_UPLINK_IDLE;
        qlw_s_set_state(s, QLW_STATE_REGISTERING, QLW_CAUSE_UPLINK_REJECTED);
        qlw_s_start_reg_timers(s);
        return;
    case QLW_AT_RESULT_CME_ERROR:
        s->ul_phase = QLW_UPLINK_IDLE;
        if (cme == 513) { /* TUP not registered */
            qlw_s_set_state(s, QLW_STATE_REGISTERING, QLW_CAUSE_UPLINK_REJECTED);
            qlw_s_start_reg_timers(s);
            return;
        }
        if (qlw_cme_retryable(cme)) { /* busy: the module did not take it */
            qlw_s_notice(s, QLW_NOTICE_RETRY, (int)s->cfg.backoff_min_ms, r->final);
            hold_uplinks(s, s->cfg.backoff_min_ms);
            return;
        }
        /* Refused, as a +CMS ERROR is: */
        /* fall through */
    case QLW_AT_RESULT_CMS_ERROR: {
        int err = qlw_at_result_err(r->result); /* QLW_ERR_CME or QLW_ERR_CMS */

        qlw_s_fail(s, err, cme, r->command);
        s->ul_phase = QLW_UPLINK_IDLE;
        qlw_s_report_head(s, ul->uncertain ? QLW_OUTCOME_UNKNOWN : QLW_OUTCOME_FAILED, err, cme);
        return;
    }
    case QLW_AT_RESULT_TIMEOUT:
        /* No final result: the module may have taken it. Ask before judging. */
        if (is_con(ul->mode)) {
            s->ul_phase = QLW_UPLINK_QUERY;
        } else if (s->nsmi_on) {
            s->ul_phase = QLW_UPLINK_WAIT_SENT; /* +NSMI will tell, if it took it */
            s->ul_deadline_ms = qlw_s_now(s) + s->cfg.sent_timeout_ms;
        } else {
            qlw_s_uplink_uncertain(s, ul, QLW_ERR_TIMEOUT);
        }
        return;
    default: /* rebooted, port failed, cancelled: the module's state is unknown */
        qlw_s_uplink_uncertain(s, ul, qlw_at_result_err(r->result));
        return;
    }
}

int qlw_s_uplink_step(qlw_session *s, const qlw_at_response *r)
{
    qlw_ul *ul = qlw_ulq_head(&s->ulq);

    if (ul == NULL)
        return qlw_s_finish(s);
    if (s->step == 0 && qlw_s_handover(s, ul) != 0)
        return qlw_s_finish(s); /* expired, resolved, or held: nothing written */
    if (s->step == 0)
        return uplink_send(s, ul);
    qlw_s_finish(s);
    if (s->ul_phase == QLW_UPLINK_COMMAND) /* else an event (reboot) judged it already */
        uplink_result(s, ul, r);
    return 0;
}

/* ----------------------------------------------------- asking the module */

int qlw_s_uplink_query_step(qlw_session *s, const qlw_at_response *r)
{
    qlw_ul *ul = qlw_ulq_head(&s->ulq);
    int status = -1, seq = 0;
    const char *line;

    if (s->step == 0)
        return qlw_s_issue_neul(s, 1, QLW_NEUL_QLWULDATASTATUS_READ);
    qlw_s_finish(s);
    if (ul == NULL || s->ul_phase != QLW_UPLINK_QUERY)
        return 0; /* a URC or an event answered first */
    line = r->line_count > 0 ? r->lines[0] : "";
    if (!qlw_s_ok(r) || qlw_neul_parse_uldatastatus(line, strlen(line), &status, &seq) != QLW_OK) {
        if (r->result != QLW_AT_RESULT_REBOOTED)
            qlw_s_uplink_uncertain(s, ul, QLW_ERR_TIMEOUT);
        return 0;
    }
    ul->status = status;
    /* The answer is about the module's last CON: only its seq makes it ours. */
    if (seq != ul->seq) {
        if (seq != 0)
            not_gone(s, ul, QLW_ERR_TIMEOUT, -1); /* the module never took ours */
        else
            qlw_s_uplink_uncertain(s, ul, QLW_ERR_TIMEOUT);
        return 0;
    }
    switch (status) {
    case QLW_UPLINK_DELIVERED:
        left(s, ul);
        break;
    case QLW_UPLINK_WAITING:
        if (!s->ul_extended) { /* still trying: give the ACK one more period */
            s->ul_extended = true;
            s->ul_phase = QLW_UPLINK_WAIT_STATUS;
            s->ul_deadline_ms = qlw_s_now(s) + s->cfg.con_ack_timeout_ms;
        } else {
            qlw_s_uplink_uncertain(s, ul, QLW_ERR_TIMEOUT);
        }
        break;
    case QLW_UPLINK_TIMEOUT: /* no ACK: the CON may have arrived and the ACK been lost */
        qlw_s_uplink_uncertain(s, ul, QLW_ERR_TIMEOUT);
        break;
    default: /* not sent, send failed, reset by the server */
        not_gone(s, ul, QLW_ERR_FAILED, -1);
        break;
    }
    return 0;
}

/* ------------------------------------------------------------ schedule */

bool qlw_s_uplink_due(const qlw_session *s)
{
    return s->state == QLW_STATE_READY && s->ulq.count > 0 && s->ul_phase == QLW_UPLINK_IDLE &&
           !s->ul_hold && !s->paused;
}

void qlw_s_uplink_tick(qlw_session *s, uint32_t now)
{
    qlw_ul *ul = qlw_ulq_head(&s->ulq);

    if (s->ul_hold && qlw_ms_reached(now, s->ul_hold_until_ms))
        s->ul_hold = false;
    if (ul == NULL || !qlw_ms_reached(now, s->ul_deadline_ms))
        return;
    if (s->ul_phase == QLW_UPLINK_WAIT_STATUS) {
        if (!qlw_s_mtk(s))
            s->ul_phase = QLW_UPLINK_QUERY; /* no status in time: ask before judging */
        else
            qlw_s_uplink_uncertain(s, ul, QLW_ERR_TIMEOUT);
    } else if (s->ul_phase == QLW_UPLINK_WAIT_SENT) {
        qlw_s_uplink_uncertain(s, ul, QLW_ERR_TIMEOUT);
    }
}

int32_t qlw_s_uplink_timer(const qlw_session *s, uint32_t now)
{
    int32_t t;

    if (s->ul_phase != QLW_UPLINK_WAIT_SENT && s->ul_phase != QLW_UPLINK_WAIT_STATUS)
        return -1;
    t = qlw_ms_diff(s->ul_deadline_ms, now);
    return t < 0 ? 0 : t;
}
