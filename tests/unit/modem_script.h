/*
 * A scripted modem for unit tests: each command the host writes (up to CR)
 * is looked up and its canned answer is pushed into the in-memory transport.
 */
#ifndef QLW_TEST_MODEM_SCRIPT_H
#define QLW_TEST_MODEM_SCRIPT_H

#include <string.h>

#include "qlwm2m/io.h"

#define SCRIPT_MAX 16

typedef struct script_entry {
    const char *command; /* without CR */
    const char *answer;  /* bytes pushed when the command arrives (may be NULL) */
    uint32_t delay_ms;
} script_entry;

typedef struct modem_script {
    script_entry entries[SCRIPT_MAX];
    size_t count;
    char pending[2048];
    size_t pending_len;
    char sent[8][256]; /* last commands seen, for assertions */
    size_t sent_count;
} modem_script;

static inline void script_on(modem_script *s, const char *command, const char *answer,
                             uint32_t delay_ms)
{
    s->entries[s->count].command = command;
    s->entries[s->count].answer = answer;
    s->entries[s->count].delay_ms = delay_ms;
    s->count++;
}

static inline void script_answer(modem_script *s, qlw_io *io)
{
    s->pending[s->pending_len] = '\0';
    if (s->sent_count < 8)
        strcpy(s->sent[s->sent_count++], s->pending);
    for (size_t i = 0; i < s->count; i++) {
        if (strcmp(s->entries[i].command, s->pending) == 0 && s->entries[i].answer != NULL) {
            qlw_io_mem_push(io, s->entries[i].answer, strlen(s->entries[i].answer),
                            s->entries[i].delay_ms);
            break;
        }
    }
    s->pending_len = 0;
}

static inline void script_hook(void *ctx, qlw_io *io, const uint8_t *data, size_t len)
{
    modem_script *s = ctx;

    for (size_t i = 0; i < len; i++) {
        if (data[i] == '\r') {
            script_answer(s, io);
        } else if (data[i] != '\n' && s->pending_len + 1 < sizeof(s->pending)) {
            s->pending[s->pending_len++] = (char)data[i];
        }
    }
}

#endif
