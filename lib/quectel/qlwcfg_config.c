#include "qlwm2m/qlwcfg.h"
#include "quectel/urc_tables.h"

static const qlw_at_urc_def qlwcfg_urcs[] = {QLW_LTE_URC_LIST};

/* Every family at once, for a program that does not know its module yet: the
 * BC68 banner is ended by "OK", "RDY" is a whole banner by itself. A prefix
 * listed twice is harmless: the first entry decides. */
static const qlw_at_urc_def any_urcs[] = {QLW_NEUL_URC_LIST, QLW_LTE_URC_LIST};

void qlw_qlwcfg_at_config(qlw_at_config *cfg)
{
    if (cfg == NULL)
        return;
    qlw_at_config_default(cfg);
    cfg->urc_table = qlwcfg_urcs;
    cfg->urc_table_len = sizeof(qlwcfg_urcs) / sizeof(qlwcfg_urcs[0]);
    cfg->boot_end = NULL; /* "RDY" is flagged as a whole banner */
    qlw_quectel_set_sync(cfg);
}

void qlw_quectel_at_config(qlw_at_config *cfg)
{
    if (cfg == NULL)
        return;
    qlw_at_config_default(cfg);
    cfg->urc_table = any_urcs;
    cfg->urc_table_len = sizeof(any_urcs) / sizeof(any_urcs[0]);
    cfg->boot_end = "OK";
    qlw_quectel_set_sync(cfg);
}
