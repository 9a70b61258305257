/*
 * Argument checks. Everything is refused before the port is opened, with a
 * message that names the argument, so a typo never reaches the module.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

int tool_usage_error(const tool *t, const char *fmt, ...)
{
    va_list ap;

    fputs("error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (t != NULL && t->cmd != NULL)
        fprintf(stderr, "usage: qlwm2m %s\n       (qlwm2m %s --help tells more)\n",
                t->cmd->synopsis, t->cmd->name);
    return TOOL_EXIT_USAGE;
}

int tool_no_more_args(const tool *t, int argc, char **argv)
{
    if (argc == 0)
        return 0;
    if (argv[0][0] == '-')
        return tool_usage_error(t,
                                "unknown option for %s: %s (global options such as -p, -t "
                                "and --json go before the command)",
                                t->cmd->name, argv[0]);
    return tool_usage_error(t, "unexpected argument for %s: %s", t->cmd->name, argv[0]);
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int tool_parse_hex(const char *what, const char *hex, uint8_t *out, size_t *len)
{
    size_t n = strlen(hex);

    if (n == 0)
        return tool_usage_error(NULL, "%s is empty: give 1 to %d bytes as hex digits", what,
                                QLW_NEUL_PAYLOAD_MAX);
    for (size_t i = 0; i < n; i++) {
        if (hex_digit(hex[i]) < 0)
            return tool_usage_error(NULL, "%s '%s': '%c' is not a hex digit (0-9, A-F)", what, hex,
                                    hex[i]);
    }
    if (n % 2 != 0)
        return tool_usage_error(NULL, "%s '%s': odd number of hex digits (two per byte)", what,
                                hex);
    if (n / 2 > QLW_NEUL_PAYLOAD_MAX)
        return tool_usage_error(NULL, "%s: %zu bytes, the module takes at most %d", what, n / 2,
                                QLW_NEUL_PAYLOAD_MAX);
    for (size_t i = 0; i < n / 2; i++)
        out[i] = (uint8_t)(hex_digit(hex[2 * i]) << 4 | hex_digit(hex[2 * i + 1]));
    *len = n / 2;
    return 0;
}

int tool_parse_uint(const char *what, const char *arg, unsigned long lo, unsigned long hi,
                    unsigned long *out)
{
    char *end;
    unsigned long v;

    if (arg == NULL || arg[0] < '0' || arg[0] > '9')
        return tool_usage_error(NULL, "%s '%s': not a number", what, arg ? arg : "");
    v = strtoul(arg, &end, 10);
    if (*end != '\0')
        return tool_usage_error(NULL, "%s '%s': not a number", what, arg);
    if (v < lo || v > hi)
        return tool_usage_error(NULL, "%s %s: out of range %lu..%lu", what, arg, lo, hi);
    *out = v;
    return 0;
}

int tool_parse_ipv4(const char *what, const char *arg)
{
    if (qlw_neul_check_cdp(arg, 1) != QLW_OK)
        return tool_usage_error(NULL,
                                "%s '%s': not a dotted IPv4 address such as 198.51.100.1 (the "
                                "module does not resolve names)",
                                what, arg);
    return 0;
}

int tool_parse_server(const char *what, const char *arg, char *host, size_t host_size,
                      uint16_t *port)
{
    const char *colon = strchr(arg, ':');
    size_t host_len = colon != NULL ? (size_t)(colon - arg) : strlen(arg);
    unsigned long p = 5683;
    char label[64];

    if (host_len == 0 || host_len >= host_size)
        return tool_usage_error(NULL, "%s '%s': expected HOST[:PORT] with a dotted IPv4 HOST", what,
                                arg);
    memcpy(host, arg, host_len);
    host[host_len] = '\0';
    if (tool_parse_ipv4(what, host) != 0)
        return TOOL_EXIT_USAGE;
    snprintf(label, sizeof(label), "%s port", what);
    if (colon != NULL && tool_parse_uint(label, colon + 1, 1, 65535, &p) != 0)
        return TOOL_EXIT_USAGE;
    *port = (uint16_t)p;
    return 0;
}

int tool_parse_apn(const char *what, const char *arg)
{
    if (qlw_neul_check_apn(arg) != QLW_OK)
        return tool_usage_error(NULL,
                                "%s '%s': 1 to 62 letters, digits, '-' and '.' (no quotes, "
                                "spaces, commas or ';')",
                                what, arg);
    return 0;
}
