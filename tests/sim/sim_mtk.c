/*
 * The BC66 (--model bc66, dialect B: AT+QLWCONFIG, AT+QLWREG, +QLWURC server
 * requests answered by the host, AT+QLWNOTIFY) and the BC26 (--model bc26,
 * dialect A: AT+QLWSERV, AT+QLWOPEN, +QLWOBSERVE, AT+QLWDATASEND, SEND OK)
 * with their virtual server, which observes /19/0/0 after registration and
 * records what it receives (reference quectel-lwm2m-dialects.md 1 and 2).
 *
 * UNCONFIRMED, decided here: RDY as the whole restart banner; the error
 * numbers (+CMEE ERROR: 4 "not registered" for a notify before the observe,
 * 3 for bad parameters, a plain ERROR from dialect A); AT+QLWDATASEND refused
 * before the observe; objects that already exist refused with +CMEE ERROR: 3
 * (B) or ERROR (A); the server's retransmission of an unanswered observe
 * every two observe delays, four times; the fields of a refused read answer.
 */
#include <stdio.h>
#include <string.h>

#include "sim_cmd.h"

#define DEFAULT_SERVER "198.51.100.1"
#define CMEE_OTHER     (SIM_R_CMEE + 1)
#define CMEE_PARAM     (SIM_R_CMEE + 3)
#define CMEE_NOT_REG   (SIM_R_CMEE + 4)
#define OBSERVE_TRIES  4
#define MODE_CON_A     0x0100u

enum mtk_step { STEP_REGISTERED, STEP_OBSERVE, STEP_CON_RESULT, STEP_CLOSED };

bool sim_mtk(const struct sim *s)
{
    return s->opt.model == MODEL_BC66 || s->opt.model == MODEL_BC26;
}

static bool dialect_b(const struct sim *s)
{
    return s->opt.model == MODEL_BC66;
}

void mtk_nv_defaults(struct sim *s)
{
    struct sim_mtk_nv *nv = &s->st.nv.mtk;
    *nv = (struct sim_mtk_nv){.server_set = true, .port = 5683, .lifetime = 900, .security = 3};
    str_copy(nv->server, sizeof nv->server, s->st.nv.ncdp_set ? s->st.nv.ncdp_ip : DEFAULT_SERVER);
    if (s->st.nv.ncdp_set)
        nv->port = s->st.nv.ncdp_port;
    str_copy(nv->endpoint, sizeof nv->endpoint, s->opt.imei);
}

void mtk_reset(struct sim *s)
{
    timer_cancel(s, TMR_MTK);
    s->st.mtk = (struct sim_mtk){0};
}

static void plain_event(struct sim *s, const char *name)
{
    ev_begin(s, name);
    ev_end(s);
}

static uint32_t next_msgid(struct sim *s)
{
    s->st.mtk.next_msgid = s->st.mtk.next_msgid % 60000 + 1;
    return 1000 + s->st.mtk.next_msgid;
}

static void step(struct sim *s, enum mtk_step st, uint32_t delay_ms, int32_t arg2)
{
    timer_add(s, TMR_MTK, delay_ms, (int32_t)st, arg2, NULL);
}

/* ------------------------------------------------------------- identity */

static int cmd_ati(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    if (c->kind != AT_EXEC)
        return SIM_R_ERROR;
    reply_line(r, "Quectel_Ltd");
    reply_line(r, "%s", dialect_b(s) ? "Quectel_BC66" : "Quectel_BC26");
    reply_line(r, "Revision: %s", dialect_b(s) ? "BC66NBR01A10" : "BC26NBR01A05");
    return SIM_R_OK;
}

static int cmd_cgmm(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    if (c->kind != AT_EXEC)
        return SIM_R_ERROR;
    reply_line(r, "%s", dialect_b(s) ? "BC66" : "BC26");
    return SIM_R_OK;
}

static int cmd_cgmr(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    if (c->kind != AT_EXEC)
        return SIM_R_ERROR;
    reply_line(r, "Revision: %s", dialect_b(s) ? "BC66NBR01A10" : "BC26NBR01A05");
    return SIM_R_OK;
}

/* ------------------------------------------------------- configuration */

static int err_param(const struct sim *s)
{
    return dialect_b(s) ? CMEE_PARAM : CME_PARAM;
}

static int cmd_qlwcfg(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    uint32_t a, b;
    if (c->kind == AT_TEST) {
        if (dialect_b(s)) {
            reply_line(r, "+QLWCFG: \"auto_reg\",(0,1)");
            reply_line(r, "+QLWCFG: \"access_mode\",(0,1)");
            reply_line(r, "+QLWCFG: \"retransmit\",(1-60),(0-8)");
        } else {
            reply_line(r, "+QLWCFG: \"dataformat\",(0,1),(0,1)");
        }
        return SIM_R_OK;
    }
    if (c->kind != AT_SET || c->argc == 0)
        return SIM_R_ERROR;
    if (!dialect_b(s) && str_ieq(c->argv[0], "dataformat")) {
        if (c->argc != 3 || !arg_u32(c, 1, 0, 1, &a) || !arg_u32(c, 2, 0, 1, &b))
            return CME_PARAM;
        s->st.mtk.dataformat_send = (int)a;
        s->st.mtk.dataformat_recv = (int)b;
        return SIM_R_OK;
    }
    if (dialect_b(s) && str_ieq(c->argv[0], "auto_reg")) {
        if (c->argc != 2 || !arg_u32(c, 1, 0, 1, &a))
            return CMEE_PARAM;
        s->st.nv.mtk.auto_reg = (int)a;
        return SIM_R_OK;
    }
    if (dialect_b(s) && str_ieq(c->argv[0], "access_mode"))
        return c->argc == 2 && arg_u32(c, 1, 0, 0, &a) ? SIM_R_OK : CMEE_PARAM;
    if (dialect_b(s) && str_ieq(c->argv[0], "retransmit"))
        return SIM_R_OK;
    return SIM_R_ERROR;
}

/* B: AT+QLWCONFIG=<bs>,"<server>",<port>,"<endpoint>",<lifetime>,<sec>[,"<id>","<psk>"] */
static int cmd_qlwconfig(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    struct sim_mtk_nv *nv = &s->st.nv.mtk;
    uint32_t bs, port, lifetime, sec;
    if (!dialect_b(s))
        return SIM_R_ERROR;
    if (c->kind == AT_TEST)
        return SIM_R_OK;
    if (c->kind == AT_READ) {
        reply_line(r, "+QLWCONFIG: 0,\"%s\",%u,\"%s\",%u,%d", nv->server, nv->port, nv->endpoint,
                   nv->lifetime, nv->security);
        return SIM_R_OK;
    }
    if (c->kind != AT_SET || (c->argc != 6 && c->argc != 8) || !arg_u32(c, 0, 0, 1, &bs) ||
        !arg_u32(c, 2, 1, 65535, &port) || !arg_u32(c, 4, 20, 0xFFFFFFFFu, &lifetime) ||
        !arg_u32(c, 5, 0, 3, &sec) || (sec != 0 && sec != 3) || c->argv[1][0] == '\0' ||
        strlen(c->argv[1]) >= sizeof nv->server || strlen(c->argv[3]) >= sizeof nv->endpoint)
        return CMEE_PARAM;
    *nv = (struct sim_mtk_nv){true, "", port, "", lifetime, (int)sec, nv->auto_reg};
    str_copy(nv->server, sizeof nv->server, c->argv[1]);
    str_copy(nv->endpoint, sizeof nv->endpoint, c->argv[3]);
    return SIM_R_OK;
}

/* A: AT+QLWSERV="<ip>",<port> */
static int cmd_qlwserv(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    struct sim_mtk_nv *nv = &s->st.nv.mtk;
    uint32_t port;
    if (dialect_b(s))
        return SIM_R_ERROR;
    if (c->kind == AT_TEST)
        return SIM_R_OK;
    if (c->kind == AT_READ) {
        reply_line(r, "+QLWSERV: \"%s\",%u", nv->server, nv->port);
        return SIM_R_OK;
    }
    if (c->kind != AT_SET || c->argc != 2 || !ipv4_valid(c->argv[0]) ||
        !arg_u32(c, 1, 1, 65535, &port))
        return CME_PARAM;
    str_copy(nv->server, sizeof nv->server, c->argv[0]);
    nv->port = port;
    nv->server_set = true;
    return SIM_R_OK;
}

/* A: AT+QLWCONF="<endpoint>" */
static int cmd_qlwconf(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    (void)r;
    if (dialect_b(s))
        return SIM_R_ERROR;
    if (c->kind != AT_SET || c->argc != 1 || c->argv[0][0] == '\0' ||
        strlen(c->argv[0]) >= sizeof s->st.nv.mtk.endpoint)
        return CME_PARAM;
    str_copy(s->st.nv.mtk.endpoint, sizeof s->st.nv.mtk.endpoint, c->argv[0]);
    return SIM_R_OK;
}

/* ------------------------------------------------------------- objects */

static struct sim_mtk_obj *find_obj(struct sim *s, uint32_t obj, uint32_t ins)
{
    for (size_t i = 0; i < SIM_MTK_OBJS; i++) {
        struct sim_mtk_obj *o = &s->st.mtk.objs[i];
        if (o->used && o->obj == obj && o->ins == ins)
            return o;
    }
    return NULL;
}

/* A: <obj>,<ins>,<n>,"<ids>"; B: <obj>,<ins>,<n>,<id>... */
static int cmd_qlwaddobj(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    uint32_t obj, ins, n, id;
    (void)r;
    if (c->kind != AT_SET || c->argc < 4 || !arg_u32(c, 0, 1, 65534, &obj) ||
        !arg_u32(c, 1, 0, 65534, &ins) || !arg_u32(c, 2, 1, 14, &n))
        return err_param(s);
    if (dialect_b(s) ? c->argc != 3 + n : (c->argc != 4 || !c->quoted[3]))
        return err_param(s);
    for (size_t i = 3; dialect_b(s) && i < c->argc; i++) {
        if (!arg_u32(c, i, 0, 65534, &id))
            return CMEE_PARAM;
    }
    if (find_obj(s, obj, ins))
        return dialect_b(s) ? CMEE_PARAM : SIM_R_ERROR;
    if (s->st.mtk.state != MTK_IDLE)
        return dialect_b(s) ? CMEE_OTHER : SIM_R_ERROR;
    for (size_t i = 0; i < SIM_MTK_OBJS; i++) {
        struct sim_mtk_obj *o = &s->st.mtk.objs[i];
        if (!o->used) {
            *o = (struct sim_mtk_obj){true, obj, ins};
            struct sim_buf *ev = ev_begin(s, "object_added");
            buf_printf(ev, ",\"obj\":%u,\"ins\":%u,\"resources\":%u", obj, ins, n);
            ev_end(s);
            return SIM_R_OK;
        }
    }
    return dialect_b(s) ? CMEE_OTHER : SIM_R_ERROR;
}

/* -------------------------------------------------------- registration */

static int start_register(struct sim *s)
{
    if (!s->st.nv.mtk.server_set || !net_attached(s))
        return dialect_b(s) ? CMEE_OTHER : SIM_R_ERROR;
    if (s->st.mtk.state != MTK_IDLE)
        return dialect_b(s) ? CMEE_OTHER : SIM_R_ERROR;
    s->st.mtk.state = MTK_REGISTERING;
    step(s, STEP_REGISTERED, s->opt.register_delay_ms, 0);
    return SIM_R_OK;
}

static int cmd_qlwopen(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    uint32_t mode;
    (void)r;
    if (dialect_b(s) || c->kind != AT_SET || c->argc != 1 || !arg_u32(c, 0, 0, 0, &mode))
        return SIM_R_ERROR; /* only direct push is simulated */
    return start_register(s);
}

static int cmd_qlwreg(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    (void)r;
    if (!dialect_b(s) || c->kind != AT_EXEC)
        return SIM_R_ERROR;
    return start_register(s);
}

static int close_registration(struct sim *s)
{
    if (s->st.mtk.state == MTK_IDLE || s->st.mtk.state == MTK_CLOSING)
        return dialect_b(s) ? CMEE_NOT_REG : SIM_R_ERROR;
    timer_cancel(s, TMR_MTK);
    s->st.mtk.state = MTK_CLOSING;
    s->st.mtk.con_pending = false;
    step(s, STEP_CLOSED, s->opt.register_delay_ms, 0);
    return SIM_R_OK;
}

static int cmd_qlwclose(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    (void)r;
    if (dialect_b(s) || c->kind != AT_EXEC)
        return SIM_R_ERROR;
    return close_registration(s);
}

static int cmd_qlwdereg(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    (void)r;
    if (!dialect_b(s) || c->kind != AT_EXEC)
        return SIM_R_ERROR;
    return close_registration(s);
}

static int cmd_qlwstatus(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    static const int numbers[] = {0, 1, 2, 2, 0};
    if (!dialect_b(s) || c->kind != AT_READ)
        return SIM_R_ERROR;
    reply_line(r, "+QLWSTATUS: %d", numbers[s->st.mtk.state]);
    return SIM_R_OK;
}

/* The server observes /19/0/0: at once in A; in B through the host, which
 * must answer AT+QLWOBSRSP (retransmitted while it does not). */
static void observe_uplink(struct sim *s)
{
    struct sim_mtk *m = &s->st.mtk;
    if (m->state != MTK_REGISTERED)
        return;
    if (!dialect_b(s)) {
        m->state = MTK_OBSERVED;
        sim_urc(s, "+QLWOBSERVE: 0,19,0,0");
        plain_event(s, "observed");
        return;
    }
    if (m->observe_tries == 0)
        m->observe_msgid = next_msgid(s);
    if (m->observe_tries++ >= OBSERVE_TRIES)
        return;
    sim_urc(s, "+QLWURC: \"observe\",%u,0,19,0,0", m->observe_msgid);
    struct sim_buf *ev = ev_begin(s, "request");
    buf_printf(ev, ",\"kind\":\"observe\",\"msgid\":%u,\"path\":\"/19/0/0\"", m->observe_msgid);
    ev_end(s);
    step(s, STEP_OBSERVE, 2 * s->opt.observe_delay_ms, 0);
}

void mtk_cancel_observe(struct sim *s)
{
    struct sim_mtk *m = &s->st.mtk;
    if (m->state != MTK_OBSERVED)
        return;
    m->state = MTK_REGISTERED;
    m->observe_tries = 0;
    if (dialect_b(s))
        sim_urc(s, "+QLWURC: \"observe\",%u,1,19,0,0", next_msgid(s));
    else
        sim_urc(s, "+QLWOBSERVE: 1,19,0,0");
    plain_event(s, "observe_cancelled");
}

/* ------------------------------------------------------------- uplinks */

static void server_received(struct sim *s, const char *cmd, bool con, uint32_t msgid,
                            const char *hex, bool lost)
{
    struct sim_buf *ev = ev_begin(s, lost ? "uplink_lost" : "uplink");
    if (!lost)
        buf_printf(ev, ",\"n\":%u", ++s->st.lw.received);
    ev_str(ev, "cmd", cmd);
    ev_str(ev, "mode", con ? "CON" : "NON");
    buf_printf(ev, ",\"seq\":%u,\"len\":%zu", msgid, strlen(hex) / 2);
    char up[2 * SIM_PAYLOAD_MAX + 1];
    str_copy(up, sizeof up, hex);
    str_upper(up);
    ev_str(ev, "hex", up);
    buf_printf(ev, ",\"t_ms\":%llu", (unsigned long long)sim_now_ms(s));
    ev_end(s);
}

static void rejected(struct sim *s, const char *cmd, const char *reason)
{
    struct sim_buf *ev = ev_begin(s, "rejected");
    ev_str(ev, "cmd", cmd);
    ev_str(ev, "reason", reason);
    ev_end(s);
}

/* After an uplink: a queued downlink, and the cancel-observe-after fault. */
static void after_received(struct sim *s)
{
    struct sim_faults *f = &s->st.faults;
    if (s->st.dl.nserver && !timer_pending(s, TMR_DOWNLINK))
        timer_add(s, TMR_DOWNLINK, s->opt.ack_delay_ms, 0, 0, NULL);
    if (f->cancel_after && --f->cancel_after == 0)
        mtk_cancel_observe(s);
}

/* Common checks; returns SIM_R_OK when the uplink may go. */
static int uplink_allowed(struct sim *s, const char *cmd, bool con)
{
    if (s->st.mtk.state != MTK_OBSERVED) {
        rejected(s, cmd, "not observed");
        return dialect_b(s) ? CMEE_NOT_REG : SIM_R_ERROR;
    }
    if (s->st.faults.busy) {
        s->st.faults.busy--;
        rejected(s, cmd, "busy");
        return dialect_b(s) ? SIM_R_CMEE + 32 : CME_BUSY;
    }
    if (con && s->st.mtk.con_pending) {
        rejected(s, cmd, "con pending");
        return dialect_b(s) ? CMEE_OTHER : CME_BUSY;
    }
    return SIM_R_OK;
}

/* CON: the server's ACK (or its loss, with --con-fail) after the ACK delay. */
static void send_con(struct sim *s, const char *cmd, uint32_t msgid, const char *hex)
{
    bool lost = s->st.faults.con_fail > 0;
    if (lost)
        s->st.faults.con_fail--;
    s->st.mtk.con_pending = true;
    server_received(s, cmd, true, msgid, hex, lost);
    step(s, STEP_CON_RESULT, s->opt.ack_delay_ms, (int32_t)(msgid * 2 + (lost ? 1 : 0)));
    if (!lost)
        after_received(s);
}

/* A: AT+QLWDATASEND=19,0,0,<len>,<hex>,<mode> */
static int cmd_qlwdatasend(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    uint32_t obj, ins, res, len, mode;
    size_t bytes;
    (void)r;
    if (dialect_b(s) || c->kind != AT_SET || c->argc != 6 || !arg_u32(c, 0, 19, 19, &obj) ||
        !arg_u32(c, 1, 0, 0, &ins) || !arg_u32(c, 2, 0, 0, &res) ||
        !arg_u32(c, 3, 1, SIM_PAYLOAD_MAX, &len) || !hex_valid(c->argv[4], &bytes) ||
        bytes != len || strncmp(c->argv[5], "0x", 2) != 0 || s->st.mtk.dataformat_send != 1)
        return CME_PARAM;
    if (strcmp(c->argv[5], "0x0000") == 0)
        mode = 0;
    else if (strcmp(c->argv[5], "0x0100") == 0)
        mode = MODE_CON_A;
    else
        return CME_PARAM;
    int rc = uplink_allowed(s, "QLWDATASEND", mode != 0);
    if (rc != SIM_R_OK)
        return rc;
    net_rrc_touch(s);
    if (mode == MODE_CON_A) {
        send_con(s, "QLWDATASEND", 0, c->argv[4]);
    } else {
        server_received(s, "QLWDATASEND", false, 0, c->argv[4], false);
        after_received(s);
    }
    return SIM_R_OK;
}

/* B: AT+QLWNOTIFY=<obj>,<ins>,<res>,<type>,<len>,<value>,<index>[,<ack>[,<rai>]] */
static int cmd_qlwnotify(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    uint32_t obj, ins, res, type, len, index, ack = 0;
    size_t bytes;
    (void)r;
    if (!dialect_b(s) || c->kind != AT_SET || c->argc < 7 || c->argc > 9 ||
        !arg_u32(c, 0, 0, 65534, &obj) || !arg_u32(c, 1, 0, 65534, &ins) ||
        !arg_u32(c, 2, 0, 65534, &res) || !arg_u32(c, 3, 1, 5, &type) ||
        !arg_u32(c, 4, 0, SIM_PAYLOAD_MAX, &len) || !arg_u32(c, 6, 0, 0, &index) ||
        (c->argc >= 8 && !arg_u32(c, 7, 0, 1, &ack)))
        return CMEE_PARAM;
    if (type == 2 && (!c->quoted[5] || !hex_valid(c->argv[5], &bytes) || bytes != len))
        return CMEE_PARAM;
    if (type == 1 && strlen(c->argv[5]) != len)
        return CMEE_PARAM;
    if (!find_obj(s, obj, ins))
        return CMEE_PARAM;
    if (obj != 19) {
        if (s->st.mtk.state < MTK_REGISTERED)
            return CMEE_NOT_REG;
        uint32_t msgid = next_msgid(s);
        struct sim_buf *ev = ev_begin(s, "notify");
        buf_printf(ev, ",\"path\":\"/%u/%u/%u\",\"type\":%u,\"value\":", obj, ins, res, type);
        buf_json_str(ev, c->argv[5], strlen(c->argv[5]));
        ev_end(s);
        sim_urc(s, "+QLWURC: \"report\",%u", msgid);
        sim_urc(s, "+QLWNOTIFY: 0");
        return SIM_R_OK;
    }
    if (res != 0 || ins != 0 || type != 2)
        return CMEE_PARAM;
    int rc = uplink_allowed(s, "QLWNOTIFY", ack == 1);
    if (rc != SIM_R_OK)
        return rc;
    net_rrc_touch(s);
    uint32_t msgid = next_msgid(s);
    sim_urc(s, "+QLWURC: \"report\",%u", msgid);
    sim_urc(s, "+QLWNOTIFY: 0");
    if (ack == 1) {
        send_con(s, "QLWNOTIFY", msgid, c->argv[5]);
    } else {
        server_received(s, "QLWNOTIFY", false, msgid, c->argv[5], false);
        after_received(s);
    }
    return SIM_R_OK;
}

/* ------------------------------------------------- server requests (B) */

static struct sim_mtk_req *find_req(struct sim *s, uint32_t msgid)
{
    for (size_t i = 0; i < SIM_MTK_REQS; i++) {
        if (s->st.mtk.reqs[i].used && s->st.mtk.reqs[i].msgid == msgid)
            return &s->st.mtk.reqs[i];
    }
    return NULL;
}

/* AT+QLWRDRSP / AT+QLWOBSRSP: <msgid>,<result>,<obj>,<ins>,<res>,<type>,<len>,<value>,<index>;
 * AT+QLWWRRSP / AT+QLWEXERSP: <msgid>,<result>. */
static int response(struct sim *s, const struct at_cmd *c, const char *kind, bool value)
{
    uint32_t msgid, result, index = 0, type = 0, len = 0;
    if (!dialect_b(s) || c->kind != AT_SET || c->argc != (value ? 9u : 2u) ||
        !arg_u32(c, 0, 0, 65535, &msgid) || !arg_u32(c, 1, 0, 15, &result))
        return CMEE_PARAM;
    if (value && (!arg_u32(c, 5, 1, 5, &type) || !arg_u32(c, 6, 0, 4096, &len) ||
                  !arg_u32(c, 8, 0, 64, &index)))
        return CMEE_PARAM;
    struct sim_mtk *m = &s->st.mtk;
    bool uplink_observe = strcmp(kind, "observe") == 0 && msgid == m->observe_msgid &&
                          m->state == MTK_REGISTERED && m->observe_tries > 0;
    struct sim_mtk_req *req = find_req(s, msgid);
    if (!uplink_observe && req == NULL)
        return CMEE_PARAM; /* nothing asked with that msgid */
    struct sim_buf *ev = ev_begin(s, "response");
    ev_str(ev, "kind", kind);
    buf_printf(ev, ",\"msgid\":%u,\"result\":%u", msgid, result);
    if (value) {
        buf_printf(ev, ",\"path\":\"/%s/%s/%s\",\"type\":%u,\"len\":%u,\"index\":%u,\"value\":",
                   c->argv[2], c->argv[3], c->argv[4], type, len, index);
        buf_json_str(ev, c->argv[7], strlen(c->argv[7]));
    }
    ev_end(s);
    if (index != 0)
        return SIM_R_OK; /* the result line comes after the last part */
    sim_urc(s, "+QLW%sRSP: 0",
            value ? (kind[0] == 'o' ? "OBS" : "RD") : (kind[0] == 'w' ? "WR" : "EXE"));
    if (req)
        req->used = false;
    if (uplink_observe) {
        timer_cancel(s, TMR_MTK);
        m->state = MTK_OBSERVED;
        plain_event(s, "observed");
    }
    return SIM_R_OK;
}

static int cmd_rdrsp(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    (void)r;
    return response(s, c, "read", true);
}

static int cmd_obsrsp(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    (void)r;
    return response(s, c, "observe", true);
}

static int cmd_wrrsp(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    (void)r;
    return response(s, c, "write", false);
}

static int cmd_exersp(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    (void)r;
    return response(s, c, "execute", false);
}

/* Sends a request URC and remembers it until answered. */
static bool request(struct sim *s, const char *kind, const char *path, const char *urc_args)
{
    struct sim_mtk *m = &s->st.mtk;
    if (!dialect_b(s) || m->state < MTK_REGISTERED)
        return false;
    for (size_t i = 0; i < SIM_MTK_REQS; i++) {
        struct sim_mtk_req *q = &m->reqs[i];
        if (q->used)
            continue;
        *q = (struct sim_mtk_req){true, "", next_msgid(s), ""};
        str_copy(q->kind, sizeof q->kind, kind);
        str_copy(q->path, sizeof q->path, path);
        struct sim_buf text = {0};
        buf_printf(&text, "+QLWURC: \"%s\",%u,%s", kind, q->msgid, urc_args);
        str_copy(m->last_req_text, sizeof m->last_req_text, text.data);
        buf_free(&text);
        m->last_req = (uint32_t)i;
        sim_urc(s, "%s", m->last_req_text);
        struct sim_buf *ev = ev_begin(s, "request");
        ev_str(ev, "kind", kind);
        buf_printf(ev, ",\"msgid\":%u", q->msgid);
        ev_str(ev, "path", path);
        ev_end(s);
        return true;
    }
    return false;
}

/* "3303/0/5700" into "3303,0,5700" (a missing resource: "3303,0"). */
static bool path_args(const char *path, char *out, size_t size)
{
    uint32_t v[3];
    size_t n = 0;
    char copy[32];
    str_copy(copy, sizeof copy, path);
    for (char *p = strtok(copy, "/"); p && n < 3; p = strtok(NULL, "/")) {
        if (!parse_u32(p, 0, 65535, &v[n]))
            return false;
        n++;
    }
    if (n < 2)
        return false;
    if (n == 2)
        snprintf(out, size, "%u,%u", v[0], v[1]);
    else
        snprintf(out, size, "%u,%u,%u", v[0], v[1], v[2]);
    return true;
}

void mtk_downlink(struct sim *s, const char *hex, bool now_if_ready)
{
    struct sim_mtk *m = &s->st.mtk;
    size_t len = strlen(hex) / 2;
    if (!now_if_ready || m->state != MTK_OBSERVED) {
        struct sim_downlinks *dl = &s->st.dl;
        if (dl->nserver < SIM_DL_QUEUE_MAX)
            str_copy(dl->server[dl->nserver++], sizeof dl->server[0], hex);
        return;
    }
    struct sim_buf *ev = ev_begin(s, "downlink");
    ev_str(ev, "hex", hex);
    buf_printf(ev, ",\"len\":%zu", len);
    ev_end(s);
    s->st.dl.received++;
    if (!dialect_b(s)) {
        sim_urc(s, "+QLWDATARECV: 19,1,0,%zu,%s", len, hex);
        return;
    }
    struct sim_buf args = {0};
    buf_printf(&args, "19,1,0,2,%zu,\"%s\",0", len, hex);
    request(s, "write", "/19/1/0", args.data);
    buf_free(&args);
}

bool mtk_server_control(struct sim *s, const char *name, const char *arg)
{
    char path[40], args[48];
    if (!sim_mtk(s))
        return false;
    if (strcmp(name, "server-repeat") == 0) {
        if (s->st.mtk.last_req_text[0] == '\0')
            return false;
        s->st.mtk.reqs[s->st.mtk.last_req].used = true; /* waits for an answer again */
        sim_urc(s, "%s", s->st.mtk.last_req_text);
        plain_event(s, "request_repeated");
        return true;
    }
    if (!arg)
        return false;
    const char *rest = strchr(arg, ' ');
    size_t n = rest ? (size_t)(rest - arg) : strlen(arg);
    if (n >= sizeof path)
        return false;
    memcpy(path, arg, n);
    path[n] = '\0';
    if (!path_args(path, args, sizeof args))
        return false;
    if (strcmp(name, "server-read") == 0)
        return request(s, "read", path, args);
    if (strcmp(name, "server-execute") == 0)
        return request(s, "execute", path, args);
    if (strcmp(name, "server-observe") == 0) {
        char a[64];
        snprintf(a, sizeof a, "0,%s", args);
        return request(s, "observe", path, a);
    }
    if (strcmp(name, "server-write") == 0 && rest) {
        uint32_t type;
        char value[96];
        if (sscanf(rest, " %u %95s", &type, value) != 2 || type < 1 || type > 5)
            return false;
        size_t len = type == 2 ? strlen(value) / 2 : strlen(value);
        char a[256];
        if (type == 1 || type == 2)
            snprintf(a, sizeof a, "%s,%u,%zu,\"%s\",0", args, type, len, value);
        else
            snprintf(a, sizeof a, "%s,%u,%zu,%s,0", args, type, len, value);
        return request(s, "write", path, a);
    }
    return false;
}

/* ---------------------------------------------------------------- steps */

static void step_registered(struct sim *s)
{
    struct sim_mtk *m = &s->st.mtk;
    if (m->state != MTK_REGISTERING)
        return;
    if (s->st.faults.reg_fail || !find_obj(s, 19, 0)) {
        m->state = MTK_IDLE;
        sim_urc(s, dialect_b(s) ? "+QLWREG: 1" : "CONNECT FAIL");
        plain_event(s, "register_failed");
        return;
    }
    m->state = MTK_REGISTERED;
    m->observe_tries = 0;
    sim_urc(s, dialect_b(s) ? "+QLWREG: 0" : "CONNECT OK");
    plain_event(s, "registered");
    if (!s->st.faults.never_observe)
        step(s, STEP_OBSERVE, s->opt.observe_delay_ms, 0);
}

static void step_con_result(struct sim *s, int32_t arg)
{
    struct sim_mtk *m = &s->st.mtk;
    bool lost = (arg & 1) != 0; /* see send_con() */
    uint32_t msgid = (uint32_t)arg / 2;
    if (!m->con_pending)
        return;
    m->con_pending = false;
    if (dialect_b(s))
        sim_urc(s, "+QLWURC: \"report_ack\",%d,%u", lost ? 1 : 0, msgid);
    else
        sim_urc(s, lost ? "SEND FAIL" : "SEND OK");
    struct sim_buf *ev = ev_begin(s, "con_result");
    buf_printf(ev, ",\"acked\":%s,\"seq\":%u", lost ? "false" : "true", msgid);
    ev_end(s);
}

static void step_closed(struct sim *s)
{
    s->st.mtk.state = MTK_IDLE;
    sim_urc(s, dialect_b(s) ? "+QLWDEREG: 0" : "CLOSE OK");
    plain_event(s, "deregistered");
}

void mtk_tmr(struct sim *s, const struct sim_timer *t)
{
    switch ((enum mtk_step)t->arg) {
    case STEP_REGISTERED:
        step_registered(s);
        break;
    case STEP_OBSERVE:
        observe_uplink(s);
        break;
    case STEP_CON_RESULT:
        step_con_result(s, t->arg2);
        break;
    case STEP_CLOSED:
        step_closed(s);
        break;
    }
}

static const struct at_entry entries[] = {
    {"I", cmd_ati, NULL},
    {"+CGMM", cmd_cgmm, NULL},
    {"+CGMR", cmd_cgmr, NULL},
    {"+QLWCFG", cmd_qlwcfg, at_test_by_handler},
    {"+QLWCONFIG", cmd_qlwconfig, at_test_by_handler},
    {"+QLWSERV", cmd_qlwserv, at_test_by_handler},
    {"+QLWCONF", cmd_qlwconf, NULL},
    {"+QLWADDOBJ", cmd_qlwaddobj, NULL},
    {"+QLWOPEN", cmd_qlwopen, NULL},
    {"+QLWREG", cmd_qlwreg, NULL},
    {"+QLWCLOSE", cmd_qlwclose, NULL},
    {"+QLWDEREG", cmd_qlwdereg, NULL},
    {"+QLWSTATUS", cmd_qlwstatus, NULL},
    {"+QLWDATASEND", cmd_qlwdatasend, NULL},
    {"+QLWNOTIFY", cmd_qlwnotify, NULL},
    {"+QLWRDRSP", cmd_rdrsp, NULL},
    {"+QLWOBSRSP", cmd_obsrsp, NULL},
    {"+QLWWRRSP", cmd_wrrsp, NULL},
    {"+QLWEXERSP", cmd_exersp, NULL},
};

const struct at_table at_mtk_table = {entries, sizeof entries / sizeof entries[0]};
