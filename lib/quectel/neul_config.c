#include "qlwm2m/neul.h"
#include "quectel/urc_tables.h"

static const qlw_at_urc_def neul_urcs[] = {QLW_NEUL_URC_LIST};

void qlw_neul_at_config(qlw_at_config *cfg)
{
    if (cfg == NULL)
        return;
    qlw_at_config_default(cfg);
    cfg->urc_table = neul_urcs;
    cfg->urc_table_len = sizeof(neul_urcs) / sizeof(neul_urcs[0]);
    cfg->boot_end = "OK";
}
