#include "qlwm2m/qlwcfg.h"

/*
 * URC prefixes of the LTE modules. Lines starting with '+' that answer no
 * declared prefix are URCs anyway; the entries matter for commands that take
 * bare lines and say what the family prints unasked: +QLWURC, the 3GPP
 * registration URCs printed with a space (`+CEREG: 1`), and what the module
 * prints after a restart (+CFUN, +CPIN, +QUSIM, +QIND: "SMS DONE"/"PB DONE").
 *
 * Restart: "RDY" is the first line after power-up or AT+CFUN=1,1. It is
 * both the start and the end of the banner (boot_end "RDY"): with boot_end
 * NULL the engine would hold every later line, command answers included, in
 * the banner until boot_timeout_ms. What follows RDY is ordinary URCs.
 */
static const qlw_at_urc_def qlwcfg_urcs[] = {
    {"+QLWURC", 0}, {"+CEREG", 0}, {"+CSCON", 0}, {"+QIND", 0},
    {"+CFUN", 0},   {"+CPIN", 0},  {"+QUSIM", 0}, {"RDY", QLW_URC_REBOOT | QLW_URC_BOOT_END},
};

/* Every family at once, for a program that does not know its module yet: the
 * BC68 family's table (banner ended by "OK") plus the LTE lines, where "RDY"
 * is a whole banner by itself. */
static const qlw_at_urc_def any_urcs[] = {
    {"+QLWEVTIND", 0},
    {"+QLWULDATASTATUS", 0},
    {"+QLWURC", 0},
    {"+CEREG", 0},
    {"+CSCON", 0},
    {"+NPSMR", 0},
    {"+NNMI", 0},
    {"+NSMI", 0},
    {"+NPING", 0},
    {"+NPINGERR", 0},
    {"+CEDRXP", 0},
    {"+NSONMI", 0},
    {"+NSOSTR", 0},
    {"+NSOCLI", 0},
    {"+QIND", 0},
    {"+CPIN", 0},
    {"+QUSIM", 0},
    {"REBOOTING", QLW_URC_REBOOT},
    {"Boot:", QLW_URC_REBOOT},
    {"REBOOT_CAUSE_", QLW_URC_REBOOT},
    {"Neul", QLW_URC_REBOOT},
    {"RDY", QLW_URC_REBOOT | QLW_URC_BOOT_END},
};

void qlw_quectel_at_config(qlw_at_config *cfg)
{
    if (cfg == NULL)
        return;
    qlw_at_config_default(cfg);
    cfg->urc_table = any_urcs;
    cfg->urc_table_len = sizeof(any_urcs) / sizeof(any_urcs[0]);
    cfg->boot_end = "OK";
}

void qlw_qlwcfg_at_config(qlw_at_config *cfg)
{
    if (cfg == NULL)
        return;
    qlw_at_config_default(cfg);
    cfg->urc_table = qlwcfg_urcs;
    cfg->urc_table_len = sizeof(qlwcfg_urcs) / sizeof(qlwcfg_urcs[0]);
    cfg->boot_end = NULL; /* "RDY" is flagged as a whole banner */
}
