/* Where the session meets its durable outbox (store.h): queueing, handover,
 * report and open each write through the store when there is one; and the
 * uplinks' deadlines, which are kept there too. Without a store every
 * function here is the in-memory behaviour alone. */
#include <stdio.h>
#include <string.h>

#include "session/session_internal.h"

static void store_failed(qlw_session *s, const char *what)
{
    qlw_store *st = qlw_s_store(s);

    qlw_s_failf(s, QLW_ERR_STORE, "%s: %s", what, st->errmsg(st->impl));
}

/* ----------------------------------------------------------------- open */

static int load_item(void *ctx, const qlw_store_item *it)
{
    qlw_session *s = ctx;
    qlw_ul *ul;

    if (it->mode < QLW_UPLINK_NON || it->mode > QLW_UPLINK_LEGACY_NMGS ||
        qlw_neul_check_payload(it->data, it->len) != QLW_OK)
        return QLW_ERR_STORE; /* not something this library wrote */
    ul = qlw_ulq_push(&s->ulq, it->data, it->len);
    if (ul == NULL)
        return QLW_ERR_QUEUE_FULL; /* the queue is smaller than the one that filled it */
    ul->id = it->id;
    ul->mode = (qlw_uplink_mode)it->mode;
    ul->seq = it->seq;
    ul->attempts = it->attempts;
    /* Handed over before the process ended: it may have left, and nobody
     * knows. The delivery policy decides (qlw_s_handover, qlw_s_uplinks_tick). */
    ul->handed = it->handed;
    ul->uncertain = it->handed;
    if (it->handed)
        s->store_resolve = true;
    ul->has_deadline = it->has_deadline;
    if (it->has_deadline)
        ul->deadline_ms = qlw_s_now(s) + it->deadline_ms;
    return QLW_OK;
}

int qlw_s_store_load(qlw_session *s)
{
    qlw_store *st = qlw_s_store(s);
    uint32_t next_id = 1;
    int next_seq = 1;
    qlw_ul *ul;
    int rc;

#ifdef QLW_NO_STORE
    if (s->cfg.store != NULL)
        return QLW_ERR_UNSUPPORTED; /* QLWM2M_STORE=OFF: no store can be used */
#endif
    if (st == NULL)
        return QLW_OK;
    if (st->load == NULL || st->add == NULL || st->handed == NULL || st->report == NULL ||
        st->errmsg == NULL)
        return QLW_ERR_ARG;
    rc = st->load(st->impl, &next_id, &next_seq, load_item, s);
    if (rc != QLW_OK)
        return rc;
    s->next_id = next_id != 0 ? next_id : 1;
    s->next_seq = next_seq >= 1 && next_seq <= 255 ? next_seq : 1;
    /* Only the head is ever handed over. A CON's fate may still be in the
     * module (the process died, the module did not): ask it first, as after
     * any uncertain handover, before the policy decides. */
    ul = qlw_ulq_head(&s->ulq);
    if (ul != NULL && ul->handed &&
        (ul->mode == QLW_UPLINK_CON || ul->mode == QLW_UPLINK_CON_RELEASE)) {
        s->ul_phase = QLW_UPLINK_QUERY;
        /* Handed over once: the answer covers the only handover there was. */
        if (ul->attempts <= 1)
            ul->uncertain = false;
    }
    return QLW_OK;
}

/* ------------------------------------------------------------- queueing */

int qlw_s_queue(qlw_session *s, const uint8_t *data, size_t len, qlw_uplink_mode mode,
                uint32_t deadline_ms, uint32_t *id)
{
    qlw_ul *ul = qlw_ulq_push(&s->ulq, data, len);
    uint32_t next_id;
    int next_seq = s->next_seq;

    if (ul == NULL) {
        qlw_s_fail(s, QLW_ERR_QUEUE_FULL, -1, "uplink queue");
        return QLW_ERR_QUEUE_FULL;
    }
    ul->id = s->next_id;
    ul->mode = mode;
    if (mode == QLW_UPLINK_CON || mode == QLW_UPLINK_CON_RELEASE) {
        ul->seq = s->next_seq;
        next_seq = s->next_seq % 255 + 1; /* 1..255; 0 means "no sequence number" */
    }
    next_id = s->next_id == UINT32_MAX ? 1 : s->next_id + 1; /* 0 is "no uplink" */
    ul->has_deadline = deadline_ms > 0;
    ul->deadline_ms = qlw_s_now(s) + deadline_ms;
    if (qlw_s_store(s) != NULL) {
        qlw_store_item it = {.id = ul->id,
                             .mode = (int)mode,
                             .seq = ul->seq,
                             .has_deadline = ul->has_deadline,
                             .deadline_ms = deadline_ms,
                             .data = data,
                             .len = len};
        /* A refused call changes nothing: not in memory, not on disk. */
        if (qlw_s_store(s)->add(qlw_s_store(s)->impl, &it, next_id, next_seq) != QLW_OK) {
            qlw_ulq_unpush(&s->ulq);
            store_failed(s, "uplink not queued");
            return QLW_ERR_STORE;
        }
    }
    s->next_id = next_id;
    s->next_seq = next_seq;
    if (id != NULL)
        *id = ul->id;
    return QLW_OK;
}

/* ------------------------------------------------------------- handover */

int qlw_s_handover(qlw_session *s, qlw_ul *ul)
{
    if (!ul->handed && ul->has_deadline && qlw_ms_reached(qlw_s_now(s), ul->deadline_ms)) {
        qlw_s_report_at(s, 0, QLW_OUTCOME_EXPIRED, QLW_ERR_TIMEOUT, -1);
        return 1;
    }
    if (ul->uncertain && s->cfg.delivery == QLW_DELIVERY_AT_MOST_ONCE) {
        qlw_s_report_at(s, 0, QLW_OUTCOME_UNKNOWN, QLW_ERR_TIMEOUT, -1);
        return 1;
    }
    if (qlw_s_store(s) != NULL &&
        qlw_s_store(s)->handed(qlw_s_store(s)->impl, ul->id, ul->attempts + 1) != QLW_OK) {
        /* Never hand over what the store does not know is handed over: after
         * a crash it would be sent again without the duplicate flag. */
        store_failed(s, "uplink held");
        qlw_s_notice(s, QLW_NOTICE_RETRY, (int)s->cfg.backoff_min_ms,
                     QLW_TEXT("uplink handover (store)"));
        s->ul_hold = true;
        s->ul_hold_until_ms = qlw_s_now(s) + s->cfg.backoff_min_ms;
        return 1;
    }
    return 0; /* uplink_send() marks it handed, and resent when uncertain */
}

/* --------------------------------------------------------------- report */

typedef struct deliver_ctx {
    qlw_session *s;
    const qlw_uplink_report *rep;
} deliver_ctx;

static void call_app(void *arg)
{
    deliver_ctx *d = arg;

    if (d->s->cfg.on_uplink != NULL)
        d->s->cfg.on_uplink(d->s->cfg.ctx, d->rep);
}

void qlw_s_deliver(qlw_session *s, const qlw_uplink_report *rep)
{
    deliver_ctx d = {s, rep};

    if (qlw_s_store(s) == NULL) {
        call_app(&d);
        return;
    }
    /* While the store's removal is open, nothing is handed over: its
     * "handed" mark would commit only with the removal, after the bytes
     * went to the module. The caller schedules once the report is done. */
    s->reporting = true;
    if (qlw_s_store(s)->report(qlw_s_store(s)->impl, rep->id, call_app, &d) != QLW_OK)
        store_failed(s, "reported uplink stays in the store");
    s->reporting = false;
}

/* ---------------------------------------------------------------- time */

void qlw_s_uplinks_tick(qlw_session *s)
{
    uint32_t now = qlw_s_now(s);
    size_t i = 0;

    if (qlw_s_store(s) != NULL && s->store_resolve) { /* set only by a store's load */
        /* At most once: what may have left before the restart is not sent
         * again. At least once, qlw_s_handover() sends it again, flagged. */
        s->store_resolve = false;
        if (s->ul_phase == QLW_UPLINK_QUERY)
            i = 1; /* the head's answer is coming: the query resolves it */
        while (s->cfg.delivery == QLW_DELIVERY_AT_MOST_ONCE && i < s->ulq.count) {
            if (qlw_ulq_at(&s->ulq, i)->uncertain && !qlw_ulq_at(&s->ulq, i)->resent)
                qlw_s_report_at(s, i, QLW_OUTCOME_UNKNOWN, QLW_ERR_TIMEOUT, -1);
            else
                i++;
        }
    }
    for (i = 0; i < s->ulq.count;) {
        qlw_ul *ul = qlw_ulq_at(&s->ulq, i);

        if (!ul->handed && ul->has_deadline && qlw_ms_reached(now, ul->deadline_ms))
            qlw_s_report_at(s, i, QLW_OUTCOME_EXPIRED, QLW_ERR_TIMEOUT, -1);
        else
            i++;
    }
}

bool qlw_s_next_deadline(qlw_session *s, uint32_t *at_ms)
{
    bool found = false;

    if (qlw_s_store(s) != NULL && s->store_resolve) {
        *at_ms = qlw_s_now(s);
        return true;
    }
    for (size_t i = 0; i < s->ulq.count; i++) {
        const qlw_ul *ul = qlw_ulq_at(&s->ulq, i);

        if (ul->handed || !ul->has_deadline)
            continue;
        if (!found || qlw_ms_diff(ul->deadline_ms, *at_ms) < 0)
            *at_ms = ul->deadline_ms;
        found = true;
    }
    return found;
}
