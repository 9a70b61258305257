/*
 * The transport dispatch: no operating system needed. This file and
 * io_mem.c are all of lib/io that a QLWM2M_NO_OS build compiles.
 */
#include "io/io_internal.h"
#include "qlw_text.h"

#include <stdlib.h>
#include <string.h>

static bool ops_complete(const qlw_io_ops *ops)
{
    return ops->read != NULL && ops->write != NULL && ops->wait != NULL && ops->fd != NULL &&
           ops->close != NULL;
}

int qlw_io_init(qlw_io *io, const qlw_io_ops *ops, void *ctx, const char *name,
                const qlw_clock *clock)
{
    if (io == NULL || ops == NULL || !ops_complete(ops) ||
        (clock != NULL && clock->now_ms == NULL)) {
        return QLW_ERR_ARG;
    }
#ifdef QLW_HAVE_SYSTEM_CLOCK
    qlw_clock chosen = clock != NULL ? *clock : qlw_clock_system();
#else
    /* Without an OS there is no clock to fall back on: the port must give one. */
    if (clock == NULL) {
        return QLW_ERR_ARG;
    }
    qlw_clock chosen = *clock;
#endif
    memset(io, 0, sizeof *io);
    io->ops = ops;
    io->ctx = ctx;
    io->clock = chosen;
    if (name != NULL) {
        size_t len = strnlen(name, sizeof io->name - 1);
        memcpy(io->name, name, len);
    }
    return QLW_OK;
}

int qlw_io_create(qlw_io **io, const qlw_io_ops *ops, void *ctx, const char *name,
                  const qlw_clock *clock)
{
    if (io == NULL) {
        return QLW_ERR_ARG;
    }
    *io = NULL;
    qlw_io probe;
    int err = qlw_io_init(&probe, ops, ctx, name, clock);
    if (err != QLW_OK) {
        return err;
    }
    qlw_io *t = malloc(sizeof *t);
    if (t == NULL) {
        return QLW_ERR_NOMEM;
    }
    *t = probe;
    t->allocated = true;
    *io = t;
    return QLW_OK;
}

void qlw_io_close(qlw_io *io)
{
    if (io == NULL || io->ops == NULL) {
        return;
    }
    io->ops->close(io->ctx);
    if (io->allocated) {
        free(io);
    } else {
        /* Caller memory: leave it, but make a second close harmless. */
        io->ops = NULL;
    }
}

int qlw_io_read(qlw_io *io, uint8_t *buf, size_t size)
{
    if (io == NULL || (buf == NULL && size > 0)) {
        return QLW_ERR_ARG;
    }
    if (io->ops == NULL) {
        return QLW_ERR_STATE; /* closed (caller memory) */
    }
    return io->ops->read(io->ctx, buf, size);
}

int qlw_io_write(qlw_io *io, const uint8_t *buf, size_t size)
{
    if (io == NULL || (buf == NULL && size > 0)) {
        return QLW_ERR_ARG;
    }
    if (io->ops == NULL) {
        return QLW_ERR_STATE;
    }
    return io->ops->write(io->ctx, buf, size);
}

int qlw_io_wait(qlw_io *io, uint32_t timeout_ms)
{
    if (io == NULL) {
        return QLW_ERR_ARG;
    }
    if (io->ops == NULL) {
        return QLW_ERR_STATE;
    }
    return io->ops->wait(io->ctx, timeout_ms);
}

int qlw_io_fd(qlw_io *io)
{
    if (io == NULL || io->ops == NULL) {
        return -1;
    }
    return io->ops->fd(io->ctx);
}

uint32_t qlw_io_now_ms(const qlw_io *io)
{
    if (io == NULL) {
        return 0;
    }
    return io->clock.now_ms(io->clock.ctx);
}

const char *qlw_flow_str(qlw_flow flow)
{
    QLW_NAME_NONE(flow);
    static const char *const names[] = {"none", "rtscts", "xonxoff"};

    return (unsigned)flow < sizeof(names) / sizeof(names[0]) ? names[flow] : "unknown";
}

const char *qlw_io_backend_str(qlw_io_backend backend)
{
    QLW_NAME_NONE(backend);
    static const char *const names[] = {"auto", "posix", "libserialport", "win32"};

    return (unsigned)backend < sizeof(names) / sizeof(names[0]) ? names[backend] : "unknown";
}
