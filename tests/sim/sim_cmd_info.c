/* Identification and configuration commands (no network activity). */
#include <string.h>

#include "sim_cmd.h"

#define SIM_MANUFACTURER "Quectel"
#define SIM_MODEL        "BC68JA-02-STD"
#define SIM_REVISION     "BC68JAR01A10"
#define SIM_SVN          "01"

static const char *const cgmr_lines[] = {
    "SSB,V150R100C10B200SP1",        "SECURITY_A,V150R100C20B300SP2",
    "PROTOCOL_A,V150R100C20B300SP2", "APPLICATION_A,V150R100C20B300SP2",
    "SECURITY_B,V150R100C20B300SP2", "RADIO,Hi2115_RF1",
};

static const char *const nconfig_keys[NCFG_COUNT] = {
    [NCFG_AUTOCONNECT] = "AUTOCONNECT",           [NCFG_SCRAMBLING] = "CR_0354_0338_SCRAMBLING",
    [NCFG_SI_AVOID] = "CR_0859_SI_AVOID",         [NCFG_COMBINE_ATTACH] = "COMBINE_ATTACH",
    [NCFG_CELL_RESELECTION] = "CELL_RESELECTION", [NCFG_ENABLE_BIP] = "ENABLE_BIP",
};

static const uint8_t supported_bands[] = {1, 3, 5, 8, 20, 28};

static const char *const pdp_types[] = {"IP", "IPV6", "IPV4V6", "NONIP"};

static int cmd_at(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    (void)s;
    (void)r;
    return c->kind == AT_EXEC ? SIM_R_OK : SIM_R_ERROR;
}

static int cmd_echo(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    uint32_t on = 0;
    (void)r;
    if (c->kind == AT_SET && !arg_u32(c, 0, 0, 1, &on))
        return SIM_R_ERROR;
    s->st.vol.echo = on != 0;
    return SIM_R_OK;
}

static int cmd_ati(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    uint32_t v;
    (void)s;
    if (c->kind == AT_SET && !arg_u32(c, 0, 0, 0, &v))
        return SIM_R_ERROR;
    reply_line(r, "BC68");
    reply_line(r, "Revision:%s", SIM_REVISION);
    return SIM_R_OK;
}

static int exec_line(const struct at_cmd *c, struct sim_reply *r, const char *text)
{
    if (c->kind != AT_EXEC)
        return CME_PARAM;
    reply_line(r, "%s", text);
    return SIM_R_OK;
}

static int cmd_cgmi(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    (void)s;
    return exec_line(c, r, SIM_MANUFACTURER);
}

static int cmd_cgmm(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    (void)s;
    return exec_line(c, r, SIM_MODEL);
}

static int cmd_qgmr(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    (void)s;
    return exec_line(c, r, SIM_REVISION);
}

static int cmd_cimi(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    return exec_line(c, r, s->opt.imsi);
}

static int cmd_cgmr(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    (void)s;
    if (c->kind != AT_EXEC)
        return CME_PARAM;
    for (size_t i = 0; i < sizeof cgmr_lines / sizeof cgmr_lines[0]; i++)
        reply_line(r, "%s", cgmr_lines[i]);
    return SIM_R_OK;
}

static int cmd_cmee(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    return at_switch(c, r, &s->st.vol.cmee, 1);
}

static int cmd_cgsn(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    uint32_t type = 0;
    if (c->kind == AT_EXEC)
        return exec_line(c, r, s->opt.imei);
    if (c->kind != AT_SET || c->argc != 1 || !arg_u32(c, 0, 0, 3, &type))
        return CME_PARAM;
    if (type == 0)
        reply_line(r, "%s", s->opt.imei);
    else if (type == 1)
        reply_line(r, "+CGSN:%s", s->opt.imei);
    else if (type == 2)
        reply_line(r, "+CGSN:%.14s%s", s->opt.imei, SIM_SVN);
    else
        reply_line(r, "+CGSN:%s", SIM_SVN);
    return SIM_R_OK;
}

static int cmd_nccid(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    if (c->kind != AT_EXEC && c->kind != AT_READ)
        return CME_PARAM;
    reply_line(r, "+NCCID:%s", s->opt.iccid);
    return SIM_R_OK;
}

/* ---------------------------------------------------------------- NCONFIG */

static int nconfig_key(const char *name)
{
    for (int i = 0; i < NCFG_COUNT; i++) {
        if (str_ieq(name, nconfig_keys[i]))
            return i;
    }
    return -1;
}

static int cmd_nconfig(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    if (c->kind == AT_READ) {
        for (int i = 0; i < NCFG_COUNT; i++)
            reply_line(r, "+NCONFIG:%s,%s", nconfig_keys[i],
                       s->st.nv.nconfig[i] ? "TRUE" : "FALSE");
        return SIM_R_OK;
    }
    if (c->kind != AT_SET || c->argc != 2)
        return CME_PARAM;
    int key = nconfig_key(c->argv[0]);
    bool on = str_ieq(c->argv[1], "TRUE");
    if (key < 0 || (!on && !str_ieq(c->argv[1], "FALSE")))
        return CME_PARAM;
    /* Stored in NV; like the module, it only takes effect at the next boot. */
    s->st.nv.nconfig[key] = on;
    return SIM_R_OK;
}

/* ------------------------------------------------------------------ NBAND */

static bool band_supported(uint32_t band)
{
    for (size_t i = 0; i < sizeof supported_bands; i++) {
        if (supported_bands[i] == band)
            return true;
    }
    return false;
}

static void nband_read(const struct sim *s, struct sim_reply *r)
{
    struct sim_buf line = {0};
    buf_puts(&line, "+NBAND:");
    for (size_t i = 0; i < s->st.nv.nbands; i++)
        buf_printf(&line, "%s%u", i ? "," : "", s->st.nv.bands[i]);
    reply_line(r, "%s", line.data);
    buf_free(&line);
}

static int cmd_nband(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    uint8_t bands[SIM_BANDS_MAX];
    if (c->kind == AT_READ) {
        nband_read(s, r);
        return SIM_R_OK;
    }
    if (c->kind != AT_SET || c->argc > SIM_BANDS_MAX)
        return CME_PARAM;
    for (size_t i = 0; i < c->argc; i++) {
        uint32_t band;
        if (!arg_u32(c, i, 1, 255, &band) || !band_supported(band))
            return CME_PARAM;
        bands[i] = (uint8_t)band;
    }
    memcpy(s->st.nv.bands, bands, c->argc);
    s->st.nv.nbands = c->argc;
    return SIM_R_OK;
}

/* ---------------------------------------------------------------- CGDCONT */

static struct sim_pdp *pdp_slot(struct sim *s, uint32_t cid)
{
    struct sim_pdp *free_slot = NULL;
    for (size_t i = 0; i < SIM_CONTEXTS_MAX; i++) {
        struct sim_pdp *p = &s->st.nv.pdp[i];
        if (p->defined && p->cid == cid)
            return p;
        if (!p->defined && !free_slot)
            free_slot = p;
    }
    return free_slot;
}

static bool pdp_type_valid(const char *type)
{
    for (size_t i = 0; i < sizeof pdp_types / sizeof pdp_types[0]; i++) {
        if (strcmp(type, pdp_types[i]) == 0)
            return true;
    }
    return false;
}

static void cgdcont_read(const struct sim *s, struct sim_reply *r)
{
    for (uint32_t cid = 0; cid <= 10; cid++) {
        for (size_t i = 0; i < SIM_CONTEXTS_MAX; i++) {
            const struct sim_pdp *p = &s->st.nv.pdp[i];
            if (p->defined && p->cid == cid)
                reply_line(r, "+CGDCONT:%u,\"%s\",\"%s\"", cid, p->type, p->apn);
        }
    }
}

static int cmd_cgdcont(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    uint32_t cid;
    if (c->kind == AT_READ) {
        cgdcont_read(s, r);
        return SIM_R_OK;
    }
    if (c->kind != AT_SET || !arg_u32(c, 0, 0, 10, &cid) || c->argc > 3)
        return CME_PARAM;
    struct sim_pdp *p = pdp_slot(s, cid);
    if (c->argc == 1) {
        if (p && p->defined && p->cid == cid)
            p->defined = false;
        return SIM_R_OK;
    }
    const char *apn = c->argc > 2 ? c->argv[2] : "";
    if (!p || !pdp_type_valid(c->argv[1]) || strlen(apn) >= SIM_APN_MAX)
        return CME_PARAM;
    p->defined = true;
    p->cid = (uint8_t)cid;
    str_copy(p->type, sizeof p->type, c->argv[1]);
    str_copy(p->apn, sizeof p->apn, apn);
    return SIM_R_OK;
}

/* ------------------------------------------------------------------ CPSMS */

static bool timer_bits_valid(const char *v)
{
    if (strlen(v) != 8)
        return false;
    return strspn(v, "01") == 8;
}

static int cmd_cpsms(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    struct sim_nv *nv = &s->st.nv;
    uint32_t mode = 0;
    if (c->kind == AT_READ) {
        /* Neul prints the timers without quotes. */
        reply_line(r, "+CPSMS:%d,,,%s,%s", nv->psm_mode, nv->psm_tau, nv->psm_active);
        return SIM_R_OK;
    }
    if (c->kind != AT_SET || c->argc > 5)
        return CME_PARAM;
    if (!arg_empty(c, 0) && !arg_u32(c, 0, 0, 2, &mode))
        return CME_PARAM;
    const char *tau = arg_empty(c, 3) ? nv->psm_tau : c->argv[3];
    const char *active = arg_empty(c, 4) ? nv->psm_active : c->argv[4];
    if (!timer_bits_valid(tau) || !timer_bits_valid(active))
        return CME_PARAM;
    char tau_copy[9], active_copy[9];
    str_copy(tau_copy, sizeof tau_copy, tau);
    str_copy(active_copy, sizeof active_copy, active);
    nv->psm_mode = mode == 2 ? 0 : (int)mode;
    str_copy(nv->psm_tau, sizeof nv->psm_tau, tau_copy);
    str_copy(nv->psm_active, sizeof nv->psm_active, active_copy);
    return SIM_R_OK;
}

static int cmd_accept(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    (void)s;
    (void)c;
    (void)r;
    return SIM_R_OK;
}

static const struct at_entry entries[] = {
    {"", cmd_at, NULL},
    {"E", cmd_echo, NULL},
    {"I", cmd_ati, NULL},
    {"+CGMI", cmd_cgmi, NULL},
    {"+CGMM", cmd_cgmm, NULL},
    {"+CGMR", cmd_cgmr, NULL},
    {"+QGMR", cmd_qgmr, NULL},
    {"+CMEE", cmd_cmee, "+CMEE:(0,1)"},
    {"+CGSN", cmd_cgsn, "+CGSN:(0,1,2,3)"},
    {"+CIMI", cmd_cimi, NULL},
    {"+NCCID", cmd_nccid, NULL},
    {"+NCONFIG", cmd_nconfig, NULL},
    {"+NBAND", cmd_nband, "+NBAND:(1,3,5,8,20,28)"},
    {"+CGDCONT", cmd_cgdcont, "+CGDCONT:(0-10),(\"IP\",\"NONIP\",\"IPV6\",\"IPV4V6\")"},
    {"+CPSMS", cmd_cpsms, "+CPSMS:(0,1,2),,,(00000000-11111111),(00000000-11111111)"},
    {"+CEDRXS", cmd_accept, NULL},
};

const struct at_table at_info_table = {entries, sizeof entries / sizeof entries[0]};
