/* Sleeping on the system clock: the one wait that has no descriptor. Kept
 * apart from the transports so that a platform port replaces one file. */
#include "io/io_internal.h"

#if defined(_WIN32)
#include <windows.h>
#else
#include <time.h>
#endif

void qlw_clock_sleep_ms(uint32_t ms)
{
#if defined(_WIN32)
    Sleep(ms);
#else
    struct timespec left = {(time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L};

    /* A signal ends the pause early, as it ends poll(): callers loop on their clock. */
    (void)nanosleep(&left, NULL);
#endif
}

bool qlw_clock_is_system(const qlw_clock *clock)
{
    return clock != NULL && clock->now_ms == qlw_clock_system_ms;
}
