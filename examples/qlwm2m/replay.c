/*
 * qlwm2m replay FILE.at: drives the library through a transcript. Each `>`
 * command goes through the AT engine; every response, URC and boot banner
 * the engine reports is printed as one JSON object per line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "qlwm2m/neul.h"
#include "qlwm2m/transcript.h"
#include "tool.h"

#define REPLAY_TIMEOUT_MS 60000u
#define BOOT_LINES_MAX    16

typedef struct replay_out {
    FILE *out;
    char boot[BOOT_LINES_MAX][128];
    size_t boot_count;
} replay_out;

static void print_boot(replay_out *o, const char *how)
{
    fprintf(o->out, "{\"type\":\"boot\",\"end\":\"%s\",\"lines\":[", how);
    for (size_t i = 0; i < o->boot_count; i++) {
        if (i > 0)
            fputc(',', o->out);
        json_str(o->out, o->boot[i], strlen(o->boot[i]));
    }
    fputs("]}\n", o->out);
    o->boot_count = 0;
}

static void on_urc(void *ctx, const qlw_at_line *line)
{
    replay_out *o = ctx;

    if (line->flags & QLW_LINE_BOOT) {
        /* the banner is reported once, whole; its closing OK is not a line of it */
        if (!(line->flags & QLW_LINE_BOOT_END) && o->boot_count < BOOT_LINES_MAX)
            snprintf(o->boot[o->boot_count++], sizeof(o->boot[0]), "%s", line->text);
        return;
    }
    fputs(line->flags & QLW_LINE_GARBLED ? "{\"type\":\"noise\",\"line\":"
                                         : "{\"type\":\"urc\",\"line\":",
          o->out);
    json_str(o->out, line->text, line->len);
    fputs("}\n", o->out);
}

static void on_event(void *ctx, qlw_at_event ev, uint32_t count)
{
    replay_out *o = ctx;

    if (ev == QLW_AT_EV_BOOT_END)
        print_boot(o, "ok");
    else if (ev == QLW_AT_EV_BOOT_TIMEOUT)
        print_boot(o, "timeout");
    else if (ev != QLW_AT_EV_BOOT_START)
        fprintf(o->out, "{\"type\":\"event\",\"event\":\"%s\",\"count\":%lu}\n",
                qlw_at_event_str(ev), (unsigned long)count);
}

/* Printed from the completion callback, so that it stands in arrival order
 * among the URCs the same read delivered. */
static void print_response(void *ctx, const qlw_at_response *r)
{
    FILE *out = ctx;

    fputs("{\"type\":\"response\",\"command\":", out);
    json_str(out, r->command, strlen(r->command));
    fprintf(out, ",\"result\":\"%s\"", qlw_at_result_str(r->result));
    if (r->result == QLW_AT_RESULT_CME_ERROR || r->result == QLW_AT_RESULT_CMS_ERROR)
        fprintf(out, ",\"code\":%d", r->code);
    if (r->result == QLW_AT_RESULT_FINAL)
        fprintf(out, ",\"final\":\"%s\"", r->final);
    fputs(",\"lines\":[", out);
    for (size_t i = 0; i < r->line_count; i++) {
        if (i > 0)
            fputc(',', out);
        json_str(out, r->lines[i], strlen(r->lines[i]));
    }
    fputs("]}\n", out);
}

/* Lets the modem bytes that follow the last command arrive, on the virtual clock. */
static void drain(qlw_at *at, qlw_replay *rp)
{
    for (int i = 0; i < 1000 && !qlw_replay_finished(rp); i++)
        qlw_at_poll(at, 1000);
    while (qlw_at_booting(at))
        qlw_at_poll(at, 1000);
}

/* A program waits for what the module already printed (a boot banner) before
 * it sends: read everything that is due, and let a banner finish. */
static void settle(qlw_at *at)
{
    qlw_at_process(at);
    while (qlw_at_booting(at))
        qlw_at_poll(at, 1000);
}

static int play(const qlw_transcript *ts, qlw_replay *rp, qlw_at *at, FILE *out)
{
    for (size_t i = 0; i < qlw_transcript_count(ts); i++) {
        const qlw_ts_step *st = qlw_transcript_step(ts, i);

        settle(at);
        if (st->kind == QLW_TS_SEND_BYTES) {
            qlw_io_write(qlw_replay_io(rp), st->data, st->len);
            continue;
        }
        if (st->kind != QLW_TS_SEND)
            continue;
        if (qlw_at_send_raw(at, (const char *)st->data, REPLAY_TIMEOUT_MS, print_response, out) !=
            QLW_OK)
            break;
        while (qlw_at_busy(at))
            qlw_at_poll(at, REPLAY_TIMEOUT_MS);
        if (qlw_replay_status(rp) != QLW_OK)
            break;
    }
    drain(at, rp);
    if (qlw_replay_status(rp) != QLW_OK) {
        fprintf(stderr, "qlwm2m replay: %s\n", qlw_replay_error(rp));
        return TOOL_EXIT_IO;
    }
    return TOOL_EXIT_OK;
}

int tool_replay(const tool_opts *opts, int argc, char **argv)
{
    char err[256];
    qlw_transcript *ts = NULL;
    qlw_replay *rp = NULL;
    qlw_at *at = NULL;
    qlw_at_config cfg;
    replay_out o = {stdout, {{0}}, 0};
    int rc;

    if (argc != 1) {
        fputs("usage: qlwm2m replay FILE.at\n", stderr);
        return TOOL_EXIT_USAGE;
    }
    if (qlw_transcript_load(&ts, argv[0], err, sizeof(err)) != QLW_OK) {
        fprintf(stderr, "qlwm2m replay: %s\n", err);
        return TOOL_EXIT_USAGE;
    }
    qlw_neul_at_config(&cfg);
    rc = qlw_replay_open(&rp, ts, 0);
    if (rc == QLW_OK) {
        qlw_replay_set_read_size(rp, opts->read_size);
        rc = qlw_at_open(&at, &cfg, qlw_replay_io(rp));
    }
    if (rc == QLW_OK) {
        qlw_at_add_urc_handler(at, "", on_urc, &o);
        qlw_at_add_event_handler(at, on_event, &o);
        rc = play(ts, rp, at, stdout);
    } else {
        fprintf(stderr, "qlwm2m replay: %s\n", qlw_strerror(rc));
        rc = TOOL_EXIT_IO;
    }
    qlw_at_close(at);
    qlw_replay_close(rp);
    qlw_transcript_free(ts);
    return rc;
}
