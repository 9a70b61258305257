/*
 * qlw_open(): a session on a serial port it opens itself, and opens again by
 * the same path when the port is lost. The only file of the session that
 * needs the serial ports of lib/io.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/session_internal.h"

typedef struct path_src {
    qlw_session *s;
    qlw_serial_config serial;
    char path[]; /* as given to qlw_open() */
} path_src;

static int reopen_path(void *ctx, qlw_io *old_io, qlw_io **new_io)
{
    path_src *p = ctx;
    char err[160];
    int rc = qlw_io_open_serial(new_io, p->path, &p->serial, err, sizeof(err));

    if (rc != QLW_OK) {
        qlw_s_log(p->s, QLW_LOG_DEBUG, "%s", err);
        return rc;
    }
    /* The session switches to the new port as soon as this returns. */
    p->s->owned_io = *new_io;
    qlw_io_close(old_io);
    return QLW_OK;
}

int qlw_open(qlw_session **out, const char *port, const qlw_serial_config *serial,
             const qlw_session_config *cfg, char *errmsg, size_t errmsg_size)
{
    qlw_io *io;
    path_src *src;
    size_t len;
    int rc;

    if (out == NULL)
        return QLW_ERR_ARG;
    rc = qlw_io_open_serial(&io, port, serial, errmsg, errmsg_size);
    if (rc != QLW_OK)
        return rc;
    len = strlen(port);
    src = malloc(sizeof(*src) + len + 1);
    if (src == NULL) {
        qlw_io_close(io);
        return QLW_ERR_NOMEM;
    }
    if (serial != NULL)
        src->serial = *serial;
    else
        qlw_serial_config_default(&src->serial);
    memcpy(src->path, port, len + 1);
    rc = qlw_session_open(out, cfg, io);
    if (rc != QLW_OK) {
        if (errmsg != NULL && errmsg_size > 0)
            snprintf(errmsg, errmsg_size, "%s: %s", port, qlw_strerror(rc));
        qlw_io_close(io);
        free(src);
        return rc;
    }
    src->s = *out;
    (*out)->owned_io = io;
    (*out)->owned_ctx = src;
    (*out)->reopen = reopen_path;
    (*out)->reopen_ctx = src;
    return QLW_OK;
}
