/*
 * What the session and the engine need from the AT+QLWCFG dialect, in a
 * build that leaves the dialect out (QLWM2M_DIALECT_QLWCFG=OFF, a BC68-only
 * product): every module is driven as a BC68. Compiled only in such builds.
 */
#include "qlwm2m/qlwcfg.h"
#include "quectel/qlwcfg_cmd.h"
#include "quectel/urc_tables.h"

static const qlw_at_urc_def neul_only_urcs[] = {QLW_NEUL_URC_LIST};

void qlw_quectel_at_config(qlw_at_config *cfg)
{
    if (cfg == NULL)
        return;
    qlw_at_config_default(cfg);
    cfg->urc_table = neul_only_urcs;
    cfg->urc_table_len = sizeof(neul_only_urcs) / sizeof(neul_only_urcs[0]);
    cfg->boot_end = "OK";
    qlw_quectel_set_sync(cfg);
}

/* No command of the dialect exists here. The session's calls sit in branches
 * for LTE modules that such a build never takes (its probe is AT+NCDP? of
 * the BC68 set, session_proc.c), but they must still link. */
int qlw_qlwcfg_cmd(qlw_at_cmd *cmd, char *buf, size_t size, qlw_dialect d, qlw_qlwcfg_op op, ...)
{
    (void)cmd;
    (void)buf;
    (void)size;
    (void)d;
    (void)op;
    return QLW_ERR_UNSUPPORTED;
}

int qlw_parse_qlwurc(const char *line, size_t len, qlw_qlwurc *out)
{
    (void)line;
    (void)len;
    (void)out;
    return QLW_ERR_UNSUPPORTED;
}
