/*
 * Link-time fallbacks for the pause calls that session.h declares and the
 * library is still gaining (issue 10). Weak: the library's definitions win
 * as soon as it has them, and then this file goes. Without them soak_lib
 * does not pause sessions (qlw_pause() answers QLW_ERR_UNSUPPORTED).
 */
#include "qlwm2m/qlwm2m.h"

int qlw_pause(qlw_session *s) __attribute__((weak));
int qlw_resume(qlw_session *s) __attribute__((weak));

int qlw_pause(qlw_session *s)
{
    (void)s;
    return QLW_ERR_UNSUPPORTED;
}

int qlw_resume(qlw_session *s)
{
    (void)s;
    return QLW_ERR_UNSUPPORTED;
}
