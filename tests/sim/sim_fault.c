/*
 * Misbehaving on purpose: fault switches (from the command line and, at run
 * time, from control lines on stdin) and the faults themselves.
 */
#include <stdio.h>
#include <string.h>

#include "sim.h"

#define RESET_PIN_CAUSE "REBOOT_CAUSE_SECURITY_RESET_PIN"

typedef bool (*fault_fn)(struct sim *s, const char *arg, bool runtime);

struct fault_entry {
    const char *name;
    fault_fn fn;
    bool runtime_only;
};

static const char *const flood_urcs[] = {"+CSCON:1", "+NPSMR:0", "+CSCON:0", "+NPSMR:1"};

/* ------------------------------------------------------------ the faults */

struct sim_rule *fault_match(struct sim *s, enum sim_rule_kind kind, const char *cmd_text)
{
    for (size_t i = 0; i < SIM_RULES_MAX; i++) {
        struct sim_rule *r = &s->st.faults.rules[i];
        if (!r->armed || r->kind != kind || !str_iprefix(cmd_text, r->prefix))
            continue;
        if (++r->hits == r->nth) {
            r->armed = false;
            return r;
        }
    }
    return NULL;
}

void fault_flood(struct sim *s, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++)
        sim_urc(s, "%s", flood_urcs[i % (sizeof flood_urcs / sizeof flood_urcs[0])]);
    struct sim_buf *ev = ev_begin(s, "flood");
    buf_printf(ev, ",\"count\":%u", count);
    ev_end(s);
}

void fault_garbage_bytes(struct sim *s, struct sim_buf *b)
{
    /* NULs and bytes >= 0x80: what a UART shows around a glitch or a reset. */
    uint32_t n = 1 + prng_next(&s->st.prng) % 3;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t r = prng_next(&s->st.prng);
        char c = (char)(r % 4 == 0 ? 0x00 : 0x80 + (r >> 8) % 0x80);
        buf_append(b, &c, 1);
    }
}

void fault_tmr_urc(struct sim *s, const struct sim_timer *t)
{
    sim_urc(s, "%s", t->text);
}

void fault_tmr_late_final(struct sim *s, const struct sim_timer *t)
{
    sim_raw(s, t->text, strlen(t->text));
    ev_begin(s, "late_final");
    ev_end(s);
}

bool fault_stalled(const struct sim *s)
{
    return s->st.faults.stalled_until_ms > sim_now_ms(s);
}

/* The module falls silent: it reads nothing (the host's bytes wait in the
 * line) and prints nothing (its output waits) until the stall ends. */
void fault_stall(struct sim *s, uint32_t ms)
{
    uint64_t until = sim_now_ms(s) + ms;
    if (until > s->st.faults.stalled_until_ms)
        s->st.faults.stalled_until_ms = until;
    struct sim_buf *ev = ev_begin(s, "stall");
    buf_printf(ev, ",\"ms\":%u", ms);
    ev_end(s);
}

/* -------------------------------------------------------------- switches */

static bool parse_count(const char *arg, uint32_t *out)
{
    return parse_u32(arg, 0, 1000000, out);
}

static bool parse_on_off(const char *arg, bool *out)
{
    if (!arg || str_ieq(arg, "on") || strcmp(arg, "1") == 0)
        *out = true;
    else if (str_ieq(arg, "off") || strcmp(arg, "0") == 0)
        *out = false;
    else
        return false;
    return true;
}

static bool add_rule(struct sim *s, enum sim_rule_kind kind, const char *arg)
{
    uint32_t nth = 1;
    char prefix[SIM_PREFIX_MAX];
    if (!arg || !*arg || strlen(arg) >= sizeof prefix)
        return false;
    str_copy(prefix, sizeof prefix, arg);
    char *colon = strrchr(prefix, ':');
    if (colon && parse_u32(colon + 1, 1, 1000000, &nth))
        *colon = '\0';
    for (size_t i = 0; i < SIM_RULES_MAX; i++) {
        struct sim_rule *r = &s->st.faults.rules[i];
        if (r->armed)
            continue;
        *r = (struct sim_rule){.armed = true, .kind = (uint8_t)kind, .nth = nth};
        str_copy(r->prefix, sizeof r->prefix, prefix);
        return true;
    }
    return false;
}

static bool f_reboot(struct sim *s, const char *arg, bool runtime)
{
    (void)runtime;
    if (!s->st.radio.booting)
        net_reboot(s, arg ? arg : RESET_PIN_CAUSE);
    return true;
}

static bool f_cancel_observe(struct sim *s, const char *arg, bool runtime)
{
    (void)arg;
    (void)runtime;
    lw_cancel_observe(s);
    return true;
}

static bool f_cancel_after(struct sim *s, const char *arg, bool runtime)
{
    (void)runtime;
    return parse_count(arg, &s->st.faults.cancel_after);
}

static bool f_flood(struct sim *s, const char *arg, bool runtime)
{
    uint32_t n;
    if (!parse_count(arg, &n))
        return false;
    if (runtime)
        fault_flood(s, n);
    else
        s->st.faults.flood = n;
    return true;
}

static bool f_garbage(struct sim *s, const char *arg, bool runtime)
{
    (void)runtime;
    return parse_on_off(arg, &s->st.faults.garbage);
}

static bool f_drop_final(struct sim *s, const char *arg, bool runtime)
{
    (void)runtime;
    return add_rule(s, RULE_DROP_FINAL, arg);
}

static bool f_reboot_on(struct sim *s, const char *arg, bool runtime)
{
    (void)runtime;
    return add_rule(s, RULE_REBOOT_ON, arg);
}

static bool f_reboot_after(struct sim *s, const char *arg, bool runtime)
{
    (void)runtime;
    return add_rule(s, RULE_REBOOT_AFTER, arg);
}

static bool f_reboot_tx(struct sim *s, const char *arg, bool runtime)
{
    (void)runtime;
    return add_rule(s, RULE_REBOOT_TX, arg);
}

static bool f_cut_final(struct sim *s, const char *arg, bool runtime)
{
    (void)runtime;
    return add_rule(s, RULE_CUT_FINAL, arg);
}

static bool f_stall_on(struct sim *s, const char *arg, bool runtime)
{
    (void)runtime;
    return add_rule(s, RULE_STALL, arg);
}

static bool f_status_first(struct sim *s, const char *arg, bool runtime)
{
    (void)runtime;
    return add_rule(s, RULE_STATUS_FIRST, arg);
}

static bool f_stall_ms(struct sim *s, const char *arg, bool runtime)
{
    (void)runtime;
    return parse_u32(arg, 1, 600000, &s->st.faults.stall_ms);
}

/* At run time: silent for MS from now. */
static bool f_stall(struct sim *s, const char *arg, bool runtime)
{
    uint32_t ms;
    (void)runtime;
    if (!parse_u32(arg, 1, 600000, &ms))
        return false;
    fault_stall(s, ms);
    return true;
}

static bool f_discard_non(struct sim *s, const char *arg, bool runtime)
{
    (void)runtime;
    return parse_count(arg, &s->st.faults.discard_non);
}

static bool f_no_nsmi(struct sim *s, const char *arg, bool runtime)
{
    (void)runtime;
    return parse_on_off(arg, &s->st.faults.no_nsmi);
}

static bool f_late_final(struct sim *s, const char *arg, bool runtime)
{
    (void)runtime;
    return parse_count(arg, &s->st.faults.late_final_ms);
}

static bool f_busy(struct sim *s, const char *arg, bool runtime)
{
    (void)runtime;
    return parse_count(arg, &s->st.faults.busy);
}

static bool f_con_fail(struct sim *s, const char *arg, bool runtime)
{
    (void)runtime;
    return parse_count(arg, &s->st.faults.con_fail);
}

/* Sets the power-on default and, at run time, the current setting too. */
static bool f_echo(struct sim *s, const char *arg, bool runtime)
{
    if (!parse_on_off(arg, &s->st.echo_default))
        return false;
    if (runtime || !s->st.radio.booting)
        s->st.vol.echo = s->st.echo_default;
    return true;
}

static bool f_never_observe(struct sim *s, const char *arg, bool runtime)
{
    (void)runtime;
    return parse_on_off(arg, &s->st.faults.never_observe);
}

static bool f_deny(struct sim *s, const char *arg, bool runtime)
{
    (void)runtime;
    return parse_on_off(arg, &s->st.faults.deny);
}

static bool f_downlink(struct sim *s, const char *arg, bool runtime)
{
    size_t bytes;
    if (!arg || !hex_valid(arg, &bytes) || bytes > SIM_DL_MAX)
        return false;
    lw_downlink(s, arg, runtime);
    return true;
}

static bool f_urc(struct sim *s, const char *arg, bool runtime)
{
    (void)runtime;
    if (!arg)
        return false;
    sim_urc(s, "%s", arg);
    return true;
}

static bool f_reg_fail(struct sim *s, const char *arg, bool runtime)
{
    (void)runtime;
    return parse_on_off(arg, &s->st.faults.reg_fail);
}

static bool f_dtls_fail(struct sim *s, const char *arg, bool runtime)
{
    (void)runtime;
    return parse_on_off(arg, &s->st.faults.dtls_fail);
}

static bool f_reject_fota(struct sim *s, const char *arg, bool runtime)
{
    (void)runtime;
    return parse_on_off(arg, &s->st.faults.reject_fota);
}

/* Any +QLWURC event, whatever the URC switch says: `qlwurc "apn_changed","x"`. */
static bool f_qlwurc(struct sim *s, const char *arg, bool runtime)
{
    (void)runtime;
    if (!arg)
        return false;
    sim_urc(s, "+QLWURC: %s", arg);
    return true;
}

static bool f_quit(struct sim *s, const char *arg, bool runtime)
{
    (void)arg;
    (void)runtime;
    s->quit = true;
    return true;
}

static const struct fault_entry faults[] = {
    {"reboot", f_reboot, true},
    {"cancel-observe", f_cancel_observe, true},
    {"cancel-observe-after", f_cancel_after, false},
    {"flood", f_flood, false},
    {"garbage", f_garbage, false},
    {"drop-final", f_drop_final, false},
    {"reboot-on", f_reboot_on, false},
    {"late-final-ms", f_late_final, false},
    {"reboot-after-final", f_reboot_after, false},
    {"reboot-after-tx", f_reboot_tx, false},
    {"cut-final", f_cut_final, false},
    {"stall-on", f_stall_on, false},
    {"stall-ms", f_stall_ms, false},
    {"stall", f_stall, true},
    {"status-first", f_status_first, false},
    {"discard-non", f_discard_non, false},
    {"no-nsmi", f_no_nsmi, false},
    {"busy", f_busy, false},
    {"con-fail", f_con_fail, false},
    {"echo", f_echo, false},
    {"never-observe", f_never_observe, false},
    {"deny", f_deny, false},
    {"downlink", f_downlink, false},
    {"urc", f_urc, true},
    {"reg-fail", f_reg_fail, false},
    {"dtls-fail", f_dtls_fail, false},
    {"reject-fota", f_reject_fota, false},
    {"qlwurc", f_qlwurc, true},
    {"quit", f_quit, true},
};

bool fault_apply(struct sim *s, const char *name, const char *arg, bool runtime)
{
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
        if (strcmp(faults[i].name, name) != 0)
            continue;
        if (faults[i].runtime_only && !runtime)
            return false;
        return faults[i].fn(s, arg, runtime);
    }
    return false;
}

static char *trim_line(char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    size_t n = strlen(p);
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
        p[--n] = '\0';
    return p;
}

void fault_control_line(struct sim *s, char *line)
{
    char *text = trim_line(line);
    if (*text == '\0' || *text == '#')
        return;
    struct sim_buf echo = {0};
    buf_puts(&echo, text);
    char *arg = strchr(text, ' ');
    if (arg) {
        *arg++ = '\0';
        arg = trim_line(arg);
        if (*arg == '\0')
            arg = NULL;
    }
    bool ok = strncmp(text, "server-", 7) == 0 ? mtk_server_control(s, text, arg)
                                               : fault_apply(s, text, arg, true);
    struct sim_buf *ev = ev_begin(s, ok ? "control" : "control_error");
    ev_str(ev, "text", echo.data);
    ev_end(s);
    if (!ok)
        sim_log(s, "bad control line: %s", echo.data);
    buf_free(&echo);
}
