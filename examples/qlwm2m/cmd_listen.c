/*
 * qlwm2m listen: prints downlinks and URCs as they arrive. The session runs
 * underneath (it sets the module up so that downlinks carry their data, and
 * with --register keeps it registered), and its reports are printed too;
 * only URCs and downlinks count as events.
 */
#include <stdio.h>
#include <string.h>

#include "tool.h"

typedef struct listen_opts {
    unsigned long count; /* 0: no limit */
    bool do_register;
} listen_opts;

static int parse_args(tool *t, int argc, char **argv, listen_opts *o)
{
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--count") && i + 1 < argc) {
            if (tool_parse_uint("--count", argv[++i], 1, 1000000, &o->count) != 0)
                return TOOL_EXIT_USAGE;
        } else if (!strcmp(argv[i], "--count")) {
            return tool_usage_error(t, "--count needs a value");
        } else if (!strcmp(argv[i], "--register")) {
            o->do_register = true;
        } else {
            return tool_no_more_args(t, argc - i, argv + i);
        }
    }
    return 0;
}

/* A downlink with its data is printed by the session's downlink callback:
 * +NNMI (BC68), +QLWDATARECV (BC26), a server write of /19/1/0 (BC66). Other
 * server requests of a BC66 are printed as they come (and answered by the
 * session: 4.04, as listen declares no objects). */
static bool is_downlink(const qlw_at_line *line)
{
    uint8_t buf[QLW_NEUL_PAYLOAD_MAX];

    if (strncmp(line->text, "+QLWDATARECV:", 13) == 0)
        return true;
    if (strncmp(line->text, "+QLWURC:", 8) == 0 && strstr(line->text, "write") != NULL &&
        strstr(line->text, ",19,1,0,") != NULL)
        return true;
    return strncmp(line->text, "+NNMI:", 6) == 0 &&
           qlw_neul_parse_nnmi(line->text, line->len, buf, sizeof(buf)) > 0;
}

/* The BC66's results of the session's own answers and notifies: not events. */
static bool is_own_result(const qlw_at_line *line)
{
    static const char *const prefixes[] = {
        "+QLWRDRSP:", "+QLWOBSRSP:", "+QLWWRRSP:", "+QLWEXERSP:", "+QLWNOTIFY:", "+QLWADDOBJ:"};

    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        if (strncmp(line->text, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    }
    return false;
}

static void on_urc(void *ctx, const qlw_at_line *line)
{
    tool *t = ctx;

    if (is_downlink(line) || is_own_result(line))
        return;
    t->events++;
    if (!t->opts->json) {
        tool_say(t, "urc %s", line->text);
        return;
    }
    tool_json_begin(t, "urc");
    tool_json_str("line", line->text);
    if (line->flags & QLW_LINE_BOOT)
        tool_json_bool("boot", true);
    tool_json_end();
}

static int ready(tool *t)
{
    return qlw_get_state(t->s) == QLW_STATE_READY;
}

/* A registration without -t gets the same 120 s as send. */
#define LISTEN_REGISTER_MS 120000u

static int register_first(tool *t)
{
    uint32_t saved = t->timeout_ms;
    int rc;

    t->announce_wait = true;
    if (!t->timeout_given)
        t->timeout_ms = LISTEN_REGISTER_MS;
    qlw_request_register(t->s);
    rc = tool_run(t, ready);
    t->timeout_ms = saved;
    if (rc == QLW_OK)
        return 0;
    if (rc == t->fatal)
        return tool_fail_fatal(t);
    if (rc == QLW_ERR_TIMEOUT)
        return tool_fail(t, TOOL_EXIT_NOT_READY, "not ready within %lu s (state %s)",
                         (unsigned long)(LISTEN_REGISTER_MS / 1000),
                         qlw_state_str(qlw_get_state(t->s)));
    return tool_fail_err(t, rc, "listen --register");
}

static int enough(tool *t)
{
    return t->events_wanted > 0 && t->events >= t->events_wanted;
}

int cmd_listen(tool *t, int argc, char **argv)
{
    listen_opts o = {0, false};
    int rc = parse_args(t, argc, argv, &o);

    if (rc != 0)
        return rc;
    t->narrate = true;
    t->listening = true;
    rc = tool_open(t, NULL);
    if (rc != 0)
        return rc;
    if (o.do_register && (rc = register_first(t)) != 0)
        return rc;
    /* Events count from here: the URCs of the registration are not what was asked for. */
    t->events = 0;
    if (qlw_at_add_urc_handler(t->at, "", on_urc, t) != QLW_OK)
        return tool_fail(t, TOOL_EXIT_IO, "no room for one more URC handler");
    t->events_wanted = o.count;
    rc = tool_run(t, enough);
    if (rc == QLW_OK)
        return TOOL_EXIT_OK;
    if (rc == QLW_ERR_TIMEOUT && o.count == 0)
        return TOOL_EXIT_OK; /* -t was the listening window */
    if (rc == QLW_ERR_TIMEOUT)
        return tool_fail(t, TOOL_EXIT_TIMEOUT, "%lu of %lu events within %lu s", t->events, o.count,
                         (unsigned long)(t->timeout_ms / 1000));
    if (rc == QLW_ERR_CANCELLED)
        return TOOL_EXIT_INTERRUPTED;
    return rc == t->fatal ? tool_fail_fatal(t) : tool_fail_err(t, rc, "listen");
}
