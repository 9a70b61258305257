#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "at/engine_internal.h"

/*
 * "+CGATT" matches "+CGATT:1" and "+CGATT" but not "+CGATTX:"; a prefix that
 * ends in punctuation ("REBOOT_CAUSE_", "Boot:") matches plainly.
 */
bool qlw_prefix_match(const char *line, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    unsigned char last;

    if (n == 0)
        return true;
    if (len < n || memcmp(line, prefix, n) != 0)
        return false;
    last = (unsigned char)prefix[n - 1];
    if (len == n || !isalnum(last))
        return true;
    return !isalnum((unsigned char)line[n]);
}

/* The BC68 family answers each ';'-chained command with its own final result. */
unsigned qlw_count_chained(const char *text)
{
    unsigned parts = 1;
    bool quoted = false;

    for (; *text; text++) {
        if (*text == '"')
            quoted = !quoted;
        else if (*text == ';' && !quoted && text[1] != '\0')
            parts++;
    }
    return parts;
}

/* Copies the command name of one chained part ("+CGATT" of "+CGATT?"). */
static size_t part_name(const char *part, char *name, size_t size)
{
    size_t n = 0;

    if (strncasecmp(part, "AT", 2) == 0)
        part += 2;
    if (*part != '+' && *part != '^' && *part != '$' && *part != '%')
        return 0;
    name[n++] = *part++;
    while (n + 1 < size && (isalnum((unsigned char)*part) || *part == '_'))
        name[n++] = *part++;
    name[n] = '\0';
    return n > 1 ? n : 0;
}

void qlw_raw_cmd_build(qlw_raw_cmd *raw, const char *text, uint32_t timeout_ms)
{
    size_t count = 0;
    const char *part = text;
    bool quoted = false;

    memset(&raw->cmd, 0, sizeof(raw->cmd));
    for (const char *p = text;; p++) {
        if (*p == '"')
            quoted = !quoted;
        if (*p != '\0' && (*p != ';' || quoted))
            continue;
        if (count < QLW_AT_RAW_PREFIXES &&
            part_name(part, raw->names[count], sizeof(raw->names[count])) > 0) {
            raw->prefixes[count] = raw->names[count];
            count++;
        }
        if (*p == '\0')
            break;
        part = p + 1;
    }
    raw->prefixes[count] = NULL;
    raw->cmd.text = text;
    raw->cmd.prefixes = raw->prefixes;
    raw->cmd.timeout_ms = timeout_ms;
    raw->cmd.flags = QLW_AT_CMD_BARE;
}
