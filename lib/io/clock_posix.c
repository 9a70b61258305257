/* The system clock on POSIX systems: CLOCK_MONOTONIC, which never jumps with the date. */
#include "io/io_internal.h"

#include <time.h>

uint32_t qlw_clock_system_ms(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        return 0; /* cannot happen with CLOCK_MONOTONIC on a POSIX system */
    }
    uint64_t ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
    /* Truncation is the documented wrap at 2^32 ms. */
    return (uint32_t)ms;
}

qlw_clock qlw_clock_system(void)
{
    qlw_clock clock = {qlw_clock_system_ms, NULL};
    return clock;
}
