/*
 * The session's callbacks, told to the user: state changes and uplink fates
 * as step lines (or JSON events), notices with -v, and the errors that a
 * command cannot get past, which end it at once (t->fatal).
 */
#include <stdio.h>
#include <string.h>

#include "tool.h"

/* ------------------------------------------------------------ narration */

static void cell_text(const tool *t, char *out, size_t size)
{
    const qlw_cereg *c = &t->cereg;

    if (!t->have_cereg)
        snprintf(out, size, "stat unknown");
    else if (c->has_cell)
        snprintf(out, size, "cell %08lX, stat %s", (unsigned long)c->ci,
                 qlw_cereg_stat_str(c->stat));
    else
        snprintf(out, size, "stat %s", qlw_cereg_stat_str(c->stat));
}

/* A step back from ATTACHED or above says why. */
static void say_fallback(tool *t, qlw_state st, qlw_cause cause)
{
    char cell[64];

    if (st == QLW_STATE_ATTACHING) {
        cell_text(t, cell, sizeof(cell));
        tool_say(t, "lost the network (%s); attaching again", cell);
    } else if (cause == QLW_CAUSE_OBSERVE_CANCELLED) {
        tool_say(t, "the server cancelled the observe of /19/0/0; registering again");
    } else if (cause == QLW_CAUSE_TIMEOUT) {
        tool_say(t, "the server did not observe /19/0/0 in time; registering again");
    } else if (cause == QLW_CAUSE_LWM2M_EVENT) {
        tool_say(t, "deregistered");
    } else if (cause == QLW_CAUSE_POLL) {
        tool_say(t, "the registration failed; registering again");
    } else if (st == QLW_STATE_DETACHED) {
        tool_say(t, "detached");
    }
}

static void say_state(tool *t, qlw_state old, qlw_state st, qlw_cause cause)
{
    char cell[64];

    if (old >= QLW_STATE_ATTACHED && st < old && st != QLW_STATE_STARTING &&
        st != QLW_STATE_REGISTERING && st != QLW_STATE_REGISTERED) {
        say_fallback(t, st, cause);
        return;
    }
    switch (st) {
    case QLW_STATE_STARTING:
    case QLW_STATE_DETACHED:
        if (t->opts->verbose)
            tool_say(t, "state %s (%s)", qlw_state_str(st), qlw_cause_str(cause));
        break;
    case QLW_STATE_ATTACHING:
        tool_say(t, "attaching to the network ...");
        break;
    case QLW_STATE_ATTACHED:
        cell_text(t, cell, sizeof(cell));
        tool_say(t, "attached (%s)", cell);
        break;
    case QLW_STATE_REGISTERING:
        if (cause == QLW_CAUSE_UPLINK_REJECTED)
            tool_say(t, "the module refused the uplink (not ready yet); it registers again");
        else
            tool_say(t, "registering ...");
        break;
    case QLW_STATE_REGISTERED:
        tool_say(t, old == QLW_STATE_READY ? "no longer ready (the server must observe again)"
                                           : "registered");
        if (t->announce_wait)
            tool_say(t, "waiting for the server to observe /19/0/0 ...");
        break;
    case QLW_STATE_READY:
        tool_say(t, "ready");
        break;
    }
}

static void on_state(void *ctx, qlw_state old, qlw_state st, qlw_cause cause)
{
    tool *t = ctx;

    if (st == QLW_STATE_READY)
        t->ever_ready = true;
    if (!t->narrate)
        return;
    if (!t->opts->json) {
        say_state(t, old, st, cause);
        return;
    }
    tool_json_begin(t, "state");
    tool_json_str("from", qlw_state_str(old));
    tool_json_str("to", qlw_state_str(st));
    tool_json_str("cause", qlw_cause_str(cause));
    if (st == QLW_STATE_ATTACHED && t->have_cereg) {
        tool_json_str("stat", qlw_cereg_stat_str(t->cereg.stat));
        if (t->cereg.has_cell) {
            char ci[12];
            snprintf(ci, sizeof(ci), "%08lX", (unsigned long)t->cereg.ci);
            tool_json_str("cell", ci);
        }
    }
    tool_json_end();
}

/* --------------------------------------------------------------- uplinks */

static tool_uplink *find_uplink(tool *t, uint32_t id)
{
    for (size_t i = 0; i < t->ul_count; i++) {
        if (t->ul[i].queued && t->ul[i].id == id)
            return &t->ul[i];
    }
    return NULL;
}

static const char *mode_label(qlw_uplink_mode m)
{
    switch (m) {
    case QLW_UPLINK_NON_RELEASE:
        return "NON, release";
    case QLW_UPLINK_NON_RELEASE_AFTER_REPLY:
        return "NON, release after reply";
    case QLW_UPLINK_CON:
        return "CON";
    case QLW_UPLINK_CON_RELEASE:
        return "CON, release";
    case QLW_UPLINK_LEGACY_NMGS:
        return "NMGS";
    default:
        return "NON";
    }
}

static bool is_con(qlw_uplink_mode m)
{
    return m == QLW_UPLINK_CON || m == QLW_UPLINK_CON_RELEASE;
}

/* Stable words for scripts (the older "result" field): ok, not_sent, unknown,
 * refused, failed, timeout, error. The report's claim is its outcome. */
const char *tool_uplink_result(const qlw_uplink_report *r)
{
    if (r->outcome == QLW_OUTCOME_UNKNOWN)
        return "unknown";
    switch (r->result) {
    case QLW_OK:
        return "ok";
    case QLW_ERR_CANCELLED:
        return r->attempts == 0 ? "not_sent" : "unknown";
    case QLW_ERR_CME:
    case QLW_ERR_CMS:
    case QLW_ERR_MODEM:
        return "refused";
    case QLW_ERR_FAILED:
        return "failed";
    case QLW_ERR_TIMEOUT:
        return "timeout";
    default:
        return "error";
    }
}

bool tool_uplink_done(const qlw_uplink_report *r)
{
    return is_con(r->mode) ? r->outcome == QLW_OUTCOME_DELIVERED : r->outcome == QLW_OUTCOME_SENT;
}

static void say_failed(const tool *t, const qlw_uplink_report *r, const char *how, const char *dup)
{
    if (r->cme >= 0)
        tool_say(t, "refused: %zu bytes (%s): +CME ERROR: %d (%s)%s", r->len, how, r->cme,
                 qlw_cme_str(r->cme), dup);
    else if (r->attempts == 0)
        tool_say(t, "not sent: %zu bytes (%s)%s", r->len, how, dup);
    else if (r->status >= 0)
        tool_say(t, "failed: %zu bytes (%s) after %u attempts (last status %s)%s", r->len, how,
                 r->attempts, qlw_uplink_status_str(r->status), dup);
    else
        tool_say(t, "failed: %zu bytes (%s) after %u attempts: %s%s", r->len, how, r->attempts,
                 qlw_strerror(r->result), dup);
}

/* One line per report, led by its outcome: only what the module told us. */
static void say_uplink(const tool *t, const qlw_uplink_report *r)
{
    char how[48];
    const char *dup = r->possible_duplicate ? " (possible duplicate: handed over again)" : "";

    if (is_con(r->mode))
        snprintf(how, sizeof(how), "%s seq %d", mode_label(r->mode), r->seq);
    else
        snprintf(how, sizeof(how), "%s", mode_label(r->mode));
    switch (r->outcome) {
    case QLW_OUTCOME_SENT:
        tool_say(t, "sent %zu bytes (%s)%s", r->len, how, dup);
        break;
    case QLW_OUTCOME_DELIVERED:
        tool_say(t, "delivered %zu bytes (%s)%s", r->len, how, dup);
        break;
    case QLW_OUTCOME_UNKNOWN:
        tool_say(t,
                 "unknown: %zu bytes (%s) went to the module; whether they reached the server "
                 "is not known%s",
                 r->len, how, dup);
        break;
    case QLW_OUTCOME_EXPIRED:
        tool_say(t, "expired: %zu bytes (%s) never went to the module%s", r->len, how, dup);
        break;
    default:
        say_failed(t, r, how, dup);
        break;
    }
}

static void on_uplink(void *ctx, const qlw_uplink_report *r)
{
    tool *t = ctx;
    tool_uplink *u = find_uplink(t, r->id);

    if (u != NULL && !u->reported) {
        u->reported = true;
        u->report = *r;
        t->ul_reported++;
    } else if (u != NULL) {
        /* A second report for one payload: the library broke its promise.
         * The first one counts; this one is said. */
        fprintf(stderr, "warning: a second report for payload id %lu (%s)\n", (unsigned long)r->id,
                qlw_outcome_str(r->outcome));
    }
    if (!t->opts->json) {
        say_uplink(t, r);
        return;
    }
    tool_json_begin(t, "uplink");
    tool_json_int("id", (long)r->id);
    tool_json_str("outcome", qlw_outcome_str(r->outcome));
    tool_json_bool("possible_duplicate", r->possible_duplicate);
    tool_json_str("result", tool_uplink_result(r));
    tool_json_str("mode", qlw_uplink_mode_str(r->mode));
    tool_json_int("seq", r->seq);
    tool_json_int("len", (long)r->len);
    tool_json_int("attempts", (long)r->attempts);
    if (r->cme >= 0)
        tool_json_int("cme", r->cme);
    if (r->status >= 0)
        tool_json_str("status", qlw_uplink_status_str(r->status));
    if (u != NULL)
        tool_json_hex("hex", u->data, u->len);
    tool_json_end();
}

static void on_downlink(void *ctx, const uint8_t *data, size_t len)
{
    tool *t = ctx;
    char hex[2 * QLW_NEUL_PAYLOAD_MAX + 1];

    t->events++;
    if (t->opts->json) {
        tool_json_begin(t, "downlink");
        tool_json_int("len", (long)len);
        tool_json_hex("hex", data, len);
        tool_json_end();
        return;
    }
    tool_hex(data, len, hex, sizeof(hex));
    tool_say(t, "downlink %zu bytes: %s", len, hex);
}

/* --------------------------------------------------------------- notices */

static void set_fatal(tool *t, int err, int code, const char *msg)
{
    if (t->fatal != 0)
        return;
    t->fatal = err;
    t->fatal_exit = code;
    t->fatal_cme = err == QLW_ERR_CME ? qlw_last_cme(t->s) : -1;
    snprintf(t->fatal_msg, sizeof(t->fatal_msg), "%s", msg);
}

/* Errors the session would retry forever but that need the user: a CLI stops.
 * Uplink refusals (in READY) are not among them: each uplink reports its own. */
static void check_fatal(tool *t, int err, const char *text)
{
    qlw_state st = qlw_get_state(t->s);
    bool from_session = strcmp(text, qlw_errmsg(t->s)) == 0;
    bool refused =
        err == QLW_ERR_MODEM || (err == QLW_ERR_CME && !qlw_cme_retryable(qlw_last_cme(t->s)));

    if (err == QLW_ERR_DENIED || (from_session && st != QLW_STATE_READY && refused))
        set_fatal(t, err, TOOL_EXIT_REFUSED, text);
    else if (st == QLW_STATE_STARTING && err == QLW_ERR_TIMEOUT && t->rx_bytes == 0)
        /* Not one byte from the module since the port opened: a wrong port
         * or a dead module, not worth the whole -t. A module that has
         * answered before and lost one OK gets the step retried. */
        set_fatal(t, err, TOOL_EXIT_TIMEOUT, text);
}

static void say_notice(const tool *t, qlw_notice kind, int value, const char *text)
{
    switch (kind) {
    case QLW_NOTICE_CEREG:
        tool_say(t, "network: %s (%s)", qlw_cereg_stat_str(value), text);
        break;
    case QLW_NOTICE_RRC:
        tool_say(t, "radio connection %s", value ? "up" : "idle");
        break;
    case QLW_NOTICE_PSM:
        tool_say(t, "power saving %s", value ? "entered" : "left");
        break;
    case QLW_NOTICE_LWM2M_EVENT:
        tool_say(t, "lwm2m event %d (%s)", value, qlw_lwm2m_event_str(value));
        break;
    case QLW_NOTICE_URC_LOST:
        tool_say(t, "%d URCs lost (the module talked too fast)", value);
        break;
    case QLW_NOTICE_ERROR:
        tool_say(t, "step failed: %s", text);
        break;
    case QLW_NOTICE_WARNING:
        tool_say(t, "warning: %s", text);
        break;
    case QLW_NOTICE_RETRY:
        tool_say(t, "retry in %.1f s: %s", value / 1000.0, text);
        break;
    case QLW_NOTICE_DOWNLINK_LOST:
        tool_say(t, "undecodable downlink: %s", text);
        break;
    default:
        tool_say(t, "%s %d %s", qlw_notice_str(kind), value, text);
        break;
    }
}

static void on_reboot(tool *t, const char *cause)
{
    snprintf(t->reboot_cause, sizeof(t->reboot_cause), "%s", cause);
    t->have_cereg = false; /* the cell seen before the reboot says nothing now */
    if (!t->narrate && !t->listening)
        return;
    if (!t->opts->json) {
        tool_say(t, "module rebooted (%s)", cause);
        return;
    }
    tool_json_begin(t, "reboot");
    tool_json_str("cause", cause);
    tool_json_end();
}

/* A lost port is news whatever -v says: the command waits for it to come back. */
static void on_port(tool *t, qlw_notice kind, int value, const char *text)
{
    if (!t->narrate && !t->listening)
        return;
    if (t->opts->json) {
        tool_json_begin(t, kind == QLW_NOTICE_PORT_LOST ? "port_lost" : "port_back");
        tool_json_str("port", text);
        if (kind == QLW_NOTICE_PORT_LOST)
            tool_json_str("error", qlw_err_str(value));
        else
            tool_json_int("attempts", value);
        tool_json_end();
    } else if (kind == QLW_NOTICE_PORT_LOST) {
        tool_say(t, "port lost (%s: %s); waiting for it to come back", text, qlw_strerror(value));
    } else {
        tool_say(t, "port back (%s, after %d attempt%s); setting the module up again", text, value,
                 value == 1 ? "" : "s");
    }
}

static void on_notice(void *ctx, qlw_notice kind, int value, const char *text)
{
    tool *t = ctx;

    if (kind == QLW_NOTICE_PORT_LOST || kind == QLW_NOTICE_PORT_BACK) {
        on_port(t, kind, value, text);
        return;
    }

    if (kind == QLW_NOTICE_LWM2M_EVENT && value >= 0 && value < 32)
        t->lwm2m_seen |= 1u << value;
    if (kind == QLW_NOTICE_ERROR)
        check_fatal(t, value, text);
    if (kind == QLW_NOTICE_REBOOT) {
        on_reboot(t, text);
        return;
    }
    if (!t->opts->verbose)
        return;
    if (!t->opts->json) {
        say_notice(t, kind, value, text);
        return;
    }
    tool_json_begin(t, "notice");
    tool_json_str("kind", qlw_notice_str(kind));
    tool_json_int("value", value);
    tool_json_str("text", text);
    tool_json_end();
}

/* An LTE module's +QLWURC events, as they come (-v, listen). */
static void on_qlwurc(void *ctx, const qlw_qlwurc *ev)
{
    tool *t = ctx;

    /* the session also reports the +QLWEVTIND equivalent as a notice */
    if (!t->opts->verbose && !t->listening)
        return;
    if (t->opts->json) {
        tool_json_begin(t, "qlwurc");
        tool_json_str("event", ev->name);
        tool_json_int("result", ev->result);
        tool_json_int("ssid", ev->ssid);
        tool_json_str("value", ev->value);
        tool_json_end();
    } else {
        tool_say(t, "+QLWURC \"%s\"%s%s%s", ev->name,
                 ev->result == 1   ? " successfully"
                 : ev->result == 0 ? " failed"
                                   : "",
                 ev->value[0] ? " " : "", ev->value);
    }
}

void tool_set_callbacks(qlw_session_config *cfg, tool *t)
{
    cfg->on_qlwurc = on_qlwurc;
    cfg->on_state = on_state;
    cfg->on_uplink = on_uplink;
    cfg->on_downlink = on_downlink;
    cfg->on_notice = on_notice;
    cfg->ctx = t;
}
