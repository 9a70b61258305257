/*
 * The EC200U's own commands: identity, and the LwM2M client of dialect C
 * (AT+QLWCFG, AT+QLWREG, AT+QLWDEREG, AT+QLWUPDATE, AT+QLWSTAT).
 *
 * The AT+QLWCFG=? list and the ranges checked are the EG25-G dump's
 * (firmware 01.003, same parameter model as the EC200U's QuecPython build).
 * UNCONFIRMED, and marked where they are decided: the syntax of QLWREG,
 * QLWDEREG, QLWUPDATE and QLWSTAT; plain ERROR for an unknown sub-option;
 * `"security",<id>` alone clearing that instance; a sub-option without values
 * reading its setting back; every value accepted for "hostdevice",
 * "nettype", "maxreconntime" and "apnretry".
 */
#include <string.h>

#include "sim_cmd.h"

#define LTE_MODEL    "EC200U"
#define LTE_REVISION "EC200UEUABR03A01M08" /* the usual shape of the string; not a real build */
#define PERIOD_MAX   86400u

/* ------------------------------------------------------------- identity */

static int cmd_ati(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    (void)s;
    if (c->kind != AT_EXEC)
        return SIM_R_ERROR;
    reply_line(r, "Quectel");
    reply_line(r, LTE_MODEL);
    reply_line(r, "Revision: " LTE_REVISION);
    return SIM_R_OK;
}

static int cmd_cgmm(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    (void)s;
    if (c->kind != AT_EXEC)
        return SIM_R_ERROR;
    reply_line(r, LTE_MODEL);
    return SIM_R_OK;
}

static int cmd_revision(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    (void)s;
    if (c->kind != AT_EXEC)
        return SIM_R_ERROR;
    reply_line(r, LTE_REVISION);
    return SIM_R_OK;
}

/* ----------------------------------------------------------- sub-options */

typedef int (*subopt_fn)(struct sim *s, const struct at_cmd *c, struct sim_reply *r);

static bool uri_valid(const char *uri)
{
    size_t n = strlen(uri);
    return n > 0 && n < SIM_URI_MAX &&
           (strncmp(uri, "coap://", 7) == 0 || strncmp(uri, "coaps://", 8) == 0);
}

static bool security_args(const struct at_cmd *c, uint32_t v[4])
{
    return arg_u32(c, 1, 0, SIM_LTE_IDS - 1, &v[0]) && arg_u32(c, 2, 1, 65535, &v[1]) &&
           uri_valid(c->argv[3]) && arg_u32(c, 4, 0, 1, &v[2]) && arg_u32(c, 5, 0, 3, &v[3]) &&
           v[3] != 1 && (v[2] == 0 || v[0] == 0);
}

static bool psk_valid(const struct at_cmd *c)
{
    size_t bytes;
    return strlen(c->argv[6]) < SIM_PSK_MAX && strlen(c->argv[7]) < SIM_PSK_MAX &&
           c->argv[6][0] != '\0' && hex_valid(c->argv[7], &bytes) && bytes > 0;
}

static int so_security(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    uint32_t v[4];
    (void)r;
    /* UNCONFIRMED: the id alone clears the instance (QuecPython's "clear dirty config"). */
    if (c->argc == 2 && arg_u32(c, 1, 0, SIM_LTE_IDS - 1, &v[0])) {
        s->st.nv.lte.sec[v[0]].set = false;
        return SIM_R_OK;
    }
    /* The PSK fields come only with mode 0, as QuecPython sends them. */
    if ((c->argc != 6 && c->argc != 8) || !security_args(c, v) || (c->argc == 8) != (v[3] == 0) ||
        (c->argc == 8 && !psk_valid(c)))
        return CME_PARAM;
    struct sim_lte_sec *sec = &s->st.nv.lte.sec[v[0]];
    *sec = (struct sim_lte_sec){.set = true, .ssid = v[1], .bootstrap = v[2], .mode = (int)v[3]};
    str_copy(sec->uri, sizeof sec->uri, c->argv[3]);
    if (c->argc == 8) {
        str_copy(sec->psk_id, sizeof sec->psk_id, c->argv[6]);
        str_copy(sec->psk_key, sizeof sec->psk_key, c->argv[7]);
    }
    return SIM_R_OK;
}

static bool binding_valid(const char *b)
{
    static const char *const bindings[] = {"U", "UQ", "S", "SQ", "US", "UQS"};
    for (size_t i = 0; i < sizeof bindings / sizeof bindings[0]; i++) {
        if (strcmp(b, bindings[i]) == 0)
            return true;
    }
    return false;
}

static int so_server(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    uint32_t id, v[4], storing;
    (void)r;
    if (c->argc != 8 || !arg_u32(c, 1, 0, SIM_LTE_IDS - 1, &id) || !arg_u32(c, 6, 0, 1, &storing) ||
        !binding_valid(c->argv[7]))
        return CME_PARAM;
    for (size_t i = 0; i < 4; i++) {
        if (!arg_u32(c, 2 + i, 1, PERIOD_MAX, &v[i]))
            return CME_PARAM;
    }
    struct sim_lte_srv *srv = &s->st.nv.lte.srv[id];
    *srv = (struct sim_lte_srv){true, v[0], v[1], v[2], v[3], (int)storing, ""};
    str_copy(srv->binding, sizeof srv->binding, c->argv[7]);
    return SIM_R_OK;
}

/* "<name>",<v> sets; "<name>" alone reads it back (UNCONFIRMED shape). */
static int switch_option(const struct at_cmd *c, struct sim_reply *r, int *field,
                         const char *allowed)
{
    if (c->argc == 1) {
        reply_line(r, "+QLWCFG: \"%s\",%d", c->argv[0], *field);
        return SIM_R_OK;
    }
    if (c->argc != 2 || strlen(c->argv[1]) != 1 || !strchr(allowed, c->argv[1][0]))
        return CME_PARAM;
    *field = c->argv[1][0] - '0';
    return SIM_R_OK;
}

static int so_epname(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    return switch_option(c, r, &s->st.nv.lte.epname_mode, "367");
}

static int so_urc(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    return switch_option(c, r, &s->st.nv.lte.urc, "01");
}

static int so_startup(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    return switch_option(c, r, &s->st.nv.lte.startup, "01");
}

static int so_fota(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    struct sim_lte_nv *nv = &s->st.nv.lte;
    uint32_t dl, up;
    /* Firmware without the sub-option (EG25-G 30.203 lists none): UNCONFIRMED plain ERROR. */
    if (s->st.faults.reject_fota)
        return SIM_R_ERROR;
    if (c->argc == 1) {
        reply_line(r, "+QLWCFG: \"fota\",%d,%d", nv->fota_download, nv->fota_update);
        return SIM_R_OK;
    }
    if (c->argc != 3 || !arg_u32(c, 1, 0, 1, &dl) || !arg_u32(c, 2, 0, 1, &up))
        return CME_PARAM;
    nv->fota_download = (int)dl;
    nv->fota_update = (int)up;
    return SIM_R_OK;
}

static int so_reset(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    (void)r;
    if (c->argc != 1)
        return CME_PARAM;
    lte_nv_defaults(&s->st.nv.lte);
    return SIM_R_OK;
}

static int so_accept(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    (void)s;
    (void)c;
    (void)r;
    return SIM_R_OK;
}

static const struct {
    const char *name;
    subopt_fn fn;
    const char *test;
} subopts[] = {
    {"security", so_security,
     "+QLWCFG: \"security\",(0-3),(1-65535),<server_addr>,(0,1),(0,3),<pskID>,<psk_key>"},
    {"server", so_server,
     "+QLWCFG: \"server\",(0-3),(1-86400),(1-86400),(1-86400),(1-86400),(0,1),"
     "(\"U\",\"UQ\",\"S\",\"SQ\",\"US\",\"UQS\")"},
    {"epname/mode", so_epname, "+QLWCFG: \"epname/mode\",(3,6,7)"},
    {"urc", so_urc, "+QLWCFG: \"urc\",(0,1)"},
    {"startup", so_startup, "+QLWCFG: \"startup\",(0,1)"},
    {"fota", so_fota, "+QLWCFG: \"fota\",(0,1),(0,1)"},
    {"hostdevice", so_accept,
     "+QLWCFG: \"hostdevice\",(0,1),<deviceID>,<manufacturer>,<model>,<sw_version>,<fw_version>,"
     "<hw_version>,<upgrade_time>"},
    {"reset", so_reset, "+QLWCFG: \"reset\""},
    {"nettype", so_accept, "+QLWCFG: \"nettype\",(0-2)"},
    {"maxreconntime", so_accept, "+QLWCFG: \"maxreconntime\",(1-86400),(2-86400),(0-86400)"},
    {"apnretry", so_accept, "+QLWCFG: \"apnretry\",(0,1),(0-16),(0-86400)"},
};

#define SUBOPT_COUNT (sizeof subopts / sizeof subopts[0])

static void qlwcfg_list(const struct sim *s, struct sim_reply *r)
{
    for (size_t i = 0; i < SUBOPT_COUNT; i++) {
        if (!(s->st.faults.reject_fota && subopts[i].fn == so_fota))
            reply_line(r, "%s", subopts[i].test);
    }
}

static int cmd_qlwcfg(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    if (c->kind == AT_TEST) {
        qlwcfg_list(s, r);
        return SIM_R_OK;
    }
    if (c->kind != AT_SET || c->argc == 0)
        return SIM_R_ERROR;
    for (size_t i = 0; i < SUBOPT_COUNT; i++) {
        if (str_ieq(c->argv[0], subopts[i].name))
            return subopts[i].fn(s, c, r);
    }
    return SIM_R_ERROR; /* UNCONFIRMED: an unknown sub-option gets a plain ERROR */
}

/* ------------------------------------------------------------ lifecycle */

static int cmd_qlwreg(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    (void)r;
    return c->kind == AT_EXEC ? lte_register(s) : SIM_R_ERROR;
}

static int cmd_qlwdereg(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    (void)r;
    return c->kind == AT_EXEC ? lte_deregister(s) : SIM_R_ERROR;
}

static int cmd_qlwupdate(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    uint32_t ssid;
    (void)r;
    if (c->kind != AT_SET || c->argc != 1 || !arg_u32(c, 0, 0, 65535, &ssid))
        return CME_PARAM;
    return lte_update(s, ssid);
}

static int cmd_qlwstat(struct sim *s, const struct at_cmd *c, struct sim_reply *r)
{
    if (c->kind != AT_READ)
        return SIM_R_ERROR;
    reply_line(r, "+QLWSTAT: %d", s->st.lte.state);
    return SIM_R_OK;
}

static const struct at_entry entries[] = {
    {"I", cmd_ati, NULL},
    {"+CGMM", cmd_cgmm, NULL},
    {"+CGMR", cmd_revision, NULL},
    {"+QGMR", cmd_revision, NULL},
    {"+QLWCFG", cmd_qlwcfg, at_test_by_handler},
    {"+QLWREG", cmd_qlwreg, NULL},
    {"+QLWDEREG", cmd_qlwdereg, NULL},
    {"+QLWUPDATE", cmd_qlwupdate, NULL},
    {"+QLWSTAT", cmd_qlwstat, NULL},
};

const struct at_table at_ec200u_table = {entries, sizeof entries / sizeof entries[0]};
