#include "qlwm2m/neul.h"

/*
 * Every URC prefix of the family. "+NPING" and "+NPINGERR" are both listed:
 * a prefix ending in a letter only matches at a word boundary, so "+NPING"
 * does not cover "+NPINGERR:".
 *
 * Boot banner: "REBOOTING" (after AT+NRB; the NRB descriptor takes it as its
 * final result, so it only starts a banner when it arrives unasked), "Boot:"
 * (first line of the V150 banner; the "Verified" lines after it are already
 * inside the banner), "REBOOT_CAUSE_" (first readable line of the B657
 * banner and of a watchdog reset) and "Neul" (also "Neul ", in case the
 * earlier lines were lost to noise). The banner ends at boot_end "OK".
 */
static const qlw_at_urc_def neul_urcs[] = {
    {"+QLWEVTIND", 0},
    {"+QLWULDATASTATUS", 0},
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
    {"REBOOTING", QLW_URC_REBOOT},
    {"Boot:", QLW_URC_REBOOT},
    {"REBOOT_CAUSE_", QLW_URC_REBOOT},
    {"Neul", QLW_URC_REBOOT},
};

void qlw_neul_at_config(qlw_at_config *cfg)
{
    if (cfg == NULL)
        return;
    qlw_at_config_default(cfg);
    cfg->urc_table = neul_urcs;
    cfg->urc_table_len = sizeof(neul_urcs) / sizeof(neul_urcs[0]);
    cfg->boot_end = "OK";
}
