/* Radio, attach and reboot commands. */
#include <stdio.h>
#include <string.h>

#include "sim_cmd.h"

#define PING_TTL        54
#define PING_RTT_MS     180
#define PING_TIMEOUT_MS 10000
#define UE_ADDRESS      "10.45.0.2"
#define SIM_PLMN        "00101"

/* AT+NUESTATS values of a healthy cell (reference section 2, V150 example). */
static const struct {
    const char *name;
    long on;
} radio_stats[] = {
    {"Signal power", -819}, {"Total power", -761},  {"TX power", 230}, {"TX time", 1144},
    {"RX time", 76193},     {"Cell ID", 125414482}, {"ECL", 0},        {"SNR", 234},
    {"EARFCN", 2509},       {"PCI", 226},           {"RSRQ", -108},    {"OPERATOR MODE", 4},
};

#define STAT_INVALID (-32768L)

static int cmd_cfun(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    uint32_t fun, rst;
    if (c->kind == AT_READ) {
        reply_line(r, "+CFUN:%d", s->st.radio.cfun);
        return SIM_R_OK;
    }
    if (c->kind != AT_SET || c->argc > 2 || !arg_u32(c, 0, 0, 1, &fun) ||
        (c->argc == 2 && !arg_u32(c, 1, 0, 1, &rst)))
        return CME_PARAM;
    if (fun == 0 && s->st.radio.cfun == 1) {
        net_detach(s);
        s->st.radio.cfun = 0;
    } else if (fun == 1 && s->st.radio.cfun == 0) {
        s->st.radio.cfun = 1;
        /* The BC68 prints the not-registered +CEREG before the OK of CFUN=1. */
        if (s->st.vol.cereg_n > 0) {
            struct sim_buf b = {0};
            net_cereg_text(s, &b, STAT_NONE);
            reply_line(r, "+CEREG:%s", b.data);
            buf_free(&b);
        }
        if (s->st.radio.autoconnect)
            net_start_attach(s);
    }
    return SIM_R_OK;
}

static int cmd_cgatt(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    uint32_t state;
    if (c->kind == AT_READ) {
        reply_line(r, "+CGATT:%d", net_attached(s) ? 1 : 0);
        return SIM_R_OK;
    }
    if (c->kind != AT_SET || c->argc != 1 || !arg_u32(c, 0, 0, 1, &state))
        return CME_PARAM;
    if (state == 0) {
        net_detach(s);
        return SIM_R_OK;
    }
    if (s->st.radio.cfun == 0)
        return CME_RADIO_OFF;
    net_start_attach(s);
    return SIM_R_OK;
}

static int cmd_cereg(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    uint32_t n;
    if (c->kind == AT_READ) {
        struct sim_buf b = {0};
        net_cereg_text(s, &b, s->st.radio.stat);
        reply_line(r, "+CEREG:%d,%s", s->st.vol.cereg_n, b.data);
        buf_free(&b);
        return SIM_R_OK;
    }
    if (c->kind != AT_SET || c->argc != 1 || !arg_u32(c, 0, 0, 5, &n))
        return CME_PARAM;
    s->st.vol.cereg_n = (int)n;
    return SIM_R_OK;
}

static int cmd_cscon(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    if (c->kind == AT_READ) {
        reply_line(r, "+CSCON:%d,%d", s->st.vol.cscon_n, s->st.radio.rrc ? 1 : 0);
        return SIM_R_OK;
    }
    return at_switch(c, r, &s->st.vol.cscon_n, 1);
}

static int cmd_npsmr(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    /* The simulated UE never sleeps, so the reported mode is always 0 (awake). */
    if (c->kind == AT_READ && s->st.vol.npsmr_n) {
        reply_line(r, "+NPSMR:%d,0", s->st.vol.npsmr_n);
        return SIM_R_OK;
    }
    return at_switch(c, r, &s->st.vol.npsmr_n, 1);
}

static int cmd_csq(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    if (c->kind != AT_EXEC)
        return CME_PARAM;
    if (s->st.radio.cfun == 1)
        reply_line(r, "+CSQ:20,99");
    else
        reply_line(r, "+CSQ:99,99");
    return SIM_R_OK;
}

static long stat_value(const struct sim *s, size_t i)
{
    bool camped = s->st.radio.cfun == 1;
    if (camped || strcmp(radio_stats[i].name, "ECL") == 0 ||
        strcmp(radio_stats[i].name, "OPERATOR MODE") == 0 ||
        strstr(radio_stats[i].name, "time") != NULL)
        return radio_stats[i].on;
    return STAT_INVALID;
}

static void nuestats_radio(const struct sim *s, struct sim_reply *r, const char *prefix)
{
    for (size_t i = 0; i < sizeof radio_stats / sizeof radio_stats[0]; i++)
        reply_line(r, "%s%s:%ld", prefix, radio_stats[i].name, stat_value(s, i));
}

static void nuestats_cell(const struct sim *s, struct sim_reply *r)
{
    if (s->st.radio.cfun == 1)
        reply_line(r, "NUESTATS:CELL,2509,226,1,-819,-108,-761,234");
}

static int cmd_nuestats(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    if (c->kind == AT_EXEC) {
        nuestats_radio(s, r, "");
        return SIM_R_OK;
    }
    if (c->kind != AT_SET || c->argc != 1)
        return CME_PARAM;
    bool all = str_ieq(c->argv[0], "ALL");
    if (!all && !str_ieq(c->argv[0], "RADIO") && !str_ieq(c->argv[0], "CELL"))
        return CME_PARAM;
    if (all || str_ieq(c->argv[0], "RADIO"))
        nuestats_radio(s, r, "NUESTATS:RADIO,");
    if (all || str_ieq(c->argv[0], "CELL"))
        nuestats_cell(s, r);
    return SIM_R_OK;
}

static int cmd_cops(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    uint32_t mode;
    if (c->kind == AT_READ) {
        if (net_attached(s))
            reply_line(r, "+COPS:0,2,\"%s\"", SIM_PLMN);
        else
            reply_line(r, "+COPS:0");
        return SIM_R_OK;
    }
    if (c->kind != AT_SET || c->argc > 4 || !arg_u32(c, 0, 0, 2, &mode))
        return CME_PARAM;
    if (mode == 2) {
        net_detach(s);
        return SIM_R_OK;
    }
    if (s->st.radio.cfun == 0)
        return CME_RADIO_OFF;
    net_start_attach(s);
    return SIM_R_OK;
}

static int cmd_cgpaddr(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    if (c->kind != AT_EXEC && c->kind != AT_SET)
        return CME_PARAM;
    if (net_attached(s))
        reply_line(r, "+CGPADDR:0,%s", UE_ADDRESS);
    else
        reply_line(r, "+CGPADDR:0");
    return SIM_R_OK;
}

static bool unreachable(const struct sim *s, const char *ip)
{
    for (size_t i = 0; i < s->opt.nunreachable; i++) {
        if (strcmp(s->opt.unreachable[i], ip) == 0)
            return true;
    }
    return false;
}

static int cmd_nping(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    uint32_t size = 12, timeout_ms = PING_TIMEOUT_MS;
    char text[SIM_TIMER_TEXT_MAX];
    (void)r;
    if (c->kind != AT_SET || c->argc > 3 || !ipv4_valid(c->argv[0]) ||
        (c->argc > 1 && !arg_u32(c, 1, 12, 1500, &size)) ||
        (c->argc > 2 && !arg_u32(c, 2, 10, 600000, &timeout_ms)))
        return CME_PARAM;
    if (s->st.radio.cfun == 0)
        return CME_RADIO_OFF;
    if (!net_attached(s)) {
        timer_add(s, TMR_URC, 0, 0, 0, "+NPINGERR:2");
        return SIM_R_OK;
    }
    net_rrc_touch(s);
    if (unreachable(s, c->argv[0])) {
        timer_add(s, TMR_URC, timeout_ms, 0, 0, "+NPINGERR:1");
        return SIM_R_OK;
    }
    snprintf(text, sizeof text, "+NPING:%s,%d,%d", c->argv[0], PING_TTL, PING_RTT_MS);
    timer_add(s, TMR_URC, PING_RTT_MS, 0, 0, text);
    return SIM_R_OK;
}

static int cmd_nrb(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    if (c->kind != AT_EXEC)
        return CME_PARAM;
    reply_line(r, "REBOOTING");
    net_reboot(s, "REBOOT_CAUSE_APPLICATION_AT");
    return SIM_R_NONE;
}

static const struct at_entry entries[] = {
    {"+CFUN", cmd_cfun, "+CFUN:(0,1),(0,1)"},
    {"+CGATT", cmd_cgatt, "+CGATT:(0,1)"},
    {"+CEREG", cmd_cereg, "+CEREG:(0,1,2,3,4,5)"},
    {"+CSCON", cmd_cscon, "+CSCON:(0,1)"},
    {"+NPSMR", cmd_npsmr, "+NPSMR:(0,1)"},
    {"+CSQ", cmd_csq, "+CSQ:(0-31,99),(99)"},
    {"+NUESTATS", cmd_nuestats, "+NUESTATS:(RADIO,CELL,ALL)"},
    {"+COPS", cmd_cops, NULL},
    {"+CGPADDR", cmd_cgpaddr, NULL},
    {"+NPING", cmd_nping, NULL},
    {"+NRB", cmd_nrb, NULL},
};

const struct at_table at_radio_table = {entries, sizeof entries / sizeof entries[0]};
