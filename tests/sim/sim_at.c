/* The module's AT front end: assembles command lines, splits them, dispatches, frames the answer.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sim_cmd.h"

const char at_test_by_handler[] = "";

static const struct at_table *const tables[] = {&at_info_table, &at_radio_table, &at_lwm2m_table};

/* The 3GPP commands the EC200U shares with the BC68 are answered by the BC68
 * handlers (spaced, see reply_line); anything else of the BC68 (AT+NCDP,
 * AT+QLWSREGIND, AT+NBAND ...) is an unknown command to it. */
static const char *const ec200u_shared[] = {
    "",        "E",     "+CMEE",  "+CGMI",  "+CGSN",  "+CIMI", "+CGDCONT", "+CPSMS",
    "+CEDRXS", "+CFUN", "+CGATT", "+CEREG", "+CSCON", "+CSQ",  "+COPS",    "+CGPADDR",
};

/* ------------------------------------------------------------ arguments */

bool arg_u32(const struct at_cmd *c, size_t i, uint32_t min, uint32_t max, uint32_t *out)
{
    return i < c->argc && parse_u32(c->argv[i], min, max, out);
}

bool arg_empty(const struct at_cmd *c, size_t i)
{
    return i >= c->argc || c->argv[i][0] == '\0';
}

int at_switch(const struct at_cmd *c, struct sim_reply *r, int *field, uint32_t max)
{
    uint32_t v;
    if (c->kind == AT_READ) {
        reply_line(r, "%s:%d", c->name, *field);
        return SIM_R_OK;
    }
    if (c->kind != AT_SET || c->argc != 1 || !arg_u32(c, 0, 0, max, &v))
        return CME_PARAM;
    *field = (int)v;
    return SIM_R_OK;
}

/* -------------------------------------------------------------- parsing */

static char *trim(char *p, char *end)
{
    while (p < end && *p == ' ')
        p++;
    while (end > p && end[-1] == ' ')
        *--end = '\0';
    return p;
}

/* Splits "a, "b,c" ,d" at commas outside quotes. Spaces next to separators
 * are dropped, as the module does (`AT+NMGS=08, 0119...` is accepted). */
static bool split_args(struct at_cmd *c, char *p)
{
    c->argc = 0;
    for (;;) {
        char *start = p;
        bool in_quote = false;
        while (*p && (in_quote || *p != ',')) {
            if (*p == '"')
                in_quote = !in_quote;
            p++;
        }
        if (in_quote || c->argc == SIM_ARGS_MAX)
            return false;
        char sep = *p;
        *p = '\0';
        char *arg = trim(start, p);
        size_t n = strlen(arg);
        c->quoted[c->argc] = n >= 2 && arg[0] == '"' && arg[n - 1] == '"';
        if (c->quoted[c->argc]) {
            arg[n - 1] = '\0';
            arg++;
        }
        c->argv[c->argc++] = arg;
        if (sep == '\0')
            return true;
        p++;
    }
}

static size_t name_length(const char *p)
{
    if (*p == '+' || *p == '&') {
        size_t n = 1;
        while (isalnum((unsigned char)p[n]) || p[n] == '_')
            n++;
        return n;
    }
    return isalpha((unsigned char)*p) ? 1 : 0;
}

/* Basic commands carry their number right after the letter: ATE0, ATI. */
static bool parse_basic_arg(struct at_cmd *c, char *p)
{
    if (*p == '\0') {
        c->kind = AT_EXEC;
        return true;
    }
    for (const char *q = p; *q; q++) {
        if (!isdigit((unsigned char)*q))
            return false;
    }
    c->kind = AT_SET;
    c->argc = 1;
    c->argv[0] = p;
    c->quoted[0] = false;
    return true;
}

static bool parse_command(struct at_cmd *c, char *text)
{
    memset(c, 0, sizeof *c);
    size_t n = name_length(text);
    if (n == 0 && *text != '\0')
        return false;
    if (n >= SIM_NAME_MAX)
        return false;
    memcpy(c->name, text, n);
    str_upper(c->name);
    char *p = text + n;
    if (c->name[0] != '+' && c->name[0] != '&')
        return parse_basic_arg(c, p);
    if (strcmp(p, "=?") == 0)
        c->kind = AT_TEST;
    else if (strcmp(p, "?") == 0)
        c->kind = AT_READ;
    else if (*p == '=')
        c->kind = AT_SET;
    else if (*p == '\0')
        c->kind = AT_EXEC;
    else
        return false;
    return c->kind != AT_SET || split_args(c, p + 1);
}

static const struct at_entry *table_lookup(const struct at_table *t, const char *name)
{
    for (size_t i = 0; i < t->count; i++) {
        if (strcmp(t->entries[i].name, name) == 0)
            return &t->entries[i];
    }
    return NULL;
}

static bool ec200u_shares(const char *name)
{
    for (size_t i = 0; i < sizeof ec200u_shared / sizeof ec200u_shared[0]; i++) {
        if (strcmp(ec200u_shared[i], name) == 0)
            return true;
    }
    return false;
}

static const struct at_entry *lookup(const struct sim *s, const char *name)
{
    const struct at_entry *e = NULL;
    if (s->opt.model == MODEL_EC200U || sim_mtk(s)) {
        e = table_lookup(sim_mtk(s) ? &at_mtk_table : &at_ec200u_table, name);
        if (e || !ec200u_shares(name))
            return e;
    }
    for (size_t t = 0; !e && t < sizeof tables / sizeof tables[0]; t++)
        e = table_lookup(tables[t], name);
    return e;
}

static int dispatch(struct sim *s, char *text, struct sim_reply *r)
{
    struct at_cmd c;
    if (!parse_command(&c, text))
        return SIM_R_ERROR;
    const struct at_entry *e = lookup(s, c.name);
    if (!e)
        return SIM_R_ERROR;
    if (c.kind == AT_TEST && e->test != at_test_by_handler) {
        if (e->test)
            reply_line(r, "%s", e->test);
        return SIM_R_OK;
    }
    return e->fn(s, &c, r);
}

/* -------------------------------------------------------------- answers */

static void final_text(const struct sim *s, int rc, struct sim_buf *b)
{
    if (rc == SIM_R_OK)
        buf_puts(b, "\r\nOK\r\n");
    else if (rc > SIM_R_CMEE && s->st.vol.cmee)
        buf_printf(b, "\r\n+CMEE ERROR: %d\r\n", rc - SIM_R_CMEE);
    else if (rc > 0 && s->st.vol.cmee)
        buf_printf(b, "\r\n+CME ERROR: %d\r\n", rc);
    else if (rc != SIM_R_NONE)
        buf_puts(b, "\r\nERROR\r\n");
}

static void reply_begin(struct sim *s)
{
    buf_clear(&s->reply.info);
    buf_clear(&s->reply.post);
    s->reply.spaced = sim_spaced(s);
    s->cur_reply = &s->reply;
}

static void drop_final(struct sim *s, const char *cmd_text, const struct sim_buf *final)
{
    struct sim_buf *ev = ev_begin(s, "final_dropped");
    ev_str(ev, "text", cmd_text);
    ev_end(s);
    if (s->st.faults.late_final_ms && final->len)
        timer_add(s, TMR_LATE_FINAL, s->st.faults.late_final_ms, 0, 0, final->data);
}

/* Where a cut final result stops: inside its text (after the CR LF that
 * opens it, before the CR LF that ends it), so that no whole word arrives. */
static size_t cut_point(struct sim *s, const struct sim_buf *final)
{
    if (final->len < 5)
        return final->len;
    size_t text = final->len - 4;
    return 2 + 1 + (text > 1 ? prng_next(&s->st.prng) % (text - 1) : 0);
}

static void cut_final(struct sim *s, const char *cmd_text, const struct sim_buf *final)
{
    size_t cut = cut_point(s, final);
    out_put(s, final->data, cut);
    struct sim_buf *ev = ev_begin(s, "final_cut");
    ev_str(ev, "text", cmd_text);
    ev_end(s);
    if (s->st.faults.late_final_ms && cut < final->len) {
        char rest[SIM_TIMER_TEXT_MAX];
        size_t n = final->len - cut < sizeof rest ? final->len - cut : sizeof rest - 1;
        memcpy(rest, final->data + cut, n);
        rest[n] = '\0';
        timer_add(s, TMR_LATE_FINAL, s->st.faults.late_final_ms, 0, 0, rest);
    }
}

enum final_fate { FINAL_SEND, FINAL_DROP, FINAL_CUT };

static void reply_send(struct sim *s, int rc, const char *cmd_text, enum final_fate fate,
                       bool keep_post)
{
    struct sim_buf final = {0};
    final_text(s, rc, &final);
    s->cur_reply = NULL;
    out_put(s, s->reply.info.data, s->reply.info.len);
    if (fate == FINAL_DROP)
        drop_final(s, cmd_text, &final);
    else if (fate == FINAL_CUT)
        cut_final(s, cmd_text, &final);
    else
        out_put(s, final.data, final.len);
    if (keep_post)
        out_put(s, s->reply.post.data, s->reply.post.len);
    buf_free(&final);
}

/* Runs the handler on a copy of the state: the answer it would print, with
 * none of its effects. The answer (information lines, then the final result)
 * goes into @p answer. */
static void dry_answer(struct sim *s, const char *text, struct sim_buf *answer)
{
    struct sim_state *saved = malloc(sizeof *saved);
    if (!saved)
        abort();
    *saved = s->st;
    char *copy = strdup(text);
    if (!copy)
        abort();
    reply_begin(s);
    s->dry_run = true;
    int rc = dispatch(s, copy, &s->reply);
    s->dry_run = false;
    s->cur_reply = NULL;
    s->st = *saved;
    free(saved);
    free(copy);
    buf_append(answer, s->reply.info.data, s->reply.info.len);
    final_text(s, rc, answer);
}

/* The module dies while handling the command: the host sees the first bytes
 * of the real answer, but nothing the command would have done takes effect. */
static void crash_during(struct sim *s, char *text, const char *cmd_text)
{
    struct sim_buf answer = {0};
    dry_answer(s, text, &answer);
    size_t cut = answer.len ? prng_next(&s->st.prng) % answer.len : 0;
    out_put(s, answer.data, cut);
    buf_free(&answer);
    struct sim_buf *ev = ev_begin(s, "reboot_mid_command");
    ev_str(ev, "text", cmd_text);
    ev_end(s);
    net_reboot(s, "REBOOT_CAUSE_SECURITY_WATCHDOG");
}

/* The module answers in full (an uplink: OK, accepted), then dies before it
 * acts on the command: the message never leaves, the server never gets it. */
static void crash_after_final(struct sim *s, char *text, const char *cmd_text)
{
    struct sim_buf answer = {0};
    dry_answer(s, text, &answer);
    out_put(s, answer.data, answer.len);
    buf_free(&answer);
    struct sim_buf *ev = ev_begin(s, "reboot_after_final");
    ev_str(ev, "text", cmd_text);
    ev_end(s);
    net_reboot(s, "REBOOT_CAUSE_SECURITY_WATCHDOG");
}

/* Returns false when the rest of the line must not run (error or reboot). */
static bool run_one(struct sim *s, char *sub)
{
    struct sim_buf text = {0};
    /* Fault prefixes are matched against "AT+X..." even for the second and
     * later commands of a chained line. */
    buf_printf(&text, "AT%s", sub);
    int rc = SIM_R_NONE;
    if (fault_match(s, RULE_REBOOT_ON, text.data)) {
        crash_during(s, sub, text.data);
    } else if (fault_match(s, RULE_REBOOT_AFTER, text.data)) {
        crash_after_final(s, sub, text.data);
    } else {
        bool tx_reboot = fault_match(s, RULE_REBOOT_TX, text.data) != NULL;
        enum final_fate fate = FINAL_SEND;
        if (fault_match(s, RULE_DROP_FINAL, text.data))
            fate = FINAL_DROP;
        else if (fault_match(s, RULE_CUT_FINAL, text.data))
            fate = FINAL_CUT;
        if (fault_match(s, RULE_STALL, text.data))
            fault_stall(s, s->st.faults.stall_ms); /* the answer waits in the output */
        s->status_first = fault_match(s, RULE_STATUS_FIRST, text.data) != NULL;
        reply_begin(s);
        rc = dispatch(s, sub, &s->reply);
        s->status_first = false;
        /* A reboot after transmission: the answer goes out, the URCs the
         * command raised (+NSMI:SENT) never do, the CON result timer dies. */
        reply_send(s, rc, text.data, fate, !tx_reboot);
        if (tx_reboot) {
            struct sim_buf *ev = ev_begin(s, "reboot_after_tx");
            ev_str(ev, "text", text.data);
            ev_end(s);
            net_reboot(s, "REBOOT_CAUSE_SECURITY_WATCHDOG");
        }
    }
    buf_free(&text);
    return rc == SIM_R_OK;
}

/* Splits at ';' outside quotes: `AT+CEREG=2;+NPSMR=1` is two commands with one OK each. */
static char *next_command(char **cursor)
{
    char *start = *cursor;
    if (!start)
        return NULL;
    bool in_quote = false;
    char *p = start;
    while (*p && (in_quote || *p != ';')) {
        if (*p == '"')
            in_quote = !in_quote;
        p++;
    }
    *cursor = *p ? p + 1 : NULL;
    *p = '\0';
    return start;
}

static void run_line(struct sim *s, char *line)
{
    if (!str_iprefix(line, "AT")) {
        reply_begin(s);
        reply_send(s, SIM_R_ERROR, line, FINAL_SEND, true);
        return;
    }
    char *cursor = line + 2;
    if (*cursor == '\0') {
        reply_begin(s);
        reply_send(s, SIM_R_OK, line, FINAL_SEND, true);
        return;
    }
    bool first = true;
    for (char *sub; (sub = next_command(&cursor)) != NULL; first = false) {
        if (*sub == '\0' && !first)
            continue;
        if (!run_one(s, sub) || s->st.radio.booting)
            break;
    }
}

/* ---------------------------------------------------------------- input */

static bool blank(const char *p)
{
    for (; *p; p++) {
        if (*p != ' ' && *p != '\t')
            return false;
    }
    return true;
}

static void line_done(struct sim *s)
{
    buf_append(&s->host, "", 0);
    char *line = s->host.data;
    bool overflow = s->host_overflow;
    if (blank(line) && !overflow) {
        at_reset_input(s);
        return;
    }
    if (s->st.vol.echo) {
        out_put(s, line, strlen(line));
        out_put(s, "\r", 1);
    }
    if (s->opt.log_commands) {
        struct sim_buf *ev = ev_begin(s, "command");
        ev_str(ev, "text", line);
        ev_end(s);
    }
    if (s->opt.verbose)
        sim_log(s, "host: %s", line);
    if (overflow) {
        reply_begin(s);
        reply_send(s, SIM_R_ERROR, line, FINAL_SEND, true);
    } else {
        run_line(s, line);
    }
    at_reset_input(s);
}

void at_reset_input(struct sim *s)
{
    buf_clear(&s->host);
    s->host_overflow = false;
}

bool at_busy(const struct sim *s)
{
    return fault_stalled(s) || timer_pending(s, TMR_LATE_FINAL);
}

void at_feed(struct sim *s, const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        uint8_t b = data[i];
        /* A booting module hears nothing. */
        if (s->st.radio.booting)
            continue;
        if (b == '\r') {
            line_done(s);
            /* Lines read in the same chunk wait while the module is busy with
             * this one, as they would wait in its UART: its late final must
             * not follow their answers. */
            if (at_busy(s) && !s->st.radio.booting) {
                buf_append(&s->held, data + i + 1, len - i - 1);
                return;
            }
        } else if (b == '\n' || b == '\0')
            continue;
        else if (s->host.len < SIM_LINE_MAX)
            buf_append(&s->host, &b, 1);
        else
            s->host_overflow = true;
    }
}

void at_feed_held(struct sim *s)
{
    if (s->held.len == 0 || at_busy(s))
        return;
    struct sim_buf held = s->held;
    s->held = (struct sim_buf){0};
    at_feed(s, (const uint8_t *)held.data, held.len);
    buf_free(&held);
}
