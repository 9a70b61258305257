/* One-shot timers on the simulator's millisecond clock, kept in the copyable state. */
#include <stdio.h>
#include <string.h>

#include "sim.h"

bool timer_add(struct sim *s, enum sim_tmr kind, uint32_t delay_ms, int32_t arg, int32_t arg2,
               const char *text)
{
    for (size_t i = 0; i < SIM_TIMERS_MAX; i++) {
        struct sim_timer *t = &s->st.timers[i];
        if (t->used)
            continue;
        memset(t, 0, sizeof *t);
        t->used = true;
        t->kind = (uint8_t)kind;
        t->due_ms = sim_now_ms(s) + delay_ms;
        t->seq = s->st.timer_seq++;
        t->arg = arg;
        t->arg2 = arg2;
        if (text)
            str_copy(t->text, sizeof t->text, text);
        return true;
    }
    sim_log(s, "timer table full, event %d dropped", (int)kind);
    return false;
}

void timer_cancel(struct sim *s, enum sim_tmr kind)
{
    for (size_t i = 0; i < SIM_TIMERS_MAX; i++) {
        if (s->st.timers[i].used && s->st.timers[i].kind == kind)
            s->st.timers[i].used = false;
    }
}

bool timer_pending(const struct sim *s, enum sim_tmr kind)
{
    for (size_t i = 0; i < SIM_TIMERS_MAX; i++) {
        if (s->st.timers[i].used && s->st.timers[i].kind == kind)
            return true;
    }
    return false;
}

static const struct sim_timer *timer_first(const struct sim *s)
{
    const struct sim_timer *best = NULL;
    for (size_t i = 0; i < SIM_TIMERS_MAX; i++) {
        const struct sim_timer *t = &s->st.timers[i];
        if (!t->used)
            continue;
        if (!best || t->due_ms < best->due_ms || (t->due_ms == best->due_ms && t->seq < best->seq))
            best = t;
    }
    return best;
}

bool timer_pop_due(struct sim *s, uint64_t now_ms, struct sim_timer *out)
{
    const struct sim_timer *t = timer_first(s);
    if (!t || t->due_ms > now_ms)
        return false;
    *out = *t;
    s->st.timers[t - s->st.timers].used = false;
    return true;
}

int timer_wait_ms(const struct sim *s, uint64_t now_ms)
{
    const struct sim_timer *t = timer_first(s);
    if (!t)
        return -1;
    if (t->due_ms <= now_ms)
        return 0;
    uint64_t wait = t->due_ms - now_ms;
    return wait > 86400000u ? 86400000 : (int)wait;
}

void timer_cancel_volatile(struct sim *s)
{
    /* A reboot kills everything the module had scheduled; the run's own
     * deadline and the script player are not part of the module. */
    for (size_t i = 0; i < SIM_TIMERS_MAX; i++) {
        struct sim_timer *t = &s->st.timers[i];
        if (t->used && t->kind != TMR_EXIT && t->kind != TMR_SCRIPT)
            t->used = false;
    }
}
