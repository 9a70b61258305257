/* Bounded FIFO of unsolicited lines and engine events, in the handle's memory. */
#ifndef QLW_AT_URCQ_H
#define QLW_AT_URCQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { QLW_URCQ_LINE = 1, QLW_URCQ_EVENT = 2 };

/* Bytes kept free for events, so that a URC flood cannot hide a reboot. */
#define QLW_URCQ_EVENT_RESERVE 64u

typedef struct qlw_urcq_rec {
    uint16_t size; /* whole record, header included, multiple of 4 */
    uint8_t kind;  /* QLW_URCQ_LINE or QLW_URCQ_EVENT */
    uint8_t flags; /* line flags, or the event number */
    uint32_t time_ms;
    uint32_t value; /* line length, or the event's count */
} qlw_urcq_rec;

typedef struct qlw_urcq {
    uint8_t *buf;
    size_t cap;
    size_t head;
    size_t tail;
} qlw_urcq;

void qlw_urcq_init(qlw_urcq *q, uint8_t *buf, size_t cap);
bool qlw_urcq_push_line(qlw_urcq *q, const char *text, size_t len, unsigned flags,
                        uint32_t time_ms);
bool qlw_urcq_push_event(qlw_urcq *q, unsigned ev, uint32_t count, uint32_t time_ms);
/* Oldest record or NULL; a line's text (NUL-terminated) follows the header. */
const qlw_urcq_rec *qlw_urcq_peek(const qlw_urcq *q);
void qlw_urcq_pop(qlw_urcq *q);
/* Bytes of memory a queue of cap bytes takes (cap rounded up to 4). */
static inline size_t qlw_urcq_mem_size(size_t cap)
{
    return (cap + 3u) & ~(size_t)3u;
}

#endif
