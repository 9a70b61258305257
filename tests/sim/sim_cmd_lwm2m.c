/* CDP / LwM2M commands: server address, registration, uplinks, downlink buffer. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "sim_cmd.h"

#define CDP_DEFAULT_PORT 5683

static const uint32_t ex_modes[] = {0x0000, 0x0001, 0x0010, 0x0100, 0x0101};

static int cmd_ncdp(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    struct sim_nv *nv = &s->st.nv;
    uint32_t port = CDP_DEFAULT_PORT;
    if (c->kind == AT_READ) {
        if (!nv->ncdp_set)
            return CME_NOT_CONFIG;
        reply_line(r, "+NCDP:%s,%u", nv->ncdp_ip, nv->ncdp_port);
        return SIM_R_OK;
    }
    if (c->kind != AT_SET || c->argc > 2 || !ipv4_valid(c->argv[0]) ||
        (!arg_empty(c, 1) && !arg_u32(c, 1, 1, 65535, &port)))
        return CME_PARAM;
    /* Set only with the radio off, as every field guide does it. */
    if (s->st.radio.cfun != 0)
        return CME_NOT_ALLOWED;
    str_copy(nv->ncdp_ip, sizeof nv->ncdp_ip, c->argv[0]);
    nv->ncdp_port = (uint16_t)port;
    nv->ncdp_set = true;
    return SIM_R_OK;
}

static int cmd_qregswt(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    return at_switch(c, r, &s->st.nv.regswt, 2);
}

static int register_allowed(const struct sim *s)
{
    if (s->st.lw.regswt == 2)
        return CME_NOT_ALLOWED;
    if (s->st.radio.cfun == 0)
        return CME_RADIO_OFF;
    if (!s->st.nv.ncdp_set)
        return CME_NOT_CONFIG;
    if (!net_attached(s))
        return CME_NO_NETWORK;
    return SIM_R_OK;
}

static int cmd_qlwsregind(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    uint32_t type;
    (void)r;
    if (c->kind != AT_SET || c->argc != 1 || !arg_u32(c, 0, 0, 1, &type))
        return CME_PARAM;
    int rc = register_allowed(s);
    if (rc != SIM_R_OK)
        return rc;
    if (type == 0) {
        lw_register(s);
        return SIM_R_OK;
    }
    return lw_deregister(s);
}

/* ---------------------------------------------------------------- uplinks */

static bool parse_mode(const char *text, uint32_t *mode)
{
    if (text[0] != '0' || (text[1] != 'x' && text[1] != 'X'))
        return false;
    size_t n = strlen(text + 2);
    if (n == 0 || n > 4 || strspn(text + 2, "0123456789abcdefABCDEF") != n)
        return false;
    uint32_t v = 0;
    for (const char *p = text + 2; *p; p++)
        v = v * 16 + (uint32_t)(isdigit((unsigned char)*p) ? *p - '0'
                                                           : toupper((unsigned char)*p) - 'A' + 10);
    for (size_t i = 0; i < sizeof ex_modes / sizeof ex_modes[0]; i++) {
        if (ex_modes[i] == v) {
            *mode = v;
            return true;
        }
    }
    return false;
}

static bool parse_payload(const struct at_cmd *c, uint32_t max_bytes, struct sim_uplink *u)
{
    uint32_t len;
    size_t bytes;
    if (c->argc < 2 || !arg_u32(c, 0, 1, max_bytes, &len) || !hex_valid(c->argv[1], &bytes))
        return false;
    u->len = bytes;
    return bytes == len;
}

static bool parse_uplink(const struct at_cmd *c, struct sim_uplink *u)
{
    size_t seq_arg = 2;
    uint32_t max = strcmp(u->cmd, "NMGS") == 0 ? SIM_NMGS_MAX : SIM_PAYLOAD_MAX;
    if (c->kind != AT_SET || !parse_payload(c, max, u))
        return false;
    if (strcmp(u->cmd, "QLWULDATAEX") == 0) {
        if (c->argc < 3 || !parse_mode(c->argv[2], &u->mode))
            return false;
        seq_arg = 3;
    }
    if (c->argc > seq_arg + 1)
        return false;
    return c->argc <= seq_arg || arg_u32(c, seq_arg, 0, 255, &u->seq);
}

static int uplink(struct sim *s, const struct at_cmd *c, const char *cmd)
{
    struct sim_uplink u = {.cmd = cmd, .hex = c->argc > 1 ? c->argv[1] : ""};
    if (!parse_uplink(c, &u)) {
        lw_reject(s, &u, "bad parameters");
        return CME_PARAM;
    }
    return lw_uplink(s, &u);
}

static int cmd_qlwuldata(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    (void)r;
    return uplink(s, c, "QLWULDATA");
}

static int cmd_qlwuldataex(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    (void)r;
    return uplink(s, c, "QLWULDATAEX");
}

static int cmd_nmgs(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    (void)r;
    return uplink(s, c, "NMGS");
}

static int cmd_qlwuldatastatus(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    if (c->kind != AT_READ)
        return CME_PARAM;
    if (s->st.lw.last_seq)
        reply_line(r, "+QLWULDATASTATUS:%d,%u", s->st.lw.last_status, s->st.lw.last_seq);
    else
        reply_line(r, "+QLWULDATASTATUS:%d", s->st.lw.last_status);
    return SIM_R_OK;
}

/* -------------------------------------------------- downlinks, counters */

static int cmd_nmgr(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    struct sim_downlinks *dl = &s->st.dl;
    if (c->kind != AT_EXEC)
        return CME_PARAM;
    if (dl->nue == 0)
        return SIM_R_OK;
    reply_line(r, "%zu,%s", strlen(dl->ue[0]) / 2, dl->ue[0]);
    memmove(dl->ue[0], dl->ue[1], (dl->nue - 1) * sizeof dl->ue[0]);
    dl->nue--;
    return SIM_R_OK;
}

static int cmd_nqmgs(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    if (c->kind != AT_EXEC)
        return CME_PARAM;
    reply_line(r, "PENDING=%d,SENT=%u,ERROR=%u", s->st.lw.con_pending ? 1 : 0, s->st.lw.sent,
               s->st.lw.errors);
    return SIM_R_OK;
}

static int cmd_nqmgr(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    if (c->kind != AT_EXEC)
        return CME_PARAM;
    reply_line(r, "BUFFERED=%zu,RECEIVED=%u,DROPPED=%u", s->st.dl.nue, s->st.dl.received,
               s->st.dl.dropped);
    return SIM_R_OK;
}

static int cmd_nmstatus(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    if (c->kind != AT_READ)
        return CME_PARAM;
    reply_line(r, "+NMSTATUS:%s", lw_nmstatus(s));
    return SIM_R_OK;
}

static int cmd_nnmi(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    return at_switch(c, r, &s->st.vol.nnmi, 2);
}

static int cmd_nsmi(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    /* Firmware without the command: ERROR to every form, as to any unknown one. */
    if (s->st.faults.no_nsmi)
        return SIM_R_ERROR;
    if (c->kind == AT_TEST) {
        reply_line(r, "+NSMI:(0,1)");
        return SIM_R_OK;
    }
    return at_switch(c, r, &s->st.vol.nsmi, 1);
}

static const struct at_entry entries[] = {
    {"+NCDP", cmd_ncdp, NULL},
    {"+QREGSWT", cmd_qregswt, "+QREGSWT:(0,1,2)"},
    {"+QLWSREGIND", cmd_qlwsregind, "+QLWSREGIND:(0,1)"},
    {"+QLWULDATA", cmd_qlwuldata, NULL},
    {"+QLWULDATAEX", cmd_qlwuldataex, NULL},
    {"+QLWULDATASTATUS", cmd_qlwuldatastatus, NULL},
    {"+NMGS", cmd_nmgs, NULL},
    {"+NMGR", cmd_nmgr, NULL},
    {"+NQMGS", cmd_nqmgs, NULL},
    {"+NQMGR", cmd_nqmgr, NULL},
    {"+NMSTATUS", cmd_nmstatus, NULL},
    {"+NNMI", cmd_nnmi, "+NNMI:(0,1,2)"},
    {"+NSMI", cmd_nsmi, at_test_by_handler},
};

const struct at_table at_lwm2m_table = {entries, sizeof entries / sizeof entries[0]};
