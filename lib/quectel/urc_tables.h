/*
 * The URC tables of the Quectel families as lists, so that the combined table
 * (qlw_quectel_at_config) is the two lists side by side, not a third copy.
 */
#ifndef QLW_QUECTEL_URC_TABLES_H
#define QLW_QUECTEL_URC_TABLES_H

#include "qlwm2m/at.h"

/*
 * BC68 family. "+NPING" and "+NPINGERR" are both listed: a prefix ending in a
 * letter only matches at a word boundary, so "+NPING" does not cover
 * "+NPINGERR:".
 *
 * Boot banner: "REBOOTING" (after AT+NRB; the NRB descriptor takes it as its
 * final result, so it only starts a banner when it arrives unasked), "Boot:"
 * (first line of the V150 banner; the "Verified" lines after it are already
 * inside the banner), "REBOOT_CAUSE_" (first readable line of the B657
 * banner and of a watchdog reset) and "Neul" (also "Neul ", in case the
 * earlier lines were lost to noise). The banner ends at boot_end "OK".
 */
#define QLW_NEUL_URC_LIST                                                                          \
    {"+QLWEVTIND", 0}, {"+QLWULDATASTATUS", 0}, {"+CEREG", 0}, {"+CSCON", 0}, {"+NPSMR", 0},       \
        {"+NNMI", 0}, {"+NSMI", 0}, {"+NPING", 0}, {"+NPINGERR", 0}, {"+CEDRXP", 0},               \
        {"+NSONMI", 0}, {"+NSOSTR", 0}, {"+NSOCLI", 0}, {"REBOOTING", QLW_URC_REBOOT},             \
        {"Boot:", QLW_URC_REBOOT}, {"REBOOT_CAUSE_", QLW_URC_REBOOT},                              \
    {                                                                                              \
        "Neul", QLW_URC_REBOOT                                                                     \
    }

/*
 * LTE modules. Lines starting with '+' that answer no declared prefix are
 * URCs anyway; the entries matter for commands that take bare lines and say
 * what the family prints unasked: +QLWURC, the 3GPP registration URCs printed
 * with a space (`+CEREG: 1`), and what the module prints after a restart
 * (+CFUN, +CPIN, +QUSIM, +QIND: "SMS DONE"/"PB DONE").
 *
 * Restart: "RDY" is the first line after power-up or AT+CFUN=1,1, and the
 * whole banner (QLW_URC_BOOT_END): what follows it is ordinary URCs.
 */
#define QLW_LTE_URC_LIST                                                                           \
    {"+QLWURC", 0}, {"+CEREG", 0}, {"+CSCON", 0}, {"+QIND", 0}, {"+CFUN", 0}, {"+CPIN", 0},        \
        {"+QUSIM", 0},                                                                             \
    {                                                                                              \
        "RDY", QLW_URC_REBOOT | QLW_URC_BOOT_END                                                   \
    }

/* The probes the engine writes after a timeout before the next command (see
 * "Late answers, and resynchronising" in at.h): reads every dialect answers
 * with one line of its own ("+CMEE:1", "+CGATT: 1"), harmless at any time;
 * the second one after the first went unanswered. */
static inline void qlw_quectel_set_sync(qlw_at_config *cfg)
{
    cfg->sync_command[0] = "AT+CMEE?";
    cfg->sync_prefix[0] = "+CMEE:";
    cfg->sync_command[1] = "AT+CGATT?";
    cfg->sync_prefix[1] = "+CGATT:";
}

#endif
