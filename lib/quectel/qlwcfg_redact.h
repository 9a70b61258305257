/*
 * Keeping a secret (the PSK key) out of traces and logs while one command
 * carries it: the engine's trace hook is swapped for a filter that replaces
 * the secret with "***" in both directions (the command, and its echo), and
 * the command text kept for qlw_at_last_response() is scrubbed afterwards.
 *
 * The state lives in caller memory, so an event-loop user (the session) can
 * keep it across qlw_at_process() calls: begin before sending, end once the
 * command has completed.
 */
#ifndef QLW_QUECTEL_QLWCFG_REDACT_H
#define QLW_QUECTEL_QLWCFG_REDACT_H

#include "qlwm2m/at.h"

/* Longest secret: 64 key bytes as hex. */
#define QLW_REDACT_SECRET_MAX 128

typedef struct qlw_redact_dir {
    uint8_t held[QLW_REDACT_SECRET_MAX]; /* bytes that so far match the secret's start */
    size_t count;
    uint32_t time_ms;
} qlw_redact_dir;

typedef struct qlw_redact {
    qlw_at *at;
    qlw_trace_fn inner;
    void *inner_ctx;
    char secret[QLW_REDACT_SECRET_MAX + 1];
    size_t secret_len;
    qlw_redact_dir dir[2]; /* indexed by qlw_trace_dir */
    bool active;
} qlw_redact;

/*
 * Starts filtering the trace of at for secret (compared without regard to
 * case). Does nothing but remember at when secret is NULL, empty or longer
 * than QLW_REDACT_SECRET_MAX; the trace is only swapped when one is set.
 */
void qlw_redact_begin(qlw_redact *r, qlw_at *at, const char *secret);

/*
 * Writes out what the filter still holds (a held run that could be part of
 * the secret comes out as "***"), puts the original trace hook back, and
 * replaces the secret in the last response's command text with "***".
 */
void qlw_redact_end(qlw_redact *r);

#endif
