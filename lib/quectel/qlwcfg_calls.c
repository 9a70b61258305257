/*
 * Typed blocking calls of the AT+QLWCFG family: check, build from the
 * command table, run through qlw_at_exec(), and map the answer to
 * QuecPython's three outcomes (done, failed, unsupported).
 */
#include <string.h>

#include "quectel/qlwcfg_cmd.h"
#include "quectel/qlwcfg_redact.h"

#define STATE_FIELDS_MAX 4

/* ERROR, or "operation not supported", from an optional sub-option means the
 * firmware lacks it (QuecPython -2); anything else stays a failure. */
static int outcome(qlw_at *at, qlw_qlwcfg_op op, int rc)
{
    const qlw_at_response *r = qlw_at_last_response(at);

    if (!qlw_qlwcfg_op_optional(op))
        return rc;
    if (rc == QLW_ERR_MODEM)
        return QLW_ERR_UNSUPPORTED;
    if (rc == QLW_ERR_CME && r != NULL && r->code == QLW_QLWCFG_CME_NOT_SUPPORTED)
        return QLW_ERR_UNSUPPORTED;
    return rc;
}

/* Builds op for dialect d from the arguments that follow and runs it. */
static int run(qlw_at *at, qlw_dialect d, const qlw_at_response **resp, qlw_qlwcfg_op op, ...)
{
    char text[QLW_QLWCFG_TEXT_MAX];
    qlw_at_cmd cmd;
    va_list ap;
    int rc;

    va_start(ap, op);
    rc = qlw_qlwcfg_vcmd(&cmd, text, sizeof(text), d, op, ap);
    va_end(ap);
    if (rc != QLW_OK)
        return rc;
    return outcome(at, op, qlw_at_exec(at, &cmd, resp));
}

static const qlw_qlwcfg_limits *limits(const qlw_at *at, qlw_dialect d)
{
    return at != NULL ? qlw_qlwcfg_limits_of(d) : NULL;
}

/* --------------------------------------------------------------- config */

static int run_security(qlw_at *at, qlw_dialect d, const qlw_lwm2m_security *sec)
{
    int bs = sec->bootstrap ? 1 : 0;

    if (sec->security_mode != 0)
        return run(at, d, NULL, QLW_QLWCFG_SECURITY_NOSEC, sec->server_id, sec->short_server_id,
                   sec->server_uri, bs, sec->security_mode);
    return run(at, d, NULL, QLW_QLWCFG_SECURITY_PSK, sec->server_id, sec->short_server_id,
               sec->server_uri, bs, sec->security_mode, sec->psk_id, sec->psk_key);
}

int qlw_qlwcfg_set_security(qlw_at *at, qlw_dialect d, const qlw_lwm2m_security *sec)
{
    const qlw_qlwcfg_limits *lim = limits(at, d);
    qlw_redact red;
    int rc;

    if (at == NULL || qlw_qlwcfg_check_security(sec, NULL, 0) != QLW_OK)
        return QLW_ERR_ARG;
    if (lim == NULL)
        return QLW_ERR_UNSUPPORTED;
    if (sec->server_id > lim->server_id_max || sec->short_server_id > lim->ssid_max)
        return QLW_ERR_ARG;
    qlw_redact_begin(&red, at, sec->show_key ? NULL : sec->psk_key);
    rc = run_security(at, d, sec);
    qlw_redact_end(&red);
    return rc;
}

int qlw_qlwcfg_set_server(qlw_at *at, qlw_dialect d, const qlw_lwm2m_server *srv)
{
    const qlw_qlwcfg_limits *lim = limits(at, d);

    if (at == NULL || qlw_qlwcfg_check_server(srv, NULL, 0) != QLW_OK)
        return QLW_ERR_ARG;
    if (lim == NULL)
        return QLW_ERR_UNSUPPORTED;
    if (srv->server_id > lim->server_id_max || srv->lifetime_s < lim->lifetime_min)
        return QLW_ERR_ARG;
    return run(at, d, NULL, QLW_QLWCFG_SERVER, srv->server_id, srv->lifetime_s, srv->pmin_s,
               srv->pmax_s, srv->disable_timeout_s, srv->storing ? 1 : 0, srv->binding);
}

int qlw_qlwcfg_set_epname_mode(qlw_at *at, qlw_dialect d, int mode)
{
    const qlw_qlwcfg_limits *lim = limits(at, d);

    if (at == NULL || mode < 0)
        return QLW_ERR_ARG;
    if (lim == NULL)
        return QLW_ERR_UNSUPPORTED;
    if (mode > lim->epname_mode_max)
        return QLW_ERR_ARG;
    return run(at, d, NULL, QLW_QLWCFG_EPNAME_MODE, mode);
}

int qlw_qlwcfg_set_urc(qlw_at *at, qlw_dialect d, bool on)
{
    if (at == NULL)
        return QLW_ERR_ARG;
    return run(at, d, NULL, QLW_QLWCFG_URC, on ? 1 : 0);
}

int qlw_qlwcfg_set_fota(qlw_at *at, qlw_dialect d, const qlw_lwm2m_fota *fota)
{
    if (at == NULL || fota == NULL || fota->download < 0 || fota->download > 1 ||
        fota->update < 0 || fota->update > 1)
        return QLW_ERR_ARG;
    return run(at, d, NULL, QLW_QLWCFG_FOTA, fota->download, fota->update);
}

int qlw_qlwcfg_reset(qlw_at *at, qlw_dialect d)
{
    return at != NULL ? run(at, d, NULL, QLW_QLWCFG_RESET) : QLW_ERR_ARG;
}

/* ------------------------------------------------------------ lifecycle */

int qlw_qlwcfg_register(qlw_at *at, qlw_dialect d)
{
    return at != NULL ? run(at, d, NULL, QLW_QLWCFG_REGISTER) : QLW_ERR_ARG;
}

int qlw_qlwcfg_deregister(qlw_at *at, qlw_dialect d)
{
    return at != NULL ? run(at, d, NULL, QLW_QLWCFG_DEREGISTER) : QLW_ERR_ARG;
}

int qlw_qlwcfg_update(qlw_at *at, qlw_dialect d, int ssid)
{
    const qlw_qlwcfg_limits *lim = limits(at, d);

    if (at == NULL || ssid < 1)
        return QLW_ERR_ARG;
    if (lim == NULL)
        return QLW_ERR_UNSUPPORTED;
    if (ssid > lim->ssid_max)
        return QLW_ERR_ARG;
    return run(at, d, NULL, QLW_QLWCFG_UPDATE, ssid);
}

/* The state is the last field of the answer: "+QLWSTAT: <n>" (C); D's
 * answer shape is unconfirmed, and its last field is the best guess. */
static int parse_state(const qlw_at_response *r, qlw_lwm2m_state *out)
{
    qlw_at_field f[STATE_FIELDS_MAX];
    long v;
    int n;

    if (r == NULL || r->line_count == 0)
        return QLW_ERR_PARSE;
    n = qlw_at_split(r->lines[0], strlen(r->lines[0]), f, STATE_FIELDS_MAX);
    if (n <= 0 || f[n - 1].quoted ||
        qlw_at_field_int(&f[n - 1], QLW_LWM2M_NOT_REGISTERED, QLW_LWM2M_REG_FAILED, &v) != QLW_OK)
        return QLW_ERR_PARSE;
    *out = (qlw_lwm2m_state)v;
    return QLW_OK;
}

/* Server index 1 (the DM server) for D, whose state command takes one. */
#define STATE_SERVER_INDEX 1

int qlw_qlwcfg_get_state(qlw_at *at, qlw_dialect d, qlw_lwm2m_state *out)
{
    const qlw_at_response *r = NULL;
    int rc;

    if (at == NULL || out == NULL)
        return QLW_ERR_ARG;
    rc = run(at, d, &r, QLW_QLWCFG_STATE, STATE_SERVER_INDEX);
    return rc == QLW_OK ? parse_state(r, out) : rc;
}
