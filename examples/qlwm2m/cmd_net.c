/*
 * The network and server commands: attach, cdp, register, deregister, reboot.
 * The long ones run on the tool's own loop (so Ctrl-C is prompt); cdp and
 * reboot use the session's blocking calls, which need no goal the tool can
 * see from outside.
 */
#include <stdio.h>
#include <string.h>

#include "tool.h"

/* Time ran out or something stopped the loop before the goal: say why. */
static int stuck(tool *t, int rc, const char *goal)
{
    qlw_state st;
    unsigned long s = (unsigned long)(t->timeout_ms / 1000);

    if (rc == t->fatal)
        return tool_fail_fatal(t);
    if (rc != QLW_ERR_TIMEOUT)
        return tool_fail_err(t, rc, goal);
    st = qlw_get_state(t->s);
    if (st == QLW_STATE_STARTING)
        tool_fail(t, TOOL_EXIT_TIMEOUT, "%s: the module did not answer on %s within %lu s", goal,
                  t->opts->port, s);
    else if (st <= QLW_STATE_ATTACHING)
        tool_fail(t, TOOL_EXIT_TIMEOUT, "%s: not attached to the network within %lu s", goal, s);
    else
        tool_fail(t, TOOL_EXIT_TIMEOUT, "%s: the server did not answer within %lu s", goal, s);
    if (qlw_errmsg(t->s)[0] != '\0')
        tool_hint("last problem: %s", qlw_errmsg(t->s));
    return TOOL_EXIT_TIMEOUT;
}

/* ---------------------------------------------------------------- attach */

static int attached(tool *t)
{
    return qlw_get_state(t->s) >= QLW_STATE_ATTACHED;
}

static int parse_attach(tool *t, int argc, char **argv, qlw_attach_opts *o)
{
    for (int i = 0; i < argc; i++) {
        unsigned long band;

        if (!strcmp(argv[i], "--apn") && i + 1 < argc) {
            if (tool_parse_apn("--apn", argv[++i]) != 0)
                return TOOL_EXIT_USAGE;
            o->apn = argv[i];
        } else if (!strcmp(argv[i], "--band") && i + 1 < argc) {
            if (tool_parse_uint("--band", argv[++i], 1, 255, &band) != 0)
                return TOOL_EXIT_USAGE;
            o->band = (int)band;
        } else if (!strcmp(argv[i], "--apn") || !strcmp(argv[i], "--band")) {
            return tool_usage_error(t, "%s needs a value", argv[i]);
        } else {
            return tool_no_more_args(t, argc - i, argv + i);
        }
    }
    return 0;
}

int cmd_attach(tool *t, int argc, char **argv)
{
    qlw_attach_opts o = {NULL, 1, 0};
    qlw_session_config cfg;
    int rc = parse_attach(t, argc, argv, &o);

    if (rc != 0)
        return rc;
    qlw_session_config_default(&cfg);
    /* A module attached already prints no +CEREG after AT+CGATT=1: poll
     * sooner than the default 5 s, so that re-applying an APN is quick. */
    cfg.attach_poll_ms = 1000;
    t->narrate = true;
    rc = tool_open(t, &cfg);
    if (rc != 0)
        return rc;
    /* Asked before the setup, an APN or band would be skipped when the
     * setup finds the module attached already: ask once it is set up. */
    rc = tool_run(t, tool_setup_done);
    if (rc == QLW_OK && qlw_request_attach(t->s, &o) != QLW_OK)
        return tool_fail(t, TOOL_EXIT_USAGE, "%s", qlw_errmsg(t->s));
    if (rc == QLW_OK)
        rc = tool_run(t, attached);
    return rc == QLW_OK ? TOOL_EXIT_OK : stuck(t, rc, "attach");
}

/* ------------------------------------------------------------------- cdp */

static int show_cdp(tool *t)
{
    char addr[48];
    uint16_t port = 0;
    int rc = tool_open(t, NULL);

    if (rc != 0)
        return rc;
    rc = qlw_neul_get_cdp(t->at, addr, sizeof(addr), &port);
    if (rc != QLW_OK)
        return tool_fail_err(t, rc, "AT+NCDP?");
    if (t->opts->json) {
        tool_json_begin(t, "cdp");
        tool_json_str("host", addr);
        tool_json_int("port", port);
        tool_json_end();
    } else if (addr[0] == '\0') {
        puts("not set");
    } else {
        printf("%s:%u\n", addr, (unsigned)port);
    }
    return TOOL_EXIT_OK;
}

static int set_cdp(tool *t, const char *host, uint16_t port)
{
    char addr[48];
    uint16_t now_port = 0;
    int rc;

    t->narrate = true;
    rc = tool_open(t, NULL);
    if (rc != 0)
        return rc;
    /* Changing it costs a reboot: first look whether it is already right. */
    if (qlw_neul_get_cdp(t->at, addr, sizeof(addr), &now_port) == QLW_OK &&
        strcmp(addr, host) == 0 && now_port == port) {
        tool_done(t, "the LwM2M server is already %s:%u", host, (unsigned)port);
        return TOOL_EXIT_OK;
    }
    tool_say(t, "setting the LwM2M server to %s:%u (the module reboots to apply it) ...", host,
             (unsigned)port);
    rc = qlw_set_cdp(t->s, host, port, tool_remaining_ms(t));
    if (rc != QLW_OK)
        return tool_fail_err(t, rc, "cdp");
    tool_done(t, "the LwM2M server is %s:%u", host, (unsigned)port);
    return TOOL_EXIT_OK;
}

int cmd_cdp(tool *t, int argc, char **argv)
{
    char host[16];
    uint16_t port;

    if (argc == 0)
        return show_cdp(t);
    if (argc > 1)
        return tool_no_more_args(t, argc - 1, argv + 1);
    if (tool_parse_server("HOST[:PORT]", argv[0], host, sizeof(host), &port) != 0)
        return TOOL_EXIT_USAGE;
    return set_cdp(t, host, port);
}

/* -------------------------------------------------------------- register */

static int registered(tool *t)
{
    return qlw_get_state(t->s) >= QLW_STATE_REGISTERED;
}

int cmd_register(tool *t, int argc, char **argv)
{
    int rc = tool_no_more_args(t, argc, argv);

    if (rc != 0)
        return rc;
    t->narrate = true;
    rc = tool_open(t, NULL);
    if (rc != 0)
        return rc;
    qlw_request_register(t->s);
    rc = tool_run(t, registered);
    return rc == QLW_OK ? TOOL_EXIT_OK : stuck(t, rc, "register");
}

/* ------------------------------------------------------------ deregister */

static int deregistered(tool *t)
{
    return (t->lwm2m_seen & 1u << QLW_EVT_DEREGISTERED) != 0;
}

int cmd_deregister(tool *t, int argc, char **argv)
{
    int rc = tool_no_more_args(t, argc, argv);

    if (rc != 0)
        return rc;
    t->narrate = true;
    rc = tool_open(t, NULL);
    if (rc != 0)
        return rc;
    rc = tool_run(t, tool_setup_done);
    if (rc != QLW_OK)
        return stuck(t, rc, "deregister");
    if (qlw_get_state(t->s) < QLW_STATE_ATTACHED) {
        tool_done(t, "not attached, so not registered either");
        return TOOL_EXIT_OK;
    }
    t->lwm2m_seen = 0;
    qlw_request_deregister(t->s);
    rc = tool_run(t, deregistered);
    if (rc != QLW_OK)
        return stuck(t, rc, "deregister");
    tool_done(t, "deregistered");
    return TOOL_EXIT_OK;
}

/* ---------------------------------------------------------------- reboot */

int cmd_reboot(tool *t, int argc, char **argv)
{
    int rc = tool_no_more_args(t, argc, argv);

    if (rc != 0)
        return rc;
    t->narrate = true;
    rc = tool_open(t, NULL);
    if (rc != 0)
        return rc;
    /* The session's first setup would count as the reboot: let it pass first. */
    rc = tool_run(t, tool_setup_done);
    if (rc != QLW_OK)
        return stuck(t, rc, "reboot");
    tool_say(t, "rebooting ...");
    rc = qlw_reboot(t->s, tool_remaining_ms(t));
    if (rc != QLW_OK)
        return tool_fail_err(t, rc, "reboot");
    tool_done(t, "rebooted (%s) and set up again",
              t->reboot_cause[0] ? t->reboot_cause : "no cause given");
    return TOOL_EXIT_OK;
}
