/*
 * What the session needs from the BC26/BC66 dialects (A and B) in a build
 * that leaves them out (QLWM2M_DIALECT_MTK=OFF, a BC68-only product): the
 * session never takes these dialects there (qlw_session_init refuses them,
 * a probe that finds one drives the module as a BC68), so nothing here runs
 * but the public calls; the rest only links the branches that test for
 * them. Their steps and state reset are not needed at all (session_proc.c,
 * session_events.c). Compiled only in such builds.
 */
#include "qlwm2m/lwobj.h"
#include "session/session_internal.h"

int qlw_s_mtk_deregister(qlw_session *s)
{
    (void)s;
    return QLW_ERR_UNSUPPORTED;
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
