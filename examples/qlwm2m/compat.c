/*
 * Link-time fallbacks for two session calls that session.h declares and the
 * library is still gaining (issue 10). Weak: the library's own definitions
 * win as soon as it has them, and then this file goes. Without them, Ctrl-C
 * behaves as before: nothing is paused and nothing is awaited.
 */
#include "tool.h"

__attribute__((weak)) int qlw_pause(qlw_session *s)
{
    (void)s;
    return QLW_ERR_UNSUPPORTED;
}

__attribute__((weak)) size_t qlw_uplinks_in_flight(const qlw_session *s)
{
    (void)s;
    return 0;
}
