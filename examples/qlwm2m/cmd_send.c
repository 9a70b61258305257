/*
 * qlwm2m send: attach and register if needed, wait until the server observes
 * /19/0/0, send each payload in order, report each one's fate. Every payload
 * is queued at once; the session sends them one at a time, in order, and
 * only when READY, so the tool only has to watch the reports come back.
 */
#include <stdio.h>
#include <string.h>

#include "tool.h"

typedef struct send_opts {
    bool con;
    bool release;
} send_opts;

static qlw_ul_mode send_mode(const send_opts *o)
{
    if (o->con)
        return o->release ? QLW_UL_CON_RELEASE : QLW_UL_CON;
    return o->release ? QLW_UL_NON_RELEASE : QLW_UL_NON;
}

static int parse_args(tool *t, int argc, char **argv, send_opts *o)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        char label[32];

        if (!strcmp(a, "--con") || !strcmp(a, "--non")) {
            o->con = a[2] == 'c';
        } else if (!strcmp(a, "--release")) {
            o->release = true;
        } else if (a[0] == '-') {
            return tool_no_more_args(t, argc - i, argv + i);
        } else if (t->ul_count == TOOL_PAYLOADS_MAX) {
            return tool_usage_error(t, "too many payloads: at most %d per send", TOOL_PAYLOADS_MAX);
        } else {
            tool_uplink *u = &t->ul[t->ul_count++];
            snprintf(label, sizeof(label), "payload %zu", t->ul_count);
            if (tool_parse_hex(label, a, u->data, &u->len) != 0)
                return TOOL_EXIT_USAGE;
        }
    }
    if (t->ul_count == 0)
        return tool_usage_error(t, "no payload: give at least one, as hex digits (e.g. DEADBEEF)");
    return 0;
}

static int all_reported(tool *t)
{
    return t->ul_reported == t->ul_count;
}

static int queue_all(tool *t, qlw_ul_mode mode)
{
    for (size_t i = 0; i < t->ul_count; i++) {
        tool_uplink *u = &t->ul[i];
        int rc = qlw_queue_uldata(t->s, u->data, u->len, mode, &u->id);

        if (rc != QLW_OK)
            return tool_fail(t, tool_exit_code(rc), "payload %zu: %s", i + 1, qlw_errmsg(t->s));
        u->queued = true;
    }
    return 0;
}

/* Payloads whose report says @p result ("ok", "not_sent", "unknown", ...). */
static size_t count_result(const tool *t, const char *result)
{
    size_t n = 0;

    for (size_t i = 0; i < t->ul_count; i++)
        n += t->ul[i].reported && strcmp(tool_uplink_result(&t->ul[i].report), result) == 0;
    return n;
}

static size_t count_ok(const tool *t)
{
    return count_result(t, "ok");
}

/* Every payload has its report: exit 0 only if all went. */
static int judge_reports(tool *t)
{
    for (size_t i = 0; i < t->ul_count; i++) {
        const qlw_uplink_report *r = &t->ul[i].report;

        if (r->result == QLW_OK)
            continue;
        tool_fail(t, tool_exit_code(r->result), "%zu of %zu payloads did not go: payload %zu %s",
                  t->ul_count - count_ok(t), t->ul_count, i + 1, tool_uplink_result(r));
        if (r->cme >= 0 && tool_cme_hint(r->cme) != NULL)
            tool_hint("%s", tool_cme_hint(r->cme));
        return tool_exit_code(r->result);
    }
    return TOOL_EXIT_OK;
}

/* Time ran out before READY: say which step the session was stuck at. */
static int not_ready(tool *t, qlw_state st)
{
    unsigned long s = (unsigned long)(t->timeout_ms / 1000);

    if (st == QLW_STATE_STARTING) {
        tool_fail(t, TOOL_EXIT_NOT_READY, "the module did not answer on %s within %lu s",
                  t->opts->port, s);
        tool_hint("check the port and the baud rate (-b)");
    } else if (st <= QLW_STATE_ATTACHING) {
        tool_fail(t, TOOL_EXIT_NOT_READY, "not attached to the network within %lu s", s);
        tool_hint("check the antenna and the SIM (qlwm2m info), or set the APN (qlwm2m attach "
                  "--apn APN)");
    } else if (st <= QLW_STATE_REGISTERING) {
        tool_fail(t, TOOL_EXIT_NOT_READY, "the server did not answer the registration within %lu s",
                  s);
        tool_hint("check the server address (qlwm2m cdp) and that the IMEI is provisioned on it");
    } else {
        tool_fail(t, TOOL_EXIT_NOT_READY,
                  "the server never observed /19/0/0 within %lu s (is the IMEI provisioned on "
                  "the server?)",
                  s);
    }
    return TOOL_EXIT_NOT_READY;
}

/* The run ended before every payload had its report. */
static int unfinished(tool *t, int rc)
{
    qlw_state st = qlw_get_state(t->s);
    bool lost = qlw_port_lost(t->s);
    size_t missing;

    tool_close(t); /* every payload still queued gets its "not sent" report now */
    missing = t->ul_count - count_ok(t);
    if (rc == QLW_ERR_CANCELLED)
        return tool_fail(t, TOOL_EXIT_INTERRUPTED,
                         "interrupted: %zu of %zu payloads not sent, %zu went out unconfirmed",
                         count_result(t, "not_sent"), t->ul_count, count_result(t, "unknown"));
    if (rc == QLW_ERR_TIMEOUT && lost) /* the step that stalled: the port itself */
        return tool_fail(t, TOOL_EXIT_IO,
                         "the port %s was lost and did not come back within %lu s: %zu of %zu "
                         "payloads did not go",
                         t->opts->port, (unsigned long)(t->timeout_ms / 1000), missing,
                         t->ul_count);
    if (rc == QLW_ERR_TIMEOUT && !t->ever_ready)
        return not_ready(t, st);
    if (rc == QLW_ERR_TIMEOUT)
        return tool_fail(t, TOOL_EXIT_TIMEOUT,
                         "timed out after %lu s: %zu of %zu payloads did not go",
                         (unsigned long)(t->timeout_ms / 1000), missing, t->ul_count);
    return tool_fail_err(t, rc, "send");
}

static int run_send(tool *t, const send_opts *o)
{
    qlw_session_config cfg;
    size_t bytes = 0;
    int rc;

    qlw_session_config_default(&cfg);
    for (size_t i = 0; i < t->ul_count; i++)
        bytes += t->ul[i].len;
    cfg.ul_queue_len = t->ul_count;
    cfg.ul_queue_bytes = bytes;
    t->narrate = true;
    t->announce_wait = true;
    rc = tool_open(t, &cfg);
    if (rc != 0)
        return rc;
    qlw_request_register(t->s); /* attaches first when needed */
    rc = queue_all(t, send_mode(o));
    if (rc != 0)
        return rc;
    rc = tool_run(t, all_reported);
    if (rc == QLW_OK)
        return judge_reports(t);
    if (rc == t->fatal) {
        tool_close(t);
        return tool_fail_fatal(t);
    }
    return unfinished(t, rc);
}

int cmd_send(tool *t, int argc, char **argv)
{
    tool_uplink ul[TOOL_PAYLOADS_MAX];
    send_opts o = {false, false};
    int rc;

    memset(ul, 0, sizeof(ul));
    t->ul = ul;
    rc = parse_args(t, argc, argv, &o);
    if (rc == 0)
        rc = run_send(t, &o);
    tool_close(t); /* while ul still exists: closing reports what is left in it */
    t->ul = NULL;
    t->ul_count = 0;
    return rc;
}
