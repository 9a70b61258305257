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

static qlw_uplink_mode send_mode(const send_opts *o)
{
    if (o->con)
        return o->release ? QLW_UPLINK_CON_RELEASE : QLW_UPLINK_CON;
    return o->release ? QLW_UPLINK_NON_RELEASE : QLW_UPLINK_NON;
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

static int queue_all(tool *t, qlw_uplink_mode mode)
{
    for (size_t i = 0; i < t->ul_count; i++) {
        tool_uplink *u = &t->ul[i];
        int rc = qlw_queue_uplink(t->s, u->data, u->len, mode, &u->id);

        if (rc != QLW_OK)
            return tool_fail(t, tool_exit_code(rc), "payload %zu: %s", i + 1, qlw_errmsg(t->s));
        u->queued = true;
    }
    return 0;
}

/* Payloads whose report claims @p outcome; FAILED ones split by whether
 * they were ever handed to the module (@p handed). */
static size_t count_outcome(const tool *t, qlw_outcome outcome, bool handed)
{
    size_t n = 0;

    for (size_t i = 0; i < t->ul_count; i++) {
        const qlw_uplink_report *r = &t->ul[i].report;

        n += t->ul[i].reported && r->outcome == outcome &&
             (outcome != QLW_OUTCOME_FAILED || (r->attempts > 0) == handed);
    }
    return n;
}

static size_t count_done(const tool *t)
{
    size_t n = 0;

    for (size_t i = 0; i < t->ul_count; i++)
        n += t->ul[i].reported && tool_uplink_done(&t->ul[i].report);
    return n;
}

/* "2 sent, 1 delivered, 1 unknown, 1 not sent" (the outcomes that occur). */
static void tally(const tool *t, char *out, size_t size)
{
    static const struct {
        qlw_outcome outcome;
        bool handed;
        const char *word;
    } order[] = {
        {QLW_OUTCOME_SENT, true, "sent"},        {QLW_OUTCOME_DELIVERED, true, "delivered"},
        {QLW_OUTCOME_UNKNOWN, true, "unknown"},  {QLW_OUTCOME_FAILED, true, "failed"},
        {QLW_OUTCOME_FAILED, false, "not sent"}, {QLW_OUTCOME_EXPIRED, true, "expired"},
    };
    size_t used = 0;

    out[0] = '\0';
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        size_t n = count_outcome(t, order[i].outcome, order[i].handed);
        int w;

        if (n == 0 || used >= size)
            continue;
        w = snprintf(out + used, size - used, "%s%zu %s", used ? ", " : "", n, order[i].word);
        used += w > 0 ? (size_t)w : 0;
    }
}

/* Exit code from the reports: 0 only when every payload was sent (NON) or
 * delivered (CON); a failed one gives its error's code; otherwise an unknown
 * one gives TOOL_EXIT_UNKNOWN. */
static int reports_exit(const tool *t, size_t *first_bad)
{
    int unknown = 0;

    for (size_t i = 0; i < t->ul_count; i++) {
        const qlw_uplink_report *r = &t->ul[i].report;

        if (!t->ul[i].reported || tool_uplink_done(r))
            continue;
        if (r->outcome == QLW_OUTCOME_FAILED || r->outcome == QLW_OUTCOME_EXPIRED) {
            *first_bad = i;
            return r->result == QLW_OK ? TOOL_EXIT_REFUSED : tool_exit_code(r->result);
        }
        if (!unknown)
            *first_bad = i;
        unknown = 1;
    }
    return unknown ? TOOL_EXIT_UNKNOWN : TOOL_EXIT_OK;
}

/* Every payload has its report: exit 0 only if all went. */
static int judge_reports(tool *t)
{
    size_t bad = 0;
    int code = reports_exit(t, &bad);
    const qlw_uplink_report *r = &t->ul[bad].report;
    char counts[160];

    if (code == TOOL_EXIT_OK)
        return TOOL_EXIT_OK;
    tally(t, counts, sizeof(counts));
    tool_fail(t, code, "%zu of %zu payloads did not certainly go (%s): payload %zu %s",
              t->ul_count - count_done(t), t->ul_count, counts, bad + 1,
              qlw_outcome_str(r->outcome));
    if (r->cme >= 0 && tool_cme_hint(r->cme) != NULL)
        tool_hint("%s", tool_cme_hint(r->cme));
    if (code == TOOL_EXIT_UNKNOWN)
        tool_hint("an unknown payload may or may not have reached the server; resending it may "
                  "duplicate it");
    return code;
}

/* Time ran out before READY: say which step the session was stuck at. */
static int not_ready(tool *t, qlw_state st, const char *stalled)
{
    unsigned long s = (unsigned long)(t->timeout_ms / 1000);

    if (stalled[0] != '\0') {
        /* The engine still waits for a command: that is the step that stalled,
         * whatever the state says (+CEREG may say attached while AT+CGATT=1
         * has no answer yet). */
        tool_fail(t, TOOL_EXIT_NOT_READY, "not ready within %lu s (state %s): %s", s,
                  qlw_state_str(st), stalled);
    } else if (st == QLW_STATE_STARTING) {
        tool_fail(t, TOOL_EXIT_NOT_READY, "the module did not answer on %s within %lu s",
                  t->opts->port, s);
        tool_hint("check the port and the baud rate (-b)");
    } else if (st <= QLW_STATE_ATTACHING) {
        tool_fail(t, TOOL_EXIT_NOT_READY, "not attached to the network within %lu s", s);
        tool_hint("check the antenna and the SIM (qlwm2m info), or set the APN (qlwm2m attach "
                  "--apn APN)");
    } else if (st <= QLW_STATE_REGISTERING && !t->reg_sent) {
        tool_fail(t, TOOL_EXIT_NOT_READY,
                  "attached, but the registration was not started within %lu s", s);
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
    char stalled[160];
    char counts[160];

    tool_stalled_step(t, stalled, sizeof(stalled)); /* before close ends the wait */
    if (tool_stop_requested())
        rc = QLW_ERR_CANCELLED;
    tool_close(t); /* every payload not yet reported gets its report now */
    tally(t, counts, sizeof(counts));
    /* Closing awaits the uplink in flight: its report may have settled
     * everything. Then the reports decide, as when no time ran out. */
    if (rc == QLW_ERR_TIMEOUT && t->ever_ready && all_reported(t) &&
        reports_exit(t, &(size_t){0}) == TOOL_EXIT_OK)
        return judge_reports(t);
    if (rc == QLW_ERR_CANCELLED)
        return tool_fail(t, TOOL_EXIT_INTERRUPTED, "interrupted: %zu of %zu payloads went (%s)",
                         count_done(t), t->ul_count, counts);
    if (rc == QLW_ERR_TIMEOUT && lost) /* the step that stalled: the port itself */
        return tool_fail(t, TOOL_EXIT_IO,
                         "the port %s was lost and did not come back within %lu s: %zu of %zu "
                         "payloads went (%s)",
                         t->opts->port, (unsigned long)(t->timeout_ms / 1000), count_done(t),
                         t->ul_count, counts);
    if (rc == QLW_ERR_TIMEOUT && !t->ever_ready)
        return not_ready(t, st, stalled);
    if (rc == QLW_ERR_TIMEOUT)
        return tool_fail(t, TOOL_EXIT_TIMEOUT,
                         "timed out after %lu s: %zu of %zu payloads went (%s)%s%s",
                         (unsigned long)(t->timeout_ms / 1000), count_done(t), t->ul_count, counts,
                         stalled[0] ? "; " : "", stalled);
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
    cfg.uplink_queue_len = t->ul_count;
    cfg.uplink_queue_bytes = bytes;
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
