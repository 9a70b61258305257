/*
 * What the session needs from the BC26/BC66 dialects (A and B) in a build
 * that leaves them out (QLWM2M_DIALECT_MTK=OFF, a BC68-only product): the
 * session never takes these dialects there (qlw_session_init refuses them,
 * a probe that finds one drives the module as a BC68), so nothing here runs
 * but the reset and the public calls. Compiled only in such builds.
 */
#include "qlwm2m/lwobj.h"
#include "session/session_internal.h"

#include <string.h>

int qlw_s_mtk_register_step(qlw_session *s, const qlw_at_response *r)
{
    (void)s;
    (void)r;
    return QLW_ERR_UNSUPPORTED;
}

int qlw_s_mtk_deregister(qlw_session *s)
{
    (void)s;
    return QLW_ERR_UNSUPPORTED;
}

int qlw_s_mtk_uplink_step(qlw_session *s, const qlw_at_response *r)
{
    return qlw_s_mtk_register_step(s, r);
}

int qlw_s_mtk_answer_step(qlw_session *s, const qlw_at_response *r)
{
    return qlw_s_mtk_register_step(s, r);
}

int qlw_s_mtk_notify_step(qlw_session *s, const qlw_at_response *r)
{
    return qlw_s_mtk_register_step(s, r);
}

qlw_proc qlw_s_mtk_pick(qlw_session *s, bool wait)
{
    (void)s;
    (void)wait;
    return QLW_PROC_NONE;
}

void qlw_s_mtk_tick(qlw_session *s)
{
    (void)s;
}

/* The signature is session_mtk.c's, which writes through at_ms. */
/* NOLINTNEXTLINE(readability-non-const-parameter) */
bool qlw_s_mtk_deadline(const qlw_session *s, uint32_t *at_ms)
{
    (void)s;
    (void)at_ms;
    return false;
}

void qlw_s_mtk_reset(qlw_session *s)
{
    memset(&s->mtk, 0, sizeof(s->mtk));
    s->mtk.ul_msgid = -1;
    s->mtk.write_msgid = -1;
}

bool qlw_s_mtk_urc(qlw_session *s, const char *line, size_t len)
{
    (void)s;
    (void)line;
    (void)len;
    return false;
}

/* Host objects are dialect B's alone. The signature is the public one. */
/* cppcheck-suppress constParameter */
int qlw_lw_set_host(qlw_session *s, const qlw_lw_host *host)
{
    (void)host;
    return s == NULL ? QLW_ERR_ARG : QLW_ERR_UNSUPPORTED;
}

/* cppcheck-suppress constParameter */
int qlw_lw_notify(qlw_session *s, uint16_t obj, uint16_t ins, uint16_t res)
{
    (void)obj;
    (void)ins;
    (void)res;
    return s == NULL ? QLW_ERR_ARG : QLW_ERR_UNSUPPORTED;
}
