#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/session_internal.h"

/* ------------------------------------------------------------- config */

void qlw_session_config_default(qlw_session_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    qlw_quectel_at_config(&cfg->at);
    cfg->dialect = QLW_DIALECT_AUTO;
    qlw_neul_setup_opts_default(&cfg->setup);
    cfg->uplink_queue_len = 8;
    cfg->uplink_queue_bytes = 512;
    cfg->max_resends = 2;
    cfg->delivery = QLW_DELIVERY_AT_LEAST_ONCE;
    cfg->sent_timeout_ms = 60000;
    cfg->con_ack_timeout_ms = 90000;
    cfg->register_timeout_ms = 300000;
    cfg->attach_poll_ms = 5000;
    cfg->nmstatus_poll_ms = 30000;
    cfg->backoff_min_ms = 2000;
    cfg->backoff_max_ms = 300000;
    cfg->log_level = QLW_LOG_INFO;
    cfg->reopen_min_ms = 500;
    cfg->reopen_max_ms = 30000;
}

static size_t align_up(size_t n)
{
    return (n + sizeof(void *) - 1) & ~(sizeof(void *) - 1);
}

/* A function, so that 32-bit targets, where size_t always fits, compile it
 * without an always-true comparison. */
static bool fits_u32(uint64_t v)
{
    return v <= UINT32_MAX;
}

static bool config_valid(const qlw_session_config *cfg)
{
    /* An uplink record keeps 32-bit payload offsets (ulq.h). */
    return cfg->uplink_queue_len >= 1 && cfg->uplink_queue_bytes >= 1 &&
           fits_u32(cfg->uplink_queue_bytes) && fits_u32((uint64_t)cfg->uplink_queue_len * 64) &&
           cfg->backoff_min_ms >= 1 && cfg->backoff_max_ms >= cfg->backoff_min_ms &&
           cfg->reopen_min_ms >= 1 && cfg->reopen_max_ms >= cfg->reopen_min_ms &&
           (unsigned)cfg->log_level <= QLW_LOG_DEBUG &&
           cfg->at.cmd_max >= 2 * QLW_NEUL_PAYLOAD_MAX + 40 && qlw_at_mem_size(&cfg->at) > 0;
}

size_t qlw_session_mem_size(const qlw_session_config *cfg)
{
    if (cfg == NULL || !config_valid(cfg))
        return 0;
    return align_up(sizeof(qlw_session)) + align_up(qlw_at_mem_size(&cfg->at)) +
           align_up(cfg->uplink_queue_len * sizeof(qlw_ul)) + align_up(cfg->uplink_queue_bytes);
}

int qlw_session_init(qlw_session **out, void *mem, size_t mem_size, const qlw_session_config *cfg,
                     qlw_io *io)
{
    uint8_t *p = mem;
    qlw_session *s;
    size_t at_size, need;
    int rc;

    if (out == NULL || mem == NULL || cfg == NULL || io == NULL)
        return QLW_ERR_ARG;
    need = qlw_session_mem_size(cfg); /* 0: the configuration is not valid */
    if (need == 0)
        return QLW_ERR_ARG;
    if (mem_size < need)
        return QLW_ERR_NOMEM;
#ifndef QLW_HAVE_DIALECT_MTK
    if (cfg->dialect == QLW_DIALECT_MTK_A || cfg->dialect == QLW_DIALECT_QLWCONFIG_B)
        return QLW_ERR_UNSUPPORTED; /* QLWM2M_DIALECT_MTK=OFF */
#endif
#ifndef QLW_HAVE_DIALECT_QLWCFG
    if (cfg->dialect == QLW_DIALECT_QLWCFG_C || cfg->dialect == QLW_DIALECT_QLWSVC_D)
        return QLW_ERR_UNSUPPORTED; /* QLWM2M_DIALECT_QLWCFG=OFF */
#endif
    memset(mem, 0, need);
    s = (qlw_session *)mem;
    s->cfg = *cfg;
    p += align_up(sizeof(*s));
    at_size = align_up(qlw_at_mem_size(&cfg->at));
    rc = qlw_at_init(&s->at, p, at_size, &cfg->at, io);
    if (rc != QLW_OK)
        return rc;
    p += at_size;
    qlw_ulq_init(&s->ulq, (qlw_ul *)(void *)p, cfg->uplink_queue_len,
                 p + align_up(cfg->uplink_queue_len * sizeof(qlw_ul)), cfg->uplink_queue_bytes);
    s->state = QLW_STATE_STARTING;
    s->dialect = cfg->dialect;
    s->need_setup = true;
    s->last_cme = -1;
    s->next_id = 1;
    s->next_seq = 1;
    s->cid = 1;
    s->backoff_ms = cfg->backoff_min_ms;
    s->cfg.name = NULL; /* the caller's string need not outlive the call: s->name has it */
    qlw_s_port_init(s);
    qlw_s_obs_init(s);
    {
        const char *name = cfg->name != NULL ? cfg->name : io->name;
        size_t len = strnlen(name, sizeof(s->name) - 1);

        memcpy(s->name, name, len); /* truncated: a log name, not a key */
        s->name[len] = '\0';
    }
    rc = qlw_s_store_load(s); /* what a store holds is queued again, ids go on */
    if (rc != QLW_OK)
        return rc;
    rc = qlw_s_install_handlers(s);
    if (rc != QLW_OK)
        return rc;
    *out = s;
    return QLW_OK;
}

int qlw_session_open(qlw_session **out, const qlw_session_config *cfg, qlw_io *io)
{
    qlw_session_config def;
    size_t size;
    void *mem;
    int rc;

    if (cfg == NULL) {
        qlw_session_config_default(&def);
        cfg = &def;
    }
    size = qlw_session_mem_size(cfg);
    if (out == NULL || size == 0)
        return QLW_ERR_ARG;
    mem = malloc(size);
    if (mem == NULL)
        return QLW_ERR_NOMEM;
    rc = qlw_session_init(out, mem, size, cfg, io);
    if (rc != QLW_OK) {
        free(mem);
        return rc;
    }
    (*out)->owns_mem = true;
    return QLW_OK;
}

void qlw_close(qlw_session *s)
{
    qlw_io *io;
    void *owned_ctx;

    if (s == NULL)
        return;
    /* Stop means stop: nothing new goes to the module, but an uplink command
     * already written is followed to its final result (bounded by its
     * timeout), so that its report says what the module answered. */
    s->paused = true;
    while ((s->ul_phase == QLW_UPLINK_COMMAND || s->ul_phase == QLW_UPLINK_QUERY) &&
           qlw_at_busy(s->at) && !qlw_at_in_callback(s->at))
        if (qlw_at_poll(s->at, 1000) < 0)
            break;
    /* Every uplink gets its report, even the ones that never went out;
     * with a store they stay there for the next open instead. */
    while (qlw_s_store(s) == NULL && qlw_ulq_head(&s->ulq) != NULL)
        qlw_s_report_head_final(s, QLW_ERR_CANCELLED);
    io = s->owned_io;
    owned_ctx = s->owned_ctx;
    qlw_at_close(s->at);
    if (s->owns_mem)
        free(s);
    qlw_io_close(io);
    free(owned_ctx);
}

/* ------------------------------------------------------------ helpers */

uint32_t qlw_s_now(const qlw_session *s)
{
    return qlw_at_now_ms(s->at);
}

void qlw_s_notice(qlw_session *s, qlw_notice kind, int value, const char *text)
{
    qlw_s_obs_notice(s, kind, value, text ? text : "");
    if (s->cfg.on_notice != NULL)
        s->cfg.on_notice(s->cfg.ctx, kind, value, text ? text : "");
}

void qlw_s_set_state(qlw_session *s, qlw_state st, qlw_cause cause)
{
    qlw_state old = s->state;

    if (old == st)
        return;
    s->state = st;
    if (st == QLW_STATE_READY)
        qlw_s_backoff_reset(s);
    qlw_s_obs_state(s, old, st, cause);
    if (s->cfg.on_state != NULL)
        s->cfg.on_state(s->cfg.ctx, old, st, cause);
}

#ifdef QLW_NO_TEXT
void qlw_s_fail_code(qlw_session *s, int err, int cme)
{
    s->last_err = err;
    s->last_cme = cme;
    s->errmsg[0] = '\0';
    qlw_s_notice(s, QLW_NOTICE_ERROR, err, s->errmsg);
}
#else
void qlw_s_fail_text(qlw_session *s, int err, const char *text)
{
    qlw_s_failf(s, err, "%s", text);
}

void qlw_s_failf(qlw_session *s, int err, const char *fmt, ...)
{
    va_list ap;

    s->last_err = err;
    s->last_cme = -1;
    va_start(ap, fmt);
    (void)vsnprintf(s->errmsg, sizeof(s->errmsg), fmt, ap);
    va_end(ap);
    qlw_s_notice(s, QLW_NOTICE_ERROR, err, s->errmsg);
}

void qlw_s_fail(qlw_session *s, int err, int cme, const char *what)
{
    s->last_err = err;
    s->last_cme = cme;
    if (cme >= 0)
        snprintf(s->errmsg, sizeof(s->errmsg), "%s: +CME ERROR: %d (%s)", what, cme,
                 qlw_cme_str(cme));
    else
        snprintf(s->errmsg, sizeof(s->errmsg), "%s: %s", what, qlw_strerror(err));
    qlw_s_notice(s, QLW_NOTICE_ERROR, err, s->errmsg);
}
#endif

/* Exponential back-off between min and max; reset once READY. */
void qlw_s_backoff(qlw_session *s, const char *what)
{
    s->backoff_on = true;
    s->backoff_until_ms = qlw_s_now(s) + s->backoff_ms;
    qlw_s_notice(s, QLW_NOTICE_RETRY, (int)s->backoff_ms, what);
    s->backoff_ms =
        s->backoff_ms * 2 > s->cfg.backoff_max_ms ? s->cfg.backoff_max_ms : s->backoff_ms * 2;
}

void qlw_s_backoff_reset(qlw_session *s)
{
    s->backoff_ms = s->cfg.backoff_min_ms;
    s->backoff_on = false;
}

/* ------------------------------------------------------------ getters */

qlw_at *qlw_session_at(qlw_session *s)
{
    return s ? s->at : NULL;
}

qlw_dialect qlw_get_dialect(const qlw_session *s)
{
    return s ? s->dialect : QLW_DIALECT_AUTO;
}

qlw_state qlw_get_state(const qlw_session *s)
{
    return s ? s->state : QLW_STATE_STARTING;
}

const char *qlw_errmsg(const qlw_session *s)
{
    return s ? s->errmsg : "";
}

int qlw_last_error(const qlw_session *s)
{
    return s ? s->last_err : QLW_ERR_ARG;
}

int qlw_last_cme(const qlw_session *s)
{
    return s ? s->last_cme : -1;
}

size_t qlw_uplinks_pending(const qlw_session *s)
{
    return s ? s->ulq.count : 0;
}

size_t qlw_uplinks_in_flight(const qlw_session *s)
{
    return s != NULL && s->ul_phase != QLW_UPLINK_IDLE ? 1 : 0;
}

/* --------------------------------------------------------- event loop */

int qlw_fd(qlw_session *s)
{
    if (s == NULL || s->port_lost)
        return -1; /* a lost port's descriptor would poll readable (hung up) for ever */
    return qlw_at_fd(s->at);
}

/* After the engine's work: timers, the next procedure, and the error of a
 * port lost in this call (returned once; see "A lost port" in session.h). */
static int after_engine(qlw_session *s, int rc)
{
    qlw_s_tick(s);
    qlw_s_schedule(s);
    if (s->port_lost_now) {
        s->port_lost_now = false;
        return s->port_err;
    }
    return rc < 0 ? rc : QLW_OK;
}

/* While the port is lost: its back-off, then a new port. True while still lost. */
static bool still_lost(qlw_session *s)
{
    if (!s->port_lost)
        return false;
    qlw_s_port_tick(s);
    if (!s->port_lost)
        return false;
    qlw_s_tick(s);
    return true;
}

int qlw_process(qlw_session *s)
{
    int rc;

    if (s == NULL)
        return QLW_ERR_ARG;
    if (qlw_at_in_callback(s->at))
        return QLW_ERR_STATE;
    if (still_lost(s))
        return QLW_OK;
    s->port_lost_now = false;
    rc = qlw_at_process(s->at);
    if (rc == QLW_ERR_STATE)
        return rc;
    return after_engine(s, rc);
}

int32_t qlw_next_timeout_ms(qlw_session *s)
{
    int32_t a, b;

    if (s == NULL)
        return -1;
    if (s->port_lost)
        return qlw_s_port_next_ms(s);
    a = qlw_at_next_timeout_ms(s->at);
    b = qlw_s_next_timer(s);
    if (a < 0 || (b >= 0 && b < a))
        a = b;
    return a;
}

int qlw_poll(qlw_session *s, uint32_t max_ms)
{
    int32_t t;
    int rc;

    if (s == NULL)
        return QLW_ERR_ARG;
    if (qlw_at_in_callback(s->at))
        return QLW_ERR_STATE;
    if (s->port_lost) {
        rc = qlw_s_port_wait(s, max_ms);
        s->port_wait_failed = rc < 0; /* time cannot pass: a blocking call must not spin */
        return rc < 0 ? rc : qlw_process(s);
    }
    qlw_s_schedule(s);
    t = qlw_s_next_timer(s);
    if (t >= 0 && (uint32_t)t < max_ms)
        max_ms = (uint32_t)t;
    s->port_lost_now = false;
    rc = qlw_at_poll(s->at, max_ms);
    if (rc == QLW_ERR_STATE)
        return rc;
    return after_engine(s, rc);
}
