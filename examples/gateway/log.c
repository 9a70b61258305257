/*
 * Logs on stderr, one line per message. Text lines start with the syslog
 * level in angle brackets ("<6>") when stderr is the journal (systemd sets
 * JOURNAL_STREAM), so journald files each line at its level; on a terminal
 * they start with the level's name. --json prints one object per line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gateway.h"

static struct {
    bool json;
    bool journal;
    int max_level;
} lg = {false, false, GW_INFO};

void gw_log_init(bool json, int verbosity)
{
    lg.json = json;
    lg.journal = getenv("JOURNAL_STREAM") != NULL;
    lg.max_level = verbosity > 0 ? GW_DEBUG : GW_INFO;
}

static const char *level_name(gw_level level)
{
    switch (level) {
    case GW_ERR:
        return "error";
    case GW_WARN:
        return "warning";
    case GW_INFO:
        return "info";
    case GW_DEBUG:
        return "debug";
    }
    return "info";
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

void gw_log(gw_level level, const char *modem, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    if ((int)level > lg.max_level)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (lg.json) {
        struct timespec ts;
        struct tm tm;
        char when[40];

        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
        fprintf(stderr, "{\"time\":\"%s.%03ldZ\",\"level\":\"%s\"", when, ts.tv_nsec / 1000000L,
                level_name(level));
        if (modem != NULL) {
            fputs(",\"modem\":", stderr);
            json_string(stderr, modem);
        }
        fputs(",\"msg\":", stderr);
        json_string(stderr, msg);
        fputs("}\n", stderr);
    } else if (lg.journal) {
        fprintf(stderr, "<%d>%s%s%s\n", (int)level, modem ? modem : "", modem ? ": " : "", msg);
    } else {
        fprintf(stderr, "qlwm2m-gateway: %s: %s%s%s\n", level_name(level), modem ? modem : "",
                modem ? ": " : "", msg);
    }
    fflush(stderr);
}
