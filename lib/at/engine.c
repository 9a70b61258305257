#include <stdlib.h>
#include <string.h>

#include "at/engine_internal.h"

/* ------------------------------------------------------------ memory */

static size_t align_up(size_t n)
{
    const size_t a = sizeof(void *) > 4 ? sizeof(void *) : 4;
    return (n + a - 1) & ~(a - 1);
}

void qlw_at_config_default(qlw_at_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->line_max = 1100;
    cfg->cmd_max = 1100;
    cfg->resp_size = 1104;
    cfg->resp_lines_max = 16;
    cfg->urc_queue_size = 1280; /* a whole line_max line (a 512-byte +NNMI) and the event reserve */
    cfg->handlers_max = 6;
    cfg->boot_timeout_ms = 15000;
    cfg->guard_ms = 200;
}

/* Non-empty and one line: a command that cannot smuggle in a second one. */
static bool one_line(const char *text)
{
    return text != NULL && text[0] != '\0' && strpbrk(text, "\r\n") == NULL;
}

static bool config_valid(const qlw_at_config *cfg)
{
    if (cfg->line_max < 16 || cfg->cmd_max < 16 || cfg->resp_size < 16 || cfg->resp_lines_max < 1 ||
        cfg->urc_queue_size < (size_t)2 * QLW_URCQ_EVENT_RESERVE || cfg->handlers_max < 1 ||
        cfg->line_max >= 65000 || cfg->urc_queue_size >= (size_t)65536 * 16 ||
        (cfg->urc_table_len > 0 && !cfg->urc_table))
        return false;
    /* A probe is a one-line command with an answer prefix; both probes or neither. */
    for (unsigned k = 0; k < 2; k++) {
        const char *cmd = cfg->sync_command[k], *prefix = cfg->sync_prefix[k];

        if ((cmd == NULL) != (cfg->sync_command[k ^ 1u] == NULL))
            return false;
        if (cmd != NULL && (!one_line(cmd) || prefix == NULL || prefix[0] == '\0'))
            return false;
    }
    return true;
}

/* The regions carved from one block, in order: the offset of each in off[],
 * and the block's size returned. */
enum { REGIONS = 7 };

static size_t layout(const qlw_at_config *cfg, size_t off[REGIONS])
{
    const size_t sizes[REGIONS] = {sizeof(struct qlw_at),
                                   cfg->line_max + 1,
                                   cfg->cmd_max + 2,
                                   cfg->resp_size,
                                   cfg->resp_lines_max * sizeof(char *),
                                   qlw_urcq_mem_size(cfg->urc_queue_size),
                                   cfg->handlers_max * sizeof(qlw_handler)};
    size_t total = 0;

    for (unsigned i = 0; i < REGIONS; i++) {
        off[i] = total;
        total += align_up(sizes[i]);
    }
    return total;
}

size_t qlw_at_mem_size(const qlw_at_config *cfg)
{
    size_t off[REGIONS];

    return cfg != NULL && config_valid(cfg) ? layout(cfg, off) : 0;
}

static void urc_index(qlw_at *at);

int qlw_at_init(qlw_at **out, void *mem, size_t mem_size, const qlw_at_config *cfg, qlw_io *io)
{
    size_t off[REGIONS], need;
    uint8_t *p = mem;
    qlw_at *at = mem;

    if (out == NULL || mem == NULL || cfg == NULL || io == NULL || !config_valid(cfg))
        return QLW_ERR_ARG;
    need = layout(cfg, off);
    if (mem_size < need)
        return QLW_ERR_NOMEM;
    memset(mem, 0, need);
    at->cfg = *cfg;
    at->io = io;
    qlw_reader_init(&at->rd, (char *)p + off[1], cfg->line_max + 1);
    at->tx = (char *)p + off[2];
    at->resp_buf = (char *)p + off[3];
    at->resp_lines = (const char **)(void *)(p + off[4]);
    qlw_urcq_init(&at->urcq, p + off[5], cfg->urc_queue_size);
    at->handlers = (qlw_handler *)(void *)(p + off[6]);
    urc_index(at);
    at->last_rx_ms = qlw_io_now_ms(io);
    *out = at;
    return QLW_OK;
}

int qlw_at_open(qlw_at **out, const qlw_at_config *cfg, qlw_io *io)
{
    qlw_at_config def;
    size_t size;
    void *mem;
    int rc;

    if (cfg == NULL) {
        qlw_at_config_default(&def);
        cfg = &def;
    }
    size = qlw_at_mem_size(cfg);
    if (out == NULL || size == 0)
        return QLW_ERR_ARG;
    mem = malloc(size);
    if (mem == NULL)
        return QLW_ERR_NOMEM;
    rc = qlw_at_init(out, mem, size, cfg, io);
    if (rc != QLW_OK) {
        free(mem);
        return rc;
    }
    (*out)->owns_mem = true;
    return QLW_OK;
}

void qlw_at_close(qlw_at *at)
{
    if (at != NULL && at->owns_mem)
        free(at);
}

/* ----------------------------------------------------------- queueing */

static uint32_t now_ms(const qlw_at *at)
{
    return qlw_io_now_ms(at->io);
}

static void queue_event(qlw_at *at, qlw_at_event ev, uint32_t count)
{
    /* The reserve keeps room for events; losing one is counted like a URC. */
    if (!qlw_urcq_push_event(&at->urcq, ev, count, now_ms(at)))
        at->urc_dropped_unreported++;
}

static void queue_urc(qlw_at *at, const char *text, size_t len, unsigned flags)
{
    /* A line is complete when the bytes that end it were read: their arrival
     * time, taken once per qlw_at_process() call, not a clock read per URC. */
    if (qlw_urcq_push_line(&at->urcq, text, len, flags, at->last_rx_ms)) {
        at->stats.urcs++;
    } else {
        at->stats.urcs_dropped++;
        at->urc_dropped_unreported++;
    }
}

/* -------------------------------------------------------- completion */

/* Every byte of the last command given to qlw_at_send() is out: its text
 * and, for a prompt command, its payload. */
static bool cmd_written(const qlw_at *at)
{
    if (at->tx_len == 0 || at->tx_pos < at->tx_len)
        return false;
    return !QLW_AT_PROMPT || !(at->cmd.flags & QLW_AT_CMD_PROMPT) ||
           at->payload_pos == at->cmd.payload_len;
}

/* Which probe the next command will need, as the command in flight ends
 * without its answer: not one whose late answer may still come (a probe
 * left unanswered, or a command that is itself one of the probes), so that
 * the late answer cannot pass for the new probe's own. */
static void choose_probe(qlw_at *at)
{
    if (at->sync >= QLW_SYNC_AWAITING) {
        at->sync_which ^= 1u;
        return;
    }
    if (!cmd_written(at))
        return;
    for (unsigned k = 0; k < 2; k++) {
        if (at->cfg.sync_command[k] != NULL && strcmp(at->tx, at->cfg.sync_command[k]) == 0)
            at->sync_which = k ^ 1u;
    }
}

static void complete(qlw_at *at, qlw_at_result result, int code, const char *final)
{
    qlw_at_response *r = &at->resp;
    uint32_t now = now_ms(at);
    bool lost = result == QLW_AT_RESULT_TIMEOUT || result == QLW_AT_RESULT_CANCELLED;
    size_t n;

    /* A byte loop: a final line is a few bytes ("OK"), and long ones are cut.
     * It stops at the NUL, which cppcheck does not see for a "" argument. */
    /* cppcheck-suppress arrayIndexOutOfBoundsCond */
    for (n = 0; n < sizeof(at->final) - 1 && final[n] != '\0'; n++)
        at->final[n] = final[n];
    at->final[n] = '\0';
    at->tx[at->tx_len - 1] = '\0'; /* the CR is out (or never will be): keep the text */
    r->command = at->tx;
    r->result = result;
    r->code = code;
    r->final = at->final;
    r->lines = at->resp_lines;
    r->elapsed_ms = (uint32_t)qlw_ms_diff(now, at->start_ms);
    at->phase = QLW_PHASE_IDLE;
    if (QLW_AT_PROMPT)
        at->rd.want_prompt = false;
    if (lost) {
        choose_probe(at);
        at->stale = true;
        at->stale_since_ms = now;
    }
    at->line_cut = (at->sync == QLW_SYNC_WRITING && at->sync_pos > 0) ||
                   (at->sync == QLW_SYNC_OFF && at->tx_pos > 0 && at->tx_pos < at->tx_len);
    at->sync = QLW_SYNC_OFF;
    at->completed = true;
    at->stats.commands++;
    if (result == QLW_AT_RESULT_TIMEOUT)
        at->stats.timeouts++;
}

/* The response's lines are counted in at->resp itself: qlw_at_send() clears it. */
static void add_resp_line(qlw_at *at, const char *text, size_t len)
{
    char *dst = at->resp_buf + at->resp_used;

    if (at->resp.line_count >= at->cfg.resp_lines_max ||
        at->resp_used + len + 1 > at->cfg.resp_size) {
        at->resp.truncated = true;
        return;
    }
    memcpy(dst, text, len);
    dst[len] = '\0';
    at->resp_lines[at->resp.line_count++] = dst;
    at->resp_used += len + 1;
    at->got_line = true;
}

/* ------------------------------------------------------ classification */

static bool in_flight(const qlw_at *at)
{
    return at->phase == QLW_PHASE_WAITING || (QLW_AT_PROMPT && at->phase == QLW_PHASE_PROMPT);
}

/* Every line is checked against whole tables and lists, most of whose entries
 * share the leading '+' and many the letter after it ("+N", "+C"): reject on
 * the first three bytes before the full match. */
static inline bool prefix_match(const char *line, size_t len, const char *prefix)
{
    if (prefix[0] != '\0' && (len == 0 || prefix[0] != line[0]))
        return false;
    if (prefix[0] != '\0' && prefix[1] != '\0' && (len == 1 || prefix[1] != line[1]))
        return false;
    if (prefix[0] != '\0' && prefix[1] != '\0' && prefix[2] != '\0' &&
        (len == 2 || prefix[2] != line[2]))
        return false;
    return qlw_prefix_match(line, len, prefix);
}

static unsigned urc_bucket(const char *p)
{
    return ((unsigned char)p[0] * 5u + (unsigned char)p[1] * 3u + (unsigned char)p[2]) %
           QLW_AT_URC_BUCKETS;
}

/* Links each entry into its bucket's chain, last entry first so that every
 * chain runs in table order. */
static void urc_index(qlw_at *at)
{
    const qlw_at_urc_def *t = at->cfg.urc_table;

    if (at->cfg.urc_table_len > QLW_AT_URC_INDEX_MAX)
        return;
    for (size_t i = at->cfg.urc_table_len; i-- > 0;) {
        const char *p = t[i].prefix;
        unsigned b;

        if (p == NULL || p[0] == '\0' || p[1] == '\0' || p[2] == '\0')
            return; /* urc_indexed stays false: a linear scan */
        b = urc_bucket(p);
        at->urc_next[i] = at->urc_head[b];
        at->urc_head[b] = (uint8_t)(i + 1);
    }
    at->urc_indexed = true;
}

QLW_AT_NOINLINE static const qlw_at_urc_def *urc_def(const qlw_at *at, const char *line, size_t len)
{
    const qlw_at_urc_def *t = at->cfg.urc_table;
    size_t n = at->cfg.urc_table_len;
    size_t i;

    /* Indexed, the chain of the line's bucket (every prefix has three bytes
     * or more: a shorter line matches none); else every entry in turn.
     * Entries are numbered from 1. */
    if (at->urc_indexed)
        i = len < 3 ? 0 : at->urc_head[urc_bucket(line)];
    else
        i = n > 0;
    for (; i != 0; i = at->urc_indexed ? at->urc_next[i - 1] : (i < n ? i + 1 : 0)) {
        if (qlw_prefix_match(line, len, t[i - 1].prefix))
            return &t[i - 1];
    }
    return NULL;
}

/* Parses "+CME ERROR: 513" (space optional); -1 when the code is not a number. */
static int error_code(const char *p)
{
    long v = 0;
    int digits = 0;

    while (*p == ' ')
        p++;
    for (; *p >= '0' && *p <= '9' && digits < 6; p++, digits++)
        v = v * 10 + (*p - '0');
    return digits > 0 && *p == '\0' ? (int)v : -1;
}

static bool list_match(const char *const *list, const char *line, size_t len)
{
    for (; list != NULL && *list != NULL; list++) {
        if (prefix_match(line, len, *list))
            return true;
    }
    return false;
}

/*
 * The final result token a line is (OK, ERROR, CME or CMS error, with the
 * error's number in *code, else -1), or -1 for any other line. Every line is
 * tested against them, mostly in vain: the first bytes decide before any
 * string call. Lines are NUL-terminated.
 */
static inline int final_token(const char *line, int *code)
{
    const char *p = line + 4;

    *code = -1;
    if (line[0] == 'O')
        return line[1] == 'K' && line[2] == '\0' ? QLW_AT_RESULT_OK : -1;
    if (line[0] == 'E')
        return strcmp(line, "ERROR") == 0 ? QLW_AT_RESULT_ERROR : -1;
    if (line[0] != '+' || line[1] != 'C' || line[2] != 'M' || (line[3] != 'E' && line[3] != 'S'))
        return -1;
    /* "+CMEE ERROR:" is the BC66's spelling of a +CME error in its LwM2M
     * commands (reference quectel-lwm2m-dialects.md 2.7). */
    if (line[3] == 'E' && *p == 'E')
        p++;
    if (strncmp(p, " ERROR:", 7) != 0)
        return -1;
    *code = error_code(p + 7);
    return line[3] == 'S' ? QLW_AT_RESULT_CMS_ERROR : QLW_AT_RESULT_CME_ERROR;
}

/* Returns true when the line was a final result of the command in flight. */
static bool take_final(qlw_at *at, const char *line, size_t len)
{
    int code, result = final_token(line, &code);

    if (result < 0) {
        if (!list_match(at->cmd.finals, line, len))
            return false;
        result = QLW_AT_RESULT_FINAL;
    }
    if (result != QLW_AT_RESULT_OK || ++at->finals_seen >= at->finals_expected)
        complete(at, (qlw_at_result)result, code, line);
    return true;
}

static void start_boot(qlw_at *at)
{
    if (in_flight(at) || at->phase == QLW_PHASE_WRITING)
        complete(at, QLW_AT_RESULT_REBOOTED, -1, "");
    at->stale = false; /* a restarted module owes no answers, and its line is empty */
    at->line_cut = false;
    if (!at->booting) {
        at->booting = true;
        at->stats.reboots++;
        queue_event(at, QLW_AT_EV_BOOT_START, 0);
    }
    at->boot_deadline_ms = now_ms(at) + at->cfg.boot_timeout_ms;
}

/* Lines of the command in flight (steps 2-4 and 6 of the rule in at.h); def is the
 * line's URC table entry, looked up once by classify(). */
static bool take_response(qlw_at *at, const char *line, size_t len, bool garbled,
                          const qlw_at_urc_def *def)
{
    const qlw_at_cmd *c = &at->cmd;

    if (!at->got_line && !(c->flags & QLW_AT_CMD_NO_ECHO) && len == at->tx_len - 1 &&
        memcmp(line, at->tx, len) == 0) {
        at->stats.echoes++;
        return true;
    }
    if (take_final(at, line, len))
        return true;
    if (garbled)
        return false;
    /* A declared prefix the filter accepts; or, when the command takes bare
     * lines, a line that is no URC and has no prefix. */
    if ((list_match(c->prefixes, line, len) &&
         (c->accept == NULL || c->accept(c->accept_ctx, line, len))) ||
        (def == NULL && (c->flags & QLW_AT_CMD_BARE) && line[0] != '+')) {
        add_resp_line(at, line, len);
        return true;
    }
    return false;
}

/* Lines while the resynchronising probe is awaited: its echo, its answer
 * line, and a final result, which ends the probe only after that line (the
 * module answers in order: a final before it belongs to the timed-out
 * command). Everything else is a URC, as between commands. */
static bool take_sync(qlw_at *at, const char *line, size_t len, bool garbled)
{
    int code;

    if (strcmp(line, at->cfg.sync_command[at->sync_which]) == 0)
        return true; /* echo */
    if (!garbled && at->sync == QLW_SYNC_AWAITING &&
        prefix_match(line, len, at->cfg.sync_prefix[at->sync_which])) {
        at->sync = QLW_SYNC_ANSWERED;
        return true;
    }
    /* A final result before the answer line is stale: classify() counts it. */
    if (at->sync != QLW_SYNC_ANSWERED || final_token(line, &code) < 0)
        return false;
    at->sync = QLW_SYNC_OFF; /* in step again: the command itself goes next */
    at->stale = false;
    return true;
}

static void classify(qlw_at *at, const char *line, size_t len, bool garbled)
{
    unsigned flags = garbled ? QLW_LINE_GARBLED : 0;
    const qlw_at_urc_def *def = urc_def(at, line, len);
    int code;

    at->stats.lines++;
    if (!at->booting && def != NULL && (def->flags & QLW_URC_REBOOT) &&
        !(in_flight(at) && list_match(at->cmd.finals, line, len)))
        start_boot(at);
    if (at->booting) {
        /* Without a terminator line (LTE modules print a lone "RDY") the
         * banner is the line itself. */
        bool end = at->cfg.boot_end == NULL || (def != NULL && (def->flags & QLW_URC_BOOT_END)) ||
                   strcmp(line, at->cfg.boot_end) == 0;

        flags |= QLW_LINE_BOOT;
        if (end) {
            at->booting = false;
            flags |= QLW_LINE_BOOT_END;
        }
        queue_urc(at, line, len, flags);
        if (end)
            queue_event(at, QLW_AT_EV_BOOT_END, 0);
        return;
    }
    if (at->sync >= QLW_SYNC_AWAITING && take_sync(at, line, len, garbled))
        return;
    /* No command is in flight while the probe is awaited (it goes first). */
    if (in_flight(at) && take_response(at, line, len, garbled, def))
        return;
    if (final_token(line, &code) >= 0) {
        at->stats.stale_finals++;
        queue_event(at, QLW_AT_EV_STALE_FINAL, 0);
        return;
    }
    queue_urc(at, line, len, flags);
}

/* ------------------------------------------------------------ writing */

static void io_failed(qlw_at *at, int err)
{
    if (at->phase != QLW_PHASE_IDLE)
        complete(at, QLW_AT_RESULT_IO_ERROR, err, "");
    queue_event(at, QLW_AT_EV_IO_ERROR, (uint32_t)-err);
}

static bool guard_holds(const qlw_at *at, uint32_t now)
{
    uint32_t quiet = at->cfg.guard_ms;

    /* A line already begun (command or probe) is finished without waiting. */
    if (!at->stale || at->tx_pos > 0 || at->sync == QLW_SYNC_WRITING)
        return false;
    return !qlw_ms_reached(now, at->stale_since_ms + quiet) ||
           !qlw_ms_reached(now, at->last_rx_ms + quiet);
}

/* Writes what the port takes now of data: the count, or -1 once a failure
 * has been reported. */
static int write_some(qlw_at *at, const void *data, size_t len)
{
    int n = qlw_io_write(at->io, data, len);

    if (n < 0) {
        io_failed(at, n);
        return -1;
    }
    if (n > 0 && at->cfg.trace)
        at->cfg.trace(at->cfg.trace_ctx, QLW_TRACE_TX, data, (size_t)n, now_ms(at));
    at->stats.bytes_tx += (uint32_t)n;
    return n;
}

static void all_written(qlw_at *at, uint32_t now)
{
    at->stale = false;
    at->deadline_ms = now + at->cmd.timeout_ms;
    if (QLW_AT_PROMPT && (at->cmd.flags & QLW_AT_CMD_PROMPT) && !at->sending_payload) {
        at->phase = QLW_PHASE_PROMPT;
        at->rd.want_prompt = true;
    } else {
        at->phase = QLW_PHASE_WAITING;
    }
}

/* Writes (more of) the resynchronising probe: "[CR]probe CR", the first CR
 * only when a command or probe was cut mid-line, so that the module ends
 * that fragment first (its answer comes before the probe's line: stale). */
static void write_sync(qlw_at *at)
{
    const char *probe = at->cfg.sync_command[at->sync_which];
    size_t len = strlen(probe), first;

    if (at->sync == QLW_SYNC_OFF) {
        at->sync = QLW_SYNC_WRITING;
        at->sync_cr = at->line_cut;
        at->sync_pos = 0;
    }
    first = at->sync_cr ? 1 : 0;
    while (at->sync_pos < first + len + 1) {
        size_t k = at->sync_pos - first; /* where in "probe CR" (wraps before it) */
        bool cr = at->sync_pos < first || k == len;
        int n = write_some(at, cr ? "\r" : probe + k, cr ? 1 : len - k);

        if (n <= 0)
            return; /* failed, or the port takes no more now: the rest later */
        at->sync_pos += (size_t)n;
    }
    at->sync = QLW_SYNC_AWAITING;
    at->line_cut = false;
}

static void write_pending(qlw_at *at)
{
    const uint8_t *data = (const uint8_t *)at->tx;
    size_t *pos = &at->tx_pos, len = at->tx_len;
    uint32_t now = now_ms(at);
    int n;

    if (guard_holds(at, now))
        return;
    if (QLW_AT_PROMPT && at->sending_payload) {
        data = at->cmd.payload;
        pos = &at->payload_pos;
        len = at->cmd.payload_len;
    } else if (at->tx_pos == 0) {
        if (at->stale && at->cfg.sync_command[0] != NULL) {
            write_sync(at);
            return;
        }
        at->start_ms = now;
    }
    n = write_some(at, data + *pos, len - *pos);
    if (n < 0)
        return;
    *pos += (size_t)n;
    if (*pos == len)
        all_written(at, now_ms(at));
}

/* Called after every chunk read, where there is mostly nothing to write: the
 * test costs less than the call. */
static inline void flush_tx(qlw_at *at)
{
    if (at->phase == QLW_PHASE_WRITING && at->sync < QLW_SYNC_AWAITING)
        write_pending(at);
}

/* ------------------------------------------------------------ sending */

int qlw_at_send(qlw_at *at, const qlw_at_cmd *cmd, qlw_at_done_fn done, void *ctx)
{
    uint32_t guard_ms;
    size_t n;

    if (at == NULL || cmd == NULL)
        return QLW_ERR_ARG;
    if (at->phase != QLW_PHASE_IDLE)
        return QLW_ERR_BUSY;
    n = cmd->text != NULL ? strlen(cmd->text) : 0;
    if (n == 0)
        return QLW_ERR_ARG;
    if (n > at->cfg.cmd_max)
        return QLW_ERR_OVERFLOW;
    /* One line, and deadlines compared wrap-safely, which only works below 2^31 ms. */
    guard_ms = at->cfg.guard_ms;
    if (strpbrk(cmd->text, "\r\n") != NULL || guard_ms > INT32_MAX ||
        (!QLW_AT_PROMPT && (cmd->flags & QLW_AT_CMD_PROMPT)) ||
        cmd->timeout_ms > INT32_MAX - guard_ms)
        return QLW_ERR_ARG;
    if (cmd->text != at->tx) /* built in qlw_at_text_buffer(): already in place */
        memcpy(at->tx, cmd->text, n);
    at->tx[n] = '\r';
    at->tx[n + 1] = '\0';
    at->cmd = *cmd;
    at->cmd.text = at->tx; /* the caller's buffer may go away; keep our copy */
    at->tx_len = n + 1;
    at->tx_pos = 0;
    at->payload_pos = 0;
    at->sending_payload = false;
    at->got_line = false;
    at->finals_expected = qlw_count_chained(cmd->text);
    at->finals_seen = 0;
    at->done = done;
    at->done_ctx = ctx;
    at->resp_used = 0;
    memset(&at->resp, 0, sizeof(at->resp));
    at->phase = QLW_PHASE_WRITING;
    at->start_ms = now_ms(at);
    /* A port that never drains must not hang the command: the clock runs while writing. */
    at->deadline_ms = at->start_ms + guard_ms + cmd->timeout_ms;
    flush_tx(at);
    return QLW_OK;
}

int qlw_at_send_raw(qlw_at *at, const char *text, uint32_t timeout_ms, qlw_at_done_fn done,
                    void *ctx)
{
    if (at == NULL)
        return QLW_ERR_ARG;
    if (at->phase != QLW_PHASE_IDLE)
        return QLW_ERR_BUSY;
    qlw_raw_cmd_build(&at->raw, text ? text : "", timeout_ms);
    return qlw_at_send(at, &at->raw.cmd, done, ctx);
}

/* ---------------------------------------------------------- dispatch */

/* The first three bytes of s (at most len), zero-filled: a prefix longer
 * than the line then differs from it in a byte the mask keeps. */
static uint32_t head3(const char *s, size_t len)
{
    uint32_t w = 0;

    for (size_t i = 0; i < 3 && i < len; i++)
        w |= (uint32_t)(unsigned char)s[i] << (8 * i);
    return w;
}

static void dispatch_event(qlw_at *at, qlw_at_event ev, uint32_t count)
{
    for (size_t i = 0; i < at->handler_count; i++) {
        const qlw_handler *h = &at->handlers[i];

        if (h->event != NULL)
            h->event(h->ctx, ev, count);
    }
}

static void dispatch_record(qlw_at *at, const qlw_urcq_rec *rec)
{
    qlw_at_line line = {(const char *)(rec + 1), rec->value, rec->flags, rec->time_ms};
    uint32_t head;

    /* One loop per kind: the kind is tested once per record, not per handler. */
    if (rec->kind == QLW_URCQ_EVENT) {
        dispatch_event(at, (qlw_at_event)rec->flags, rec->value);
        return;
    }
    if (rec->kind != QLW_URCQ_LINE)
        return;
    head = head3(line.text, line.len);
    for (size_t i = 0; i < at->handler_count; i++) {
        const qlw_handler *h = &at->handlers[i];

        if (h->urc != NULL && (head & h->head_mask) == h->head &&
            qlw_prefix_match(line.text, line.len, h->prefix))
            h->urc(h->ctx, &line);
    }
}

/* Queued URCs first (they arrived before the final result), then the completion. */
static void deliver(qlw_at *at)
{
    const qlw_urcq_rec *rec;

    at->in_dispatch = true;
    while ((rec = qlw_urcq_peek(&at->urcq)) != NULL) {
        dispatch_record(at, rec);
        qlw_urcq_pop(&at->urcq);
    }
    if (at->urc_dropped_unreported > 0) {
        uint32_t dropped = at->urc_dropped_unreported;

        at->urc_dropped_unreported = 0;
        dispatch_event(at, QLW_AT_EV_URC_OVERFLOW, dropped);
    }
    if (at->completed) {
        at->completed = false;
        if (at->done != NULL)
            at->done(at->done_ctx, &at->resp);
    }
    at->in_dispatch = false;
}

/* Runs after every chunk read, where there is usually nothing to deliver. */
static inline void dispatch(qlw_at *at)
{
    if (at->completed || at->urc_dropped_unreported > 0 || qlw_urcq_peek(&at->urcq) != NULL)
        deliver(at);
}

/* ------------------------------------------------------------ reading */

static void reader_event(qlw_at *at, qlw_rd_event ev)
{
    switch (ev) {
    case QLW_RD_LINE:
        classify(at, at->rd.buf, at->rd.line_len, at->rd.last_garbled);
        break;
    case QLW_RD_EMPTY:
        at->stats.empty_lines++;
        break;
    case QLW_RD_OVERFLOW:
        at->stats.lines_overflowed++;
        queue_event(at, QLW_AT_EV_LINE_OVERFLOW, (uint32_t)at->rd.last_overflow_bytes);
        break;
    case QLW_RD_PROMPT:
        if (QLW_AT_PROMPT && at->phase == QLW_PHASE_PROMPT) {
            at->rd.want_prompt = false;
            at->sending_payload = true;
            at->phase = QLW_PHASE_WRITING;
            flush_tx(at);
        }
        break;
    case QLW_RD_NONE:
        break;
    }
}

/* Feeds buffered bytes; stops right after a completion so it is dispatched in order. */
QLW_AT_NOINLINE static void feed(qlw_at *at)
{
    while (at->rx_pos < at->rx_len && !at->completed) {
        qlw_rd_event ev;
        size_t used = qlw_reader_feed(&at->rd, at->rx + at->rx_pos, at->rx_len - at->rx_pos, &ev);

        at->rx_pos += used;
        reader_event(at, ev);
    }
    at->stats.garbage_bytes = at->rd.garbage_bytes;
}

/* Bounds the work of one call so that a flooding modem cannot starve the caller's loop. */
#define QLW_AT_MAX_READS_PER_PROCESS 64

/* What ended a gather: the chunk is full or the read budget is spent, the
 * transport had nothing more, or it failed. */
typedef struct gather_end {
    bool drained;
    int err;
} gather_end;

/*
 * Reads into the chunk buffer until it is full, the transport has nothing
 * more, or the read budget is spent, and returns the bytes gathered. A
 * transport that hands over a byte or a few at a time (a UART ring, a slow
 * tty) then costs the reader one call per chunk instead of one per byte: at
 * such read sizes the work per call, not per byte, is what costs. The bytes
 * and their order are the same, so is what the engine makes of them.
 *
 * The arrival time is taken once per qlw_at_process() call, by the gather
 * that brings its first bytes, not per read: the reads of one call follow
 * each other within microseconds, and with one-byte reads a clock read per
 * byte would cost more than the parsing.
 */
static size_t gather(qlw_at *at, int *reads, gather_end *end)
{
    size_t len = 0;
    /* Locals, not loads through at after every call (the compiler cannot
     * know that a transport's read leaves them alone): with one-byte reads
     * this loop runs once per byte. */
    int (*read)(void *, uint8_t *, size_t) = at->io->ops->read;
    void *ctx = at->io->ctx;
    uint8_t *rx = at->rx;
    int budget = QLW_AT_MAX_READS_PER_PROCESS - *reads, done = 0;

    end->drained = false;
    end->err = 0;
    /* The loop does only what each read must; the rest is once per chunk. */
    while (len < sizeof(at->rx) && done < budget) {
        int n = read(ctx, rx + len, sizeof(at->rx) - len);

        if (n <= 0) {
            end->drained = n == 0;
            end->err = n;
            break;
        }
        done++;
        len += (size_t)n;
    }
    *reads += done;
    at->rx_len = len;
    at->rx_pos = 0;
    if (len == 0)
        return 0;
    if (*reads == done) /* the call's first bytes: every read before gave some */
        at->last_rx_ms = now_ms(at);
    at->stats.bytes_rx += (uint32_t)len;
    /* One call for the chunk: its reads share one arrival time, so the trace is the same. */
    if (at->cfg.trace)
        at->cfg.trace(at->cfg.trace_ctx, QLW_TRACE_RX, at->rx, len, at->last_rx_ms);
    return len;
}

/*
 * A deadline counts once reached; but while input is left unread because the
 * read budget ran out, that input may hold the answer, so it gets up to
 * guard_ms more: the outcome must not depend on how the bytes were cut.
 */
static bool deadline_passed(const qlw_at *at, uint32_t now, uint32_t deadline, bool input_left)
{
    if (!qlw_ms_reached(now, deadline))
        return false;
    return !input_left || (uint32_t)qlw_ms_diff(now, deadline) >= at->cfg.guard_ms;
}

static void expire(qlw_at *at, bool input_left)
{
    uint32_t now = now_ms(at);

    if (at->phase != QLW_PHASE_IDLE && deadline_passed(at, now, at->deadline_ms, input_left))
        complete(at, QLW_AT_RESULT_TIMEOUT, -1, "");
    if (at->booting && deadline_passed(at, now, at->boot_deadline_ms, input_left)) {
        at->booting = false;
        queue_event(at, QLW_AT_EV_BOOT_TIMEOUT, 0);
    }
}

int qlw_at_process(qlw_at *at)
{
    int rc = QLW_OK, reads = 0;
    gather_end end = {false, 0};
    uint32_t tx_at_drain = 0;

    if (at == NULL)
        return QLW_ERR_ARG;
    if (at->in_dispatch)
        return QLW_ERR_STATE;
    flush_tx(at);
    for (;;) {
        if (at->rx_pos == at->rx_len) {
            /* Drained and nothing written since (which could bring an answer): done. */
            if (end.err < 0 || reads >= QLW_AT_MAX_READS_PER_PROCESS ||
                (end.drained && at->stats.bytes_tx == tx_at_drain))
                break;
            if (gather(at, &reads, &end) == 0)
                break;
            tx_at_drain = at->stats.bytes_tx;
        }
        feed(at);
        /* Dispatch per chunk: keeps the queue short under a flood. */
        if (at->completed || at->rx_pos == at->rx_len) {
            dispatch(at);
            flush_tx(at);
        }
    }
    /* A failed read is reported after the bytes that came before it. */
    if (end.err < 0) {
        io_failed(at, end.err);
        rc = end.err;
    }
    expire(at, reads >= QLW_AT_MAX_READS_PER_PROCESS);
    dispatch(at);
    flush_tx(at);
    return rc;
}

static void earliest(int32_t *best, int32_t t)
{
    if (t < 0)
        t = 0;
    if (*best < 0 || t < *best)
        *best = t;
}

int32_t qlw_at_next_timeout_ms(qlw_at *at)
{
    uint32_t now;
    int32_t best = -1;

    if (at->rx_pos < at->rx_len || qlw_urcq_peek(&at->urcq) != NULL || at->completed)
        return 0;
    if (at->phase == QLW_PHASE_IDLE && !at->booting)
        return -1; /* an event loop asks this for every handle on every turn */
    now = now_ms(at);
    if (at->phase != QLW_PHASE_IDLE)
        earliest(&best, qlw_ms_diff(at->deadline_ms, now));
    if (at->phase == QLW_PHASE_WRITING && at->sync < QLW_SYNC_AWAITING)
        /* the guard, or a short write to retry (a probe's answer: the deadline) */
        earliest(&best, guard_holds(at, now) ? (int32_t)at->cfg.guard_ms : 10);
    if (at->booting)
        earliest(&best, qlw_ms_diff(at->boot_deadline_ms, now));
    return best;
}

int qlw_at_fd(qlw_at *at)
{
    return at ? qlw_io_fd(at->io) : -1;
}

int qlw_at_poll(qlw_at *at, uint32_t max_ms)
{
    int32_t next;

    if (at == NULL)
        return QLW_ERR_ARG;
    if (at->in_dispatch)
        return QLW_ERR_STATE;
    next = qlw_at_next_timeout_ms(at);
    if (next >= 0 && (uint32_t)next < max_ms)
        max_ms = (uint32_t)next;
    if (max_ms > 0) {
        int rc = qlw_io_wait(at->io, max_ms);
        if (rc < 0) {
            io_failed(at, rc);
            dispatch(at);
            return rc;
        }
    }
    return qlw_at_process(at);
}

static void exec_done(void *ctx, const qlw_at_response *resp)
{
    *(const qlw_at_response **)ctx = resp;
}

int qlw_at_exec(qlw_at *at, const qlw_at_cmd *cmd, const qlw_at_response **resp)
{
    const qlw_at_response *r = NULL;
    int rc;

    if (at == NULL)
        return QLW_ERR_ARG;
    if (at->in_dispatch)
        return QLW_ERR_STATE;
    rc = qlw_at_send(at, cmd, exec_done, &r);
    if (rc != QLW_OK)
        return rc;
    while (r == NULL) {
        rc = qlw_at_poll(at, UINT32_MAX / 2);
        /* r is set by exec_done(), which cppcheck does not see. */
        /* cppcheck-suppress knownConditionTrueFalse */
        if (rc < 0 && r == NULL)
            return rc; /* cannot happen: an I/O error completes the command */
    }
    if (resp != NULL)
        *resp = r;
    if (r->result == QLW_AT_RESULT_IO_ERROR && r->code < 0)
        return r->code; /* the transport's own error, e.g. QLW_ERR_PORT_GONE */
    return qlw_at_result_err(r->result);
}

int qlw_at_exec_raw(qlw_at *at, const char *text, uint32_t timeout_ms, const qlw_at_response **resp)
{
    if (at == NULL)
        return QLW_ERR_ARG;
    if (at->phase != QLW_PHASE_IDLE)
        return QLW_ERR_BUSY;
    qlw_raw_cmd_build(&at->raw, text ? text : "", timeout_ms);
    return qlw_at_exec(at, &at->raw.cmd, resp);
}

const qlw_at_response *qlw_at_last_response(const qlw_at *at)
{
    /* qlw_at_send() clears the response; complete() names the command again. */
    if (at == NULL || at->phase != QLW_PHASE_IDLE || at->resp.command == NULL)
        return NULL;
    return &at->resp;
}

char *qlw_at_text_buffer(qlw_at *at, size_t *size)
{
    if (at == NULL || size == NULL || at->phase != QLW_PHASE_IDLE)
        return NULL;
    *size = at->cfg.cmd_max + 1;
    return at->tx;
}

bool qlw_at_busy(const qlw_at *at)
{
    return at != NULL && at->phase != QLW_PHASE_IDLE;
}

bool qlw_at_waiting(const qlw_at *at)
{
    return at != NULL && (at->phase == QLW_PHASE_WAITING || at->phase == QLW_PHASE_PROMPT);
}

bool qlw_at_written(const qlw_at *at)
{
    return at != NULL && cmd_written(at);
}

bool qlw_at_in_callback(const qlw_at *at)
{
    return at != NULL && at->in_dispatch;
}

bool qlw_at_booting(const qlw_at *at)
{
    return at != NULL && at->booting;
}

int qlw_at_cancel(qlw_at *at)
{
    if (at == NULL)
        return QLW_ERR_ARG;
    if (at->phase == QLW_PHASE_IDLE)
        return QLW_ERR_STATE;
    complete(at, QLW_AT_RESULT_CANCELLED, -1, "");
    if (!at->in_dispatch)
        dispatch(at);
    return QLW_OK;
}

/* ----------------------------------------------------------- handlers */

/* A URC handler (urc) or an event handler (ev): whichever is given. */
static int add_handler(qlw_at *at, const char *prefix, qlw_at_urc_fn urc, qlw_at_event_fn ev,
                       void *ctx)
{
    size_t n;
    qlw_handler *h;

    if (at == NULL || (urc == NULL && ev == NULL))
        return QLW_ERR_ARG;
    n = strlen(prefix);
    if (n >= QLW_AT_PREFIX_MAX)
        return QLW_ERR_ARG;
    if (at->handler_count >= at->cfg.handlers_max)
        return QLW_ERR_NOMEM;
    h = &at->handlers[at->handler_count++];
    memcpy(h->prefix, prefix, n + 1);
    h->head = head3(prefix, n);
    h->head_mask = head3("\xFF\xFF\xFF", n);
    h->urc = urc;
    h->event = ev;
    h->ctx = ctx;
    return QLW_OK;
}

int qlw_at_add_urc_handler(qlw_at *at, const char *prefix, qlw_at_urc_fn fn, void *ctx)
{
    return add_handler(at, prefix ? prefix : "", fn, NULL, ctx);
}

int qlw_at_add_event_handler(qlw_at *at, qlw_at_event_fn fn, void *ctx)
{
    return add_handler(at, "", NULL, fn, ctx);
}

int qlw_at_remove_handlers(qlw_at *at, const void *ctx)
{
    size_t kept = 0;
    int removed = 0;

    if (at == NULL)
        return 0;
    for (size_t i = 0; i < at->handler_count; i++) {
        if (at->handlers[i].ctx == ctx)
            removed++;
        else
            at->handlers[kept++] = at->handlers[i];
    }
    at->handler_count = kept;
    return removed;
}

void qlw_at_set_trace(qlw_at *at, qlw_trace_fn fn, void *ctx)
{
    if (at == NULL)
        return;
    at->cfg.trace = fn;
    at->cfg.trace_ctx = ctx;
}

void qlw_at_redact_command(qlw_at *at, const char *secret)
{
    size_t n = secret ? strlen(secret) : 0, stars = n < 3 ? n : 3;
    char *hit;

    if (at == NULL || n == 0 || at->phase != QLW_PHASE_IDLE || at->resp.command != at->tx)
        return;
    /* the stars are never longer than the secret, so this works in place */
    while ((hit = strstr(at->tx, secret)) != NULL) {
        memset(hit, '*', stars);
        memmove(hit + stars, hit + n, strlen(hit + n) + 1);
    }
}

void qlw_at_get_trace(const qlw_at *at, qlw_trace_fn *fn, void **ctx)
{
    if (fn != NULL)
        *fn = at ? at->cfg.trace : NULL;
    if (ctx != NULL)
        *ctx = at ? at->cfg.trace_ctx : NULL;
}

void qlw_at_get_stats(const qlw_at *at, qlw_at_stats *out)
{
    if (at != NULL && out != NULL)
        *out = at->stats;
}

qlw_io *qlw_at_io(qlw_at *at)
{
    return at ? at->io : NULL;
}

int qlw_at_set_io(qlw_at *at, qlw_io *io)
{
    if (at == NULL || io == NULL)
        return QLW_ERR_ARG;
    if (at->in_dispatch)
        return QLW_ERR_STATE;
    /* Bytes of the old port cannot be joined to the new port's: a partial line
     * would glue onto the first line the new one sends. */
    if (at->phase != QLW_PHASE_IDLE && !at->completed)
        complete(at, QLW_AT_RESULT_IO_ERROR, QLW_ERR_PORT_GONE, "");
    at->io = io;
    qlw_reader_reset(&at->rd);
    if (QLW_AT_PROMPT)
        at->rd.want_prompt = false;
    at->rx_len = 0;
    at->rx_pos = 0;
    at->stale = false;
    at->booting = false;
    at->last_rx_ms = qlw_io_now_ms(io);
    return QLW_OK;
}

uint32_t qlw_at_now_ms(const qlw_at *at)
{
    return now_ms(at);
}
