/* FIFO of uplinks waiting to go out; payloads in one byte pool, in the order
 * of the items. Items leave from the head (reported) or, rarely, from the
 * middle (a deadline passed): then the items and bytes behind it move up.
 *
 * Costs with n items and b payload bytes queued: push O(1), except when the
 * pool's tail reaches its end, where the live bytes move to the front (O(b)
 * memmove plus O(n) offset fixes, at most once per pool's worth of pushes);
 * pop O(1); remove from the middle O(n + b). At a gateway's hundreds of
 * items and tens of KiB this is microseconds. */
#ifndef QLW_SESSION_ULQ_H
#define QLW_SESSION_ULQ_H

#include "qlwm2m/session.h"

typedef struct qlw_ul {
    uint32_t id;
    qlw_uplink_mode mode;
    int seq;
    unsigned attempts;
    int status;
    bool handed;          /* handed to the module at least once */
    bool uncertain;       /* a handover may have reached the server without our knowing */
    bool resent;          /* handed over again after an uncertain handover */
    bool has_deadline;    /* deadline_ms is set */
    uint32_t deadline_ms; /* session clock: not handed over by then = expired */
    uint32_t off;         /* payload offset in the pool (the pool is below 4 GiB) */
    uint32_t len;         /* 32-bit: a record is 36 bytes, not 48 (a gateway queues hundreds) */
} qlw_ul;

typedef struct qlw_ulq {
    qlw_ul *items;
    size_t max_items;
    size_t head; /* index of the oldest item */
    size_t count;
    uint8_t *pool;
    size_t pool_size;
    size_t pool_head; /* offset of the oldest payload */
    size_t pool_tail;
} qlw_ulq;

void qlw_ulq_init(qlw_ulq *q, qlw_ul *items, size_t max_items, uint8_t *pool, size_t pool_size);
/* Returns the new item, or NULL when items or bytes are exhausted. */
qlw_ul *qlw_ulq_push(qlw_ulq *q, const uint8_t *data, size_t len);
qlw_ul *qlw_ulq_head(qlw_ulq *q);
/* The i-th item from the head (i < count). */
qlw_ul *qlw_ulq_at(qlw_ulq *q, size_t i);
const uint8_t *qlw_ulq_data(const qlw_ulq *q, const qlw_ul *ul);
void qlw_ulq_pop(qlw_ulq *q);
/* Removes the i-th item from the head (i < count). */
void qlw_ulq_remove(qlw_ulq *q, size_t i);
/* Undoes the last push (a store refused it). */
void qlw_ulq_unpush(qlw_ulq *q);

#endif
