/*
 * The virtual LwM2M server and the module's CDP client: registration,
 * the observe of /19/0/0, uplinks with their CON acknowledgements, downlinks.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim.h"

#define MODE_RELEASE             0x0001u
#define MODE_RELEASE_AFTER_REPLY 0x0010u
#define MODE_CON                 0x0100u
#define STATUS_SENDING           1
#define STATUS_TIMEOUT           3
#define STATUS_ACKED             4

static void plain_event(struct sim *s, const char *name)
{
    ev_begin(s, name);
    ev_end(s);
}

static void ev_upper_hex(struct sim_buf *ev, const char *key, const char *hex)
{
    struct sim_buf up = {0};
    for (const char *p = hex; *p; p++) {
        char c = (char)toupper((unsigned char)*p);
        buf_append(&up, &c, 1);
    }
    buf_append(&up, "", 0);
    ev_str(ev, key, up.data);
    buf_free(&up);
}

static void schedule_observe(struct sim *s)
{
    if (!s->st.faults.never_observe)
        timer_add(s, TMR_OBSERVED, s->opt.observe_delay_ms, 0, 0, NULL);
}

/* ----------------------------------------------------------- registration */

void lw_register(struct sim *s)
{
    timer_cancel(s, TMR_REGISTERED);
    timer_cancel(s, TMR_OBSERVED);
    timer_cancel(s, TMR_DEREGISTERED);
    s->st.lw.state = LW_REGISTERING;
    net_rrc_touch(s);
    timer_add(s, TMR_REGISTERED, s->opt.register_delay_ms, 0, 0, NULL);
}

int lw_deregister(struct sim *s)
{
    if (s->st.lw.state == LW_IDLE || s->st.lw.state == LW_DEREGISTERING)
        return CME_NOT_ALLOWED;
    timer_cancel(s, TMR_REGISTERED);
    timer_cancel(s, TMR_OBSERVED);
    s->st.lw.state = LW_DEREGISTERING;
    net_rrc_touch(s);
    timer_add(s, TMR_DEREGISTERED, s->opt.register_delay_ms, 0, 0, NULL);
    return SIM_R_OK;
}

void lw_tmr_registered(struct sim *s, const struct sim_timer *t)
{
    (void)t;
    s->st.lw.state = LW_REGISTERED;
    net_rrc_touch(s);
    sim_urc(s, "+QLWEVTIND:0");
    plain_event(s, "registered");
    if (s->st.faults.flood) {
        fault_flood(s, s->st.faults.flood);
        s->st.faults.flood = 0;
    }
    schedule_observe(s);
}

void lw_tmr_observed(struct sim *s, const struct sim_timer *t)
{
    (void)t;
    if (s->st.lw.state != LW_REGISTERED)
        return;
    s->st.lw.state = LW_OBSERVED;
    net_rrc_touch(s);
    sim_urc(s, "+QLWEVTIND:3");
    plain_event(s, "observed");
}

void lw_tmr_deregistered(struct sim *s, const struct sim_timer *t)
{
    (void)t;
    s->st.lw.state = LW_IDLE;
    s->st.lw.con_pending = false;
    sim_urc(s, "+QLWEVTIND:1");
    plain_event(s, "deregistered");
}

void lw_on_attach(struct sim *s)
{
    if (s->st.lw.regswt == 1 && s->st.nv.ncdp_set)
        lw_register(s);
}

void lw_reset(struct sim *s)
{
    timer_cancel(s, TMR_REGISTERED);
    timer_cancel(s, TMR_OBSERVED);
    timer_cancel(s, TMR_DEREGISTERED);
    timer_cancel(s, TMR_CON_RESULT);
    s->st.lw.state = LW_IDLE;
    s->st.lw.con_pending = false;
    s->st.lw.con_release = false;
    s->st.lw.release_after_reply = false;
}

void lw_cancel_observe(struct sim *s)
{
    if (sim_mtk(s)) {
        mtk_cancel_observe(s);
        return;
    }
    if (s->st.lw.state != LW_OBSERVED)
        return;
    s->st.lw.state = LW_REGISTERED;
    sim_urc(s, "+QLWEVTIND:9");
    plain_event(s, "observe_cancelled");
    schedule_observe(s);
}

const char *lw_nmstatus(const struct sim *s)
{
    if (s->st.lw.regswt == 2 || !s->st.nv.ncdp_set)
        return "UNINITIALISED";
    switch (s->st.lw.state) {
    case LW_REGISTERING:
        return "REGISTERING";
    case LW_REGISTERED:
    case LW_DEREGISTERING:
        return "REGISTERED";
    case LW_OBSERVED:
        return "MO_DATA_ENABLED";
    case LW_IDLE:
        break;
    }
    /* Firmware spelling, double I included. */
    return net_attached(s) ? "INIITIALISED" : "NO_UE_IP";
}

/* ---------------------------------------------------------------- uplinks */

static const char *mode_name(uint32_t mode)
{
    switch (mode) {
    case 0x0001:
        return "NON_RELEASE";
    case 0x0010:
        return "NON_RELEASE_AFTER_REPLY";
    case 0x0100:
        return "CON";
    case 0x0101:
        return "CON_RELEASE_AFTER_ACK";
    default:
        return "NON";
    }
}

void lw_reject(struct sim *s, const struct sim_uplink *u, const char *reason)
{
    struct sim_buf *ev = ev_begin(s, "rejected");
    ev_str(ev, "cmd", u->cmd);
    ev_str(ev, "reason", reason);
    buf_printf(ev, ",\"len\":%zu", u->len);
    ev_upper_hex(ev, "hex", u->hex);
    buf_printf(ev, ",\"t_ms\":%llu", (unsigned long long)sim_now_ms(s));
    ev_end(s);
}

/* Payloads the server has seen, by a hash of their hex text: an open-address
 * table that only ever grows to SEEN_SLOTS - 1 payloads (then "copy" is 0). */
#define SEEN_SLOTS 16384u

struct sim_seen {
    uint64_t key[SEEN_SLOTS];
    uint32_t count[SEEN_SLOTS];
    uint32_t used;
};

static uint64_t payload_key(const char *hex)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a, over the upper-case text */
    for (const char *p = hex; *p; p++) {
        h ^= (uint64_t)(unsigned char)toupper((unsigned char)*p);
        h *= 0x100000001b3ull;
    }
    return h ? h : 1; /* 0 marks a free slot */
}

/* How many times the server has now received this payload (1 = first), or 0
 * when the table is full. The soak counts duplicates by it. */
static uint32_t seen_count(struct sim *s, const char *hex)
{
    if (!s->seen) {
        s->seen = calloc(1, sizeof *s->seen);
        if (!s->seen)
            abort();
    }
    uint64_t key = payload_key(hex);
    for (uint32_t i = 0; i < SEEN_SLOTS; i++) {
        uint32_t slot = (uint32_t)((key + i) % SEEN_SLOTS);
        if (s->seen->key[slot] == key)
            return ++s->seen->count[slot];
        if (s->seen->key[slot] == 0) {
            if (s->seen->used + 1 >= SEEN_SLOTS)
                return 0;
            s->seen->used++;
            s->seen->key[slot] = key;
            return s->seen->count[slot] = 1;
        }
    }
    return 0;
}

void lw_seen_free(struct sim *s)
{
    free(s->seen);
    s->seen = NULL;
}

static void server_received(struct sim *s, const struct sim_uplink *u)
{
    /* A dry run (reboot mid-command) only computes the answer: nothing arrived. */
    uint32_t copy = s->dry_run ? 0 : seen_count(s, u->hex);
    struct sim_buf *ev = ev_begin(s, "uplink");
    buf_printf(ev, ",\"n\":%u", ++s->st.lw.received);
    ev_str(ev, "cmd", u->cmd);
    ev_str(ev, "mode", mode_name(u->mode));
    buf_printf(ev, ",\"seq\":%u,\"len\":%zu", u->seq, u->len);
    ev_upper_hex(ev, "hex", u->hex);
    buf_printf(ev, ",\"t_ms\":%llu,\"copy\":%u", (unsigned long long)sim_now_ms(s), copy);
    if (s->opt.wall_clock) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        buf_printf(ev, ",\"wall_ms\":%llu",
                   (unsigned long long)ts.tv_sec * 1000u +
                       (unsigned long long)ts.tv_nsec / 1000000u);
    }
    ev_end(s);
}

static void server_lost(struct sim *s, const struct sim_uplink *u, const char *why)
{
    struct sim_buf *ev = ev_begin(s, "uplink_lost");
    ev_str(ev, "cmd", u->cmd);
    buf_printf(ev, ",\"seq\":%u,\"len\":%zu", u->seq, u->len);
    ev_upper_hex(ev, "hex", u->hex);
    ev_str(ev, "why", why);
    ev_end(s);
}

/* A send before the observe fails, and the module registers again by itself. */
static void reregister(struct sim *s)
{
    if (s->st.lw.state == LW_REGISTERING)
        return;
    if (net_attached(s) && s->st.nv.ncdp_set)
        lw_register(s);
}

/* The server sends what it queued for this PSM device once it hears from it. */
static void after_received(struct sim *s)
{
    struct sim_faults *f = &s->st.faults;
    if (f->cancel_after && --f->cancel_after == 0)
        lw_cancel_observe(s);
    if (s->st.dl.nserver && !timer_pending(s, TMR_DOWNLINK))
        timer_add(s, TMR_DOWNLINK, s->opt.ack_delay_ms, 0, 0, NULL);
}

static void con_result(struct sim *s, int32_t seq, int32_t status);

static void send_con(struct sim *s, const struct sim_uplink *u)
{
    struct sim_lwm2m *lw = &s->st.lw;
    lw->con_pending = true;
    lw->last_status = STATUS_SENDING;
    lw->last_seq = u->seq;
    lw->con_release = (u->mode & MODE_RELEASE) != 0;
    int32_t status = STATUS_ACKED;
    if (s->st.faults.con_fail) {
        s->st.faults.con_fail--;
        status = STATUS_TIMEOUT;
        server_lost(s, u, "con timeout");
    } else {
        server_received(s, u);
        after_received(s);
    }
    if (s->status_first)
        con_result(s, (int32_t)u->seq, status); /* acked before the module printed OK */
    else
        timer_add(s, TMR_CON_RESULT, s->opt.ack_delay_ms, (int32_t)u->seq, status, NULL);
}

static void send_non(struct sim *s, const struct sim_uplink *u)
{
    struct sim_faults *f = &s->st.faults;
    if (f->discard_non && --f->discard_non == 0) {
        /* Accepted, then dropped inside the module: it never leaves. */
        server_lost(s, u, "discarded");
        s->st.lw.sent--; /* AT+NQMGS counts it under ERROR, not SENT */
        s->st.lw.errors++;
        if (s->st.vol.nsmi)
            sim_urc(s, "+NSMI:DISCARDED");
        return;
    }
    server_received(s, u);
    if (s->st.vol.nsmi)
        sim_urc(s, "+NSMI:SENT");
    if (u->mode == MODE_RELEASE)
        net_rrc_release(s);
    else if (u->mode == MODE_RELEASE_AFTER_REPLY)
        s->st.lw.release_after_reply = true;
    after_received(s);
}

int lw_uplink(struct sim *s, const struct sim_uplink *u)
{
    bool con = (u->mode & MODE_CON) != 0;
    if (s->st.lw.regswt == 2) {
        lw_reject(s, u, "lwm2m disabled");
        return CME_NOT_ALLOWED;
    }
    if (s->st.radio.cfun == 0) {
        lw_reject(s, u, "radio off");
        return CME_RADIO_OFF;
    }
    if (s->st.lw.state != LW_OBSERVED) {
        /* Plain ERROR even with CMEE=1, as the 2018 BC68 walkthrough shows. */
        lw_reject(s, u, "not observed");
        reregister(s);
        return SIM_R_ERROR;
    }
    if (s->st.faults.busy) {
        s->st.faults.busy--;
        lw_reject(s, u, "busy");
        return CME_BUSY;
    }
    if (con && s->st.lw.con_pending) {
        lw_reject(s, u, "con pending");
        return CME_BUSY;
    }
    net_rrc_touch(s);
    s->st.lw.sent++;
    if (con)
        send_con(s, u);
    else
        send_non(s, u);
    return SIM_R_OK;
}

/* The CON's fate: +QLWULDATASTATUS:<status>[,<seq>]. While a RULE_STATUS_FIRST
 * command runs, the URC goes before its final result (no information text
 * stands between them, so the module may put it there). */
static void con_result(struct sim *s, int32_t seq, int32_t status)
{
    struct sim_lwm2m *lw = &s->st.lw;
    lw->con_pending = false;
    lw->last_status = status;
    lw->last_seq = (uint32_t)seq;
    if (status == STATUS_ACKED)
        net_rrc_touch(s);
    else
        lw->errors++;
    struct sim_reply *before = s->status_first ? s->cur_reply : NULL;
    if (before && seq)
        reply_line(before, "+QLWULDATASTATUS:%d,%d", status, seq);
    else if (before)
        reply_line(before, "+QLWULDATASTATUS:%d", status);
    else if (seq)
        sim_urc(s, "+QLWULDATASTATUS:%d,%d", status, seq);
    else
        sim_urc(s, "+QLWULDATASTATUS:%d", status);
    struct sim_buf *ev = ev_begin(s, "con_result");
    buf_printf(ev, ",\"status\":%d,\"seq\":%d", status, seq);
    if (before)
        buf_puts(ev, ",\"before_final\":true");
    ev_end(s);
    if (lw->con_release)
        net_rrc_release(s);
    lw->con_release = false;
}

void lw_tmr_con_result(struct sim *s, const struct sim_timer *t)
{
    con_result(s, t->arg, t->arg2);
}

/* -------------------------------------------------------------- downlinks */

static void ue_buffer(struct sim *s, const char *hex)
{
    struct sim_downlinks *dl = &s->st.dl;
    if (dl->nue == SIM_DL_QUEUE_MAX) {
        dl->dropped++;
        return;
    }
    str_copy(dl->ue[dl->nue++], sizeof dl->ue[0], hex);
}

static void deliver(struct sim *s, const char *hex)
{
    size_t len = strlen(hex) / 2;
    net_rrc_touch(s);
    s->st.dl.received++;
    struct sim_buf *ev = ev_begin(s, "downlink");
    ev_str(ev, "hex", hex);
    buf_printf(ev, ",\"len\":%zu", len);
    ev_end(s);
    if (s->st.vol.nnmi == 1) {
        sim_urc(s, "+NNMI:%zu,%s", len, hex);
    } else {
        ue_buffer(s, hex);
        if (s->st.vol.nnmi == 2)
            sim_urc(s, "+NNMI");
    }
    if (s->st.lw.release_after_reply) {
        s->st.lw.release_after_reply = false;
        net_rrc_release(s);
    }
}

void lw_downlink(struct sim *s, const char *hex, bool now_if_ready)
{
    char up[2 * SIM_DL_MAX + 1];
    str_copy(up, sizeof up, hex);
    str_upper(up);
    if (sim_mtk(s)) {
        mtk_downlink(s, up, now_if_ready);
        return;
    }
    if (now_if_ready && s->st.lw.state == LW_OBSERVED) {
        deliver(s, up);
        return;
    }
    struct sim_downlinks *dl = &s->st.dl;
    if (dl->nserver == SIM_DL_QUEUE_MAX) {
        sim_log(s, "server downlink queue full, %s dropped", up);
        return;
    }
    str_copy(dl->server[dl->nserver++], sizeof dl->server[0], up);
}

void lw_tmr_downlink(struct sim *s, const struct sim_timer *t)
{
    struct sim_downlinks *dl = &s->st.dl;
    (void)t;
    if (s->st.lw.state != LW_OBSERVED)
        return;
    for (size_t i = 0; i < dl->nserver; i++)
        deliver(s, dl->server[i]);
    dl->nserver = 0;
}
