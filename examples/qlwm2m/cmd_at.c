/*
 * One-shot module commands: `at` (any command, as typed) and `ping`.
 * Neither starts the session's setup: they send exactly what they name.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "tool.h"

/* Longest raw command accepted: the engine's default cmd_max, less its CR. */
#define AT_TEXT_MAX 1000

static int check_at_text(tool *t, const char *text)
{
    size_t n = strlen(text);

    if (n < 2 || toupper((unsigned char)text[0]) != 'A' || toupper((unsigned char)text[1]) != 'T')
        return tool_usage_error(t, "command '%s' does not start with AT", text);
    if (n > AT_TEXT_MAX)
        return tool_usage_error(t, "command is %zu characters long; at most %d", n, AT_TEXT_MAX);
    for (size_t i = 0; i < n; i++) {
        if (!isprint((unsigned char)text[i]))
            return tool_usage_error(t,
                                    "command: character %zu is not printable (one command, "
                                    "without CR or LF)",
                                    i + 1);
    }
    return 0;
}

static void print_response(const tool *t, const qlw_at_response *r)
{
    if (!t->opts->json) {
        for (size_t i = 0; i < r->line_count; i++)
            puts(r->lines[i]);
        if (r->final[0] != '\0')
            puts(r->final);
        return;
    }
    tool_json_begin(t, "response");
    tool_json_str("command", r->command);
    tool_json_str("result", qlw_at_result_str(r->result));
    tool_json_str("final", r->final);
    fputs(",\"lines\":[", stdout);
    for (size_t i = 0; i < r->line_count; i++) {
        if (i > 0)
            putchar(',');
        json_str(stdout, r->lines[i], strlen(r->lines[i]));
    }
    putchar(']');
    tool_json_end();
}

/* AT+NRB answers with a reboot, not with OK: that is its success. */
static bool is_reboot_command(const char *text)
{
    char up[8] = {0};

    for (size_t i = 0; i < sizeof(up) - 1 && text[i] != '\0'; i++)
        up[i] = (char)toupper((unsigned char)text[i]);
    return strcmp(up, "AT+NRB") == 0;
}

int cmd_at(tool *t, int argc, char **argv)
{
    const qlw_at_response *r = NULL;
    int rc;

    if (argc != 1)
        return tool_usage_error(t, argc == 0 ? "no command given"
                                             : "give the command as one argument: quote it");
    rc = check_at_text(t, argv[0]);
    if (rc != 0)
        return rc;
    rc = tool_open(t, NULL);
    if (rc != 0)
        return rc;
    rc = qlw_at_exec_raw(t->at, argv[0], t->timeout_ms, &r);
    if (r != NULL)
        print_response(t, r);
    if (rc == QLW_ERR_REBOOTED && is_reboot_command(argv[0])) {
        if (!t->opts->json)
            puts("(the module is rebooting)");
        return TOOL_EXIT_OK;
    }
    return rc == QLW_OK ? TOOL_EXIT_OK : tool_fail_err(t, rc, argv[0]);
}

/* ------------------------------------------------------------------ ping */

/* Bytes of an echo request when the tool must pass a timeout: the module
 * takes one only after a size, and 12 is the smallest size it accepts. */
#define PING_SIZE        12
#define PING_WAIT_MAX_MS 60000u

static int ping_result(tool *t, const char *host, const qlw_ping_result *p)
{
    if (t->opts->json) {
        tool_json_begin(t, "ping");
        tool_json_str("host", host);
        tool_json_str("result", p->error == 0 ? "ok" : p->error == 1 ? "timeout" : "not_sent");
        if (p->error == 0) {
            tool_json_str("addr", p->addr);
            tool_json_int("ttl", p->ttl);
            tool_json_int("rtt_ms", p->rtt_ms);
        }
        tool_json_end();
    } else if (p->error == 0) {
        printf("reply from %s: ttl %d, time %d ms\n", p->addr, p->ttl, p->rtt_ms);
    }
    if (p->error == 1)
        return tool_fail(t, TOOL_EXIT_TIMEOUT, "no reply from %s", host);
    if (p->error != 0) {
        tool_fail(t, TOOL_EXIT_REFUSED, "the module could not send the ping to %s", host);
        tool_hint("is it attached? qlwm2m attach");
        return TOOL_EXIT_REFUSED;
    }
    return TOOL_EXIT_OK;
}

int cmd_ping(tool *t, int argc, char **argv)
{
    qlw_ping_result p;
    uint32_t wait_ms;
    int rc;

    if (argc != 1)
        return tool_usage_error(t, argc == 0 ? "no HOST given" : "one HOST only");
    if (tool_parse_ipv4("HOST", argv[0]) != 0)
        return TOOL_EXIT_USAGE;
    rc = tool_open(t, NULL);
    if (rc != 0)
        return rc;
    /* Without -t the module's own wait applies; with it, the module gives up
     * in time for its verdict to arrive within -t. */
    wait_ms = t->timeout_ms - t->timeout_ms / 3;
    rc = qlw_neul_ping(t->at, argv[0], t->timeout_given ? PING_SIZE : 0,
                       wait_ms > PING_WAIT_MAX_MS ? PING_WAIT_MAX_MS : wait_ms, &p);
    if (rc != QLW_OK)
        return tool_fail_err(t, rc, "ping");
    return ping_result(t, argv[0], &p);
}
