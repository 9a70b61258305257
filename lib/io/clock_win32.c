/*
 * The system clock on Windows: GetTickCount64() counts milliseconds since boot
 * and, unlike the time of day, never jumps.
 */
#include "io/io_internal.h"

#define WIN32_LEAN_AND_MEAN
#include <windows.h>

uint32_t qlw_clock_system_ms(void *ctx)
{
    (void)ctx;
    /* Truncation is the documented wrap at 2^32 ms. */
    return (uint32_t)GetTickCount64();
}

qlw_clock qlw_clock_system(void)
{
    qlw_clock clock = {qlw_clock_system_ms, NULL};
    return clock;
}
