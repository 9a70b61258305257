#include "io/io_internal.h"

#include <limits.h>
#include <stdlib.h>

/*
 * Input is a ring of bytes, each with the virtual time it becomes readable.
 * A time per byte (rather than per chunk) keeps the bookkeeping within the
 * capacity fixed at open, whatever the number and size of the pushes.
 */
typedef struct mem_port {
    qlw_io *self; /* handed to the write hook so it can push a reply */
    size_t capacity;
    uint32_t now_ms;

    uint8_t *in;
    size_t in_head;
    size_t in_count;
    uint32_t last_due_ms; /* due time of the newest pending byte */

    uint8_t *tx;
    size_t tx_head;
    size_t tx_count;

    size_t read_max; /* 0: no limit */
    bool fail_armed;
    size_t fail_left; /* bytes that may still be read before failing */
    int fail_err;

    qlw_io_mem_write_hook hook;
    void *hook_ctx;

    uint32_t due_ms[]; /* capacity entries, parallel to in[] */
} mem_port;

static bool mem_failed(const mem_port *port)
{
    return port->fail_armed && port->fail_left == 0;
}

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* ------------------------------------------------------------- operations */

static size_t read_limit(const mem_port *port, size_t size)
{
    size_t limit = min_size(size, INT_MAX);
    if (port->read_max > 0) {
        limit = min_size(limit, port->read_max);
    }
    if (port->fail_armed) {
        limit = min_size(limit, port->fail_left);
    }
    return min_size(limit, port->in_count);
}

static int mem_read(void *ctx, uint8_t *buf, size_t size)
{
    mem_port *port = ctx;
    if (mem_failed(port)) {
        return port->fail_err;
    }
    size_t limit = read_limit(port, size);
    size_t n = 0;
    while (n < limit) {
        size_t idx = (port->in_head + n) % port->capacity;
        if (!qlw_ms_reached(port->now_ms, port->due_ms[idx])) {
            break;
        }
        buf[n++] = port->in[idx];
    }
    port->in_head = (port->in_head + n) % port->capacity;
    port->in_count -= n;
    if (port->fail_armed) {
        port->fail_left -= n;
    }
    return (int)n;
}

static int mem_write(void *ctx, const uint8_t *buf, size_t size)
{
    mem_port *port = ctx;
    if (mem_failed(port)) {
        return port->fail_err;
    }
    size_t n = min_size(size, INT_MAX);
    if (port->hook != NULL) {
        if (n > 0) {
            port->hook(port->hook_ctx, port->self, buf, n);
        }
        return (int)n;
    }
    size_t room = port->capacity - port->tx_count;
    if (n > 0 && room == 0) {
        return QLW_ERR_NOMEM;
    }
    n = min_size(n, room);
    for (size_t i = 0; i < n; i++) {
        port->tx[(port->tx_head + port->tx_count + i) % port->capacity] = buf[i];
    }
    port->tx_count += n;
    return (int)n;
}

static int mem_wait(void *ctx, uint32_t timeout_ms)
{
    mem_port *port = ctx;
    if (mem_failed(port)) {
        return port->fail_err;
    }
    if (port->in_count > 0) {
        uint32_t next_ms = port->due_ms[port->in_head];
        int32_t until_ms = qlw_ms_diff(next_ms, port->now_ms);
        if (until_ms <= 0) {
            return 1;
        }
        if ((uint32_t)until_ms <= timeout_ms) {
            port->now_ms = next_ms;
            return 1;
        }
    }
    port->now_ms += timeout_ms;
    return 0;
}

static int mem_fd(void *ctx)
{
    (void)ctx;
    return -1;
}

static void mem_close(void *ctx)
{
    free(ctx);
}

static const qlw_io_ops mem_ops = {
    .read = mem_read,
    .write = mem_write,
    .wait = mem_wait,
    .fd = mem_fd,
    .close = mem_close,
};

static uint32_t mem_now_ms(void *ctx)
{
    const mem_port *port = ctx;
    return port->now_ms;
}

/* The mem_* calls accept any transport but act only on in-memory ones. */
static mem_port *mem_of(const qlw_io *io)
{
    return io != NULL && io->ops == &mem_ops ? io->ctx : NULL;
}

/* ------------------------------------------------------------------ public */

int qlw_io_mem_open(qlw_io **io, size_t capacity, uint32_t start_ms)
{
    if (io == NULL) {
        return QLW_ERR_ARG;
    }
    *io = NULL;
    if (capacity == 0) {
        return QLW_ERR_ARG;
    }
    /* Per byte of capacity: its due time, an input byte and an output byte. */
    size_t per_byte = sizeof(uint32_t) + 2;
    if (capacity > (SIZE_MAX - sizeof(mem_port)) / per_byte) {
        return QLW_ERR_NOMEM;
    }
    mem_port *port = calloc(1, sizeof(mem_port) + capacity * per_byte);
    if (port == NULL) {
        return QLW_ERR_NOMEM;
    }
    port->capacity = capacity;
    port->now_ms = start_ms;
    port->in = (uint8_t *)&port->due_ms[capacity];
    port->tx = port->in + capacity;
    qlw_clock clock = {mem_now_ms, port};
    int err = qlw_io_create(io, &mem_ops, port, "mem", &clock);
    if (err != QLW_OK) {
        free(port);
        return err;
    }
    port->self = *io;
    return QLW_OK;
}

int qlw_io_mem_push(qlw_io *io, const void *data, size_t len, uint32_t delay_ms)
{
    mem_port *port = mem_of(io);
    if (port == NULL || (data == NULL && len > 0)) {
        return QLW_ERR_ARG;
    }
    if (len > port->capacity - port->in_count) {
        return QLW_ERR_NOMEM;
    }
    if (len == 0) {
        return QLW_OK;
    }
    uint32_t base_ms = port->now_ms;
    if (port->in_count > 0 && qlw_ms_diff(port->last_due_ms, base_ms) > 0) {
        base_ms = port->last_due_ms;
    }
    uint32_t due_ms = base_ms + delay_ms;
    const uint8_t *bytes = data;
    for (size_t i = 0; i < len; i++) {
        size_t idx = (port->in_head + port->in_count + i) % port->capacity;
        port->in[idx] = bytes[i];
        port->due_ms[idx] = due_ms;
    }
    port->in_count += len;
    port->last_due_ms = due_ms;
    return QLW_OK;
}

void qlw_io_mem_set_read_size(qlw_io *io, size_t max_bytes)
{
    mem_port *port = mem_of(io);
    if (port != NULL) {
        port->read_max = max_bytes;
    }
}

void qlw_io_mem_fail_after(qlw_io *io, size_t after_bytes, int err)
{
    mem_port *port = mem_of(io);
    if (port == NULL) {
        return;
    }
    /* Only a negative code can be returned as a failure; anything else disarms. */
    port->fail_armed = err < 0;
    port->fail_left = after_bytes;
    port->fail_err = err;
}

void qlw_io_mem_set_write_hook(qlw_io *io, qlw_io_mem_write_hook hook, void *ctx)
{
    mem_port *port = mem_of(io);
    if (port != NULL) {
        port->hook = hook;
        port->hook_ctx = hook != NULL ? ctx : NULL;
    }
}

size_t qlw_io_mem_take_tx(qlw_io *io, uint8_t *buf, size_t size)
{
    mem_port *port = mem_of(io);
    if (port == NULL || buf == NULL) {
        return 0;
    }
    size_t n = min_size(size, port->tx_count);
    for (size_t i = 0; i < n; i++) {
        buf[i] = port->tx[(port->tx_head + i) % port->capacity];
    }
    port->tx_head = (port->tx_head + n) % port->capacity;
    port->tx_count -= n;
    return n;
}

size_t qlw_io_mem_pending(const qlw_io *io)
{
    const mem_port *port = mem_of(io);
    return port != NULL ? port->in_count : 0;
}

void qlw_io_mem_advance(qlw_io *io, uint32_t ms)
{
    mem_port *port = mem_of(io);
    if (port != NULL) {
        port->now_ms += ms;
    }
}
