#include <stdio.h>
#include <string.h>

#include "session/session_internal.h"

static void on_qlwevtind(qlw_session *s, int ev)
{
    qlw_s_notice(s, QLW_NOTICE_LWM2M_EVENT, ev, qlw_lwm2m_event_str(ev));
    switch (ev) {
    case QLW_EVT_REGISTERED:
        qlw_s_overtake(s, QLW_PROC_REGISTER, 2); /* AT+QLWSREGIND=0 did its work */
        if (s->state < QLW_STATE_REGISTERED || s->state == QLW_STATE_READY)
            qlw_s_set_state(s, QLW_STATE_REGISTERED, QLW_CAUSE_LWM2M_EVENT);
        break;
    case QLW_EVT_READY:
        qlw_s_overtake(s, QLW_PROC_REGISTER, 2);
        s->reg_timer_on = false;
        s->poll_on = false;
        qlw_s_set_state(s, QLW_STATE_READY, QLW_CAUSE_LWM2M_EVENT);
        break;
    case QLW_EVT_DEREGISTERED:
        if (s->dereg_goal == QLW_GOAL_PENDING || s->dereg_goal == QLW_GOAL_WAITING)
            s->dereg_goal = QLW_GOAL_DONE;
        s->reg_timer_on = false;
        if (s->state > QLW_STATE_ATTACHED)
            qlw_s_set_state(s, QLW_STATE_ATTACHED, QLW_CAUSE_LWM2M_EVENT);
        break;
    case QLW_EVT_OBSERVE_CANCELLED:
        if (s->state >= QLW_STATE_REGISTERED) {
            qlw_s_set_state(s, QLW_STATE_ATTACHED, QLW_CAUSE_OBSERVE_CANCELLED);
            s->rereg = true;
            qlw_s_backoff(s, QLW_TEXT("observe cancelled"));
        }
        break;
    case QLW_EVT_UPDATED:
    case QLW_EVT_BOOTSTRAPPED:
    case QLW_EVT_FOTA_OBSERVED:
    case QLW_EVT_FOTA_URL:
    case QLW_EVT_FOTA_DOWNLOADED:
        break;
    default:
        /* 8 means "observe cancelled" to some firmware, "registration failed" to
         * others: either way not ready. A poll of NMSTATUS will tell more. */
        if (s->state == QLW_STATE_READY)
            qlw_s_set_state(s, QLW_STATE_REGISTERED, QLW_CAUSE_LWM2M_EVENT);
        break;
    }
}

#ifdef QLW_HAVE_DIALECT_QLWCFG
/* A step of the LTE client's registration failed: try again after a back-off. */
static void lte_failed(qlw_session *s, const qlw_qlwurc *ev)
{
    qlw_s_failf(s, QLW_ERR_FAILED, "LwM2M registration failed: +QLWURC \"%s\" reported failure",
                ev->name);
    s->reg_timer_on = false;
    if (s->state > QLW_STATE_ATTACHED)
        qlw_s_set_state(s, QLW_STATE_ATTACHED, QLW_CAUSE_LWM2M_EVENT);
    qlw_s_backoff(s, QLW_TEXT("registration"));
}

/* +QLWURC drives the same states as +QLWEVTIND; "ready" means registered and able to work. */
/* The +QLWEVTIND events an LTE event stands for, so that a program watching
 * QLW_NOTICE_LWM2M_EVENT sees one vocabulary whatever the module. */
static void notice_equivalent(qlw_session *s, const qlw_qlwurc *ev)
{
    if (ev->kind == QLW_QLWURC_READY && ev->result == 1) {
        qlw_s_notice(s, QLW_NOTICE_LWM2M_EVENT, QLW_EVT_REGISTERED, ev->name);
        qlw_s_notice(s, QLW_NOTICE_LWM2M_EVENT, QLW_EVT_READY, ev->name);
    } else if (ev->kind == QLW_QLWURC_UPDATE && ev->result == 1) {
        qlw_s_notice(s, QLW_NOTICE_LWM2M_EVENT, QLW_EVT_UPDATED, ev->name);
    } else if (ev->kind == QLW_QLWURC_DEREGISTER) {
        qlw_s_notice(s, QLW_NOTICE_LWM2M_EVENT, QLW_EVT_DEREGISTERED, ev->name);
    }
}

static void on_qlwurc(qlw_session *s, const qlw_qlwurc *ev)
{
    if (s->cfg.on_qlwurc != NULL)
        s->cfg.on_qlwurc(s->cfg.ctx, ev);
    notice_equivalent(s, ev);
    if (ev->result == 0 && ev->kind != QLW_QLWURC_PDP_ACTIVE) {
        lte_failed(s, ev);
        return;
    }
    switch (ev->kind) {
    case QLW_QLWURC_REGISTERING:
        if (s->state >= QLW_STATE_ATTACHED && s->state < QLW_STATE_REGISTERING)
            qlw_s_set_state(s, QLW_STATE_REGISTERING, QLW_CAUSE_LWM2M_EVENT);
        break;
    case QLW_QLWURC_READY:
        s->reg_timer_on = false;
        qlw_s_set_state(s, QLW_STATE_READY, QLW_CAUSE_LWM2M_EVENT);
        break;
    case QLW_QLWURC_DEREGISTER:
        if (s->dereg_goal == QLW_GOAL_PENDING || s->dereg_goal == QLW_GOAL_WAITING)
            s->dereg_goal = QLW_GOAL_DONE;
        else if (s->want_registered)
            qlw_s_backoff(s, QLW_TEXT("deregistered by the server")); /* then register again */
        if (s->state > QLW_STATE_ATTACHED)
            qlw_s_set_state(s, QLW_STATE_ATTACHED, QLW_CAUSE_LWM2M_EVENT);
        break;
    default:
        break;
    }
}

#endif

static void on_uldatastatus(qlw_session *s, int status, int seq)
{
    qlw_ul *ul = qlw_ulq_head(&s->ulq);
    qlw_uplink_news news;

    /* Only the CON at the head is ever in the module; its seq names it. */
    if (ul == NULL || (ul->mode != QLW_UPLINK_CON && ul->mode != QLW_UPLINK_CON_RELEASE) ||
        (seq != 0 && seq != ul->seq))
        return;
    switch (status) {
    case QLW_UPLINK_DELIVERED:
        news = QLW_UPLINK_NEWS_LEFT;
        break;
    case QLW_UPLINK_WAITING:
        news = QLW_UPLINK_NEWS_PENDING;
        break;
    case QLW_UPLINK_TIMEOUT: /* no ACK: it may have arrived all the same */
        news = QLW_UPLINK_NEWS_UNCERTAIN;
        break;
    default: /* not sent, send failed, reset by the server */
        news = QLW_UPLINK_NEWS_NOT_GONE;
        break;
    }
    qlw_s_ul_news(s, news, status);
}

static void on_nsmi(qlw_session *s, int sent)
{
    qlw_ul *ul = qlw_ulq_head(&s->ulq);

    /* +NSMI speaks of NON messages only (reference §3, AT+NSMI). Without
     * AT+NSMI=1 accepted each NON is judged on its OK and the next one
     * written at once, so a +NSMI (from a module that took an AT+NSMI=1
     * whose OK was lost) may be about the uplink reported just before as
     * well as about the head, and nothing tells which: it is not read. */
    if (!s->nsmi_on || ul == NULL || ul->mode == QLW_UPLINK_CON ||
        ul->mode == QLW_UPLINK_CON_RELEASE)
        return;
    qlw_s_ul_news(s, sent ? QLW_UPLINK_NEWS_LEFT : QLW_UPLINK_NEWS_NOT_GONE, -1);
}

static void on_urc(void *ctx, const qlw_at_line *line)
{
    qlw_session *s = ctx;
    const char *t = line->text;
    int a, b;
    qlw_cereg cr;

    if (line->flags & QLW_LINE_BOOT) {
        const char *cause = qlw_neul_reboot_cause(t);
        if (cause != NULL) {
            strncpy(s->reboot_cause, cause, sizeof(s->reboot_cause) - 1);
            s->reboot_cause[sizeof(s->reboot_cause) - 1] = '\0';
        }
        return;
    }
    if (qlw_s_mtk(s) && qlw_s_mtk_urc(s, t, line->len))
        return;
#ifdef QLW_HAVE_DIALECT_QLWCFG
    if (strncmp(t, "+QLWURC", 7) == 0) {
        qlw_qlwurc ev;
        if (qlw_parse_qlwurc(t, line->len, &ev) == QLW_OK)
            on_qlwurc(s, &ev);
        return;
    }
#endif
    if (qlw_neul_parse_qlwevtind(t, line->len, &a) == QLW_OK) {
        on_qlwevtind(s, a);
    } else if (qlw_neul_parse_uldatastatus(t, line->len, &a, &b) == QLW_OK) {
        on_uldatastatus(s, a, b);
    } else if (qlw_neul_parse_nsmi(t, line->len, &a) == QLW_OK) {
        on_nsmi(s, a);
    } else if (qlw_neul_parse_cereg(t, line->len, false, &cr) == QLW_OK) {
        qlw_s_notice(s, QLW_NOTICE_CEREG, cr.stat, t);
        qlw_s_on_cereg(s, &cr);
    } else if (strncmp(t, "+NNMI", 5) == 0 && s->dialect != QLW_DIALECT_QLWCONFIG_B) {
        /* (On a BC66 the downlink buffer holds the host objects' tables.) */
        int n = qlw_neul_parse_nnmi(t, line->len, s->dl_buf, sizeof(s->dl_buf));
        if (n == 0)
            s->dl_pending = true; /* AT+NNMI=2: announced only, read it with AT+NMGR */
        else
            qlw_s_downlink(s, n, t);
    } else if (qlw_neul_parse_cscon(t, line->len, &a) == QLW_OK) {
        qlw_s_notice(s, QLW_NOTICE_RRC, a, t);
    } else if (qlw_neul_parse_npsmr(t, line->len, &a) == QLW_OK) {
        qlw_s_notice(s, QLW_NOTICE_PSM, a, t);
    }
}

void qlw_s_module_reset(qlw_session *s, qlw_cause cause)
{
    /* Everything volatile is gone: URC switches, registration, the CON in flight. */
    s->need_setup = true;
    s->boot_wait = false;
    s->reboot_cause[0] = '\0';
    s->nsmi_on = false;
    qlw_s_ul_module_lost(s, cause == QLW_CAUSE_PORT_LOST ? s->port_err : QLW_ERR_REBOOTED);
    s->reg_timer_on = false;
    s->poll_on = false;
    s->backoff_on = false;
    if (s->want_registered)
        s->rereg = false; /* a fresh boot needs no deregistration */
#ifdef QLW_HAVE_DIALECT_MTK
    qlw_s_mtk_reset(s); /* (without the dialects their state is never used) */
#endif
    qlw_s_set_state(s, QLW_STATE_STARTING, cause);
}

static void on_event(void *ctx, qlw_at_event ev, uint32_t count)
{
    qlw_session *s = ctx;

    switch (ev) {
    case QLW_AT_EV_BOOT_START:
        qlw_s_module_reset(s, QLW_CAUSE_REBOOT);
        break;
    case QLW_AT_EV_IO_ERROR: /* count is the transport's error, negated */
        qlw_s_port_failed(s, -(int)count);
        break;
    case QLW_AT_EV_BOOT_END:
    case QLW_AT_EV_BOOT_TIMEOUT:
        qlw_s_notice(s, QLW_NOTICE_REBOOT, 0,
                     s->reboot_cause[0] ? s->reboot_cause : QLW_TEXT("UNKNOWN"));
        break;
    case QLW_AT_EV_URC_OVERFLOW:
        qlw_s_notice(s, QLW_NOTICE_URC_LOST, (int)count, QLW_TEXT(""));
        break;
    default:
        break;
    }
}

int qlw_s_install_handlers(qlw_session *s)
{
    int rc = qlw_at_add_urc_handler(s->at, "", on_urc, s);

    if (rc == QLW_OK)
        rc = qlw_at_add_event_handler(s->at, on_event, s);
    return rc;
}
