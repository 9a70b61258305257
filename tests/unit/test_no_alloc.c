/*
 * Nothing is allocated after open: malloc, calloc and realloc are wrapped at
 * link time (-Wl,--wrap, see tests/CMakeLists.txt) and counted while an
 * engine runs commands and takes URCs, and while a session is set up,
 * attaches, registers, sends uplinks, takes downlinks and recovers from a
 * reboot, all over the in-memory transport with a scripted BC68.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#ifndef _WIN32 /* the multi handle waits with poll(): not on Windows */
#include "qlwm2m/multi.h"
#endif
#include "qlwm2m/neul.h"
#include "qlwm2m/session.h"

/* ------------------------------------------------------------ counting */

static size_t allocations;
static int counting;

#ifdef QLW_WRAP_MALLOC
void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *ptr, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t count, size_t size);
void *__wrap_realloc(void *ptr, size_t size);

void *__wrap_malloc(size_t size)
{
    allocations += (size_t)counting;
    return __real_malloc(size);
}

void *__wrap_calloc(size_t count, size_t size)
{
    allocations += (size_t)counting;
    return __real_calloc(count, size);
}

void *__wrap_realloc(void *ptr, size_t size)
{
    allocations += (size_t)counting;
    return __real_realloc(ptr, size);
}
#endif

static void count_from_here(void)
{
    allocations = 0;
    counting = 1;
}

static size_t counted(void)
{
    counting = 0;
    return allocations;
}

/* ------------------------------------------------------- a scripted BC68 */

typedef struct modem {
    char line[1280];
    size_t len;
    int attached;
    unsigned uplinks;
    unsigned commands;
} modem;

static void push(qlw_io *io, const char *text, uint32_t delay_ms)
{
    assert_int_equal(qlw_io_mem_push(io, text, strlen(text), delay_ms), QLW_OK);
}

/* "+NNMI:512,<1024 hex digits>": the largest downlink the family delivers. */
static void push_downlink(qlw_io *io, uint32_t delay_ms)
{
    static char text[1100];
    int n = snprintf(text, sizeof(text), "\r\n+NNMI:%d,", QLW_NEUL_PAYLOAD_MAX);

    for (int i = 0; i < QLW_NEUL_PAYLOAD_MAX; i++)
        n += snprintf(text + n, sizeof(text) - (size_t)n, "%02X", i & 0xFF);
    snprintf(text + n, sizeof(text) - (size_t)n, "\r\n");
    push(io, text, delay_ms);
}

/* A confirmable uplink: OK now, the server's acknowledgement a little later. */
static void answer_con(qlw_io *io, const char *cmd)
{
    char text[64];
    const char *seq = strrchr(cmd, ',');

    push(io, "\r\nOK\r\n", 5);
    snprintf(text, sizeof(text), "\r\n+QLWULDATASTATUS:4,%s\r\n", seq != NULL ? seq + 1 : "0");
    push(io, text, 50);
}

static void answer_uplink(modem *m, qlw_io *io, const char *cmd)
{
    m->uplinks++;
    if (strncmp(cmd, "AT+QLWULDATAEX=", 15) == 0)
        answer_con(io, cmd);
    else
        push(io, "\r\nOK\r\n\r\n+CSCON:1\r\n\r\n+NSMI:SENT\r\n", 5);
    if (m->uplinks % 3 == 0)
        push_downlink(io, 20);
}

static void answer(modem *m, qlw_io *io, const char *cmd)
{
    m->commands++;
    if (strcmp(cmd, "AT+CEREG?") == 0)
        push(io, m->attached ? "\r\n+CEREG:2,1\r\n\r\nOK\r\n" : "\r\n+CEREG:2,0\r\n\r\nOK\r\n", 5);
    else if (strcmp(cmd, "AT+CFUN?") == 0)
        push(io, "\r\n+CFUN:1\r\n\r\nOK\r\n", 5);
    else if (strcmp(cmd, "AT+CGMR") == 0)
        push(io,
             "\r\nSECURITY,V150R100C10B200\r\nPROTOCOL,V150R100C10B200\r\n"
             "APPLICATION,V150R100C10B200\r\n\r\nOK\r\n",
             5);
    else if (strcmp(cmd, "AT+NOANSWER") == 0)
        return;
    else if (strcmp(cmd, "AT+CGATT=1") == 0) {
        m->attached = 1;
        push(io, "\r\nOK\r\n", 5);
        push(io, "\r\n+CEREG:1,213D,0318886E,9\r\n", 300);
    } else if (strcmp(cmd, "AT+QLWSREGIND=0") == 0) {
        push(io, "\r\nOK\r\n\r\n+CSCON:1\r\n\r\n+QLWEVTIND:0\r\n", 5);
        push(io, "\r\n+QLWEVTIND:3\r\n", 200);
    } else if (strncmp(cmd, "AT+QLWULDATA", 12) == 0)
        answer_uplink(m, io, cmd);
    else
        push(io, "\r\nOK\r\n", 5);
}

static void hook(void *ctx, qlw_io *io, const uint8_t *data, size_t len)
{
    modem *m = ctx;

    for (size_t i = 0; i < len; i++) {
        if (data[i] == '\r') {
            m->line[m->len] = '\0';
            answer(m, io, m->line);
            m->len = 0;
        } else if (data[i] != '\n' && m->len + 1 < sizeof(m->line)) {
            m->line[m->len++] = (char)data[i];
        }
    }
}

/* The module restarts on its own: the watchdog banner, then the banner's OK. */
static void reboot(modem *m, qlw_io *io)
{
    m->attached = 0;
    push(io, "\r\n\x01\xfe\r\nREBOOT_CAUSE_APPLICATION_WATCHDOG\r\nNeul \r\nOK\r\n", 10);
}

/* -------------------------------------------------------------- engine */

typedef struct urcs {
    unsigned lines;
    unsigned events;
} urcs;

static void on_line(void *ctx, const qlw_at_line *line)
{
    (void)line;
    ((urcs *)ctx)->lines++;
}

static void on_event(void *ctx, qlw_at_event ev, uint32_t count)
{
    (void)ev;
    (void)count;
    ((urcs *)ctx)->events++;
}

/* Commands with and without response lines, URCs, noise, a reboot, a timeout. */
static void engine_workload(qlw_at *at, modem *m, qlw_io *io)
{
    static const char *const cmds[] = {"AT", "AT+CEREG?", "AT+CFUN?", "AT+CGMR", "ATE0"};
    const qlw_at_response *r;

    for (int round = 0; round < 50; round++) {
        for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
            assert_int_equal(qlw_at_exec_raw(at, cmds[i], 1000, &r), QLW_OK);
        push(io, "\r\n+CEREG:1,213D,0318886E,9\r\n\r\n+QLWEVTIND:3\r\n", 1);
        assert_int_equal(qlw_io_mem_push(io, "\xff\x00+CSCON:0\r\n", 13, 0), QLW_OK); /* noise */
        push_downlink(io, 1);
        for (int i = 0; i < 1200; i++)
            push(io, "Z", 0); /* a line longer than line_max: dropped and counted */
        push(io, "\r\n", 0);
        if (round % 10 == 0)
            reboot(m, io);
        while (qlw_io_mem_pending(io) > 0 || qlw_at_booting(at))
            assert_int_equal(qlw_at_poll(at, 100), QLW_OK);
    }
    assert_int_equal(qlw_at_exec_raw(at, "AT+NOANSWER", 500, &r), QLW_ERR_TIMEOUT);
    push(io, "\r\nOK\r\n", 10); /* late: stale */
    assert_int_equal(qlw_at_poll(at, 1000), QLW_OK);
}

static void engine_does_not_allocate(void **state)
{
    qlw_at_config cfg;
    qlw_io *io;
    qlw_at *at;
    modem m = {0};
    urcs u = {0, 0};
    qlw_at_stats st;

    (void)state;
    qlw_neul_at_config(&cfg);
    assert_int_equal(qlw_io_mem_open(&io, 16384, 0), QLW_OK);
    qlw_io_mem_set_write_hook(io, hook, &m);
    assert_int_equal(qlw_at_open(&at, &cfg, io), QLW_OK);
    assert_int_equal(qlw_at_add_urc_handler(at, "", on_line, &u), QLW_OK);
    assert_int_equal(qlw_at_add_event_handler(at, on_event, &u), QLW_OK);

    count_from_here();
    engine_workload(at, &m, io);
    assert_int_equal(counted(), 0);

    qlw_at_get_stats(at, &st);
    assert_true(st.commands >= 250);
    assert_true(st.lines_overflowed >= 50);
    assert_true(st.reboots >= 5);
    assert_int_equal(st.urcs_dropped, 0); /* the 512-byte downlinks fit the default queue */
    assert_true(u.lines >= 4 * 50 && u.events > 0);
    qlw_at_close(at);
    qlw_io_close(io);
}

/* ------------------------------------------------------------- session */

typedef struct app {
    unsigned reports;
    unsigned failed;
    size_t downlink_bytes;
    unsigned downlinks;
} app;

static void on_uplink(void *ctx, const qlw_uplink_report *rep)
{
    app *a = ctx;

    a->reports++;
    a->failed += rep->result != QLW_OK;
}

static void on_downlink(void *ctx, const uint8_t *data, size_t len)
{
    app *a = ctx;

    (void)data;
    a->downlinks++;
    a->downlink_bytes += len;
}

static void send_uplinks(qlw_session *s, unsigned count)
{
    static const uint8_t payload[] = {0x01, 0x17, 0x2A, 0x00, 0xFF};
    qlw_uplink_report rep;

    for (unsigned i = 0; i < count; i++) {
        qlw_uplink_mode mode = i % 2 ? QLW_UPLINK_CON : QLW_UPLINK_NON;

        assert_int_equal(qlw_send_uplink(s, payload, sizeof(payload), mode, 60000, &rep), QLW_OK);
    }
}

static void session_does_not_allocate(void **state)
{
    qlw_session_config cfg;
    qlw_session *s;
    qlw_io *io;
    modem m = {0};
    app a = {0, 0, 0, 0};

    (void)state;
    assert_int_equal(qlw_io_mem_open(&io, 16384, 0), QLW_OK);
    qlw_io_mem_set_write_hook(io, hook, &m);
    qlw_session_config_default(&cfg);
    cfg.on_uplink = on_uplink;
    cfg.on_downlink = on_downlink;
    cfg.ctx = &a;
    assert_int_equal(qlw_session_open(&s, &cfg, io), QLW_OK);

    count_from_here();
    assert_int_equal(qlw_register(s, 60000), QLW_OK);
    send_uplinks(s, 30);
    reboot(&m, io);
    assert_int_equal(qlw_poll(s, 100), QLW_OK);
    assert_int_equal(qlw_wait_ready(s, 60000), QLW_OK);
    send_uplinks(s, 30);
    assert_int_equal(counted(), 0);

    assert_int_equal(a.reports, 60);
    assert_int_equal(a.failed, 0);
    assert_true(a.downlinks >= 15);
    assert_int_equal(a.downlink_bytes, (size_t)a.downlinks * QLW_NEUL_PAYLOAD_MAX);
    qlw_close(s);
    qlw_io_close(io);
}

/* A lost port and its reopening allocate nothing in the library: the
 * application's callback hands over a transport it opened beforehand. */
typedef struct spare {
    qlw_io *io;
    qlw_io *old;
    modem *m;
} spare;

static int give_spare(void *ctx, qlw_io *old_io, qlw_io **new_io)
{
    spare *sp = ctx;

    if (sp->io == NULL)
        return QLW_ERR_PORT_NOT_FOUND;
    qlw_io_mem_advance(sp->io, qlw_io_now_ms(old_io) - qlw_io_now_ms(sp->io)); /* same time */
    *new_io = sp->io;
    sp->old = old_io;
    sp->io = NULL;
    return QLW_OK;
}

static void lost_port_does_not_allocate(void **state)
{
    qlw_session_config cfg;
    qlw_session_stats st;
    qlw_session *s;
    qlw_io *io;
    modem m = {0};
    spare sp = {NULL, NULL, &m};
#ifndef _WIN32
    qlw_multi *multi;
#endif
    qlw_io *second;

    (void)state;
    assert_int_equal(qlw_io_mem_open(&io, 16384, 0), QLW_OK);
    assert_int_equal(qlw_io_mem_open(&sp.io, 16384, 0), QLW_OK);
    second = sp.io;
    qlw_io_mem_set_write_hook(io, hook, &m);
    qlw_io_mem_set_write_hook(sp.io, hook, &m);
    qlw_session_config_default(&cfg);
    cfg.reopen = give_spare;
    cfg.ctx = &sp;
    cfg.signal_poll_ms = 1000;
    assert_int_equal(qlw_session_open(&s, &cfg, io), QLW_OK);
#ifndef _WIN32
    assert_int_equal(qlw_multi_open(&multi, 4, QLW_MULTI_AUTO), QLW_OK);
    assert_int_equal(qlw_multi_add(multi, s), QLW_OK);
#endif

    count_from_here();
    assert_int_equal(qlw_register(s, 60000), QLW_OK);
    send_uplinks(s, 4);
    qlw_io_mem_fail_after(io, 0, QLW_ERR_PORT_GONE);
    m.attached = 0;
    /* The event loop sees the loss (the session is idle: a read fails) and,
     * 500 ms later, takes the spare port. */
    for (int i = 0; i < 50 && qlw_get_stats(s, &st) == QLW_OK && st.port_reopens == 0; i++) {
#ifndef _WIN32
        assert_true(qlw_multi_process(multi) >= 0);
#else
        (void)qlw_process(s); /* reports the loss once, then reopens */
#endif
        qlw_io_mem_advance(qlw_at_io(qlw_session_at(s)), 100);
    }
    assert_int_equal(qlw_wait_ready(s, 60000), QLW_OK);
    send_uplinks(s, 4);
    assert_int_equal(qlw_get_stats(s, &st), QLW_OK);
    assert_int_equal(counted(), 0);

    assert_int_equal(st.port_reopens, 1);
    assert_int_equal(st.delivered + st.sent, 8);
#ifndef _WIN32
    qlw_multi_close(multi);
#endif
    qlw_close(s);
    qlw_io_close(io);
    qlw_io_close(second);
}

/* The wrappers really are in place: open allocates, and it is seen. */
static void counting_works(void **state)
{
    qlw_io *io;

    (void)state;
#ifndef QLW_WRAP_MALLOC
    skip();
#endif
    count_from_here();
    assert_int_equal(qlw_io_mem_open(&io, 64, 0), QLW_OK);
    assert_true(counted() > 0);
    qlw_io_close(io);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counting_works),
        cmocka_unit_test(engine_does_not_allocate),
        cmocka_unit_test(session_does_not_allocate),
        cmocka_unit_test(lost_port_does_not_allocate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
