/*
 * Memory per modem: what qlw_session_mem_size() and qlw_at_mem_size() give
 * for the default configuration, term by term, checked against the formula
 * documented in at.h and session.h, and what the largest URC is that the
 * default URC queue carries.
 */
#include <stdio.h>

#include "at/engine_internal.h"
#include "qlwm2m/session.h"
#include "session/session_internal.h"

#define TARGET_BYTES 8192u

/* The rounding the engine and the session apply to every region. */
static size_t al(size_t n)
{
    const size_t a = sizeof(void *) > 4 ? sizeof(void *) : 4;

    return (n + a - 1) & ~(a - 1);
}

static size_t round4(size_t n)
{
    return (n + 3u) & ~(size_t)3u;
}

typedef struct term {
    const char *what;
    size_t bytes;
} term;

static size_t print_terms(const char *title, const term *t, size_t n)
{
    size_t sum = 0;

    printf("  %s\n", title);
    for (size_t i = 0; i < n; i++) {
        printf("    %-52s %6zu\n", t[i].what, t[i].bytes);
        sum += t[i].bytes;
    }
    printf("    %-52s %6zu\n", "sum", sum);
    return sum;
}

static size_t at_formula(const qlw_at_config *c)
{
    const term t[] = {
        {"engine state (struct qlw_at)", al(sizeof(struct qlw_at))},
        {"line buffer: line_max + 1", al(c->line_max + 1)},
        {"command text: cmd_max + 2", al(c->cmd_max + 2)},
        {"response lines: resp_size", al(c->resp_size)},
        {"response line pointers: resp_lines_max * ptr", al(c->resp_lines_max * sizeof(char *))},
        {"URC queue: urc_queue_size (rounded to 4)", al(round4(c->urc_queue_size))},
        {"handlers: handlers_max * handler", al(c->handlers_max * sizeof(qlw_handler))},
    };

    return print_terms("qlw_at_mem_size", t, sizeof(t) / sizeof(t[0]));
}

static size_t session_formula(const qlw_session_config *c)
{
    const term t[] = {
        {"session state (struct qlw_session)", al(sizeof(struct qlw_session))},
        {"AT engine: qlw_at_mem_size(&cfg.at)", al(qlw_at_mem_size(&c->at))},
        {"uplink records: uplink_queue_len * record", al(c->uplink_queue_len * sizeof(qlw_ul))},
        {"uplink payloads: uplink_queue_bytes", al(c->uplink_queue_bytes)},
    };

    return print_terms("qlw_session_mem_size", t, sizeof(t) / sizeof(t[0]));
}

/* Longest line the URC queue can take: a record is a 12-byte header, the
 * text and its NUL, rounded to 4, and 64 bytes stay free for events. */
static size_t longest_urc(const qlw_at_config *c)
{
    size_t limit = (c->urc_queue_size & ~(size_t)3u) - QLW_URCQ_EVENT_RESERVE;
    size_t len = 0;

    while (round4(sizeof(qlw_urcq_rec) + len + 2) <= limit)
        len++;
    return len;
}

int main(void)
{
    qlw_session_config cfg;
    size_t at, session, at_sum, session_sum, urc_max;
    size_t nnmi_max = 6 + 3 + 1 + 2 * QLW_NEUL_PAYLOAD_MAX; /* "+NNMI:512,<1024 hex>" */

    qlw_session_config_default(&cfg);
    at = qlw_at_mem_size(&cfg.at);
    session = qlw_session_mem_size(&cfg);
    printf("memory per modem handle, default configuration (%zu-bit pointers)\n",
           8 * sizeof(void *));
    at_sum = at_formula(&cfg.at);
    session_sum = session_formula(&cfg);
    urc_max = longest_urc(&cfg.at);
    printf("  qlw_at_mem_size %zu (formula %s), qlw_session_mem_size %zu (formula %s);"
           " target %u: %s\n",
           at, at == at_sum ? "agrees" : "DISAGREES", session,
           session == session_sum ? "agrees" : "DISAGREES", TARGET_BYTES,
           session <= TARGET_BYTES ? "met" : "missed");
    printf("  transport: %zu bytes of qlw_io plus the backend's own state\n", sizeof(qlw_io));
    printf("  longest URC the default queue carries: %zu bytes (a 512-byte +NNMI is %zu): %s\n",
           urc_max, nnmi_max, urc_max >= nnmi_max ? "fits" : "DROPPED");
    printf("{\"bench\":\"memory\",\"session_bytes\":%zu,\"at_bytes\":%zu,\"io_bytes\":%zu,"
           "\"target_bytes\":%u,\"formula_ok\":%s,\"longest_urc\":%zu,\"nnmi_512_fits\":%s}\n",
           session, at, sizeof(qlw_io), TARGET_BYTES,
           at == at_sum && session == session_sum ? "true" : "false", urc_max,
           urc_max >= nnmi_max ? "true" : "false");
    return at == at_sum && session == session_sum ? 0 : 1;
}
