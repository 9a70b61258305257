/* FIFO of uplinks waiting to go out; payloads in one byte pool. Only the
 * head is ever removed, so the pool is a plain FIFO that compacts on wrap. */
#ifndef QLW_SESSION_ULQ_H
#define QLW_SESSION_ULQ_H

#include "qlwm2m/session.h"

typedef struct qlw_ul {
    uint32_t id;
    qlw_ul_mode mode;
    int seq;
    unsigned attempts;
    int status;
    bool handed;    /* handed to the module at least once */
    bool uncertain; /* a handover may have reached the server without our knowing */
    bool resent;    /* handed over again after an uncertain handover */
    size_t off;     /* payload offset in the pool */
    size_t len;
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
const uint8_t *qlw_ulq_data(const qlw_ulq *q, const qlw_ul *ul);
void qlw_ulq_pop(qlw_ulq *q);

#endif
