/* Runs a session against a transcript replayed as the module, on a virtual clock. */
#ifndef QLW_TEST_SESSION_HARNESS_H
#define QLW_TEST_SESSION_HARNESS_H

#include <stdio.h>
#include <string.h>

#include "qlwm2m/session.h"
#include "qlwm2m/transcript.h"

typedef struct harness {
    qlw_transcript *ts;
    qlw_replay *rp;
    qlw_session *s;
    char log[8192]; /* states, reports and downlinks, in order */
    size_t log_len;
    unsigned reports;
} harness;

static inline void h_log(harness *h, const char *text)
{
    size_t n = strlen(text);

    if (h->log_len + n + 1 < sizeof(h->log)) {
        memcpy(h->log + h->log_len, text, n + 1);
        h->log_len += n;
    }
}

static inline void h_state(void *ctx, qlw_state from, qlw_state to, qlw_cause cause)
{
    char buf[96];

    (void)from;
    snprintf(buf, sizeof(buf), "[%s/%s]", qlw_state_str(to), qlw_cause_str(cause));
    h_log(ctx, buf);
}

static inline void h_uplink(void *ctx, const qlw_uplink_report *r)
{
    harness *h = ctx;
    char buf[96];

    h->reports++;
    snprintf(buf, sizeof(buf), "{ul %u %s%s %s %d seq=%d n=%u}", (unsigned)r->id,
             qlw_outcome_str(r->outcome), r->possible_duplicate ? " dup" : "",
             r->result == 0 ? "ok" : qlw_err_str(r->result), r->cme, r->seq, r->attempts);
    h_log(h, buf);
}

static inline void h_downlink(void *ctx, const uint8_t *data, size_t len)
{
    char buf[64] = "{dl ";

    for (size_t i = 0; i < len && i < 20; i++)
        snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%02X", data[i]);
    strcat(buf, "}");
    h_log(ctx, buf);
}

static inline void h_config(harness *h, qlw_session_config *cfg)
{
    qlw_session_config_default(cfg);
    cfg->on_state = h_state;
    cfg->on_uplink = h_uplink;
    cfg->on_downlink = h_downlink;
    cfg->ctx = h;
    cfg->backoff_min_ms = 1000;
    cfg->nmstatus_poll_ms = 0;
    cfg->dialect = QLW_DIALECT_NEUL; /* the transcripts start without the probes */
}

/* Opens the transcript QLW_TRANSCRIPT_DIR/name and a session on its replayer. */
static inline int h_open(harness *h, const char *name, const qlw_session_config *cfg,
                         size_t read_size)
{
    char path[512], err[256];
    int rc;

    memset(h, 0, sizeof(*h));
    snprintf(path, sizeof(path), "%s/%s", QLW_TRANSCRIPT_DIR, name);
    rc = qlw_transcript_load(&h->ts, path, err, sizeof(err));
    if (rc != QLW_OK) {
        fprintf(stderr, "%s\n", err);
        return rc;
    }
    rc = qlw_replay_open(&h->rp, h->ts, 0);
    if (rc != QLW_OK)
        return rc;
    qlw_replay_set_read_size(h->rp, read_size);
    return qlw_session_open(&h->s, cfg, qlw_replay_io(h->rp));
}

/* Drives the event loop until the transcript is played and nothing is due, or max_ms pass. */
static inline void h_run(harness *h, uint32_t max_ms)
{
    uint32_t start = qlw_io_now_ms(qlw_replay_io(h->rp));

    while (qlw_ms_diff(qlw_io_now_ms(qlw_replay_io(h->rp)), start) < (int32_t)max_ms) {
        if (qlw_replay_status(h->rp) != QLW_OK)
            break;
        if (qlw_replay_finished(h->rp) && !qlw_at_busy(qlw_session_at(h->s)) &&
            qlw_next_timeout_ms(h->s) != 0 && qlw_uplinks_pending(h->s) == 0)
            break;
        qlw_poll(h->s, 1000);
    }
}

static inline void h_close(harness *h)
{
    qlw_close(h->s);
    qlw_replay_close(h->rp);
    qlw_transcript_free(h->ts);
}

#endif
