#include <stdio.h>
#include <string.h>

#include "session/session_internal.h"

/* ---------------------------------------------------------------- goals */

int qlw_request_attach(qlw_session *s, const qlw_attach_opts *opts)
{
    if (s == NULL)
        return QLW_ERR_ARG;
    /* Check every option before keeping any: a refused call changes nothing. */
    if (opts != NULL && opts->apn != NULL && qlw_neul_check_apn(opts->apn) != QLW_OK) {
        qlw_s_fail(s, QLW_ERR_ARG, -1, "APN: only letters, digits, '-' and '.', at most 62");
        return QLW_ERR_ARG;
    }
    if (opts != NULL && (opts->cid < 0 || opts->cid > 15 || opts->band < 0 || opts->band > 255)) {
        qlw_s_fail(s, QLW_ERR_ARG, -1, "attach: cid must be 0..15 and band 0..255");
        return QLW_ERR_ARG;
    }
    if (opts != NULL && opts->apn != NULL) {
        snprintf(s->apn, sizeof(s->apn), "%s", opts->apn);
        s->apn_set = true;
    }
    if (opts != NULL) {
        s->cid = opts->cid;
        s->band = opts->band;
    }
    s->attach_err = QLW_OK;
    s->attach_apply = s->apn_set || s->band > 0;
    /* An attached module keeps its state unless an APN/band must be checked. */
    if (s->state >= QLW_STATE_ATTACHED && !s->attach_apply)
        s->attach_goal = QLW_GOAL_DONE;
    else
        s->attach_goal = QLW_GOAL_PENDING;
    qlw_s_schedule(s);
    return QLW_OK;
}

int qlw_request_cdp(qlw_session *s, const char *addr, uint16_t port)
{
    if (s == NULL)
        return QLW_ERR_ARG;
    if (qlw_neul_check_cdp(addr, port) != QLW_OK) {
        qlw_s_fail(s, QLW_ERR_ARG, -1, "CDP server: a dotted IPv4 address and a port 1..65535");
        return QLW_ERR_ARG;
    }
    snprintf(s->cdp_addr, sizeof(s->cdp_addr), "%s", addr);
    s->cdp_port = port;
    s->cdp_reboots = 0;
    s->cdp_goal = QLW_GOAL_PENDING;
    qlw_s_schedule(s);
    return QLW_OK;
}

int qlw_request_register(qlw_session *s)
{
    if (s == NULL)
        return QLW_ERR_ARG;
    s->want_registered = true;
    s->dereg_goal = QLW_GOAL_NONE;
    if (s->attach_goal == QLW_GOAL_NONE)
        s->attach_goal = s->state >= QLW_STATE_ATTACHED ? QLW_GOAL_DONE : QLW_GOAL_PENDING;
    qlw_s_schedule(s);
    return QLW_OK;
}

int qlw_request_deregister(qlw_session *s)
{
    if (s == NULL)
        return QLW_ERR_ARG;
    s->want_registered = false;
    s->dereg_goal = QLW_GOAL_PENDING;
    qlw_s_schedule(s);
    return QLW_OK;
}

int qlw_queue_uplink_opts(qlw_session *s, const uint8_t *data, size_t len,
                          const qlw_uplink_opts *opts, uint32_t *id)
{
    qlw_uplink_mode mode = opts != NULL ? opts->mode : QLW_UPLINK_NON;
    uint32_t deadline_ms = opts != NULL ? opts->deadline_ms : 0;
    int rc;

    if (s == NULL)
        return QLW_ERR_ARG;
    if ((unsigned)mode > (unsigned)QLW_UPLINK_LEGACY_NMGS) { /* negatives wrap past it */
        qlw_s_fail(s, QLW_ERR_ARG, -1, "uplink: mode must be one of qlw_uplink_mode");
        return QLW_ERR_ARG;
    }
    if (qlw_neul_check_payload(data, len) != QLW_OK) {
        qlw_s_fail(s, QLW_ERR_ARG, -1, "uplink: payload must be 1..512 bytes");
        return QLW_ERR_ARG;
    }
    if (deadline_ms > INT32_MAX) {
        qlw_s_fail(s, QLW_ERR_ARG, -1, "uplink: deadline at most 2147483647 ms");
        return QLW_ERR_ARG;
    }
    if (qlw_s_lte(s)) {
        qlw_s_fail_text(s, QLW_ERR_UNSUPPORTED,
                        "uplink: this module's LwM2M client (AT+QLWCFG) has no application-data "
                        "command");
        return QLW_ERR_UNSUPPORTED;
    }
    rc = qlw_s_queue(s, data, len, mode, deadline_ms, id);
    if (rc != QLW_OK)
        return rc;
    s->stats.queued++;
    s->touches++; /* a multi handle looks at it again (with a store, no schedule here) */
    /* With a store the handover waits for the next qlw_process(): the caller
     * may hold a transaction on the store (queueing and its own record of it,
     * atomically), and a handover mark inside it would become durable only
     * after the command went to the module. */
    if (qlw_s_store(s) == NULL)
        qlw_s_schedule(s);
    return QLW_OK;
}

int qlw_queue_uplink(qlw_session *s, const uint8_t *data, size_t len, qlw_uplink_mode mode,
                     uint32_t *id)
{
    qlw_uplink_opts opts = {.mode = mode, .deadline_ms = 0};

    return qlw_queue_uplink_opts(s, data, len, &opts, id);
}

int qlw_pause(qlw_session *s)
{
    if (s == NULL)
        return QLW_ERR_ARG;
    s->paused = true;
    /* An uplink command the engine holds back (a resynchronising probe is
     * still out) has not reached the module: take it back, so that nothing
     * new starts after the pause. */
    if (s->ul_phase == QLW_UPLINK_COMMAND && qlw_at_busy(s->at) && !qlw_at_written(s->at))
        qlw_at_cancel(s->at);
    return QLW_OK;
}

int qlw_resume(qlw_session *s)
{
    if (s == NULL)
        return QLW_ERR_ARG;
    s->paused = false;
    qlw_s_schedule(s);
    return QLW_OK;
}

/* ------------------------------------------------------------- blocking */

typedef int (*check_fn)(qlw_session *s);

/* Runs the session until check() says done (>0) or failed (<0), or time is up. */
static int run_until(qlw_session *s, check_fn check, uint32_t timeout_ms)
{
    uint32_t start = qlw_s_now(s);

    for (;;) {
        int32_t elapsed;
        int rc = check(s);

        if (rc != 0)
            return rc > 0 ? QLW_OK : rc;
        elapsed = qlw_ms_diff(qlw_s_now(s), start);
        if (elapsed >= (int32_t)timeout_ms)
            return QLW_ERR_TIMEOUT;
        rc = qlw_poll(s, timeout_ms - (uint32_t)elapsed);
        /* QLW_ERR_STATE, or the transport failed for good: time may not move.
         * A port the session can get back is waited for within the timeout. */
        if (rc < 0 && (rc == QLW_ERR_STATE || !s->port_lost || !qlw_s_port_reopenable(s) ||
                       s->port_wait_failed))
            return rc;
    }
}

/* The clock compares times wrap-safely, which only works below 2^31 ms. */
static int check_timeout(qlw_session *s, uint32_t timeout_ms)
{
    if (s == NULL)
        return QLW_ERR_ARG;
    /* Checked before anything is queued or asked for: a refused call changes nothing. */
    if (qlw_at_in_callback(s->at)) {
        qlw_s_fail_text(s, QLW_ERR_STATE,
                        "a blocking call from inside a callback: use the qlw_request_*() and "
                        "qlw_queue_uplink() calls there");
        return QLW_ERR_STATE;
    }
    if (timeout_ms > INT32_MAX) {
        qlw_s_fail(s, QLW_ERR_ARG, -1, "timeout: at most 2147483647 ms");
        return QLW_ERR_ARG;
    }
    return QLW_OK;
}

static int goal_check(qlw_goal g, int err)
{
    if (g == QLW_GOAL_DONE)
        return 1;
    return g == QLW_GOAL_FAILED ? (err != QLW_OK ? err : QLW_ERR_FAILED) : 0;
}

static int attach_check(qlw_session *s)
{
    if (s->state >= QLW_STATE_ATTACHED && s->attach_goal != QLW_GOAL_PENDING)
        return 1;
    return s->attach_err == QLW_ERR_DENIED ? QLW_ERR_DENIED : 0;
}

int qlw_attach(qlw_session *s, const qlw_attach_opts *opts, uint32_t timeout_ms)
{
    int rc = check_timeout(s, timeout_ms);

    if (rc == QLW_OK)
        rc = qlw_request_attach(s, opts);

    return rc != QLW_OK ? rc : run_until(s, attach_check, timeout_ms);
}

static int cdp_check(qlw_session *s)
{
    /* done only once the module is set up again after the reboot */
    if (s->cdp_goal == QLW_GOAL_DONE && !s->need_setup)
        return 1;
    return s->cdp_goal == QLW_GOAL_FAILED ? goal_check(s->cdp_goal, s->last_err) : 0;
}

int qlw_set_cdp(qlw_session *s, const char *addr, uint16_t port, uint32_t timeout_ms)
{
    int rc = check_timeout(s, timeout_ms);

    if (rc == QLW_OK)
        rc = qlw_request_cdp(s, addr, port);

    return rc != QLW_OK ? rc : run_until(s, cdp_check, timeout_ms);
}

static int registered_check(qlw_session *s)
{
    return s->state >= QLW_STATE_REGISTERED;
}

int qlw_register(qlw_session *s, uint32_t timeout_ms)
{
    int rc = check_timeout(s, timeout_ms);

    if (rc == QLW_OK)
        rc = qlw_request_register(s);

    return rc != QLW_OK ? rc : run_until(s, registered_check, timeout_ms);
}

static int ready_check(qlw_session *s)
{
    return s->state == QLW_STATE_READY;
}

int qlw_wait_ready(qlw_session *s, uint32_t timeout_ms)
{
    int rc = check_timeout(s, timeout_ms);

    return rc != QLW_OK ? rc : run_until(s, ready_check, timeout_ms);
}

static int dereg_check(qlw_session *s)
{
    return goal_check(s->dereg_goal, s->last_err);
}

int qlw_deregister(qlw_session *s, uint32_t timeout_ms)
{
    int rc = check_timeout(s, timeout_ms);

    if (rc == QLW_OK)
        rc = qlw_request_deregister(s);

    return rc != QLW_OK ? rc : run_until(s, dereg_check, timeout_ms);
}

static int watch_check(qlw_session *s)
{
    if (!s->watch_done)
        return 0;
    return s->watch_report.result == QLW_OK ? 1 : s->watch_report.result;
}

int qlw_send_uplink(qlw_session *s, const uint8_t *data, size_t len, qlw_uplink_mode mode,
                    uint32_t timeout_ms, qlw_uplink_report *report)
{
    uint32_t id;
    int rc = check_timeout(s, timeout_ms);

    if (rc == QLW_OK)
        rc = qlw_queue_uplink(s, data, len, mode, &id);

    if (rc != QLW_OK)
        return rc;
    s->watch_id = id;
    s->watch_done = false;
    if (s->attach_goal == QLW_GOAL_NONE || !s->want_registered)
        qlw_request_register(s); /* the uplink needs READY, so ask for it */
    rc = run_until(s, watch_check, timeout_ms);
    if (report != NULL && s->watch_done)
        *report = s->watch_report;
    s->watch_id = 0;
    return rc;
}

static int reboot_check(qlw_session *s)
{
    if (s->reboot_goal == QLW_GOAL_DONE && !s->need_setup)
        return 1;
    return s->reboot_goal == QLW_GOAL_FAILED ? goal_check(s->reboot_goal, s->last_err) : 0;
}

int qlw_reboot(qlw_session *s, uint32_t timeout_ms)
{
    int rc = check_timeout(s, timeout_ms);

    if (rc != QLW_OK)
        return rc;
    s->reboot_goal = QLW_GOAL_PENDING;
    return run_until(s, reboot_check, timeout_ms);
}
