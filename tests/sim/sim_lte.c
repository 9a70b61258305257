/*
 * The EC200U's LwM2M client (dialect C): registration as a chain of timer
 * steps, each printing the +QLWURC event QuecPython documents, then
 * update and deregistration.
 *
 * UNCONFIRMED (no public capture of a dialect-C module): the event order,
 * the field order of each event ("<event>",<result>,<SSID> and
 * "deregister",<SSID>,<code>), "initial" carrying SSID 0, and the QLWSTAT
 * numbers. They follow QuecPython's event list, its example (which matches
 * "ready","successfully") and the EC200U C API's client states.
 */
#include <stdio.h>
#include <strings.h>

#include "sim.h"

#define DEFAULT_APN "internet"
/* The DM server a simulated bootstrap server provisions. */
#define BS_PROVISIONED_SSID 1000

enum lte_step {
    STEP_PDP,
    STEP_INITIAL,
    STEP_DTLS,
    STEP_BOOTSTRAPING,
    STEP_BOOTSTRAP,
    STEP_REGISTERING,
    STEP_READY,
    STEP_UPDATED,
    STEP_DEREGISTERED
};

void lte_nv_defaults(struct sim_lte_nv *nv)
{
    *nv = (struct sim_lte_nv){.epname_mode = 3};
}

void lte_urc(struct sim *s, const char *fmt, ...)
{
    struct sim_buf text = {0};
    va_list ap;
    if (!s->st.nv.lte.urc)
        return;
    va_start(ap, fmt);
    buf_vprintf(&text, fmt, ap);
    va_end(ap);
    sim_urc(s, "+QLWURC: %s", text.data ? text.data : "");
    buf_free(&text);
}

static uint32_t step_ms(const struct sim *s)
{
    return s->opt.register_delay_ms / 4;
}

static void next(struct sim *s, enum lte_step step, uint32_t delay_ms)
{
    timer_add(s, TMR_LTE, delay_ms, (int32_t)step, (int32_t)s->st.lte.ssid, NULL);
}

static const struct sim_lte_sec *in_use(const struct sim *s)
{
    return &s->st.nv.lte.sec[s->st.lte.sec_id];
}

static bool secure(const struct sim_lte_sec *sec)
{
    return strncasecmp(sec->uri, "coaps://", 8) == 0;
}

static const char *apn(const struct sim *s)
{
    for (size_t i = 0; i < SIM_CONTEXTS_MAX; i++) {
        if (s->st.nv.pdp[i].defined && s->st.nv.pdp[i].cid == 1)
            return s->st.nv.pdp[i].apn;
    }
    return DEFAULT_APN;
}

static void failed(struct sim *s, const char *stage)
{
    s->st.lte.state = LTE_REG_FAILED;
    struct sim_buf *ev = ev_begin(s, "register_failed");
    ev_str(ev, "stage", stage);
    ev_end(s);
}

/* A DM server first, else a bootstrap server; -1 when nothing is configured. */
static int pick_security(const struct sim *s)
{
    int bootstrap = -1;
    for (int id = 0; id < SIM_LTE_IDS; id++) {
        const struct sim_lte_sec *sec = &s->st.nv.lte.sec[id];
        if (sec->set && !sec->bootstrap)
            return id;
        if (sec->set && bootstrap < 0)
            bootstrap = id;
    }
    return bootstrap;
}

int lte_register(struct sim *s)
{
    /* UNCONFIRMED: what the module answers when asked twice or unconfigured. */
    if (s->st.lte.state == LTE_REGISTERING || s->st.lte.state == LTE_REGISTERED ||
        s->st.lte.state == LTE_DEREGISTERING)
        return SIM_R_ERROR;
    int id = pick_security(s);
    if (id < 0)
        return SIM_R_ERROR;
    s->st.lte = (struct sim_lte){LTE_REGISTERING, id, s->st.nv.lte.sec[id].ssid};
    next(s, STEP_PDP, step_ms(s));
    return SIM_R_OK;
}

int lte_deregister(struct sim *s)
{
    if (s->st.lte.state != LTE_REGISTERED)
        return SIM_R_ERROR;
    s->st.lte.state = LTE_DEREGISTERING;
    next(s, STEP_DEREGISTERED, s->opt.register_delay_ms);
    return SIM_R_OK;
}

int lte_update(struct sim *s, uint32_t ssid)
{
    if (s->st.lte.state != LTE_REGISTERED)
        return SIM_R_ERROR;
    timer_add(s, TMR_LTE, step_ms(s), STEP_UPDATED, (int32_t)ssid, NULL);
    return SIM_R_OK;
}

void lte_reset(struct sim *s)
{
    timer_cancel(s, TMR_LTE);
    s->st.lte = (struct sim_lte){0};
}

/* ------------------------------------------------------------------ steps */

static void step_pdp(struct sim *s)
{
    if (!net_attached(s)) {
        lte_urc(s, "\"pdp active\",\"failed\",\"%s\"", apn(s));
        failed(s, "pdp");
        return;
    }
    lte_urc(s, "\"pdp active\",\"successfully\",\"%s\"", apn(s));
    next(s, STEP_INITIAL, step_ms(s));
}

static enum lte_step after_security(const struct sim *s)
{
    return in_use(s)->bootstrap ? STEP_BOOTSTRAPING : STEP_REGISTERING;
}

static void step_initial(struct sim *s)
{
    lte_urc(s, "\"initial\",\"successfully\",0");
    next(s, secure(in_use(s)) ? STEP_DTLS : after_security(s), step_ms(s));
}

static void step_dtls(struct sim *s)
{
    if (s->st.faults.dtls_fail) {
        lte_urc(s, "\"dtls\",\"failed\",%u", s->st.lte.ssid);
        failed(s, "dtls");
        return;
    }
    lte_urc(s, "\"dtls\",\"successfully\",%u", s->st.lte.ssid);
    next(s, after_security(s), step_ms(s));
}

static void step_bootstrap(struct sim *s)
{
    lte_urc(s, "\"bootstrap\",\"successfully\",%u", s->st.lte.ssid);
    s->st.lte.ssid = BS_PROVISIONED_SSID;
    next(s, STEP_REGISTERING, step_ms(s));
}

static void step_ready(struct sim *s)
{
    if (s->st.faults.reg_fail) {
        lte_urc(s, "\"ready\",\"failed\",%u", s->st.lte.ssid);
        failed(s, "register");
        return;
    }
    lte_urc(s, "\"ready\",\"successfully\",%u", s->st.lte.ssid);
    s->st.lte.state = LTE_REGISTERED;
    struct sim_buf *ev = ev_begin(s, "registered");
    buf_printf(ev, ",\"ssid\":%u", s->st.lte.ssid);
    ev_end(s);
}

static void step_updated(struct sim *s, uint32_t ssid)
{
    /* SSID 0 means every server. */
    bool ok = ssid == s->st.lte.ssid || ssid == 0;
    lte_urc(s, "\"update\",\"%s\",%u", ok ? "successfully" : "failed", ssid);
    struct sim_buf *ev = ev_begin(s, "updated");
    buf_printf(ev, ",\"ssid\":%u,\"ok\":%s", ssid, ok ? "true" : "false");
    ev_end(s);
}

static void step_deregistered(struct sim *s)
{
    lte_urc(s, "\"deregister\",%u,0", s->st.lte.ssid);
    s->st.lte.state = LTE_NOT_REGISTERED;
    ev_begin(s, "deregistered");
    ev_end(s);
}

void lte_tmr(struct sim *s, const struct sim_timer *t)
{
    switch ((enum lte_step)t->arg) {
    case STEP_PDP:
        step_pdp(s);
        break;
    case STEP_INITIAL:
        step_initial(s);
        break;
    case STEP_DTLS:
        step_dtls(s);
        break;
    case STEP_BOOTSTRAPING:
        lte_urc(s, "\"bootstraping\"");
        next(s, STEP_BOOTSTRAP, step_ms(s));
        break;
    case STEP_BOOTSTRAP:
        step_bootstrap(s);
        break;
    case STEP_REGISTERING:
        lte_urc(s, "\"registering\"");
        next(s, STEP_READY, step_ms(s));
        break;
    case STEP_READY:
        step_ready(s);
        break;
    case STEP_UPDATED:
        step_updated(s, (uint32_t)t->arg2);
        break;
    case STEP_DEREGISTERED:
        step_deregistered(s);
        break;
    }
}
