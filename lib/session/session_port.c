/*
 * A lost port (see "A lost port" in session.h): the session keeps its queue
 * and goals, gets a transport again with a back-off, and sets the module up
 * from the start once it has one.
 */
#include <stdio.h>

#include "session/session_internal.h"

void qlw_s_port_init(qlw_session *s)
{
    s->reopen = s->cfg.reopen;
    s->reopen_ctx = s->cfg.ctx;
    s->reopen_delay_ms = s->cfg.reopen_min_ms;
}

bool qlw_s_port_reopenable(const qlw_session *s)
{
    return s->reopen != NULL;
}

void qlw_s_port_failed(qlw_session *s, int err)
{
    if (s->port_lost)
        return; /* every later failure of a lost port is the same loss */
    s->port_lost = true;
    s->port_lost_now = true;
    s->port_err = err < 0 ? err : QLW_ERR_IO;
    s->reopen_tries = 0;
    s->reopen_at_ms = qlw_s_now(s) + s->reopen_delay_ms;
    s->stats.port_losses++;
    s->ready_timing = true;
    s->ready_from_ms = qlw_s_now(s);
    /* qlw_errmsg() must name this failure, not an older one. */
    s->last_err = s->port_err;
    s->last_cme = -1;
#ifndef QLW_NO_TEXT
    snprintf(s->errmsg, sizeof(s->errmsg), "%s: %s", qlw_io_name_of(s), qlw_strerror(s->port_err));
#else
    s->errmsg[0] = '\0';
#endif
    qlw_s_notice(s, QLW_NOTICE_PORT_LOST, s->port_err, qlw_io_name_of(s));
    qlw_s_module_reset(s, QLW_CAUSE_PORT_LOST);
}

static void port_back(qlw_session *s)
{
    s->port_lost = false;
    s->stats.port_reopens++;
    qlw_s_notice(s, QLW_NOTICE_PORT_BACK, (int)s->reopen_tries, qlw_io_name_of(s));
    /* The module may have been power-cycled while the port was away: its
     * settings, registration and the uplink it had are gone or unknown. */
    s->need_setup = true;
}

void qlw_s_port_tick(qlw_session *s)
{
    qlw_io *old_io = qlw_at_io(s->at);
    qlw_io *new_io = NULL;
    int rc;

    if (!s->port_lost || !qlw_ms_reached(qlw_s_now(s), s->reopen_at_ms))
        return;
    s->reopen_tries++;
    if (s->reopen == NULL) {
        /* Nothing else to try: the same transport again; it may work now. */
        port_back(s);
        return;
    }
    rc = s->reopen(s->reopen_ctx, old_io, &new_io);
    if (rc == QLW_OK && new_io != NULL) {
        /* Switch before anything reads the clock: the old one may be closed. */
        qlw_at_set_io(s->at, new_io);
        port_back(s);
        return;
    }
    s->reopen_delay_ms = s->reopen_delay_ms * 2 > s->cfg.reopen_max_ms ? s->cfg.reopen_max_ms
                                                                       : s->reopen_delay_ms * 2;
    s->reopen_at_ms = qlw_s_now(s) + s->reopen_delay_ms;
    qlw_s_log(s, QLW_LOG_DEBUG, "port still lost (%s); next attempt in %lu ms",
              qlw_strerror(rc != QLW_OK ? rc : QLW_ERR_IO), (unsigned long)s->reopen_delay_ms);
}

int32_t qlw_s_port_next_ms(qlw_session *s)
{
    int32_t t = qlw_ms_diff(s->reopen_at_ms, qlw_s_now(s));

    return t < 0 ? 0 : t;
}

int qlw_s_port_wait(qlw_session *s, uint32_t max_ms)
{
    qlw_io *io = qlw_at_io(s->at);
    uint32_t ms = (uint32_t)qlw_s_port_next_ms(s);
    int rc;

    if (!qlw_s_port_reopenable(s))
        return s->port_err; /* a blocking call cannot wait for what will not come */
    if (ms > max_ms)
        ms = max_ms;
    if (ms == 0)
        return QLW_OK;
    if (qlw_clock_is_system(&io->clock)) {
        qlw_clock_sleep_ms(ms);
        return QLW_OK;
    }
    /* The application's own clock: only its transport knows how to let it move. */
    rc = qlw_io_wait(io, ms);
    return rc < 0 ? rc : QLW_OK;
}
