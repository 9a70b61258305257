#include <string.h>

#include "at/engine_internal.h"

/* ASCII letters and digits: what ends a command or URC name. Not the
 * locale's idea of a letter for bytes above 0x7F, and no function call per
 * byte. */
static inline bool is_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/*
 * "+CGATT" matches "+CGATT:1" and "+CGATT" but not "+CGATTX:"; a prefix that
 * ends in punctuation ("REBOOT_CAUSE_", "Boot:") matches plainly.
 */
bool qlw_prefix_match(const char *line, size_t len, const char *prefix)
{
    size_t n;
    unsigned char last;

    /* Compared as we go, without strlen: most candidates differ in their first bytes. */
    for (n = 0; prefix[n] != '\0'; n++) {
        if (n == len || line[n] != prefix[n])
            return false;
    }
    if (n == 0)
        return true;
    last = (unsigned char)prefix[n - 1];
    if (len == n || !is_alnum(last))
        return true;
    return !is_alnum((unsigned char)line[n]);
}

/* The BC68 family answers each ';'-chained command with its own final result. */
unsigned qlw_count_chained(const char *text)
{
    unsigned parts = 1;
    bool quoted = false;

    /* Jumps between quotes and semicolons: an uplink's text is a kilobyte of hex. */
    for (text += strcspn(text, "\";"); *text; text += 1 + strcspn(text + 1, "\";")) {
        if (*text == '"')
            quoted = !quoted;
        else if (!quoted && text[1] != '\0')
            parts++;
    }
    return parts;
}

/* Copies the command name of one chained part ("+CGATT" of "+CGATT?"). */
static size_t part_name(const char *part, char *name, size_t size)
{
    size_t n = 0;

    if ((part[0] == 'A' || part[0] == 'a') && (part[1] == 'T' || part[1] == 't'))
        part += 2;
    if (*part != '+' && *part != '^' && *part != '$' && *part != '%')
        return 0;
    name[n++] = *part++;
    while (n + 1 < size && (is_alnum((unsigned char)*part) || *part == '_'))
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
        p += strcspn(p, "\";"); /* the only bytes that matter */
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
