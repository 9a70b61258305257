/*
 * The session on the BC26/BC66 command sets (reference
 * quectel-lwm2m-dialects.md sections 1 and 2): the same promise as on the
 * BC68. Objects /19/0 and /19/1 (and on dialect B the application's own)
 * are added before every registration, since a restart loses them; the
 * session is READY once the server observes /19/0/0; uplinks go out one at
 * a time, in order, each with one report that says what the module said:
 * A: AT+QLWDATASEND, then OK (NON) or SEND OK / SEND FAIL (CON);
 * B: AT+QLWNOTIFY on /19/0/0 (opaque), then +QLWNOTIFY: <result> (NON) and
 * "report_ack" (CON). Downlinks: +QLWDATARECV (A), a write of /19/1/0 (B).
 * On B the session also answers every server request (lwobj.h).
 *
 * Results that follow a command's OK are lines of their own (reference
 * quirk 2); they reach qlw_s_mtk_urc() after the OK's step has run, since
 * the engine dispatches in arrival order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quectel/mtk_cmd.h"
#include "session/session_internal.h"

#define ISSUE(s, next_step, ...) qlw_s_issue(s, next_step, build(s, __VA_ARGS__))

/* Longest value text: a whole payload as quoted hex. */
#define VALUE_TEXT_MAX (2 * QLW_NEUL_PAYLOAD_MAX + 3)

static int build(qlw_session *s, qlw_mtk_op op, ...)
{
    size_t size = 0;
    char *buf = qlw_s_text(s, &size);
    va_list ap;
    int rc;

    if (buf == NULL)
        return QLW_ERR_STATE;
    va_start(ap, op);
    rc = qlw_mtk_vcmd(&s->cmd, buf, size, op, ap);
    va_end(ap);
    return rc;
}

static bool ok(const qlw_at_response *r)
{
    return qlw_s_ok(r);
}

static bool dialect_a(const qlw_session *s)
{
    return s->dialect == QLW_DIALECT_MTK_A;
}

static bool is_con(qlw_uplink_mode m)
{
    return m == QLW_UPLINK_CON || m == QLW_UPLINK_CON_RELEASE;
}

static int cme_of(const qlw_at_response *r)
{
    return r->result == QLW_AT_RESULT_CME_ERROR ? r->code : -1;
}

/* A step failed in a way the procedure cannot absorb: say so, back off. */
static int failed(qlw_session *s, const qlw_at_response *r)
{
    qlw_s_finish(s);
    if (r->result == QLW_AT_RESULT_REBOOTED)
        return 0; /* the boot handling starts over */
    qlw_s_fail(s, qlw_at_result_err(r->result), cme_of(r), r->command);
    qlw_s_backoff(s, r->command);
    return 0;
}

static void start_reg_timer(qlw_session *s)
{
    s->reg_timer_on = true;
    s->reg_deadline_ms = qlw_s_now(s) + s->cfg.register_timeout_ms;
}

/* Registration or the observe is gone: register afresh after a back-off. */
static void lost_registration(qlw_session *s, qlw_cause cause, const char *what)
{
    s->reg_timer_on = false;
    s->rereg = true;
    qlw_s_backoff(s, what); /* before the state callback, which may call back in */
    if (s->state > QLW_STATE_ATTACHED)
        qlw_s_set_state(s, QLW_STATE_ATTACHED, cause);
}

/* ------------------------------------------------------------- objects */

static const qlw_lw_instance *find_instance(const qlw_session *s, int obj, int ins)
{
    const qlw_lw_host *h = s->mtk.host;

    for (size_t i = 0; h != NULL && i < h->instance_count; i++) {
        if (h->instances[i].object == obj && h->instances[i].instance == ins)
            return &h->instances[i];
    }
    return NULL;
}

static const qlw_lw_resource *find_resource(const qlw_lw_instance *in, int res)
{
    for (size_t i = 0; in != NULL && i < in->resource_count; i++) {
        if (in->resources[i].id == res)
            return &in->resources[i];
    }
    return NULL;
}

/* /19/0/0 (read, observe) and /19/1/0 (write) are the session's own. */
static bool own_uplink(int obj, int ins, int res)
{
    return obj == 19 && ins == 0 && (res == 0 || res < 0);
}

static bool own_downlink(int obj, int ins, int res)
{
    return obj == 19 && ins == 1 && res == 0;
}

/* The answer code for an operation on a path, before calling the application. */
static int resolve(const qlw_session *s, int obj, int ins, int res, unsigned op)
{
    const qlw_lw_instance *in;
    const qlw_lw_resource *r;

    if (obj == 19) {
        if ((op == QLW_LW_R && own_uplink(obj, ins, res)) ||
            (op == QLW_LW_W && own_downlink(obj, ins, res)))
            return QLW_MTK_RSP_CONTENT;
        return ins <= 1 && res <= 0 ? QLW_MTK_RSP_NOT_ALLOWED : QLW_MTK_RSP_NOT_FOUND;
    }
    in = find_instance(s, obj, ins);
    if (in == NULL)
        return QLW_MTK_RSP_NOT_FOUND;
    if (res < 0) /* a whole instance: read only */
        return op == QLW_LW_R ? QLW_MTK_RSP_CONTENT : QLW_MTK_RSP_NOT_ALLOWED;
    r = find_resource(in, res);
    if (r == NULL)
        return QLW_MTK_RSP_NOT_FOUND;
    return (r->ops & op) ? QLW_MTK_RSP_CONTENT : QLW_MTK_RSP_NOT_ALLOWED;
}

static int status_code(int status, int ok_code)
{
    switch (status) {
    case QLW_LW_OK:
        return ok_code;
    case QLW_LW_NOT_FOUND:
        return QLW_MTK_RSP_NOT_FOUND;
    case QLW_LW_NOT_ALLOWED:
        return QLW_MTK_RSP_NOT_ALLOWED;
    default:
        return QLW_MTK_RSP_BAD_REQUEST;
    }
}

/* The resources the server observes. Dialect B's tables share the BC68's
 * downlink buffer (one dialect per session): NULL unless the session drives
 * dialect B, so that no other dialect's path can write into them. */
static qlw_mtk_observed *observed_table(qlw_session *s)
{
    return s->dialect == QLW_DIALECT_QLWCONFIG_B ? s->mtkt.observed : NULL;
}

static qlw_mtk_observed *observed(qlw_session *s, int obj, int ins, int res)
{
    qlw_mtk_observed *t = observed_table(s);

    for (size_t i = 0; t != NULL && i < QLW_MTK_OBSERVED; i++) {
        if (t[i].used && t[i].obj == obj && t[i].ins == ins && t[i].res == res)
            return &t[i];
    }
    return NULL;
}

/* The first observed resource with a new value to send, or NULL. */
static qlw_mtk_observed *notify_pending(qlw_session *s)
{
    qlw_mtk_observed *t = observed_table(s);

    for (size_t i = 0; t != NULL && i < QLW_MTK_OBSERVED; i++) {
        if (t[i].used && t[i].notify)
            return &t[i];
    }
    return NULL;
}

/* ------------------------------------------------------------ register */

/* The instance list of dialect B's AT+QLWADDOBJ: "5700,5701". */
static int id_list(const qlw_lw_instance *in, char *out, size_t size)
{
    size_t used = 0;

    out[0] = '\0';
    for (size_t i = 0; i < in->resource_count; i++) {
        char num[8];
        size_t n;

        n = (size_t)snprintf(num, sizeof(num), "%s%u", i ? "," : "", (unsigned)in->resources[i].id);
        if (used + n >= size)
            return QLW_ERR_OVERFLOW;
        memcpy(out + used, num, n + 1);
        used += n;
    }
    return QLW_OK;
}

/* The module accepted the close: register again once it says it is done
 * (or after a while, if that line never comes). A refusal means there was
 * nothing to close. */
static int await_close(qlw_session *s)
{
    qlw_s_finish(s);
    s->rereg = false;
    s->mtk.closing = true;
    s->mtk.close_deadline_ms = qlw_s_now(s) + s->cfg.register_timeout_ms / 10;
    return 0;
}

static int register_a(qlw_session *s, const qlw_at_response *r)
{
    switch (s->step) {
    case 0:
        if (s->mtk.host != NULL && s->mtk.host->instance_count > 0)
            qlw_s_notice(s, QLW_NOTICE_WARNING, QLW_ERR_UNSUPPORTED,
                         "host objects need the BC66's AT+QLWCONFIG set; not added");
        if (s->rereg) /* the old registration first; CLOSE OK/FAIL ends it */
            return ISSUE(s, 1, QLW_MTK_A_CLOSE);
        /* fall through */
    case 1:
        if (r != NULL && ok(r))
            return await_close(s);
        return ISSUE(s, 2, QLW_MTK_A_DATAFORMAT);
    case 2:
        /* A refusal of an object that is already there is fine: OPEN tells. */
        return ISSUE(s, 3, QLW_MTK_A_ADDOBJ, 19u, 0u, 0u);
    case 3:
        return ISSUE(s, 4, QLW_MTK_A_ADDOBJ, 19u, 1u, 0u);
    case 4:
        return ISSUE(s, 5, QLW_MTK_A_OPEN);
    default:
        break;
    }
    (void)r;
    return 0;
}

static int add_host_object(qlw_session *s)
{
    const qlw_lw_host *h = s->mtk.host;
    char ids[16 * 6];
    const qlw_lw_instance *in;
    int rc;

    if (h == NULL || s->mtk.reg_obj >= h->instance_count)
        return ISSUE(s, 5, QLW_MTK_B_REG);
    in = &h->instances[s->mtk.reg_obj++];
    rc = id_list(in, ids, sizeof(ids));
    if (rc != QLW_OK)
        return qlw_s_issue(s, 4, rc);
    return ISSUE(s, 4, QLW_MTK_B_ADDOBJ, (unsigned)in->object, (unsigned)in->instance,
                 (unsigned)in->resource_count, ids);
}

static int register_b(qlw_session *s, const qlw_at_response *r)
{
    switch (s->step) {
    case 0:
        /* A new registration: what the server asked and watched is over
         * (and the tables may hold bytes from before the dialect was known). */
        memset(&s->mtkt, 0, sizeof(s->mtkt));
        s->mtk.nanswers = 0;
        s->mtk.seen_next = 0;
        if (s->rereg) /* the old registration first; +QLWDEREG: <result> ends it */
            return ISSUE(s, 1, QLW_MTK_B_DEREG);
        /* fall through */
    case 1:
        if (r != NULL && ok(r))
            return await_close(s);
        return ISSUE(s, 2, QLW_MTK_B_ACCESS_MODE);
    case 2:
        return ISSUE(s, 3, QLW_MTK_B_ADDOBJ, 19u, 0u, 1u, "0");
    case 3:
        s->mtk.reg_obj = 0;
        return ISSUE(s, 4, QLW_MTK_B_ADDOBJ, 19u, 1u, 1u, "0");
    case 4:
        return add_host_object(s);
    default:
        break;
    }
    (void)r;
    return 0;
}

int qlw_s_mtk_register_step(qlw_session *s, const qlw_at_response *r)
{
    bool done;

    if (r == NULL && s->step != 0)
        return qlw_s_finish(s);
    /* Only a restart or a lost port stops the preparation: refusals (and
     * lost answers) of the close, the format and the objects are answers to
     * carry on from; the registration itself tells whether they took. */
    if (r != NULL && s->step < 5 &&
        (r->result == QLW_AT_RESULT_REBOOTED || r->result == QLW_AT_RESULT_IO_ERROR))
        return failed(s, r);
    if (s->step < 5)
        return dialect_a(s) ? register_a(s, r) : register_b(s, r);
    /* its OK was lost, but its result line came: registered */
    done = ok(r) || (r->result == QLW_AT_RESULT_TIMEOUT && s->state >= QLW_STATE_REGISTERED);
    if (!done && !s->mtk.reg_refused && r->result != QLW_AT_RESULT_TIMEOUT &&
        r->result != QLW_AT_RESULT_REBOOTED && r->result != QLW_AT_RESULT_IO_ERROR) {
        /* Most likely still registered from an earlier program (the module
         * keeps its client across host restarts): close it, start afresh. */
        s->mtk.reg_refused = true;
        s->rereg = true;
        return qlw_s_finish(s);
    }
    s->mtk.reg_refused = false;
    if (!done)
        return failed(s, r);
    qlw_s_finish(s);
    s->rereg = false;
    if (s->state < QLW_STATE_REGISTERING)
        qlw_s_set_state(s, QLW_STATE_REGISTERING, QLW_CAUSE_REQUEST);
    start_reg_timer(s);
    return 0;
}

int qlw_s_mtk_deregister(qlw_session *s)
{
    return ISSUE(s, 1, dialect_a(s) ? QLW_MTK_A_CLOSE : QLW_MTK_B_DEREG);
}

/* -------------------------------------------------------------- uplink */

/* The uplink at the head moves through the phases of session_uplink.c
 * (ul_phase, ul_news, ul->handed/uncertain/resent), so that pause, the
 * delivery policy, a restart and the reports work as on the BC68; only the
 * command and the lines that judge it differ. */

/* The module took the command: wait for the line that says it left (A's
 * NON has none: its OK is all the module will say). */
static void ul_accepted(qlw_session *s, qlw_ul *ul)
{
    qlw_uplink_news news = s->ul_news;

    if (dialect_a(s) && !is_con(ul->mode)) {
        qlw_s_report_head(s, QLW_OUTCOME_SENT, QLW_OK, -1);
        return;
    }
    s->ul_phase = is_con(ul->mode) ? QLW_UPLINK_WAIT_STATUS : QLW_UPLINK_WAIT_SENT;
    s->ul_deadline_ms =
        qlw_s_now(s) + (is_con(ul->mode) ? s->cfg.con_ack_timeout_ms : s->cfg.sent_timeout_ms);
    s->ul_news = QLW_UPLINK_NEWS_NONE;
    if (news != QLW_UPLINK_NEWS_NONE && news != QLW_UPLINK_NEWS_PENDING)
        qlw_s_ul_news(s, news, -1); /* a line said it before the OK */
}

static int uplink_send(qlw_session *s, qlw_ul *ul)
{
    char text[VALUE_TEXT_MAX];
    unsigned len = (unsigned)ul->len;
    qlw_lw_value v = {.type = QLW_LW_OPAQUE, .bytes = qlw_ulq_data(&s->ulq, ul), .len = ul->len};
    int rc;

    qlw_s_uplink_handing(s, ul);
    s->mtk.ul_msgid = -1;
    if (dialect_a(s)) {
        qlw_hex_encode(v.bytes, v.len, text, sizeof(text));
        return ISSUE(s, 1, is_con(ul->mode) ? QLW_MTK_A_SEND_CON : QLW_MTK_A_SEND_NON, len, text);
    }
    rc = qlw_mtk_value_text(&v, text, sizeof(text), &len);
    if (rc != QLW_OK)
        return qlw_s_issue(s, 1, rc);
    return ISSUE(s, 1, QLW_MTK_B_NOTIFY, 19u, 0u, 0u, (int)QLW_LW_OPAQUE, len, text,
                 is_con(ul->mode) ? 1 : 0);
}

/* The module refused the uplink before anything happened: it did not go. */
static int refused(qlw_session *s, qlw_ul *ul, const qlw_at_response *r)
{
    s->ul_phase = QLW_UPLINK_IDLE;
    s->ul_news = QLW_UPLINK_NEWS_NONE;
    if (ul->attempts > s->cfg.max_resends) {
        qlw_s_fail(s, qlw_at_result_err(r->result), cme_of(r), r->command);
        qlw_s_report_head(s, ul->uncertain ? QLW_OUTCOME_UNKNOWN : QLW_OUTCOME_FAILED,
                          qlw_at_result_err(r->result), cme_of(r));
        return 0;
    }
    /* Busy, or the observe is being renewed: hand it over again after a
     * pause (an observe cancelled meanwhile stops the uplinks by itself). */
    qlw_s_notice(s, QLW_NOTICE_RETRY, (int)s->cfg.backoff_min_ms, r->final);
    s->ul_hold = true;
    s->ul_hold_until_ms = qlw_s_now(s) + s->cfg.backoff_min_ms;
    return 0;
}

int qlw_s_mtk_uplink_step(qlw_session *s, const qlw_at_response *r)
{
    qlw_ul *ul = qlw_ulq_head(&s->ulq);

    if (ul == NULL)
        return qlw_s_finish(s);
    if (r == NULL) { /* the procedure starts: hand the head over */
        if (s->step != 0 || qlw_s_handover(s, ul) != 0)
            return qlw_s_finish(s); /* expired, resolved, or held: nothing written */
        return uplink_send(s, ul);
    }
    qlw_s_finish(s);
    if (s->ul_phase != QLW_UPLINK_COMMAND)
        return 0; /* an event (a restart) judged it already */
    if (qlw_s_ok(r) ||
        (s->ul_news != QLW_UPLINK_NEWS_NONE && s->ul_news != QLW_UPLINK_NEWS_PENDING)) {
        ul_accepted(s, ul);
        return 0;
    }
    if (qlw_s_uplink_unwritten(s, ul, r))
        return 0;
    switch (r->result) {
    case QLW_AT_RESULT_ERROR:
    case QLW_AT_RESULT_CME_ERROR:
    case QLW_AT_RESULT_CMS_ERROR:
        return refused(s, ul, r);
    case QLW_AT_RESULT_TIMEOUT:
        /* The OK was lost: the module may have taken it; its verdict line may
         * still come. A's NON has none: nobody can tell. */
        if (dialect_a(s) && !is_con(ul->mode))
            qlw_s_uplink_uncertain(s, ul, QLW_ERR_TIMEOUT);
        else
            ul_accepted(s, ul);
        return 0;
    default: /* rebooted, port failed, cancelled: the module's state is unknown */
        qlw_s_uplink_uncertain(s, ul, qlw_at_result_err(r->result));
        return 0;
    }
}

/* A: SEND OK / SEND FAIL. No ACK after the retransmissions: the CON may have
 * arrived and its ACK been lost, so a failure is uncertain, not "not gone". */
static void on_send_result(qlw_session *s, int result)
{
    qlw_s_ul_news(s, result == 0 ? QLW_UPLINK_NEWS_LEFT : QLW_UPLINK_NEWS_UNCERTAIN,
                  result == 0 ? QLW_UPLINK_DELIVERED : QLW_UPLINK_TIMEOUT);
}

/* B: +QLWNOTIFY: <result>: for a NON, it left; for a CON, the ACK is next.
 * A failure means the module did not send it. */
static void on_notify_result(qlw_session *s, int result)
{
    qlw_ul *ul = qlw_ulq_head(&s->ulq);

    if (s->mtk.nt_wait) {
        s->mtk.nt_wait = false;
        if (result != 0)
            qlw_s_notice(s, QLW_NOTICE_WARNING, QLW_ERR_FAILED, "AT+QLWNOTIFY: the module refused");
        return;
    }
    if (ul == NULL)
        return;
    if (result != 0)
        qlw_s_ul_news(s, QLW_UPLINK_NEWS_NOT_GONE, QLW_UPLINK_SEND_FAILED);
    else if (is_con(ul->mode))
        qlw_s_ul_news(s, QLW_UPLINK_NEWS_PENDING, QLW_UPLINK_WAITING);
    else
        qlw_s_ul_news(s, QLW_UPLINK_NEWS_LEFT, -1);
}

/* B: "report_ack",<status>,<msgid>: 0 acknowledged; otherwise no ACK came
 * (uncertain, as A's SEND FAIL). */
static void on_report_ack(qlw_session *s, int status, long msgid)
{
    qlw_ul *ul = qlw_ulq_head(&s->ulq);

    if (ul == NULL || !is_con(ul->mode) || (s->mtk.ul_msgid >= 0 && msgid != s->mtk.ul_msgid))
        return;
    qlw_s_ul_news(s, status == 0 ? QLW_UPLINK_NEWS_LEFT : QLW_UPLINK_NEWS_UNCERTAIN,
                  status == 0 ? QLW_UPLINK_DELIVERED : QLW_UPLINK_TIMEOUT);
}

/* ------------------------------------------------------------ requests */

static qlw_lw_request_kind kind_of(const qlw_mtk_urc *u)
{
    switch (u->kind) {
    case QLW_MTK_URC_REQ_WRITE:
        return QLW_LW_REQ_WRITE;
    case QLW_MTK_URC_REQ_EXECUTE:
        return QLW_LW_REQ_EXECUTE;
    case QLW_MTK_URC_REQ_OBSERVE:
        return u->flag ? QLW_LW_REQ_CANCEL : QLW_LW_REQ_OBSERVE;
    default:
        return QLW_LW_REQ_READ;
    }
}

static void tell(qlw_session *s, const qlw_mtk_urc *u, int code, bool repeated)
{
    const qlw_lw_host *h = s->mtk.host;
    qlw_lw_request req;

    if (h == NULL || h->on_request == NULL)
        return;
    req = (qlw_lw_request){kind_of(u), (uint16_t)u->msgid, u->obj, u->ins, u->res, repeated, code};
    h->on_request(h->ctx, &req);
}

static void enqueue(qlw_session *s, const qlw_mtk_urc *u, int code)
{
    qlw_mtk *m = &s->mtk;

    if (m->nanswers == QLW_MTK_ANSWERS) {
        /* The server retransmits an unanswered request: answered then. */
        qlw_s_notice(s, QLW_NOTICE_URC_LOST, 1, "server request not answered: too many at once");
        return;
    }
    s->mtkt.answers[m->nanswers++] =
        (qlw_mtk_answer){(uint8_t)kind_of(u), (uint16_t)u->msgid, u->obj, u->ins, u->res, code, 0};
}

static qlw_mtk_seen *seen(qlw_session *s, const qlw_mtk_urc *u)
{
    for (size_t i = 0; i < QLW_MTK_SEEN; i++) {
        qlw_mtk_seen *e = &s->mtkt.seen[i];
        if (e->used && e->msgid == u->msgid && e->kind == (uint8_t)kind_of(u))
            return e;
    }
    return NULL;
}

static void remember(qlw_session *s, const qlw_mtk_urc *u, int code)
{
    qlw_mtk_seen *e = &s->mtkt.seen[s->mtk.seen_next];

    *e = (qlw_mtk_seen){true, (uint8_t)kind_of(u), (uint16_t)u->msgid, code};
    s->mtk.seen_next = (uint8_t)((s->mtk.seen_next + 1u) % QLW_MTK_SEEN);
}

/* The written value as the application sees it; text points into buf. */
static int decode_value(const qlw_mtk_urc *u, char *buf, size_t size, qlw_lw_value *v)
{
    char *end;

    if (u->value_len >= size)
        return QLW_ERR_OVERFLOW;
    memcpy(buf, u->value, u->value_len);
    buf[u->value_len] = '\0';
    *v = (qlw_lw_value){.type = (qlw_lw_type)u->type};
    switch (u->type) {
    case QLW_LW_STRING:
        v->str = buf;
        return QLW_OK;
    case QLW_LW_OPAQUE: {
        int n = qlw_hex_decode(buf, u->value_len, (uint8_t *)buf, size);
        if (n < 0)
            return n;
        v->bytes = (const uint8_t *)buf;
        v->len = (size_t)n;
        return QLW_OK;
    }
    case QLW_LW_INTEGER:
        v->i = strtoll(buf, &end, 10);
        break;
    case QLW_LW_FLOAT:
        v->f = strtod(buf, &end);
        break;
    default:
        v->b = buf[0] == '1';
        end = buf[0] == '0' || buf[0] == '1' ? buf + 1 : buf;
        break;
    }
    return end != buf && *end == '\0' ? QLW_OK : QLW_ERR_PARSE;
}

static int do_write(qlw_session *s, const qlw_mtk_urc *u)
{
    char buf[2 * QLW_NEUL_PAYLOAD_MAX + 1];
    const qlw_lw_resource *res;
    qlw_lw_value v;
    int code = resolve(s, u->obj, u->ins, u->res, QLW_LW_W);

    if (code != QLW_MTK_RSP_CONTENT)
        return code;
    if (decode_value(u, buf, sizeof(buf), &v) != QLW_OK)
        return QLW_MTK_RSP_BAD_REQUEST;
    if (own_downlink(u->obj, u->ins, u->res)) {
        if (v.type != QLW_LW_OPAQUE)
            return QLW_MTK_RSP_BAD_REQUEST;
        if (s->cfg.on_downlink != NULL)
            s->cfg.on_downlink(s->cfg.ctx, v.bytes, v.len);
        return QLW_MTK_RSP_CHANGED;
    }
    res = find_resource(find_instance(s, u->obj, u->ins), u->res);
    if (res == NULL || res->type != v.type)
        return QLW_MTK_RSP_BAD_REQUEST;
    return status_code(s->mtk.host->write(s->mtk.host->ctx, (uint16_t)u->obj, (uint16_t)u->ins,
                                          (uint16_t)u->res, &v),
                       QLW_MTK_RSP_CHANGED);
}

static int do_execute(qlw_session *s, const qlw_mtk_urc *u)
{
    char args[128];
    int code = resolve(s, u->obj, u->ins, u->res, QLW_LW_E);

    if (code != QLW_MTK_RSP_CONTENT)
        return code;
    if (u->value_len >= sizeof(args))
        return QLW_MTK_RSP_BAD_REQUEST;
    memcpy(args, u->value != NULL ? u->value : "", u->value_len);
    args[u->value_len] = '\0';
    return status_code(s->mtk.host->execute(s->mtk.host->ctx, (uint16_t)u->obj, (uint16_t)u->ins,
                                            (uint16_t)u->res, args),
                       QLW_MTK_RSP_CHANGED);
}

static void start_observe(qlw_session *s, const qlw_mtk_urc *u)
{
    if (own_uplink(u->obj, u->ins, u->res)) {
        s->reg_timer_on = false;
        if (s->state < QLW_STATE_REGISTERED)
            qlw_s_set_state(s, QLW_STATE_REGISTERED, QLW_CAUSE_LWM2M_EVENT);
        qlw_s_notice(s, QLW_NOTICE_LWM2M_EVENT, QLW_EVT_READY, "observe /19/0/0");
        qlw_s_set_state(s, QLW_STATE_READY, QLW_CAUSE_LWM2M_EVENT);
        return;
    }
    qlw_mtk_observed *t = observed_table(s);
    if (t == NULL || observed(s, u->obj, u->ins, u->res) != NULL)
        return;
    for (size_t i = 0; i < QLW_MTK_OBSERVED; i++) {
        if (!t[i].used) {
            t[i] = (qlw_mtk_observed){true, false, u->obj, u->ins, u->res};
            return;
        }
    }
}

static void cancel_observe(qlw_session *s, const qlw_mtk_urc *u)
{
    qlw_mtk_observed *o = observed(s, u->obj, u->ins, u->res);

    if (o != NULL)
        o->used = false;
    if (own_uplink(u->obj, u->ins, u->res) && s->state >= QLW_STATE_REGISTERED) {
        qlw_s_notice(s, QLW_NOTICE_LWM2M_EVENT, QLW_EVT_OBSERVE_CANCELLED, "cancel /19/0/0");
        lost_registration(s, QLW_CAUSE_OBSERVE_CANCELLED, "observe cancelled");
    }
}

static void on_request(qlw_session *s, const qlw_mtk_urc *u)
{
    qlw_mtk_seen *e = seen(s, u);
    int code;

    if (e != NULL) { /* a retransmission: the same answer, nothing done again */
        if (u->kind == QLW_MTK_URC_REQ_WRITE && u->index != 0)
            return; /* a multi-part write is answered once, after its last part */
        tell(s, u, e->code, true);
        enqueue(s, u, e->code);
        return;
    }
    switch (u->kind) {
    case QLW_MTK_URC_REQ_WRITE:
        if (s->mtk.write_msgid != u->msgid) {
            s->mtk.write_msgid = (int32_t)u->msgid; /* 0..65535 */
            s->mtk.write_code = QLW_MTK_RSP_CHANGED;
        }
        code = do_write(s, u);
        if (code != QLW_MTK_RSP_CHANGED)
            s->mtk.write_code = (uint8_t)code;
        if (u->index != 0)
            return; /* more parts follow; one answer after the last */
        code = s->mtk.write_code;
        s->mtk.write_msgid = -1;
        break;
    case QLW_MTK_URC_REQ_EXECUTE:
        code = do_execute(s, u);
        break;
    default: /* read, observe, cancel: the value is read when answering */
        code = resolve(s, u->obj, u->ins, u->res, QLW_LW_R);
        break;
    }
    /* Answer first: what follows may change states and call the application. */
    remember(s, u, code);
    enqueue(s, u, code);
    if (u->kind == QLW_MTK_URC_REQ_OBSERVE && code == QLW_MTK_RSP_CONTENT && u->flag)
        cancel_observe(s, u);
    else if (u->kind == QLW_MTK_URC_REQ_OBSERVE && code == QLW_MTK_RSP_CONTENT)
        start_observe(s, u);
    tell(s, u, code, false);
}

/* ------------------------------------------------------------- answers */

/* Reads /obj/ins/res for an answer into text; the module's code. */
static int read_value(qlw_session *s, int obj, int ins, const qlw_lw_resource *res, char *text,
                      size_t size, unsigned *len)
{
    qlw_lw_value v = {.type = res->type};
    int st;

    st = s->mtk.host->read(s->mtk.host->ctx, (uint16_t)obj, (uint16_t)ins, res->id, &v);
    if (st != QLW_LW_OK)
        return status_code(st, QLW_MTK_RSP_CONTENT);
    v.type = res->type;
    return qlw_mtk_value_text(&v, text, size, len) == QLW_OK ? QLW_MTK_RSP_CONTENT
                                                             : QLW_MTK_RSP_BAD_REQUEST;
}

/* Readable resources of in, and the index-th of them. */
static const qlw_lw_resource *readable(const qlw_lw_instance *in, unsigned index, unsigned *count)
{
    const qlw_lw_resource *found = NULL;

    *count = 0;
    for (size_t i = 0; in != NULL && i < in->resource_count; i++) {
        if (!(in->resources[i].ops & QLW_LW_R))
            continue;
        if (*count == index)
            found = &in->resources[i];
        (*count)++;
    }
    return found;
}

static int answer_error(qlw_session *s, const qlw_mtk_answer *a, int code)
{
    return ISSUE(s, 1, a->kind == QLW_LW_REQ_READ ? QLW_MTK_B_RDRSP_ERR : QLW_MTK_B_OBSRSP_ERR,
                 (unsigned)a->msgid, code, (unsigned)a->obj, (unsigned)a->ins, a->res);
}

static int answer_value(qlw_session *s, qlw_mtk_answer *a)
{
    static const qlw_lw_resource uplink = {0, QLW_LW_OPAQUE, QLW_LW_R};
    char text[VALUE_TEXT_MAX];
    const qlw_lw_resource *res;
    unsigned len = 0, count = 1, index;
    qlw_mtk_op op = a->kind == QLW_LW_REQ_READ ? QLW_MTK_B_RDRSP : QLW_MTK_B_OBSRSP;
    int code;

    if (a->obj == 19) { /* /19/0/0 holds nothing between uplinks */
        res = &uplink;
        strcpy(text, "\"\"");
        code = QLW_MTK_RSP_CONTENT;
    } else if (a->res >= 0) {
        res = find_resource(find_instance(s, a->obj, a->ins), a->res);
        if (res == NULL) /* checked when the request came; gone since (a restart, a repeat) */
            return answer_error(s, a, QLW_MTK_RSP_NOT_FOUND);
        code = read_value(s, a->obj, a->ins, res, text, sizeof(text), &len);
    } else { /* a whole instance: one part per readable resource, index counting down */
        res = readable(find_instance(s, a->obj, a->ins), a->part, &count);
        if (res == NULL)
            return answer_error(s, a, QLW_MTK_RSP_NOT_FOUND);
        code = read_value(s, a->obj, a->ins, res, text, sizeof(text), &len);
    }
    if (code != QLW_MTK_RSP_CONTENT)
        return answer_error(s, a, code); /* a part that fails ends the answer */
    index = count - 1 - a->part;
    return ISSUE(s, index > 0 ? 2 : 1, op, (unsigned)a->msgid, code, (unsigned)a->obj,
                 (unsigned)a->ins, (unsigned)res->id, (int)res->type, len, text, index);
}

static void pop_answer(qlw_session *s)
{
    qlw_mtk *m = &s->mtk;

    if (m->nanswers == 0)
        return;
    memmove(&s->mtkt.answers[0], &s->mtkt.answers[1],
            (m->nanswers - 1) * sizeof(s->mtkt.answers[0]));
    m->nanswers--;
}

int qlw_s_mtk_answer_step(qlw_session *s, const qlw_at_response *r)
{
    qlw_mtk_answer *a = &s->mtkt.answers[0];
    bool more;

    if (s->mtk.nanswers == 0 || (r == NULL && s->step != 0))
        return qlw_s_finish(s);
    if (s->step == 0) {
        if (a->kind == QLW_LW_REQ_WRITE)
            return ISSUE(s, 1, QLW_MTK_B_WRRSP, (unsigned)a->msgid, a->code);
        if (a->kind == QLW_LW_REQ_EXECUTE)
            return ISSUE(s, 1, QLW_MTK_B_EXERSP, (unsigned)a->msgid, a->code);
        if (a->code != QLW_MTK_RSP_CONTENT)
            return answer_error(s, a, a->code);
        return answer_value(s, a);
    }
    more = s->step == 2;
    qlw_s_finish(s);
    if (r->result == QLW_AT_RESULT_REBOOTED)
        return 0; /* the reset drops every answer */
    if (!ok(r))   /* the server asks again if it still cares */
        qlw_s_notice(s, QLW_NOTICE_WARNING, qlw_at_result_err(r->result), r->command);
    if (ok(r) && more) {
        a->part++; /* more parts to go */
        return 0;
    }
    pop_answer(s);
    return 0;
}

/* -------------------------------------------------------------- notify */

int qlw_s_mtk_notify_step(qlw_session *s, const qlw_at_response *r)
{
    char text[VALUE_TEXT_MAX];
    qlw_mtk_observed *o = NULL;
    const qlw_lw_resource *res;
    unsigned len = 0;

    if (r == NULL && s->step != 0)
        return qlw_s_finish(s);
    if (s->step != 0) {
        qlw_s_finish(s);
        if (ok(r) || r->result == QLW_AT_RESULT_TIMEOUT) {
            s->mtk.nt_wait = true; /* +QLWNOTIFY: <result> follows */
            s->mtk.nt_deadline_ms = qlw_s_now(s) + s->cfg.sent_timeout_ms;
        } else if (r->result != QLW_AT_RESULT_REBOOTED) {
            qlw_s_notice(s, QLW_NOTICE_WARNING, qlw_at_result_err(r->result), r->command);
        }
        return 0;
    }
    o = notify_pending(s);
    if (o == NULL)
        return qlw_s_finish(s);
    o->notify = false;
    res = find_resource(find_instance(s, o->obj, o->ins), o->res);
    if (res == NULL ||
        read_value(s, o->obj, o->ins, res, text, sizeof(text), &len) != QLW_MTK_RSP_CONTENT) {
        qlw_s_notice(s, QLW_NOTICE_WARNING, QLW_ERR_ARG, "notify: the read callback failed");
        return qlw_s_finish(s);
    }
    return ISSUE(s, 1, QLW_MTK_B_NOTIFY, (unsigned)o->obj, (unsigned)o->ins, (unsigned)o->res,
                 (int)res->type, len, text, 0);
}

static bool notify_due(qlw_session *s)
{
    return notify_pending(s) != NULL;
}

/* ----------------------------------------------------------- schedule */

qlw_proc qlw_s_mtk_pick(qlw_session *s, bool wait)
{
    bool busy_ul = s->ul_phase != QLW_UPLINK_IDLE || s->mtk.nt_wait;

    /* The server waits for its answers: they go before anything else. */
    if (s->mtk.nanswers > 0 && s->state >= QLW_STATE_ATTACHED)
        return QLW_PROC_MTK_ANSWER;
    if (s->want_registered && s->state == QLW_STATE_ATTACHED && !wait && !s->mtk.closing)
        return QLW_PROC_MTK_REGISTER;
    if (qlw_s_uplink_due(s) && !s->mtk.nt_wait)
        return QLW_PROC_MTK_UPLINK;
    if (s->state >= QLW_STATE_REGISTERED && !busy_ul && notify_due(s))
        return QLW_PROC_MTK_NOTIFY;
    return QLW_PROC_NONE;
}

void qlw_s_mtk_tick(qlw_session *s)
{
    uint32_t now = qlw_s_now(s);

    if (s->mtk.nt_wait && qlw_ms_reached(now, s->mtk.nt_deadline_ms))
        s->mtk.nt_wait = false;
    if (s->mtk.closing && qlw_ms_reached(now, s->mtk.close_deadline_ms))
        s->mtk.closing = false;
}

static void earliest(bool on, uint32_t t, bool *any, uint32_t *at_ms)
{
    if (on && (!*any || qlw_ms_diff(t, *at_ms) < 0))
        *at_ms = t;
    *any = *any || on;
}

bool qlw_s_mtk_deadline(const qlw_session *s, uint32_t *at_ms)
{
    bool any = false;

    earliest(s->mtk.nt_wait, s->mtk.nt_deadline_ms, &any, at_ms);
    earliest(s->mtk.closing, s->mtk.close_deadline_ms, &any, at_ms);
    return any;
}

void qlw_s_mtk_reset(qlw_session *s)
{
    const qlw_lw_host *host = s->mtk.host;

    memset(&s->mtk, 0, sizeof(s->mtk));
    if (s->dialect == QLW_DIALECT_QLWCONFIG_B)
        memset(&s->mtkt, 0, sizeof(s->mtkt));
    s->mtk.host = host;
    s->mtk.ul_msgid = -1;
    s->mtk.write_msgid = -1;
}

/* ---------------------------------------------------------------- URCs */

static void on_downlink_a(qlw_session *s, const qlw_mtk_urc *u)
{
    int n;

    if (!own_downlink(u->obj, u->ins, u->res))
        return;
    n = qlw_hex_decode(u->value, u->value_len, s->dl_buf, sizeof(s->dl_buf));
    if (n < 0) {
        qlw_s_notice(s, QLW_NOTICE_DOWNLINK_LOST, n, "+QLWDATARECV");
        return;
    }
    if (s->cfg.on_downlink != NULL)
        s->cfg.on_downlink(s->cfg.ctx, s->dl_buf, (size_t)n);
}

static void on_registered(qlw_session *s, int result)
{
    /* Only the answer to our own registration counts: a firmware with
     * "auto_reg" on registers without /19/0 and /19/1 (and the host's
     * objects), which the observe of /19/0/0 then never follows. */
    if (s->state != QLW_STATE_REGISTERING && s->proc != QLW_PROC_MTK_REGISTER) {
        qlw_s_notice(s, QLW_NOTICE_WARNING, QLW_ERR_STATE,
                     "a registration result nobody asked for (auto_reg on?)");
        return;
    }
    if (result != 0) {
        qlw_s_fail_text(s, QLW_ERR_FAILED,
                        dialect_a(s) ? "LwM2M registration failed: CONNECT FAIL"
                                     : "LwM2M registration failed: +QLWREG");
        lost_registration(s, QLW_CAUSE_LWM2M_EVENT, "registration");
        return;
    }
    qlw_s_notice(s, QLW_NOTICE_LWM2M_EVENT, QLW_EVT_REGISTERED, "registered");
    /* The result line makes a late or lost OK of the command pointless. */
    qlw_s_overtake(s, QLW_PROC_MTK_REGISTER, 5);
    if (s->state < QLW_STATE_REGISTERED)
        qlw_s_set_state(s, QLW_STATE_REGISTERED, QLW_CAUSE_LWM2M_EVENT);
}

static void on_deregistered(qlw_session *s, int result)
{
    s->mtk.closing = false;
    if (s->dereg_goal != QLW_GOAL_PENDING && s->dereg_goal != QLW_GOAL_WAITING)
        return; /* the close before a fresh registration */
    if (result != 0) {
        s->dereg_goal = QLW_GOAL_FAILED;
        qlw_s_fail_text(s, QLW_ERR_FAILED, "LwM2M deregistration failed");
        return;
    }
    s->dereg_goal = QLW_GOAL_DONE;
    s->reg_timer_on = false;
    qlw_s_notice(s, QLW_NOTICE_LWM2M_EVENT, QLW_EVT_DEREGISTERED, "deregistered");
    if (s->state > QLW_STATE_ATTACHED)
        qlw_s_set_state(s, QLW_STATE_ATTACHED, QLW_CAUSE_LWM2M_EVENT);
}

bool qlw_s_mtk_urc(qlw_session *s, const char *line, size_t len)
{
    qlw_mtk_urc u;

    if (qlw_mtk_parse_urc(line, len, &u) != QLW_OK)
        return false;
    switch (u.kind) {
    case QLW_MTK_URC_CONNECT:
    case QLW_MTK_URC_REG:
        on_registered(s, u.result);
        break;
    case QLW_MTK_URC_CLOSE:
    case QLW_MTK_URC_DEREG:
        on_deregistered(s, u.result);
        break;
    case QLW_MTK_URC_SEND:
        on_send_result(s, u.result);
        break;
    case QLW_MTK_URC_OBSERVE:
        if (u.flag == 0)
            start_observe(s, &u);
        else
            cancel_observe(s, &u);
        break;
    case QLW_MTK_URC_DATARECV:
        on_downlink_a(s, &u);
        break;
    case QLW_MTK_URC_NOTIFY:
        on_notify_result(s, u.result);
        break;
    case QLW_MTK_URC_REPORT:
        if (s->ul_phase != QLW_UPLINK_IDLE && !s->mtk.nt_wait && s->mtk.ul_msgid < 0)
            s->mtk.ul_msgid = (int32_t)u.msgid;
        break;
    case QLW_MTK_URC_REPORT_ACK:
        on_report_ack(s, u.result, u.msgid);
        break;
    case QLW_MTK_URC_REQ_READ:
    case QLW_MTK_URC_REQ_WRITE:
    case QLW_MTK_URC_REQ_EXECUTE:
    case QLW_MTK_URC_REQ_OBSERVE:
        if (!dialect_a(s))
            on_request(s, &u);
        break;
    case QLW_MTK_URC_MALFORMED:
        /* A server request among them goes unanswered: the server asks again. */
        qlw_s_notice(s, QLW_NOTICE_URC_LOST, 1, line);
        break;
    default:
        break;
    }
    return true;
}

/* ----------------------------------------------------------- public API */

static bool host_valid(const qlw_lw_host *h)
{
    size_t objects = 0;

    if (h->instances == NULL && h->instance_count > 0)
        return false;
    for (size_t i = 0; i < h->instance_count; i++) {
        const qlw_lw_instance *in = &h->instances[i];
        size_t same = 0;
        bool first = true;

        if (in->object == 19 || in->instance == 65535 || in->resources == NULL ||
            in->resource_count == 0 || in->resource_count > 14)
            return false;
        for (size_t k = 0; k < in->resource_count; k++) {
            unsigned ops = in->resources[k].ops;
            if (in->resources[k].type < QLW_LW_STRING || in->resources[k].type > QLW_LW_BOOLEAN ||
                ((ops & QLW_LW_R) && h->read == NULL) || ((ops & QLW_LW_W) && h->write == NULL) ||
                ((ops & QLW_LW_E) && h->execute == NULL))
                return false;
        }
        for (size_t j = 0; j < i; j++) {
            if (h->instances[j].object != in->object)
                continue;
            first = false;
            if (h->instances[j].instance == in->instance)
                return false;
        }
        for (size_t j = 0; j < h->instance_count; j++)
            same += h->instances[j].object == in->object;
        if (same > 4)
            return false;
        objects += first;
    }
    return objects <= 15;
}

int qlw_lw_set_host(qlw_session *s, const qlw_lw_host *host)
{
    if (s == NULL || (host != NULL && !host_valid(host)))
        return QLW_ERR_ARG;
    if (s->dialect != QLW_DIALECT_AUTO && s->dialect != QLW_DIALECT_QLWCONFIG_B)
        return QLW_ERR_UNSUPPORTED;
    if (s->state >= QLW_STATE_REGISTERING || s->proc == QLW_PROC_MTK_REGISTER)
        return QLW_ERR_STATE;
    s->mtk.host = host;
    if (s->dialect == QLW_DIALECT_QLWCONFIG_B)
        memset(s->mtkt.observed, 0, sizeof(s->mtkt.observed));
    return QLW_OK;
}

int qlw_lw_notify(qlw_session *s, uint16_t obj, uint16_t ins, uint16_t res)
{
    qlw_mtk_observed *o;

    if (s == NULL || resolve(s, obj, ins, res, QLW_LW_R) != QLW_MTK_RSP_CONTENT || obj == 19)
        return QLW_ERR_ARG;
    o = observed(s, obj, ins, res);
    if (o == NULL || s->state < QLW_STATE_REGISTERED)
        return QLW_ERR_NOT_READY;
    o->notify = true;
    return QLW_OK;
}
