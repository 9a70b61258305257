/*
 * A BC68 played on an in-memory transport for session tests: it answers the
 * session's commands, attaches, registers, is observed, acknowledges CON
 * uplinks and records every uplink it received (what its server saw).
 */
#ifndef QLW_TEST_MEM_MODEM_H
#define QLW_TEST_MEM_MODEM_H

#include <stdio.h>
#include <string.h>

#include "qlwm2m/io.h"

#define MEM_MODEM_UPLINKS 256

typedef struct mem_modem {
    char line[1280];
    size_t len;
    int attached;
    unsigned commands;
    unsigned setups; /* AT+CMEE=1 seen: the session set the module up */
    bool silent;     /* takes commands, answers nothing (a module about to vanish) */
    unsigned uplinks;
    char received[MEM_MODEM_UPLINKS][24]; /* hex of each uplink, in arrival order */
} mem_modem;

static inline void mem_modem_push(qlw_io *io, const char *text, uint32_t delay_ms)
{
    (void)qlw_io_mem_push(io, text, strlen(text), delay_ms);
}

/* "AT+QLWULDATAEX=2,0117,0x0100,5" or "AT+QLWULDATA=2,0117": keeps the hex. */
static inline void mem_modem_record(mem_modem *m, const char *cmd)
{
    const char *hex = strchr(cmd, ',');
    size_t n;

    if (hex == NULL || m->uplinks >= MEM_MODEM_UPLINKS)
        return;
    hex++;
    n = strcspn(hex, ",");
    if (n >= sizeof(m->received[0]))
        n = sizeof(m->received[0]) - 1;
    memcpy(m->received[m->uplinks], hex, n);
    m->received[m->uplinks][n] = '\0';
    m->uplinks++;
}

/* How many times the server got @p hex. */
static inline unsigned mem_modem_count(const mem_modem *m, const char *hex)
{
    unsigned n = 0;

    for (unsigned i = 0; i < m->uplinks; i++)
        n += strcmp(m->received[i], hex) == 0;
    return n;
}

static inline void mem_modem_answer(mem_modem *m, qlw_io *io, const char *cmd)
{
    char text[64];

    m->commands++;
    if (strncmp(cmd, "AT+QLWULDATA", 12) == 0)
        mem_modem_record(m, cmd);
    if (m->silent)
        return;
    if (strcmp(cmd, "AT+CMEE=1") == 0) {
        m->setups++;
        mem_modem_push(io, "\r\nOK\r\n", 2);
    } else if (strcmp(cmd, "AT+CEREG?") == 0) {
        mem_modem_push(
            io, m->attached ? "\r\n+CEREG:2,1\r\n\r\nOK\r\n" : "\r\n+CEREG:2,0\r\n\r\nOK\r\n", 2);
    } else if (strcmp(cmd, "AT+CFUN?") == 0) {
        mem_modem_push(io, "\r\n+CFUN:1\r\n\r\nOK\r\n", 2);
    } else if (strcmp(cmd, "AT+CSQ") == 0) {
        mem_modem_push(io, "\r\n+CSQ:20,99\r\n\r\nOK\r\n", 2);
    } else if (strcmp(cmd, "AT+CGATT=1") == 0) {
        m->attached = 1;
        mem_modem_push(io, "\r\nOK\r\n", 2);
        mem_modem_push(io, "\r\n+CEREG:1,213D,0318886E,9\r\n", 100);
    } else if (strcmp(cmd, "AT+QLWSREGIND=0") == 0) {
        mem_modem_push(io, "\r\nOK\r\n\r\n+QLWEVTIND:0\r\n", 2);
        mem_modem_push(io, "\r\n+QLWEVTIND:3\r\n", 100);
    } else if (strncmp(cmd, "AT+QLWULDATAEX=", 15) == 0) {
        const char *seq = strrchr(cmd, ',');

        mem_modem_push(io, "\r\nOK\r\n", 2);
        snprintf(text, sizeof(text), "\r\n+QLWULDATASTATUS:4,%s\r\n", seq != NULL ? seq + 1 : "0");
        mem_modem_push(io, text, 20);
    } else if (strncmp(cmd, "AT+QLWULDATA=", 13) == 0) {
        mem_modem_push(io, "\r\nOK\r\n", 2);
        mem_modem_push(io, "\r\n+NSMI:SENT\r\n", 10); /* AT+NSMI=1 is on */
    } else {
        mem_modem_push(io, "\r\nOK\r\n", 2);
    }
}

static inline void mem_modem_hook(void *ctx, qlw_io *io, const uint8_t *data, size_t len)
{
    mem_modem *m = ctx;

    for (size_t i = 0; i < len; i++) {
        if (data[i] == '\r') {
            m->line[m->len] = '\0';
            mem_modem_answer(m, io, m->line);
            m->len = 0;
        } else if (data[i] != '\n' && m->len + 1 < sizeof(m->line)) {
            m->line[m->len++] = (char)data[i];
        }
    }
}

/* A module that lost power with its port: its state is gone. */
static inline void mem_modem_power_cycle(mem_modem *m)
{
    m->attached = 0;
    m->silent = false;
    m->len = 0;
}

#endif
