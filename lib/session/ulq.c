#include <string.h>

#include "session/ulq.h"

void qlw_ulq_init(qlw_ulq *q, qlw_ul *items, size_t max_items, uint8_t *pool, size_t pool_size)
{
    memset(q, 0, sizeof(*q));
    q->items = items;
    q->max_items = max_items;
    q->pool = pool;
    q->pool_size = pool_size;
}

/* Finds room for len contiguous bytes; moves the live bytes to the front when needed. */
static bool pool_reserve(qlw_ulq *q, size_t len)
{
    size_t used = q->pool_tail - q->pool_head;

    if (used + len > q->pool_size)
        return false;
    if (q->pool_tail + len > q->pool_size) {
        memmove(q->pool, q->pool + q->pool_head, used);
        for (size_t i = 0; i < q->count; i++)
            q->items[(q->head + i) % q->max_items].off -= (uint32_t)q->pool_head;
        q->pool_tail = used;
        q->pool_head = 0;
    }
    return true;
}

qlw_ul *qlw_ulq_push(qlw_ulq *q, const uint8_t *data, size_t len)
{
    qlw_ul *ul;

    if (q->count >= q->max_items || !pool_reserve(q, len))
        return NULL;
    ul = &q->items[(q->head + q->count) % q->max_items];
    memset(ul, 0, sizeof(*ul));
    ul->off = (uint32_t)q->pool_tail;
    ul->len = (uint32_t)len;
    ul->status = -1;
    memcpy(q->pool + q->pool_tail, data, len);
    q->pool_tail += len;
    q->count++;
    return ul;
}

qlw_ul *qlw_ulq_head(qlw_ulq *q)
{
    return q->count > 0 ? &q->items[q->head] : NULL;
}

const uint8_t *qlw_ulq_data(const qlw_ulq *q, const qlw_ul *ul)
{
    return q->pool + ul->off;
}

void qlw_ulq_pop(qlw_ulq *q)
{
    if (q->count == 0)
        return;
    q->pool_head += q->items[q->head].len;
    q->head = (q->head + 1) % q->max_items;
    if (--q->count == 0) {
        q->pool_head = 0;
        q->pool_tail = 0;
    }
}

qlw_ul *qlw_ulq_at(qlw_ulq *q, size_t i)
{
    return &q->items[(q->head + i) % q->max_items];
}

void qlw_ulq_remove(qlw_ulq *q, size_t i)
{
    qlw_ul *gone;
    size_t off, len;

    if (i >= q->count)
        return;
    if (i == 0) {
        qlw_ulq_pop(q);
        return;
    }
    gone = qlw_ulq_at(q, i);
    off = gone->off;
    len = gone->len;
    /* Payloads are laid out in item order: close the gap in the pool... */
    memmove(q->pool + off, q->pool + off + len, q->pool_tail - (off + len));
    q->pool_tail -= len;
    /* ...and in the ring of items. */
    for (size_t k = i; k + 1 < q->count; k++) {
        *qlw_ulq_at(q, k) = *qlw_ulq_at(q, k + 1);
        qlw_ulq_at(q, k)->off -= (uint32_t)len;
    }
    q->count--;
}

void qlw_ulq_unpush(qlw_ulq *q)
{
    if (q->count == 0)
        return;
    q->pool_tail -= qlw_ulq_at(q, q->count - 1)->len;
    if (--q->count == 0) {
        q->pool_head = 0;
        q->pool_tail = 0;
    }
}
