#include "at/urcq.h"

#include <string.h>

static size_t round4(size_t n)
{
    return (n + 3u) & ~(size_t)3u;
}

void qlw_urcq_init(qlw_urcq *q, uint8_t *buf, size_t cap)
{
    q->buf = buf;
    q->cap = cap & ~(size_t)3u;
    q->head = 0;
    q->tail = 0;
}

/* Makes room for need bytes at the tail within limit; compacts when that helps. */
static bool reserve(qlw_urcq *q, size_t need, size_t limit)
{
    size_t used = q->tail - q->head;

    if (used + need > limit)
        return false;
    if (q->tail + need > q->cap) {
        memmove(q->buf, q->buf + q->head, used);
        q->head = 0;
        q->tail = used;
    }
    return true;
}

static qlw_urcq_rec *append(qlw_urcq *q, size_t size, size_t limit)
{
    qlw_urcq_rec *rec;

    if (size > UINT16_MAX || !reserve(q, size, limit))
        return NULL;
    rec = (qlw_urcq_rec *)(void *)(q->buf + q->tail);
    rec->size = (uint16_t)size;
    q->tail += size;
    return rec;
}

bool qlw_urcq_push_line(qlw_urcq *q, const char *text, size_t len, unsigned flags, uint32_t time_ms)
{
    size_t limit = q->cap > QLW_URCQ_EVENT_RESERVE ? q->cap - QLW_URCQ_EVENT_RESERVE : 0;
    qlw_urcq_rec *rec = append(q, round4(sizeof(*rec) + len + 1), limit);
    char *dst;

    if (rec == NULL)
        return false;
    rec->kind = QLW_URCQ_LINE;
    rec->flags = (uint8_t)flags;
    rec->time_ms = time_ms;
    rec->value = (uint32_t)len;
    dst = (char *)(rec + 1);
    memcpy(dst, text, len);
    dst[len] = '\0';
    return true;
}

bool qlw_urcq_push_event(qlw_urcq *q, unsigned ev, uint32_t count, uint32_t time_ms)
{
    qlw_urcq_rec *rec = append(q, sizeof(*rec), q->cap);

    if (rec == NULL)
        return false;
    rec->kind = QLW_URCQ_EVENT;
    rec->flags = (uint8_t)ev;
    rec->time_ms = time_ms;
    rec->value = count;
    return true;
}

const qlw_urcq_rec *qlw_urcq_peek(const qlw_urcq *q)
{
    if (q->head == q->tail)
        return NULL;
    return (const qlw_urcq_rec *)(const void *)(q->buf + q->head);
}

void qlw_urcq_pop(qlw_urcq *q)
{
    const qlw_urcq_rec *rec = qlw_urcq_peek(q);

    if (rec == NULL)
        return;
    q->head += rec->size;
    if (q->head == q->tail) {
        q->head = 0;
        q->tail = 0;
    }
}
