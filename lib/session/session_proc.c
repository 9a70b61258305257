#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "quectel/neul_cmd.h"
#include "quectel/qlwcfg_cmd.h"
#include "session/session_internal.h"

/* The same as ISSUE for the AT+QLWCFG family, in the session's dialect. */
#define ISSUE_CFG(s, next_step, ...)                                                               \
    qlw_s_issue(s, next_step,                                                                      \
                qlw_qlwcfg_cmd(&(s)->cmd, qlw_s_text(s, NULL), qlw_s_text_size(s), (s)->dialect,   \
                               __VA_ARGS__))
#define ISSUE  qlw_s_issue_neul
#define finish qlw_s_finish
#define ok     qlw_s_ok

static void on_done(void *ctx, const qlw_at_response *r);

/* Commands are built straight into the engine's own text buffer (no copy,
 * no second 1 KB buffer per session). The engine is idle whenever a step
 * builds; a NULL buffer makes the builder fail, and the step with it. */
char *qlw_s_text(qlw_session *s, size_t *size)
{
    size_t n = 0;
    char *buf = qlw_at_text_buffer(s->at, &n);

    if (size != NULL)
        *size = n;
    return buf;
}

size_t qlw_s_text_size(qlw_session *s)
{
    size_t n = 0;

    qlw_s_text(s, &n);
    return n;
}

int qlw_s_finish(qlw_session *s)
{
    s->proc = QLW_PROC_NONE;
    s->step = 0;
    return 0;
}

int qlw_s_issue(qlw_session *s, int next_step, int build_rc)
{
    int rc = build_rc;

    s->step = next_step;
    s->step_tries = 0;
    if (rc == QLW_OK)
        rc = qlw_at_send(s->at, &s->cmd, on_done, s);
    if (rc != QLW_OK) {
        qlw_s_fail(s, rc, -1, "building the next command");
        finish(s);
    }
    return 0;
}

int qlw_s_issue_neul(qlw_session *s, int next_step, qlw_neul_op op, ...)
{
    size_t size = 0;
    char *buf = qlw_s_text(s, &size);
    va_list ap;
    int rc;

    va_start(ap, op);
    rc = qlw_neul_session_vcmd(&s->cmd, buf, size, op, ap);
    va_end(ap);
    return qlw_s_issue(s, next_step, rc);
}

bool qlw_s_ok(const qlw_at_response *r)
{
    return r->result == QLW_AT_RESULT_OK || r->result == QLW_AT_RESULT_FINAL;
}

/* The module is restarting: anything sent now is lost, so wait for its banner
 * (the reference allows 30 s for the final OK). */
#define QLW_BOOT_WAIT_MS 30000u

static void expect_boot(qlw_session *s)
{
    s->need_setup = true;
    s->boot_wait = true;
    s->boot_wait_until_ms = qlw_s_now(s) + QLW_BOOT_WAIT_MS;
}

/* A command failed in a way the procedure cannot absorb: note it, back off. */
static int proc_failed(qlw_session *s, const qlw_at_response *r, const char *what)
{
    int err = qlw_at_result_err(r->result);

    finish(s);
    if (r->result == QLW_AT_RESULT_REBOOTED)
        return 0; /* the boot handling starts over */
    qlw_s_fail(s, err, r->result == QLW_AT_RESULT_CME_ERROR ? r->code : -1,
               what ? what : r->command);
    qlw_s_backoff(s, r->command);
    return 0;
}

static const char *first_line(const qlw_at_response *r)
{
    return r->line_count > 0 ? r->lines[0] : "";
}

/* The +CEREG? answer of an OK'd response, and whether it says registered. */
static bool cereg_answer(const qlw_at_response *r, qlw_cereg *cr)
{
    return ok(r) && qlw_neul_parse_cereg(first_line(r), strlen(first_line(r)), true, cr) == QLW_OK;
}

/* The +NMSTATUS? answer of an OK'd response. */
static bool nmstatus_answer(const qlw_at_response *r, qlw_nmstatus *st)
{
    return ok(r) && qlw_neul_parse_nmstatus(first_line(r), strlen(first_line(r)), st) == QLW_OK;
}

/* --------------------------------------------------------------- setup */

static void set_dialect(qlw_session *s, qlw_dialect d);

/* After AT+CMEE: the URC switches of the dialect. */
static int setup_urcs(qlw_session *s)
{
    int n = s->cfg.setup.cereg_mode;

#ifdef QLW_HAVE_DIALECT_QLWCFG
    if (s->dialect == QLW_DIALECT_QLWCFG_C) /* then AT+QLWCFG="urc",1 for +QLWURC */
        return ISSUE(s, 30, QLW_NEUL_CEREG_SET, n);
#endif
    if (qlw_s_lte(s) || qlw_s_mtk(s)) /* no URC switch (A/B: always on) */
        return ISSUE(s, 31, QLW_NEUL_CEREG_SET, n);
    return ISSUE(s, 4, QLW_NEUL_CEREG_SET, n);
}

/* A program restarted beside a running module finds it registered (and
 * observed): take that state over instead of registering again. */
static int resume_registration(qlw_session *s, const qlw_at_response *r)
{
    qlw_nmstatus st = QLW_NM_UNKNOWN;

    finish(s);
    s->need_setup = false;
    if (s->reboot_goal == QLW_GOAL_WAITING)
        s->reboot_goal = QLW_GOAL_DONE;
    if (s->attach_goal == QLW_GOAL_PENDING && !s->attach_apply)
        s->attach_goal = QLW_GOAL_DONE;
    qlw_s_set_state(s, QLW_STATE_ATTACHED, QLW_CAUSE_SETUP);
    nmstatus_answer(r, &st); /* else unknown */
    if (st == QLW_NM_MO_DATA_ENABLED) {
        qlw_s_set_state(s, QLW_STATE_REGISTERED, QLW_CAUSE_POLL);
        qlw_s_set_state(s, QLW_STATE_READY, QLW_CAUSE_POLL);
    } else if (st == QLW_NM_REGISTERED || st == QLW_NM_REREGISTERED) {
        qlw_s_set_state(s, QLW_STATE_REGISTERED, QLW_CAUSE_POLL);
        qlw_s_start_reg_timers(s);
    }
    return 0;
}

#ifdef QLW_HAVE_DIALECT_QLWCFG
/* AT+QLWCFG=? lists sub-options that name the LTE dialects (A and B too).
 * (A build without the dialect cannot tell them apart: it asks AT+NCDP? only.) */
static int probe_qlwcfg(qlw_session *s, const qlw_at_response *r)
{
    qlw_dialect d = ok(r) ? qlw_qlwcfg_classify(r) : QLW_DIALECT_AUTO;

    if (d == QLW_DIALECT_AUTO)
        return ISSUE_CFG(s, 21, QLW_QLWCFG_PROBE_NCDP);
#ifndef QLW_HAVE_DIALECT_MTK
    if (d == QLW_DIALECT_MTK_A || d == QLW_DIALECT_QLWCONFIG_B) {
        qlw_s_notice(s, QLW_NOTICE_WARNING, QLW_ERR_UNSUPPORTED,
                     QLW_TEXT("BC26/BC66 command set left out of this build "
                              "(QLWM2M_DIALECT_MTK=OFF); driving the module as a BC68"));
        d = QLW_DIALECT_NEUL;
    }
#endif
    set_dialect(s, d);
    return setup_urcs(s);
}
#endif

/* AT+NCDP? answers (+NCDP, or a +CME ERROR when unset) only on the BC68 set;
 * anything else is driven as a BC68 too, with a notice. The BC26/BC66 are
 * told by their AT+QLWCFG=? list alone: a bare OK to a presence probe
 * (AT+QLWCONFIG=?) proves too little when an answer may be late and taken
 * for the next command's (the crash test found one). */
static int probe_ncdp(qlw_session *s, const qlw_at_response *r)
{
    if (r->result != QLW_AT_RESULT_OK && r->result != QLW_AT_RESULT_CME_ERROR)
        qlw_s_notice(s, QLW_NOTICE_WARNING, QLW_ERR_UNSUPPORTED,
                     QLW_TEXT("no known LwM2M command set answered; driving the module as a BC68"));
    set_dialect(s, QLW_DIALECT_NEUL);
    return setup_urcs(s);
}

static int setup_step(qlw_session *s, const qlw_at_response *r)
{
    const qlw_neul_setup_opts *o = &s->cfg.setup;
    qlw_cereg cr;
    bool registered;

    if (r == NULL && s->step != 0)
        return finish(s); /* r is NULL only when a procedure starts (step 0) */
    if (r != NULL && r->result == QLW_AT_RESULT_REBOOTED)
        return finish(s);
    if (r != NULL && s->step == 1 && !ok(r)) {
        /* The first AT after power-up may get ERROR or nothing (fixture 03). */
        if (++s->setup_tries < 3)
            return ISSUE(s, 1, QLW_NEUL_AT);
        return proc_failed(s, r, "module does not answer AT");
    }
    if (r != NULL && r->result == QLW_AT_RESULT_TIMEOUT)
        return proc_failed(s, r, NULL);
    /* an unknown URC switch is not fatal; a probe's refusal is an answer */
    if (r != NULL && !ok(r) && s->step < 20 && s->step != 9)
        qlw_s_notice(s, QLW_NOTICE_WARNING, qlw_at_result_err(r->result), r->command);
    switch (s->step) {
    case 0:
        s->setup_tries = 0;
        return ISSUE(s, 1, QLW_NEUL_AT);
    case 1:
        return ISSUE(s, 2, QLW_NEUL_ATE0);
    case 2:
        return ISSUE(s, 3, QLW_NEUL_CMEE, 1); /* before probing: see qlw_detect_dialect() */
    case 3:
        if (s->dialect != QLW_DIALECT_AUTO)
            return setup_urcs(s);
#ifdef QLW_HAVE_DIALECT_QLWCFG
        return ISSUE_CFG(s, 20, QLW_QLWCFG_PROBE_QLWCFG);
    case 20:
        return probe_qlwcfg(s, r);
    case 30:
        return ISSUE_CFG(s, 31, QLW_QLWCFG_URC, 1);
#else
        return ISSUE(s, 21, QLW_NEUL_NCDP_READ);
#endif
    case 21:
        return probe_ncdp(s, r);
    case 31:
        return ISSUE(s, 9, QLW_NEUL_CEREG_READ);
    case 4:
        return ISSUE(s, 5, QLW_NEUL_CSCON_SET, o->cscon ? 1 : 0);
    case 5:
        return ISSUE(s, 6, QLW_NEUL_NPSMR_SET, o->npsmr ? 1 : 0);
    case 6:
        return ISSUE(s, 7, QLW_NEUL_NNMI_SET, o->nnmi);
    case 7:
        return ISSUE(s, 8, QLW_NEUL_NSMI_SET, o->nsmi ? 1 : 0);
    case 8:
        /* Without +NSMI a NON's OK is the only word on it (a weaker claim). */
        s->nsmi_on = o->nsmi && r != NULL && ok(r);
        return ISSUE(s, 9, QLW_NEUL_CEREG_READ);
    case 10:
        return resume_registration(s, r);
    default:
        break;
    }
    registered = cereg_answer(r, &cr) && qlw_cereg_registered(cr.stat);
    if (s->step == 9 && s->cfg.resume_registration && qlw_s_bc68(s) && registered)
        return ISSUE(s, 10, QLW_NEUL_NMSTATUS); /* registered already, maybe observed too */
    finish(s);
    s->need_setup = false;
    if (s->reboot_goal == QLW_GOAL_WAITING) /* the setup after our own AT+NRB */
        s->reboot_goal = QLW_GOAL_DONE;
    if (registered) {
        qlw_s_set_state(s, QLW_STATE_ATTACHED, QLW_CAUSE_SETUP);
        if (s->attach_goal == QLW_GOAL_PENDING && !s->attach_apply)
            s->attach_goal = QLW_GOAL_DONE;
    } else {
        qlw_s_set_state(s, QLW_STATE_DETACHED, QLW_CAUSE_SETUP);
    }
    return 0;
}

/* ----------------------------------------------------------------- cdp */

static bool cdp_matches(qlw_session *s, const qlw_at_response *r)
{
    char want[32];

    if (!ok(r) || r->line_count == 0)
        return false;
    snprintf(want, sizeof(want), "%s,%u", s->cdp_addr, (unsigned)s->cdp_port);
    /* "+NCDP:1.2.3.4,5683" or "+NCDP: 1.2.3.4,5683" */
    {
        const char *v = strchr(r->lines[0], ':');
        if (v == NULL)
            return false;
        v += v[1] == ' ' ? 2 : 1;
        return strcmp(v, want) == 0;
    }
}

static int cdp_step(qlw_session *s, const qlw_at_response *r)
{
    if (r == NULL && s->step != 0)
        return finish(s); /* r is NULL only when a procedure starts (step 0) */
    if (r != NULL && r->result == QLW_AT_RESULT_REBOOTED)
        return finish(s);
    /* (Set up already, so the dialect is known: not AUTO.) */
    if (s->step == 0 && (qlw_s_lte(s) || qlw_s_mtk(s))) {
        s->cdp_goal = QLW_GOAL_FAILED;
        qlw_s_fail_text(s, QLW_ERR_UNSUPPORTED,
                        "AT+NCDP is a BC68-family command; configure this module's server "
                        "with qlw_qlwcfg_set_security()");
        return finish(s);
    }
    switch (s->step) {
    case 0:
        return ISSUE(s, 1, QLW_NEUL_NCDP_READ);
    case 1:
        if (cdp_matches(s, r)) {
            s->cdp_goal = QLW_GOAL_DONE;
            return finish(s);
        }
        if (s->cdp_reboots >= 2) {
            s->cdp_goal = QLW_GOAL_FAILED;
            qlw_s_fail(s, QLW_ERR_FAILED, -1, "AT+NCDP? still differs after reboot");
            return finish(s);
        }
        /* The module takes a new server only with the radio off. */
        return ISSUE(s, 2, QLW_NEUL_CFUN_SET, 0);
    case 2:
        if (!ok(r))
            return proc_failed(s, r, NULL);
        qlw_s_set_state(s, QLW_STATE_DETACHED, QLW_CAUSE_REQUEST);
        return ISSUE(s, 3, QLW_NEUL_NCDP_SET, s->cdp_addr, (unsigned)s->cdp_port);
    case 3:
        if (!ok(r)) {
            s->cdp_goal = QLW_GOAL_FAILED;
            return proc_failed(s, r, NULL);
        }
        s->cdp_reboots++;
        return ISSUE(s, 4, QLW_NEUL_NRB); /* NV settings apply after a reboot */
    default:
        if (!ok(r))
            return proc_failed(s, r, NULL);
        expect_boot(s); /* the boot banner follows; setup runs again */
        return finish(s);
    }
    return 0;
}

/* -------------------------------------------------------------- attach */

static bool apn_matches(const qlw_session *s, const qlw_at_response *r)
{
    for (size_t i = 0; i < r->line_count; i++) {
        qlw_at_field f[16]; /* +CGDCONT prints up to a dozen fields after the APN */
        long cid;

        if (qlw_at_split(r->lines[i], strlen(r->lines[i]), f, 16) >= 3 &&
            qlw_at_field_int(&f[0], 0, 15, &cid) == QLW_OK && cid == s->cid)
            return qlw_at_field_eq(&f[2], s->apn);
    }
    return false;
}

static int attach_radio_on(qlw_session *s, int fun_now)
{
    if (fun_now == 1)
        return ISSUE(s, 7, QLW_NEUL_CGATT_SET, 1);
    ISSUE(s, 6, QLW_NEUL_CFUN_SET, 1);
    return 0;
}

static int attach_step(qlw_session *s, const qlw_at_response *r)
{
    qlw_at_field f[2];
    long fun = 0;

    if (r == NULL && s->step != 0)
        return finish(s); /* r is NULL only when a procedure starts (step 0) */
    if (r != NULL && !ok(r) && !(s->step == 2 && r->result != QLW_AT_RESULT_TIMEOUT))
        return proc_failed(s, r, NULL);
    switch (s->step) {
    case 0:
        return ISSUE(s, 1, QLW_NEUL_CFUN_READ);
    case 1:
        if (qlw_at_split(first_line(r), strlen(first_line(r)), f, 2) < 1 ||
            qlw_at_field_int(&f[0], 0, 9, &fun) != QLW_OK)
            fun = 0;
        s->fun_now = (int)fun;
        if (s->apn_set)
            return ISSUE(s, 2, QLW_NEUL_CGDCONT_READ);
        if (s->band > 0)
            return fun == 1 ? ISSUE(s, 3, QLW_NEUL_CFUN_SET, 0)
                            : ISSUE(s, 5, QLW_NEUL_NBAND_SET, s->band);
        return attach_radio_on(s, (int)fun);
    case 2:
        if (r->result == QLW_AT_RESULT_OK && apn_matches(s, r) && s->band <= 0)
            return attach_radio_on(s, s->fun_now);
        if (s->fun_now == 0) /* radio already off */
            return ISSUE(s, 4, QLW_NEUL_CGDCONT_SET, s->cid, "IP", s->apn);
        /* APN or band must change: both need the radio off. */
        return ISSUE(s, 3, QLW_NEUL_CFUN_SET, 0);
    case 3:
        qlw_s_set_state(s, QLW_STATE_DETACHED, QLW_CAUSE_REQUEST);
        if (s->apn_set)
            return ISSUE(s, 4, QLW_NEUL_CGDCONT_SET, s->cid, "IP", s->apn);
        return ISSUE(s, 5, QLW_NEUL_NBAND_SET, s->band);
    case 4:
        if (s->band > 0)
            return ISSUE(s, 5, QLW_NEUL_NBAND_SET, s->band);
        return attach_radio_on(s, 0);
    case 5:
        return attach_radio_on(s, 0);
    case 6:
        return ISSUE(s, 7, QLW_NEUL_CGATT_SET, 1);
    default:
        break;
    }
    finish(s);
    s->attach_apply = false;
    if (s->state >= QLW_STATE_ATTACHED) { /* radio never left: nothing to wait for */
        s->attach_goal = QLW_GOAL_DONE;
        return 0;
    }
    qlw_s_set_state(s, QLW_STATE_ATTACHING, QLW_CAUSE_REQUEST);
    s->poll_on = true; /* in case a +CEREG URC is missed */
    s->poll_at_ms = qlw_s_now(s) + s->cfg.attach_poll_ms;
    return 0;
}

/* ---------------------------------------------------------- registration */

void qlw_s_start_reg_timers(qlw_session *s)
{
    s->reg_timer_on = true;
    s->reg_deadline_ms = qlw_s_now(s) + s->cfg.register_timeout_ms;
    s->poll_on = s->cfg.nmstatus_poll_ms > 0 && qlw_s_bc68(s);
    s->poll_at_ms = qlw_s_now(s) + s->cfg.nmstatus_poll_ms;
}

static int register_step(qlw_session *s, const qlw_at_response *r)
{
    if (s->step == 0 && qlw_s_lte(s))
        return ISSUE_CFG(s, 2, QLW_QLWCFG_REGISTER);
    if (s->step == 0 && qlw_s_mtk(s)) { /* (their own procedure registers them) */
        s->want_registered = false;
        qlw_s_fail_text(s, QLW_ERR_UNSUPPORTED,
                        "this module's LwM2M command set is detected but not driven");
        return finish(s);
    }
    switch (s->step) {
    case 0:
        if (s->rereg) /* a fresh registration after the observe was cancelled */
            return ISSUE(s, 1, QLW_NEUL_QLWSREGIND, 1);
        return ISSUE(s, 2, QLW_NEUL_QLWSREGIND, 0);
    case 1:
        if (r->result == QLW_AT_RESULT_REBOOTED || r->result == QLW_AT_RESULT_TIMEOUT)
            return proc_failed(s, r, NULL);
        return ISSUE(s, 2, QLW_NEUL_QLWSREGIND, 0);
    default:
        if (!ok(r))
            return proc_failed(s, r, NULL); /* names the register command of the dialect */
        break;
    }
    finish(s);
    s->rereg = false;
    if (s->state < QLW_STATE_REGISTERING)
        qlw_s_set_state(s, QLW_STATE_REGISTERING, QLW_CAUSE_REQUEST);
    qlw_s_start_reg_timers(s);
    return 0;
}

static int deregister_step(qlw_session *s, const qlw_at_response *r)
{
    if (s->step == 0 && qlw_s_lte(s))
        return ISSUE_CFG(s, 1, QLW_QLWCFG_DEREGISTER);
    if (s->step == 0 && qlw_s_mtk(s))
        return qlw_s_mtk_deregister(s);
    if (s->step == 0)
        return ISSUE(s, 1, QLW_NEUL_QLWSREGIND, 1);
    finish(s);
    if (ok(r)) {
        s->dereg_goal = QLW_GOAL_WAITING; /* for +QLWEVTIND:1 */
    } else {
        s->dereg_goal = QLW_GOAL_FAILED;
        qlw_s_fail(s, qlw_at_result_err(r->result),
                   r->result == QLW_AT_RESULT_CME_ERROR ? r->code : -1, r->command);
    }
    return 0;
}

/* ---------------------------------------------------------------- polls */

static void on_cereg_stat(qlw_session *s, const qlw_cereg *cr);

static int poll_cereg_step(qlw_session *s, const qlw_at_response *r)
{
    qlw_cereg cr;

    if (s->step == 0)
        return ISSUE(s, 1, QLW_NEUL_CEREG_READ);
    finish(s);
    s->poll_at_ms = qlw_s_now(s) + s->cfg.attach_poll_ms;
    if (cereg_answer(r, &cr))
        on_cereg_stat(s, &cr);
    return 0;
}

static int poll_nmstatus_step(qlw_session *s, const qlw_at_response *r)
{
    qlw_nmstatus st;

    if (s->step == 0)
        return ISSUE(s, 1, QLW_NEUL_NMSTATUS);
    finish(s);
    s->poll_at_ms = qlw_s_now(s) + s->cfg.nmstatus_poll_ms;
    if (!nmstatus_answer(r, &st))
        return 0;
    if (st == QLW_NM_MO_DATA_ENABLED) {
        qlw_s_set_state(s, QLW_STATE_READY, QLW_CAUSE_POLL);
        s->reg_timer_on = false;
        s->poll_on = false;
    } else if ((st == QLW_NM_REGISTERED || st == QLW_NM_REREGISTERED) &&
               s->state == QLW_STATE_REGISTERING) {
        qlw_s_set_state(s, QLW_STATE_REGISTERED, QLW_CAUSE_POLL);
    } else if (st == QLW_NM_REG_FAILED || st == QLW_NM_REJECTED_BY_SERVER ||
               st == QLW_NM_TIMEOUT_AND_FAILED || st == QLW_NM_INIT_FAILED) {
        qlw_s_fail(s, QLW_ERR_FAILED, -1, qlw_nmstatus_str(st));
        qlw_s_set_state(s, QLW_STATE_ATTACHED, QLW_CAUSE_POLL);
        s->rereg = true;
        qlw_s_backoff(s, QLW_TEXT("registration"));
    }
    return 0;
}

/* ------------------------------------------------------------ downlinks */

/* A decoded downlink (n bytes in dl_buf) to the application, or its loss
 * (n < 0: the module's line could not be decoded) to on_notice. */
void qlw_s_downlink(qlw_session *s, int n, const char *line)
{
    if (n > 0 && s->cfg.on_downlink != NULL)
        s->cfg.on_downlink(s->cfg.ctx, s->dl_buf, (size_t)n);
    else if (n < 0)
        qlw_s_notice(s, QLW_NOTICE_DOWNLINK_LOST, n, line);
}

static int read_downlink_step(qlw_session *s, const qlw_at_response *r)
{
    int n;

    if (s->step == 0)
        return ISSUE(s, 1, QLW_NEUL_NMGR);
    finish(s);
    if (!ok(r) || r->line_count == 0) {
        s->dl_pending = false; /* drained (or refused: nothing more to read now) */
        return 0;
    }
    n = qlw_neul_parse_nmgr(r->lines[0], strlen(r->lines[0]), s->dl_buf, sizeof(s->dl_buf));
    qlw_s_downlink(s, n, r->lines[0]);
    return 0; /* dl_pending stays: read again until the module has none */
}

/* ------------------------------------------------------------- reboot */

static int reboot_step(qlw_session *s, const qlw_at_response *r)
{
    if (s->step == 0)
        return ISSUE(s, 1, QLW_NEUL_NRB);
    finish(s);
    if (ok(r)) {
        s->reboot_goal = QLW_GOAL_WAITING; /* done once set up again */
        expect_boot(s);
    }
    if (!ok(r) && r->result != QLW_AT_RESULT_REBOOTED) {
        s->reboot_goal = QLW_GOAL_FAILED;
        qlw_s_fail(s, qlw_at_result_err(r->result), -1, r->command);
    }
    return 0;
}

/* ----------------------------------------------------------- scheduling */

typedef int (*step_fn)(qlw_session *, const qlw_at_response *);

static const step_fn steps[] = {
    [QLW_PROC_NONE] = NULL,
    [QLW_PROC_SETUP] = setup_step,
    [QLW_PROC_CDP] = cdp_step,
    [QLW_PROC_ATTACH] = attach_step,
    [QLW_PROC_POLL_CEREG] = poll_cereg_step,
    [QLW_PROC_REGISTER] = register_step,
    [QLW_PROC_DEREGISTER] = deregister_step,
    [QLW_PROC_POLL_NMSTATUS] = poll_nmstatus_step,
    [QLW_PROC_UPLINK] = qlw_s_uplink_step,
    [QLW_PROC_UPLINK_QUERY] = qlw_s_uplink_query_step,
    [QLW_PROC_READ_DOWNLINK] = read_downlink_step,
    [QLW_PROC_REBOOT] = reboot_step,
    [QLW_PROC_SIGNAL] = qlw_s_signal_step,
#ifdef QLW_HAVE_DIALECT_MTK /* else never picked: qlw_s_mtk_pick() is never called */
    [QLW_PROC_MTK_REGISTER] = qlw_s_mtk_register_step,
    [QLW_PROC_MTK_UPLINK] = qlw_s_mtk_uplink_step,
    [QLW_PROC_MTK_ANSWER] = qlw_s_mtk_answer_step,
    [QLW_PROC_MTK_NOTIFY] = qlw_s_mtk_notify_step,
#endif
};

/* Procedures whose commands can be sent again when their answer was lost:
 * settings and reads. Not the uplink (its own rules), the reboot, the
 * registration (+QLWEVTIND tells) or AT+NMGR (a read that consumes). */
static bool may_retry(qlw_proc p)
{
    return p == QLW_PROC_SETUP || p == QLW_PROC_ATTACH || p == QLW_PROC_POLL_CEREG ||
           p == QLW_PROC_POLL_NMSTATUS || p == QLW_PROC_DEREGISTER || p == QLW_PROC_UPLINK_QUERY;
}

#define QLW_STEP_RETRIES 2u

static void on_done(void *ctx, const qlw_at_response *r)
{
    qlw_session *s = ctx;
    qlw_at_response overtaken;

    if (s->overtaken && r->result == QLW_AT_RESULT_CANCELLED) {
        overtaken = *r; /* its effect is visible already: as good as its OK */
        overtaken.result = QLW_AT_RESULT_OK;
        r = &overtaken;
    }
    s->overtaken = false;
    if (r->result == QLW_AT_RESULT_TIMEOUT && may_retry(s->proc) &&
        s->step_tries < QLW_STEP_RETRIES) {
        /* A lost answer is not a failure yet: the same command again (it is
         * still in the engine's buffer). */
        unsigned tries = s->step_tries + 1;

        qlw_s_notice(s, QLW_NOTICE_RETRY, 0, r->command);
        if (qlw_at_send(s->at, &s->cmd, on_done, s) == QLW_OK) {
            s->step_tries = tries;
            return;
        }
    }
    if (s->proc != QLW_PROC_NONE)
        steps[s->proc](s, r);
    if (s->port_lost) {
        /* The step saw the I/O error; nothing more goes to a lost port. A
         * command it issued meanwhile is cancelled (its completion finds no
         * procedure). The setup starts over once the port is back. */
        finish(s);
        if (qlw_at_busy(s->at))
            qlw_at_cancel(s->at);
        return;
    }
    qlw_s_schedule(s);
}

void qlw_s_overtake(qlw_session *s, qlw_proc proc, int step)
{
    if (s->proc != proc || s->step != step || !qlw_at_waiting(s->at))
        return;
    s->overtaken = true;
    qlw_at_cancel(s->at);
}

static bool due(const qlw_session *s, bool on, uint32_t at_ms)
{
    return on && qlw_ms_reached(qlw_s_now(s), at_ms);
}

/* Which procedure the goals and the state call for now, in priority order. */
static qlw_proc pick(qlw_session *s)
{
    bool wait = s->backoff_on;

    if (s->boot_wait || s->port_lost)
        return QLW_PROC_NONE;
    if (s->need_setup)
        return wait ? QLW_PROC_NONE : QLW_PROC_SETUP;
    if (s->ul_phase == QLW_UPLINK_QUERY) /* an uplink's fate first: nothing else depends on it */
        return QLW_PROC_UPLINK_QUERY;
    if (s->reboot_goal == QLW_GOAL_PENDING)
        return QLW_PROC_REBOOT;
    if (s->cdp_goal == QLW_GOAL_PENDING && !wait)
        return QLW_PROC_CDP;
    if (s->dereg_goal == QLW_GOAL_PENDING && s->state >= QLW_STATE_ATTACHED)
        return QLW_PROC_DEREGISTER;
    if (!wait && ((s->attach_goal != QLW_GOAL_NONE && s->state == QLW_STATE_DETACHED) ||
                  (s->attach_goal == QLW_GOAL_PENDING && s->attach_apply &&
                   s->state >= QLW_STATE_ATTACHING)))
        return QLW_PROC_ATTACH;
    if (s->state == QLW_STATE_ATTACHING && due(s, s->poll_on, s->poll_at_ms))
        return QLW_PROC_POLL_CEREG;
    if (qlw_s_mtk(s))
        return qlw_s_mtk_pick(s, wait);
    if (s->want_registered && s->state == QLW_STATE_ATTACHED && !wait)
        return QLW_PROC_REGISTER;
    if (s->dl_pending && s->state >= QLW_STATE_ATTACHED)
        return QLW_PROC_READ_DOWNLINK;
    if (qlw_s_uplink_due(s))
        return QLW_PROC_UPLINK;
    if ((s->state == QLW_STATE_REGISTERING || s->state == QLW_STATE_REGISTERED) &&
        due(s, s->poll_on, s->poll_at_ms))
        return QLW_PROC_POLL_NMSTATUS;
    if (qlw_s_signal_due(s))
        return QLW_PROC_SIGNAL;
    return QLW_PROC_NONE;
}

void qlw_s_schedule(qlw_session *s)
{
    s->touches++; /* anything that may move a deadline passes here (see lib/multi) */
    if (s->proc != QLW_PROC_NONE || qlw_at_busy(s->at) || qlw_at_booting(s->at) || s->reporting)
        return;
    s->proc = pick(s);
    s->step = 0;
    if (s->proc != QLW_PROC_NONE)
        steps[s->proc](s, NULL);
}

/* ---------------------------------------------------------------- time */

void qlw_s_tick(qlw_session *s)
{
    uint32_t now = qlw_s_now(s);

    if (s->backoff_on && qlw_ms_reached(now, s->backoff_until_ms))
        s->backoff_on = false;
    if (s->boot_wait && qlw_ms_reached(now, s->boot_wait_until_ms)) {
        s->boot_wait = false; /* no banner came: set the module up anyway */
        qlw_s_notice(s, QLW_NOTICE_WARNING, QLW_ERR_TIMEOUT,
                     QLW_TEXT("no boot banner after AT+NRB"));
    }
    qlw_s_uplink_tick(s, now);
    qlw_s_uplinks_tick(s);
    if (qlw_s_mtk(s))
        qlw_s_mtk_tick(s);
    if (s->state == QLW_STATE_READY) /* the events may overtake the OK that starts the timer */
        s->reg_timer_on = false;
    if (s->reg_timer_on && qlw_ms_reached(now, s->reg_deadline_ms) && s->state != QLW_STATE_READY) {
        s->reg_timer_on = false;
        qlw_s_fail(s, QLW_ERR_TIMEOUT, -1, "the server did not observe /19/0/0 in time");
        if (s->state >= QLW_STATE_ATTACHED)
            qlw_s_set_state(s, QLW_STATE_ATTACHED, QLW_CAUSE_TIMEOUT);
        s->rereg = true;
        qlw_s_backoff(s, QLW_TEXT("registration"));
    }
}

static void earliest(int32_t *best, bool on, uint32_t at_ms, uint32_t now)
{
    int32_t t;

    if (!on)
        return;
    t = qlw_ms_diff(at_ms, now);
    if (t < 0)
        t = 0;
    if (*best < 0 || t < *best)
        *best = t;
}

int32_t qlw_s_next_timer(qlw_session *s)
{
    uint32_t now = qlw_s_now(s);
    uint32_t deadline_ms = 0;
    bool has_deadline;
    int32_t best = -1;

    if (s->proc == QLW_PROC_NONE && !qlw_at_busy(s->at) && !qlw_at_booting(s->at) &&
        pick(s) != QLW_PROC_NONE)
        return 0;
    earliest(&best, s->backoff_on, s->backoff_until_ms, now);
    earliest(&best, s->boot_wait, s->boot_wait_until_ms, now);
    earliest(&best, s->ul_hold, s->ul_hold_until_ms, now);
    {
        int32_t t = qlw_s_uplink_timer(s, now);
        earliest(&best, t >= 0, now + (uint32_t)t, now);
    }
    earliest(&best, s->reg_timer_on, s->reg_deadline_ms, now);
    has_deadline = qlw_s_next_deadline(s, &deadline_ms); /* before deadline_ms is read */
    earliest(&best, has_deadline, deadline_ms, now);
    {
        uint32_t at_ms = 0;
        bool on = qlw_s_mtk(s) && qlw_s_mtk_deadline(s, &at_ms);

        earliest(&best, on, at_ms, now);
    }
    /* A due poll waits for the procedure in progress, whose end wakes us anyway. */
    earliest(&best, s->poll_on && !qlw_ms_reached(now, s->poll_at_ms), s->poll_at_ms, now);
    {
        uint32_t at_ms = 0;
        bool on = qlw_s_signal_next(s, &at_ms);

        earliest(&best, on && !qlw_ms_reached(now, at_ms), at_ms, now);
    }
    return best;
}

/* ---------------------------------------------------------- from URCs */

static void on_cereg_stat(qlw_session *s, const qlw_cereg *cr)
{
    if (qlw_cereg_registered(cr->stat)) {
        /* Attached: AT+CFUN=1 or AT+CGATT=1 waiting for its OK did its work. */
        qlw_s_overtake(s, QLW_PROC_ATTACH, 7);
        qlw_s_overtake(s, QLW_PROC_ATTACH, 6);
        s->attach_err = QLW_OK;
        if (s->attach_goal == QLW_GOAL_PENDING && !s->attach_apply)
            s->attach_goal = QLW_GOAL_DONE;
        if (s->state <= QLW_STATE_ATTACHING && s->state != QLW_STATE_STARTING) {
            qlw_s_set_state(s, QLW_STATE_ATTACHED, QLW_CAUSE_NETWORK);
            s->poll_on = false;
        }
        return;
    }
    if (cr->stat == 3) {
        s->attach_err = QLW_ERR_DENIED;
        if (cr->reject_cause >= 0)
            qlw_s_failf(s, QLW_ERR_DENIED, "the network denied registration (reject cause %d)",
                        cr->reject_cause);
        else
            qlw_s_fail_text(s, QLW_ERR_DENIED, "the network denied registration (+CEREG stat 3)");
    }
    if (s->state >= QLW_STATE_ATTACHED) {
        /* Lost the network: whatever the server knew of us must be renewed. */
        if (s->state >= QLW_STATE_REGISTERING)
            s->rereg = true;
        s->reg_timer_on = false;
        qlw_s_set_state(s, QLW_STATE_ATTACHING, QLW_CAUSE_NETWORK);
        s->poll_on = true;
        s->poll_at_ms = qlw_s_now(s) + s->cfg.attach_poll_ms;
    }
}

void qlw_s_on_cereg(qlw_session *s, const qlw_cereg *cr)
{
    on_cereg_stat(s, cr);
}

/* ------------------------------------------------------------- dialect */

static void set_dialect(qlw_session *s, qlw_dialect d)
{
    s->dialect = d;
    qlw_s_notice(s, QLW_NOTICE_DIALECT, (int)d, qlw_dialect_str(d));
    /* The LTE clients have no application-data command: queued uplinks
     * cannot go, so they are reported now rather than held forever. */
    if (qlw_s_lte(s)) {
        while (qlw_ulq_head(&s->ulq) != NULL)
            qlw_s_report_head_final(s, QLW_ERR_UNSUPPORTED);
    }
}
