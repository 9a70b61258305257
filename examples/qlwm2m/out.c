/*
 * Output of the tool: human step lines with the elapsed time, JSON event
 * lines for scripts, and error messages that say what to try.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "tool.h"

uint32_t tool_elapsed_ms(const tool *t)
{
    return (uint32_t)qlw_ms_diff(qlw_clock_system_ms(NULL), t->t0_ms);
}

void tool_say(const tool *t, const char *fmt, ...)
{
    uint32_t ms = tool_elapsed_ms(t);
    va_list ap;

    if (t->opts->json)
        return;
    printf("[%3lu.%lus] ", (unsigned long)(ms / 1000), (unsigned long)(ms % 1000 / 100));
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

void tool_done(const tool *t, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (!t->opts->json) {
        tool_say(t, "%s", msg);
        return;
    }
    tool_json_begin(t, "done");
    tool_json_str("command", t->cmd->name);
    tool_json_str("message", msg);
    tool_json_end();
}

void tool_json_begin(const tool *t, const char *event)
{
    printf("{\"t_ms\":%lu,\"event\":\"%s\"", (unsigned long)tool_elapsed_ms(t), event);
}

void tool_json_str(const char *key, const char *value)
{
    printf(",\"%s\":", key);
    json_str(stdout, value, strlen(value));
}

void tool_json_int(const char *key, long value)
{
    printf(",\"%s\":%ld", key, value);
}

void tool_json_bool(const char *key, bool value)
{
    printf(",\"%s\":%s", key, value ? "true" : "false");
}

void tool_json_hex(const char *key, const uint8_t *data, size_t len)
{
    char hex[2 * QLW_NEUL_PAYLOAD_MAX + 1];

    tool_hex(data, len, hex, sizeof(hex));
    tool_json_str(key, hex);
}

void tool_json_end(void)
{
    puts("}");
}

void tool_hex(const uint8_t *data, size_t len, char *out, size_t out_size)
{
    static const char digits[] = "0123456789ABCDEF";
    size_t n = 0;

    for (size_t i = 0; i < len && n + 2 < out_size; i++) {
        out[n++] = digits[data[i] >> 4];
        out[n++] = digits[data[i] & 0x0F];
    }
    if (out_size > 0)
        out[n] = '\0';
}

int tool_fail(const tool *t, int code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fflush(stdout); /* keep the step lines before the error on a shared terminal */
    fprintf(stderr, "error: %s\n", msg);
    if (t != NULL && t->opts->json) {
        tool_json_begin(t, "error");
        tool_json_int("exit", code);
        tool_json_str("message", msg);
        tool_json_end();
    }
    return code;
}

void tool_hint(const char *fmt, ...)
{
    va_list ap;

    fputs("hint: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int tool_exit_code(int err)
{
    switch (err) {
    case QLW_OK:
        return TOOL_EXIT_OK;
    case QLW_ERR_ARG:
        return TOOL_EXIT_USAGE;
    case QLW_ERR_TIMEOUT:
        return TOOL_EXIT_TIMEOUT;
    case QLW_ERR_IO:
    case QLW_ERR_PORT_NOT_FOUND:
    case QLW_ERR_PORT_PERMISSION:
    case QLW_ERR_PORT_BUSY:
    case QLW_ERR_PORT_GONE:
    case QLW_ERR_NOMEM:
        return TOOL_EXIT_IO;
    case QLW_ERR_NOT_READY:
        return TOOL_EXIT_NOT_READY;
    case QLW_ERR_CANCELLED:
        return TOOL_EXIT_INTERRUPTED;
    default:
        return TOOL_EXIT_REFUSED;
    }
}

/* What to try for the errors a user can do something about. */
const char *tool_cme_hint(int cme)
{
    switch (cme) {
    case 3:
        return "the module does not allow this now; check qlwm2m info";
    case 10:
    case 11:
    case 12:
    case 13:
        return "check the SIM card";
    case 50:
        return "a parameter is out of range for this module";
    case 159:
        return "the uplink queue is busy; try again in a few seconds";
    case 512:
        return "set the LwM2M server first: qlwm2m cdp HOST[:PORT]";
    case 513:
        return "register first: qlwm2m register (then wait for the observe of /19/0/0)";
    case 524:
        return "the radio is off: qlwm2m attach";
    case 537:
        return "the network asked the module to back off; try again later";
    default:
        return NULL;
    }
}

/* The +CME ERROR number of the last failure: the engine's answer, else the session's. */
static int last_cme(const tool *t)
{
    const qlw_at_response *r = t->at != NULL ? qlw_at_last_response(t->at) : NULL;

    if (r != NULL && r->result == QLW_AT_RESULT_CME_ERROR)
        return r->code;
    return t->s != NULL ? qlw_last_cme(t->s) : -1;
}

/* The module's own words for a failed command. */
static void module_answer(const tool *t, int err, char *out, size_t size)
{
    const qlw_at_response *r = t->at != NULL ? qlw_at_last_response(t->at) : NULL;
    int cme = last_cme(t);

    if (err == QLW_ERR_CME && cme >= 0)
        snprintf(out, size, "+CME ERROR: %d (%s)", cme, qlw_cme_str(cme));
    else if (err == QLW_ERR_CMS && r != NULL)
        snprintf(out, size, "%s", r->final);
    else
        snprintf(out, size, "ERROR");
}

int tool_fail_err(tool *t, int err, const char *what)
{
    const char *port = t->opts->port;
    char answer[96];

    switch (err) {
    case QLW_ERR_MODEM:
    case QLW_ERR_CME:
    case QLW_ERR_CMS:
        module_answer(t, err, answer, sizeof(answer));
        tool_fail(t, TOOL_EXIT_REFUSED, "%s: the module answered %s", what, answer);
        if (err == QLW_ERR_CME && tool_cme_hint(last_cme(t)) != NULL)
            tool_hint("%s", tool_cme_hint(last_cme(t)));
        return TOOL_EXIT_REFUSED;
    case QLW_ERR_TIMEOUT:
        tool_fail(t, TOOL_EXIT_TIMEOUT, "%s: the module did not answer in time", what);
        tool_hint("is the module powered and on %s at %lu baud? (a slow command may need a "
                  "longer -t)",
                  port, (unsigned long)t->opts->baud);
        return TOOL_EXIT_TIMEOUT;
    case QLW_ERR_IO:
    case QLW_ERR_PORT_GONE:
        return tool_fail(t, TOOL_EXIT_IO, "%s: lost the port %s (%s)", what, port,
                         qlw_strerror(err));
    case QLW_ERR_REBOOTED:
        return tool_fail(t, TOOL_EXIT_REFUSED, "%s: the module rebooted before it answered", what);
    case QLW_ERR_CANCELLED:
        return tool_fail(t, TOOL_EXIT_INTERRUPTED, "%s: interrupted", what);
    default:
        if (t->s != NULL && qlw_errmsg(t->s)[0] != '\0')
            return tool_fail(t, tool_exit_code(err), "%s: %s", what, qlw_errmsg(t->s));
        return tool_fail(t, tool_exit_code(err), "%s: %s", what, qlw_strerror(err));
    }
}
