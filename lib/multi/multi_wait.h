/*
 * How a multi handle waits for its sessions' descriptors: the only part of
 * lib/multi that knows the operating system. multi_wait_posix.c has epoll
 * (Linux) and poll(); another platform brings its own file with these five
 * functions.
 */
#ifndef QLW_MULTI_WAIT_H
#define QLW_MULTI_WAIT_H

#include "qlwm2m/multi.h"

typedef struct qlw_mwait qlw_mwait;

/* Called by qlw_mwait_wait() for each slot whose descriptor is readable. */
typedef void (*qlw_mwait_ready_fn)(void *ctx, size_t slot);

/* Opens a waiter for slots 0..max-1; *backend AUTO is resolved. */
int qlw_mwait_open(qlw_mwait **out, size_t max, qlw_multi_backend *backend);
void qlw_mwait_close(qlw_mwait *w);
/* Slot's descriptor changes from old_fd to new_fd (either may be -1). Also
 * called with old_fd == new_fd after a port was reopened at the same number. */
int qlw_mwait_set(qlw_mwait *w, size_t slot, int old_fd, int new_fd);
/* Waits up to timeout_ms (0: just looks) on slots 0..count-1; reports the
 * readable ones. Returns how many, 0 on timeout, or a negative qlw_err. */
int qlw_mwait_wait(qlw_mwait *w, size_t count, int32_t timeout_ms, qlw_mwait_ready_fn ready,
                   void *ctx);
/* The descriptor that stands for all slots, or -1. */
int qlw_mwait_fd(const qlw_mwait *w);

#endif
