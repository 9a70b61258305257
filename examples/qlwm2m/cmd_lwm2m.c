/*
 * The LTE modules' LwM2M client (AT+QLWCFG family, QuecPython's lwm2m):
 * `lwm2m-config`, `update` and `state`. Like `at`, they send only what they
 * name (after the dialect probe), not the session's setup.
 */
#include <stdio.h>
#include <string.h>

#include "tool.h"

/* The probe needs +CME ERROR numbers to tell a BC68 from an unknown module. */
static int open_and_detect(tool *t, qlw_dialect *d)
{
    int rc = tool_open(t, NULL);

    if (rc != 0)
        return rc;
    qlw_at_exec_raw(t->at, "AT+CMEE=1", 1000, NULL);
    rc = qlw_detect_dialect(t->at, d, NULL, 0);
    if (rc != QLW_OK)
        return tool_fail_err(t, rc, "dialect probe");
    if (*d != QLW_DIALECT_QLWCFG_C && *d != QLW_DIALECT_QLWSVC_D) {
        tool_fail(t, TOOL_EXIT_REFUSED, "this module speaks the %s command set, not AT+QLWCFG",
                  *d == QLW_DIALECT_AUTO ? "unknown" : qlw_dialect_str(*d));
        tool_hint("BC68-family modules are configured with: qlwm2m cdp HOST[:PORT]");
        return TOOL_EXIT_REFUSED;
    }
    return 0;
}

/* QuecPython's three outcomes: 0 done, -1 failed, -2 not supported. */
static int config_result(tool *t, int rc, const char *what)
{
    if (rc == QLW_OK) {
        tool_done(t, "%s: done", what);
        return TOOL_EXIT_OK;
    }
    if (rc == QLW_ERR_UNSUPPORTED)
        return tool_fail(t, TOOL_EXIT_REFUSED, "%s: not supported by this firmware", what);
    return tool_fail_err(t, rc, what);
}

static int parse_int_arg(const char *what, const char *arg, unsigned long lo, unsigned long hi,
                         int *out)
{
    unsigned long v;

    if (tool_parse_uint(what, arg, lo, hi, &v) != 0)
        return TOOL_EXIT_USAGE;
    *out = (int)v;
    return 0;
}

static int config_security(tool *t, qlw_dialect d, int argc, char **argv)
{
    qlw_lwm2m_security sec = {0};
    int bs = 0;
    char why[160];

    if (argc != 5 && argc != 7)
        return tool_usage_error(t, "security SERVER_ID SSID URI BOOTSTRAP MODE [PSK_ID PSK_KEY]");
    if (parse_int_arg("SERVER_ID", argv[0], 0, 5, &sec.server_id) != 0 ||
        parse_int_arg("SSID", argv[1], 1, 65535, &sec.short_server_id) != 0 ||
        parse_int_arg("BOOTSTRAP", argv[3], 0, 1, &bs) != 0 ||
        parse_int_arg("MODE", argv[4], 0, 3, &sec.security_mode) != 0)
        return TOOL_EXIT_USAGE;
    sec.server_uri = argv[2];
    sec.bootstrap = bs == 1;
    sec.psk_id = argc == 7 ? argv[5] : NULL;
    sec.psk_key = argc == 7 ? argv[6] : NULL;
    if (qlw_qlwcfg_check_security(&sec, why, sizeof(why)) != QLW_OK)
        return tool_usage_error(t, "security: %s", why);
    return config_result(t, qlw_qlwcfg_set_security(t->at, d, &sec), "security");
}

static int config_server(tool *t, qlw_dialect d, int argc, char **argv)
{
    qlw_lwm2m_server srv = {0};
    unsigned long v[4];
    int storing = 0;
    char why[160];

    if (argc != 7)
        return tool_usage_error(t, "server SERVER_ID LIFETIME PMIN PMAX DISABLE STORING BINDING");
    if (parse_int_arg("SERVER_ID", argv[0], 0, 5, &srv.server_id) != 0 ||
        tool_parse_uint("LIFETIME", argv[1], 1, 86400, &v[0]) != 0 ||
        tool_parse_uint("PMIN", argv[2], 1, 86400, &v[1]) != 0 ||
        tool_parse_uint("PMAX", argv[3], 1, 86400, &v[2]) != 0 ||
        tool_parse_uint("DISABLE", argv[4], 1, 86400, &v[3]) != 0 ||
        parse_int_arg("STORING", argv[5], 0, 1, &storing) != 0)
        return TOOL_EXIT_USAGE;
    srv.lifetime_s = (uint32_t)v[0];
    srv.pmin_s = (uint32_t)v[1];
    srv.pmax_s = (uint32_t)v[2];
    srv.disable_timeout_s = (uint32_t)v[3];
    srv.storing = storing == 1;
    srv.binding = argv[6];
    if (qlw_qlwcfg_check_server(&srv, why, sizeof(why)) != QLW_OK)
        return tool_usage_error(t, "server: %s", why);
    return config_result(t, qlw_qlwcfg_set_server(t->at, d, &srv), "server");
}

static int config_small(tool *t, qlw_dialect d, const char *what, int argc, char **argv)
{
    int a = 0, b = 0;

    if (strcmp(what, "reset") == 0 && argc == 0)
        return config_result(t, qlw_qlwcfg_reset(t->at, d), "reset");
    if (strcmp(what, "urc") == 0 && argc == 1 &&
        (!strcmp(argv[0], "on") || !strcmp(argv[0], "off")))
        return config_result(t, qlw_qlwcfg_set_urc(t->at, d, !strcmp(argv[0], "on")), "urc");
    if (strcmp(what, "epname") == 0 && argc == 1) {
        if (parse_int_arg("MODE", argv[0], 0, 9, &a) != 0)
            return TOOL_EXIT_USAGE;
        return config_result(t, qlw_qlwcfg_set_epname_mode(t->at, d, a), "epname/mode");
    }
    if (strcmp(what, "fota") == 0 && argc == 2) {
        if (parse_int_arg("DOWNLOAD", argv[0], 0, 1, &a) != 0 ||
            parse_int_arg("UPDATE", argv[1], 0, 1, &b) != 0)
            return TOOL_EXIT_USAGE;
        return config_result(t, qlw_qlwcfg_set_fota(t->at, d, &(qlw_lwm2m_fota){a, b}), "fota");
    }
    return tool_usage_error(t, "unknown or incomplete setting '%s'", what);
}

int cmd_lwm2m_config(tool *t, int argc, char **argv)
{
    qlw_dialect d;
    int rc;

    if (argc < 1)
        return tool_usage_error(t, "which setting?");
    if (strcmp(argv[0], "security") && strcmp(argv[0], "server") && strcmp(argv[0], "reset") &&
        strcmp(argv[0], "urc") && strcmp(argv[0], "epname") && strcmp(argv[0], "fota"))
        return tool_usage_error(t, "unknown setting '%s'", argv[0]);
    rc = open_and_detect(t, &d);
    if (rc != 0)
        return rc;
    if (strcmp(argv[0], "security") == 0)
        return config_security(t, d, argc - 1, argv + 1);
    if (strcmp(argv[0], "server") == 0)
        return config_server(t, d, argc - 1, argv + 1);
    return config_small(t, d, argv[0], argc - 1, argv + 1);
}

int cmd_update(tool *t, int argc, char **argv)
{
    qlw_dialect d;
    int ssid = 0, rc;

    if (argc != 1)
        return tool_usage_error(t, "give the short server id, e.g. update 1000");
    if (parse_int_arg("SSID", argv[0], 1, 65535, &ssid) != 0)
        return TOOL_EXIT_USAGE;
    rc = open_and_detect(t, &d);
    if (rc != 0)
        return rc;
    return config_result(t, qlw_qlwcfg_update(t->at, d, ssid), "update");
}

int cmd_state(tool *t, int argc, char **argv)
{
    qlw_lwm2m_state st;
    qlw_dialect d;
    int rc = tool_no_more_args(t, argc, argv);

    if (rc != 0)
        return rc;
    rc = open_and_detect(t, &d);
    if (rc != 0)
        return rc;
    rc = qlw_qlwcfg_get_state(t->at, d, &st);
    if (rc != QLW_OK)
        return tool_fail_err(t, rc, "state");
    if (t->opts->json) {
        tool_json_begin(t, "state");
        tool_json_str("dialect", qlw_dialect_str(d));
        tool_json_int("state", (long)st);
        tool_json_str("name", qlw_lwm2m_state_str((int)st));
        tool_json_end();
    } else {
        printf("%d %s\n", (int)st, qlw_lwm2m_state_str((int)st));
    }
    return TOOL_EXIT_OK;
}
