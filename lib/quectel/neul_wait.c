/*
 * Typed calls whose result comes after the final `OK`: AT+NRB (the boot
 * banner) and AT+NPING (the +NPING/+NPINGERR URC). Each registers handlers
 * with a context on its own stack before sending, because the result can be
 * dispatched in the same read as the `OK`, and removes them before returning.
 */
#include "qlwm2m/neul.h"
#include "quectel/neul_cmd.h"

#define NEUL_TEXT_MAX       96
#define BOOT_WAIT_MS        30000u /* after REBOOTING, until the banner's OK */
#define PING_GRACE_MS       5000u  /* beyond the module's own ping timeout */
#define PING_DEFAULT_MS     10000u
#define PING_TIMEOUT_MAX_MS 60000u
#define PING_SIZE_MAX       1500

typedef struct waiter {
    bool done;
    int result;
    qlw_ping_result ping;
} waiter;

/* Handlers cannot be added from inside a callback, and a command started
 * with qlw_at_send() must finish first; qlw_at_process() tells the former. */
static int may_block(qlw_at *at)
{
    if (at == NULL)
        return QLW_ERR_ARG;
    if (qlw_at_busy(at))
        return QLW_ERR_BUSY;
    return qlw_at_process(at);
}

static void finish(waiter *w, int result)
{
    if (!w->done) {
        w->done = true;
        w->result = result;
    }
}

static int poll_until_done(qlw_at *at, const waiter *w, uint32_t timeout_ms)
{
    uint32_t deadline = qlw_at_now_ms(at) + timeout_ms;

    while (!w->done) {
        uint32_t now = qlw_at_now_ms(at);
        int rc;

        if (qlw_ms_reached(now, deadline))
            return QLW_ERR_TIMEOUT;
        rc = qlw_at_poll(at, (uint32_t)qlw_ms_diff(deadline, now));
        if (rc != QLW_OK)
            return rc;
    }
    return w->result;
}

/* --------------------------------------------------------------- reboot */

static void on_boot_event(void *ctx, qlw_at_event ev, uint32_t count)
{
    (void)count;
    if (ev == QLW_AT_EV_BOOT_END)
        finish(ctx, QLW_OK);
    else if (ev == QLW_AT_EV_BOOT_TIMEOUT)
        finish(ctx, QLW_ERR_TIMEOUT);
}

int qlw_neul_reboot(qlw_at *at)
{
    waiter w = {.done = false};
    qlw_at_cmd cmd;
    /* cmd.text points into it until the command is sent (cppcheck does not see that). */
    /* cppcheck-suppress variableScope */
    char text[NEUL_TEXT_MAX];
    int rc = may_block(at);

    if (rc == QLW_OK)
        rc = qlw_neul_cmd(&cmd, text, sizeof(text), QLW_NEUL_NRB);
    if (rc != QLW_OK)
        return rc;
    rc = qlw_at_add_event_handler(at, on_boot_event, &w);
    if (rc != QLW_OK)
        return rc;
    rc = qlw_at_exec(at, &cmd, NULL);
    /* REBOOTED: the banner began without REBOOTING; it is still the reboot. */
    if (rc == QLW_OK || rc == QLW_ERR_REBOOTED)
        rc = poll_until_done(at, &w, BOOT_WAIT_MS);
    qlw_at_remove_handlers(at, &w);
    return rc;
}

/* ----------------------------------------------------------------- ping */

static void on_ping_urc(void *ctx, const qlw_at_line *line)
{
    waiter *w = ctx;
    qlw_ping_result r;

    if (w->done)
        return;
    if (qlw_neul_parse_nping(line->text, line->len, &r) != QLW_OK) {
        finish(w, QLW_ERR_PARSE);
        return;
    }
    w->ping = r;
    finish(w, QLW_OK);
}

static void on_ping_event(void *ctx, qlw_at_event ev, uint32_t count)
{
    (void)count;
    if (ev == QLW_AT_EV_BOOT_START)
        finish(ctx, QLW_ERR_REBOOTED);
}

/* "+NPING" does not match "+NPINGERR:" (word boundary), so both are needed. */
static int add_ping_handlers(qlw_at *at, waiter *w)
{
    int rc = qlw_at_add_urc_handler(at, "+NPING", on_ping_urc, w);

    if (rc == QLW_OK)
        rc = qlw_at_add_urc_handler(at, "+NPINGERR", on_ping_urc, w);
    if (rc == QLW_OK)
        rc = qlw_at_add_event_handler(at, on_ping_event, w);
    if (rc != QLW_OK)
        qlw_at_remove_handlers(at, w);
    return rc;
}

/* The module takes a timeout only after a size (no skipping parameters). */
static int build_ping(qlw_at_cmd *cmd, char *text, size_t size, const char *addr, int bytes,
                      uint32_t timeout_ms)
{
    if (bytes == 0)
        return qlw_neul_cmd(cmd, text, size, QLW_NEUL_NPING, addr);
    return qlw_neul_cmd(cmd, text, size, QLW_NEUL_NPING_EX, addr, bytes, (unsigned)timeout_ms);
}

int qlw_neul_ping(qlw_at *at, const char *addr, int size, uint32_t timeout_ms, qlw_ping_result *out)
{
    waiter w = {.done = false};
    qlw_at_cmd cmd;
    /* cmd.text points into it until the command is sent (cppcheck does not see that). */
    /* cppcheck-suppress variableScope */
    char text[NEUL_TEXT_MAX];
    int rc;

    if (timeout_ms == 0)
        timeout_ms = PING_DEFAULT_MS;
    if (out == NULL || qlw_neul_check_cdp(addr, 1) != QLW_OK || size < 0 || size > PING_SIZE_MAX ||
        timeout_ms > PING_TIMEOUT_MAX_MS)
        return QLW_ERR_ARG;
    rc = may_block(at);
    if (rc == QLW_OK)
        rc = build_ping(&cmd, text, sizeof(text), addr, size, timeout_ms);
    if (rc == QLW_OK)
        rc = add_ping_handlers(at, &w);
    if (rc != QLW_OK)
        return rc;
    rc = qlw_at_exec(at, &cmd, NULL);
    if (rc == QLW_OK)
        rc = poll_until_done(at, &w, timeout_ms + PING_GRACE_MS);
    qlw_at_remove_handlers(at, &w);
    if (rc == QLW_OK)
        *out = w.ping;
    return rc;
}
