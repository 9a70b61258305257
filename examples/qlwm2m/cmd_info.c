/*
 * qlwm2m info: what the module says about itself. Only the identity is
 * required; a figure the module cannot give (no SIM, no cell, no server set)
 * is shown as unknown rather than failing the whole report.
 */
#include <stdio.h>
#include <string.h>

#include "tool.h"

typedef struct info_report {
    qlw_neul_info id;
    qlw_neul_signal sig;
    bool have_sig;
    qlw_cereg reg;
    bool have_reg;
    int fun;
    qlw_nmstatus lwm2m;
    bool have_lwm2m;
    char cdp[48];
    uint16_t cdp_port;
    bool have_cdp;
} info_report;

static void read_optional(tool *t, info_report *r)
{
    r->have_sig = qlw_neul_get_signal(t->at, &r->sig) == QLW_OK;
    r->have_reg = qlw_neul_get_cereg(t->at, &r->reg) == QLW_OK;
    if (qlw_neul_get_cfun(t->at, &r->fun) != QLW_OK)
        r->fun = -1;
    r->have_lwm2m = qlw_neul_get_nmstatus(t->at, &r->lwm2m) == QLW_OK;
    r->have_cdp = qlw_neul_get_cdp(t->at, r->cdp, sizeof(r->cdp), &r->cdp_port) == QLW_OK;
}

/* Tenths (the module's 0.1 dB units) as "-85.3". */
static void tenths(char *out, size_t size, int v)
{
    snprintf(out, size, "%s%d.%d", v < 0 ? "-" : "", (v < 0 ? -v : v) / 10, (v < 0 ? -v : v) % 10);
}

static void print_signal(const info_report *r)
{
    char rsrp[16], snr[16];

    if (!r->have_sig) {
        puts("signal    unknown");
        return;
    }
    if (r->sig.rssi_dbm == 0) {
        puts("signal    no cell (AT+CSQ 99)");
        return;
    }
    printf("signal    RSSI %d dBm", r->sig.rssi_dbm);
    if (r->sig.rsrp_ddbm != -32768) {
        tenths(rsrp, sizeof(rsrp), r->sig.rsrp_ddbm);
        printf(", RSRP %s dBm", rsrp);
    }
    if (r->sig.snr_ddb != -32768) {
        tenths(snr, sizeof(snr), r->sig.snr_ddb);
        printf(", SNR %s dB", snr);
    }
    if (r->sig.ecl >= 0)
        printf(", ECL %d", r->sig.ecl);
    putchar('\n');
}

static void print_human(const info_report *r)
{
    printf("module    %s\nfirmware  %s\nIMEI      %s\n", r->id.model, r->id.revision, r->id.imei);
    printf("IMSI      %s\nICCID     %s\n", r->id.imsi[0] ? r->id.imsi : "(no SIM)",
           r->id.iccid[0] ? r->id.iccid : "(no SIM)");
    print_signal(r);
    printf("radio     %s\n", r->fun == 1 ? "on" : r->fun == 0 ? "off" : "unknown");
    if (!r->have_reg)
        puts("network   unknown");
    else if (r->reg.has_cell)
        printf("network   %s (TAC %04lX, cell %08lX)\n", qlw_cereg_stat_str(r->reg.stat),
               (unsigned long)r->reg.tac, (unsigned long)r->reg.ci);
    else
        printf("network   %s\n", qlw_cereg_stat_str(r->reg.stat));
    printf("LwM2M     %s\n", r->have_lwm2m ? qlw_nmstatus_str(r->lwm2m) : "unknown");
    if (r->have_cdp && r->cdp[0] != '\0')
        printf("CDP       %s:%u\n", r->cdp, (unsigned)r->cdp_port);
    else
        puts("CDP       not set");
}

static void print_json(const tool *t, const info_report *r)
{
    char hex[12];

    tool_json_begin(t, "info");
    tool_json_str("module", r->id.model);
    tool_json_str("firmware", r->id.revision);
    tool_json_str("imei", r->id.imei);
    tool_json_str("imsi", r->id.imsi);
    tool_json_str("iccid", r->id.iccid);
    if (r->have_sig && r->sig.rssi_dbm != 0)
        tool_json_int("rssi_dbm", r->sig.rssi_dbm);
    if (r->have_sig && r->sig.rsrp_ddbm != -32768)
        tool_json_int("rsrp_ddbm", r->sig.rsrp_ddbm);
    if (r->have_sig && r->sig.snr_ddb != -32768)
        tool_json_int("snr_ddb", r->sig.snr_ddb);
    if (r->fun >= 0)
        tool_json_int("radio", r->fun);
    if (r->have_reg) {
        tool_json_str("stat", qlw_cereg_stat_str(r->reg.stat));
        snprintf(hex, sizeof(hex), "%08lX", (unsigned long)r->reg.ci);
        if (r->reg.has_cell)
            tool_json_str("cell", hex);
    }
    if (r->have_lwm2m)
        tool_json_str("lwm2m", qlw_nmstatus_str(r->lwm2m));
    tool_json_str("cdp_host", r->have_cdp ? r->cdp : "");
    tool_json_int("cdp_port", r->have_cdp ? r->cdp_port : 0);
    tool_json_end();
}

int cmd_info(tool *t, int argc, char **argv)
{
    info_report r;
    int rc = tool_no_more_args(t, argc, argv);

    if (rc != 0)
        return rc;
    rc = tool_open(t, NULL);
    if (rc != 0)
        return rc;
    memset(&r, 0, sizeof(r));
    rc = qlw_neul_get_info(t->at, &r.id);
    if (rc != QLW_OK)
        return tool_fail_err(t, rc, "reading the module's identity");
    read_optional(t, &r);
    if (t->opts->json)
        print_json(t, &r);
    else
        print_human(&r);
    return TOOL_EXIT_OK;
}
