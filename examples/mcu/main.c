/*
 * mcu: the bare-metal main loop. One BC68 on a UART, no OS, no heap: the
 * transport, the session and its buffers all live in static memory, and the
 * loop sleeps until the UART or the tick wakes it.
 *
 * What a port provides (docs/porting.md): the five transport operations over
 * the UART (below), a millisecond clock (board_ms), and the session's memory.
 */
#include <qlwm2m/qlwm2m.h>

#include "board.h"

/*
 * The session's memory. qlw_session_mem_size() says how much a configuration
 * needs; this is checked at start, and a 32-bit target with the sizes below
 * needs less (scripts/bench.sh prints the figure).
 */
#define SESSION_MEM_BYTES 7168u
static uint32_t session_mem[SESSION_MEM_BYTES / sizeof(uint32_t)];

static qlw_io uart_io;
static qlw_session *session;
static uint32_t readings_sent;

/* ------------------------------------------------------- the transport */

static int uart_read(void *ctx, uint8_t *buf, size_t size)
{
    (void)ctx;
    return (int)board_uart_read(buf, size);
}

static int uart_write(void *ctx, const uint8_t *buf, size_t size)
{
    (void)ctx;
    return (int)board_uart_write(buf, size);
}

/* Only the blocking calls wait; this loop never makes one, so a bounded spin is enough. */
static int uart_wait(void *ctx, uint32_t timeout_ms)
{
    (void)ctx;
    uint32_t start_ms = board_ms();
    do {
        board_idle();
    } while (board_ms() - start_ms < timeout_ms);
    return 0;
}

static int uart_fd(void *ctx)
{
    (void)ctx;
    return -1; /* nothing to poll without an OS */
}

static void uart_close(void *ctx)
{
    (void)ctx;
}

static const qlw_io_ops uart_ops = {
    .read = uart_read,
    .write = uart_write,
    .wait = uart_wait,
    .fd = uart_fd,
    .close = uart_close,
};

static uint32_t clock_ms(void *ctx)
{
    (void)ctx;
    return board_ms();
}

/* ------------------------------------------------------- the application */

static void on_uplink(void *ctx, const qlw_uplink_report *report)
{
    (void)ctx;
    if (report->result == QLW_OK) {
        readings_sent++;
    }
}

static int start(void)
{
    const qlw_clock clock = {clock_ms, NULL};
    int rc = qlw_io_init(&uart_io, &uart_ops, NULL, "uart1", &clock);
    if (rc != QLW_OK) {
        return rc;
    }
    qlw_session_config cfg;
    qlw_session_config_default(&cfg);
    cfg.dialect = QLW_DIALECT_NEUL; /* a BC68: no probing, and no LTE dialect linked */
    cfg.uplink_queue_len = 4;
    cfg.uplink_queue_bytes = 128;
    cfg.on_uplink = on_uplink;
    if (qlw_session_mem_size(&cfg) > sizeof session_mem) {
        return QLW_ERR_NOMEM;
    }
    rc = qlw_session_init(&session, session_mem, sizeof session_mem, &cfg, &uart_io);
    if (rc != QLW_OK) {
        return rc;
    }
    rc = qlw_request_cdp(session, "192.0.2.10", 5683);
    if (rc == QLW_OK) {
        rc = qlw_request_register(session);
    }
    return rc;
}

int main(void)
{
    board_init();
    if (start() != QLW_OK) {
        for (;;) {
            board_idle(); /* a real product would blink an LED or reset */
        }
    }
    uint32_t next_reading_ms = board_ms();
    for (;;) {
        /* Reads what the UART has, runs timers, sends what is due; never blocks. */
        (void)qlw_process(session);
        if (qlw_ms_reached(board_ms(), next_reading_ms)) {
            uint8_t reading[2] = {0x01, (uint8_t)readings_sent};
            /* Queued until the server observes /19/0/0; a full queue just skips one. */
            (void)qlw_queue_uplink(session, reading, sizeof reading, QLW_UPLINK_NON, NULL);
            next_reading_ms = board_ms() + 60000u;
        }
        /* Sleep until the UART or the tick wakes us; the tick bounds every timer. */
        board_idle();
    }
}
