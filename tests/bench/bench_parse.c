/*
 * Parse benchmark: a BC68 byte stream, built deterministically from the
 * recorded transcripts, through the whole receive path of an engine opened
 * with qlw_neul_at_config(): line reader, classifier, URC queue, dispatch and
 * the family's URC decoders, with the recorded command in flight for every
 * recorded answer.
 *
 * The transport plays the modem: the answer to a command becomes readable
 * only once the command's CR was written, and the next command goes out only
 * once the previous answer (and the URCs after it) was read, so responses stay
 * responses and late lines stay URCs, as on a real serial line.
 *
 * Options: --mb=N (stream size, default 4), --read-size=N (one size only;
 * default 1, 64 and 4096), --ms=N (time per read size, default 1000),
 * --passes=N (exactly N timed passes; for callgrind use --passes=1).
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "qlwm2m/at.h"
#include "qlwm2m/neul.h"
#include "qlwm2m/transcript.h"

#define LINE_MAX_DEFAULT 1100u   /* the engine's default line_max */
#define BAUD_115200_BPS  11520.0 /* bytes per second at 115200 baud, 8N1 */

/* ------------------------------------------------------------- buffers */

typedef struct bytes {
    uint8_t *p;
    size_t len;
    size_t cap;
} bytes;

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);

    if (q == NULL) {
        fprintf(stderr, "bench_parse: out of memory\n");
        exit(1);
    }
    return q;
}

static void bytes_add(bytes *b, const void *data, size_t n)
{
    if (n == 0) /* data may be the NULL of an empty buffer */
        return;
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 64;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void bytes_str(bytes *b, const char *s)
{
    bytes_add(b, s, strlen(s));
}

/* --------------------------------------------------- recorded exchanges */

/* A command as recorded and the modem bytes that followed it. */
typedef struct exchange {
    char *cmd; /* NULL: bytes the modem sent unasked (before the first command) */
    bytes answer;
} exchange;

typedef struct exchanges {
    exchange *v;
    size_t n;
    size_t cap;
    char **urcs; /* recorded URC lines, CR LF included */
    size_t urc_n;
    size_t urc_cap;
} exchanges;

static exchange *exchange_new(exchanges *xs, const char *cmd, size_t len)
{
    exchange *x;

    if (xs->n == xs->cap) {
        xs->cap = xs->cap * 2 + 16;
        xs->v = xrealloc(xs->v, xs->cap * sizeof(*xs->v));
    }
    x = &xs->v[xs->n++];
    memset(x, 0, sizeof(*x));
    if (cmd != NULL) {
        x->cmd = xrealloc(NULL, len + 1);
        memcpy(x->cmd, cmd, len);
        x->cmd[len] = '\0';
    }
    return x;
}

static const char *const urc_prefixes[] = {
    "+QLWEVTIND:", "+QLWULDATASTATUS:", "+CEREG:", "+CSCON:", "+NPSMR:", "+NNMI:",
    "+NSMI:",      "+NPING:",           "+NSONMI:"};

static void urc_add(exchanges *xs, const char *text, size_t len)
{
    char *s;

    if (xs->urc_n == xs->urc_cap) {
        xs->urc_cap = xs->urc_cap * 2 + 16;
        xs->urcs = xrealloc(xs->urcs, xs->urc_cap * sizeof(*xs->urcs));
    }
    s = xrealloc(NULL, len + 3);
    memcpy(s, text, len);
    memcpy(s + len, "\r\n", 3);
    xs->urcs[xs->urc_n++] = s;
}

/* Keeps a recorded line as a URC sample when it carries a URC prefix. */
static void collect_urc(exchanges *xs, const qlw_ts_step *st)
{
    size_t len = st->len >= 2 ? st->len - 2 : 0; /* without CR LF */

    for (size_t i = 0; i < sizeof(urc_prefixes) / sizeof(urc_prefixes[0]); i++) {
        size_t n = strlen(urc_prefixes[i]);

        if (len > n && memcmp(st->data, urc_prefixes[i], n) == 0) {
            urc_add(xs, (const char *)st->data, len);
            return;
        }
    }
}

/* A `>~` step that is a whole command line (and not a payload after a prompt). */
static bool raw_command(const qlw_ts_step *st, size_t *len)
{
    size_t n = st->len;

    while (n > 0 && (st->data[n - 1] == '\r' || st->data[n - 1] == '\n'))
        n--;
    if (n < 2 || (st->data[0] != 'A' && st->data[0] != 'a'))
        return false;
    for (size_t i = 0; i < n; i++) {
        if (st->data[i] < 0x20 || st->data[i] > 0x7E)
            return false;
    }
    *len = n;
    return true;
}

static void add_transcript(exchanges *xs, const qlw_transcript *ts)
{
    exchange *cur = exchange_new(xs, NULL, 0);
    size_t n;

    for (size_t i = 0; i < qlw_transcript_count(ts); i++) {
        const qlw_ts_step *st = qlw_transcript_step(ts, i);

        if (st->kind == QLW_TS_SEND && st->len > 0) {
            cur = exchange_new(xs, (const char *)st->data, st->len);
        } else if (st->kind == QLW_TS_SEND_BYTES && raw_command(st, &n)) {
            cur = exchange_new(xs, (const char *)st->data, n);
        } else if (st->kind == QLW_TS_RECV || st->kind == QLW_TS_RECV_BYTES) {
            bytes_add(&cur->answer, st->data, st->len);
            if (st->kind == QLW_TS_RECV)
                collect_urc(xs, st);
        }
    }
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Loads every BC68-family transcript of the directory, in name order. */
static size_t load_transcripts(exchanges *xs, const char *dir)
{
    char *names[256];
    size_t count = 0;
    DIR *d = opendir(dir);

    if (d == NULL) {
        fprintf(stderr, "bench_parse: cannot open %s\n", dir);
        exit(1);
    }
    for (struct dirent *e; (e = readdir(d)) != NULL && count < 256;) {
        size_t len = strlen(e->d_name);

        /* The qlwcfg transcripts are the AT+QLWCFG family, another dialect. */
        if (len > 3 && strcmp(e->d_name + len - 3, ".at") == 0 && !strstr(e->d_name, "qlwcfg")) {
            names[count] = xrealloc(NULL, len + 1);
            memcpy(names[count++], e->d_name, len + 1);
        }
    }
    closedir(d);
    qsort(names, count, sizeof(names[0]), name_cmp);
    for (size_t i = 0; i < count; i++) {
        char path[1024], err[256];
        qlw_transcript *ts;

        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        if (qlw_transcript_load(&ts, path, err, sizeof(err)) != QLW_OK) {
            fprintf(stderr, "bench_parse: %s\n", err);
            exit(1);
        }
        add_transcript(xs, ts);
        qlw_transcript_free(ts);
        free(names[i]);
    }
    return count;
}

/* ------------------------------------------- what the engine will make of it */

/*
 * Follows the stream as the engine will see it, closely enough to know
 * whether a recorded answer ends its command: final results, a reboot line
 * (the command ends "rebooted") and the boot banner, whose OK ends nothing.
 */
typedef struct mirror {
    bool booting;
    char line[LINE_MAX_DEFAULT + 1];
    size_t len;
    bool overflow;
} mirror;

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool is_reboot_line(const char *s)
{
    return starts(s, "REBOOTING") || starts(s, "Boot:") || starts(s, "REBOOT_CAUSE_") ||
           starts(s, "Neul");
}

static bool is_final(const char *s)
{
    return strcmp(s, "OK") == 0 || strcmp(s, "ERROR") == 0 || starts(s, "+CME ERROR:") ||
           starts(s, "+CMS ERROR:");
}

/* One complete line: returns 1 for a final result, 2 for a reboot, else 0. */
static int mirror_line(mirror *m, const char *s)
{
    if (m->booting) {
        if (strcmp(s, "OK") == 0)
            m->booting = false;
        return 0;
    }
    if (is_reboot_line(s)) {
        m->booting = true;
        return 2;
    }
    return is_final(s) ? 1 : 0;
}

/* Feeds bytes; counts the finals and reboots they carry. */
static void mirror_feed(mirror *m, const uint8_t *p, size_t n, unsigned *finals, bool *reboot)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];

        if (c == '\r' || c == '\n') {
            int kind;

            m->line[m->len] = '\0';
            kind = m->len > 0 && !m->overflow ? mirror_line(m, m->line) : 0;
            *finals += kind == 1;
            *reboot = *reboot || kind == 2;
            m->len = 0;
            m->overflow = false;
        } else if ((c >= 0x20 && c < 0x7F) || c == '\t') {
            if (m->len < LINE_MAX_DEFAULT)
                m->line[m->len++] = (char)c;
            else
                m->overflow = true;
        }
    }
}

/* Final results the module sends for a command: one per ';'-chained part. */
static unsigned chained_parts(const char *cmd)
{
    unsigned parts = 1;
    bool quoted = false;

    for (; *cmd; cmd++) {
        if (*cmd == '"')
            quoted = !quoted;
        else if (*cmd == ';' && !quoted && cmd[1] != '\0')
            parts++;
    }
    return parts;
}

/* ------------------------------------------------------------- the stream */

/* Bytes [previous end, end) become readable when cmd has been written. */
typedef struct segment {
    size_t end;
    const char *cmd;
} segment;

typedef struct stream {
    bytes data;
    segment *seg;
    size_t nseg;
    size_t cap;
    size_t commands_dropped; /* recorded commands whose answer does not end them */
} stream;

static void segment_new(stream *st, const char *cmd)
{
    if (st->nseg == st->cap) {
        st->cap = st->cap * 2 + 64;
        st->seg = xrealloc(st->seg, st->cap * sizeof(*st->seg));
    }
    st->seg[st->nseg].end = st->data.len;
    st->seg[st->nseg].cmd = cmd;
    st->nseg++;
}

static void stream_add(stream *st, mirror *m, const void *p, size_t n)
{
    unsigned finals = 0;
    bool reboot = false;

    bytes_add(&st->data, p, n);
    st->seg[st->nseg - 1].end = st->data.len;
    mirror_feed(m, p, n, &finals, &reboot);
}

/* Adds a recorded exchange; its command is kept only if its answer ends it. */
static void add_exchange(stream *st, mirror *m, const exchange *x)
{
    mirror probe = *m;
    unsigned finals = 0;
    bool reboot = false;

    mirror_feed(&probe, x->answer.p, x->answer.len, &finals, &reboot);
    if (x->cmd != NULL && !probe.booting && (reboot || finals >= chained_parts(x->cmd))) {
        segment_new(st, x->cmd);
    } else if (x->cmd != NULL) {
        st->commands_dropped++;
    }
    stream_add(st, m, x->answer.p, x->answer.len);
}

static void add_hex(bytes *b, uint32_t *rng, size_t n)
{
    static const char digits[] = "0123456789ABCDEF";

    for (size_t i = 0; i < n; i++) {
        uint32_t r = bench_rand(rng);
        char hex[2] = {digits[r & 15], digits[(r >> 4) & 15]};

        bytes_add(b, hex, 2);
    }
}

/* A downlink as +NNMI prints it, 4 to 512 payload bytes. */
static void add_nnmi(bytes *b, uint32_t *rng)
{
    static const unsigned sizes[] = {4, 16, 64, 256, 512};
    unsigned n = sizes[bench_rand(rng) % 5];
    char head[32];

    snprintf(head, sizeof(head), "+NNMI:%u,", n);
    bytes_str(b, head);
    add_hex(b, rng, n);
    bytes_str(b, "\r\n");
}

/* URCs the transcripts do not carry often enough, in the module's shapes. */
static const char *const synthetic_urcs[] = {"+QLWEVTIND:0\r\n",
                                             "+QLWEVTIND:3\r\n",
                                             "+QLWULDATASTATUS:4,17\r\n",
                                             "+CEREG:1,213D,0318886E,9\r\n",
                                             "+CEREG:2\r\n",
                                             "+CSCON:0\r\n",
                                             "+NPSMR:1\r\n",
                                             "+NSMI:SENT\r\n",
                                             "+NPING:10.0.0.1,52,2384\r\n"};

/* What may arrive between two answers: URCs, downlinks, noise, a reboot. */
static void add_extras(bytes *b, uint32_t *rng, const exchanges *xs)
{
    if (bench_chance(rng, 300)) {
        size_t pick = bench_rand(rng) % (xs->urc_n + 9);

        bytes_str(b, pick < xs->urc_n ? xs->urcs[pick] : synthetic_urcs[pick - xs->urc_n]);
    }
    if (bench_chance(rng, 100))
        add_nnmi(b, rng);
    if (bench_chance(rng, 20)) { /* noise of a module that resets or a line with a glitch */
        size_t n = 1 + bench_rand(rng) % 24;

        for (size_t i = 0; i < n; i++) {
            uint8_t c = (uint8_t)(bench_rand(rng) & 0xFF);

            c = c < 0x80 ? (uint8_t)(c & 0x0F) : c; /* 0x00..0x0F or 0x80..0xFF */
            c = c == '\r' || c == '\n' ? 0 : c;
            bytes_add(b, &c, 1);
        }
        bytes_str(b, "\r\n");
    }
    if (bench_chance(rng, 5)) { /* longer than line_max: dropped and counted */
        for (int i = 0; i < 1400; i++)
            bytes_add(b, "Q", 1);
        bytes_str(b, "\r\n");
    }
    if (bench_chance(rng, 5))
        bytes_str(b, "\x00\xfe\r\nREBOOT_CAUSE_APPLICATION_WATCHDOG\r\nNeul \r\nOK\r\n");
}

static void build_stream(stream *st, const exchanges *xs, size_t target)
{
    mirror m;
    uint32_t rng = 0x9E3779B9u;
    bytes extra = {0};

    memset(&m, 0, sizeof(m));
    segment_new(st, NULL);
    for (size_t i = 0; st->data.len < target; i = (i + 1) % xs->n) {
        add_exchange(st, &m, &xs->v[i]);
        extra.len = 0;
        add_extras(&extra, &rng, xs);
        stream_add(st, &m, extra.p, extra.len);
    }
    free(extra.p);
}

/* ------------------------------------------------------- the modem side */

typedef struct feeder {
    const stream *st;
    size_t read_size;
    size_t served;   /* bytes handed to the engine */
    size_t released; /* bytes the modem has sent so far */
    size_t next_seg; /* released when the next CR is written */
} feeder;

static void release_next(feeder *f)
{
    if (f->next_seg < f->st->nseg)
        f->released = f->st->seg[f->next_seg++].end;
}

static int feed_read(void *ctx, uint8_t *buf, size_t size)
{
    feeder *f = ctx;
    size_t n = f->released - f->served;

    if (n > size)
        n = size;
    if (n > f->read_size)
        n = f->read_size;
    memcpy(buf, f->st->data.p + f->served, n);
    f->served += n;
    return (int)n;
}

static int feed_write(void *ctx, const uint8_t *data, size_t len)
{
    const uint8_t *end = data + len;

    while ((data = memchr(data, '\r', (size_t)(end - data))) != NULL) {
        release_next(ctx);
        data++;
    }
    return (int)len;
}

static int feed_wait(void *ctx, uint32_t timeout_ms)
{
    const feeder *f = ctx;

    (void)timeout_ms;
    return f->served < f->released;
}

static int feed_fd(void *ctx)
{
    (void)ctx;
    return -1;
}

static void feed_close(void *ctx)
{
    (void)ctx;
}

static const qlw_io_ops feed_ops = {feed_read, feed_write, feed_wait, feed_fd, feed_close};

/* ----------------------------------------------------------- decoding */

enum { D_EVT, D_ULSTATUS, D_CEREG, D_NNMI, D_CSCON, D_NPSMR, D_NSMI, D_NPING, D_COUNT };

static const char *const decoder_names[D_COUNT] = {"qlwevtind", "uldatastatus", "cereg", "nnmi",
                                                   "cscon",     "npsmr",        "nsmi",  "nping"};

typedef struct counters {
    unsigned long decoded[D_COUNT];
    unsigned long rejected; /* lines with a known prefix that did not decode */
    unsigned long nnmi_bytes;
    unsigned long results[QLW_AT_RESULT_CANCELLED + 1];
    unsigned long response_lines;
    unsigned long desyncs;
} counters;

/* One URC handler per prefix, as an application registers them: the engine
 * picks the handler, the handler runs the family's decoder. */
typedef struct handler {
    const char *prefix;
    int kind;
    counters *c;
} handler;

static handler handlers[] = {
    {"+QLWEVTIND", D_EVT, NULL}, {"+QLWULDATASTATUS", D_ULSTATUS, NULL},
    {"+CEREG", D_CEREG, NULL},   {"+NNMI", D_NNMI, NULL},
    {"+CSCON", D_CSCON, NULL},   {"+NPSMR", D_NPSMR, NULL},
    {"+NSMI", D_NSMI, NULL},     {"+NPING", D_NPING, NULL},
};

static int decode(counters *c, int kind, const char *t, size_t n)
{
    static uint8_t payload[QLW_NEUL_PAYLOAD_MAX];
    qlw_cereg cr;
    qlw_ping_result pr;
    int a, b;

    switch (kind) {
    case D_EVT:
        return qlw_neul_parse_qlwevtind(t, n, &a);
    case D_ULSTATUS:
        return qlw_neul_parse_uldatastatus(t, n, &a, &b);
    case D_CEREG:
        return qlw_neul_parse_cereg(t, n, false, &cr);
    case D_NNMI:
        a = qlw_neul_parse_nnmi(t, n, payload, sizeof(payload));
        c->nnmi_bytes += a > 0 ? (unsigned long)a : 0;
        return a < 0 ? a : QLW_OK;
    case D_CSCON:
        return qlw_neul_parse_cscon(t, n, &a);
    case D_NPSMR:
        return qlw_neul_parse_npsmr(t, n, &a);
    case D_NSMI:
        return qlw_neul_parse_nsmi(t, n, &a);
    default:
        return qlw_neul_parse_nping(t, n, &pr);
    }
}

static void on_urc(void *ctx, const qlw_at_line *line)
{
    const handler *h = ctx;

    if (decode(h->c, h->kind, line->text, line->len) == QLW_OK)
        h->c->decoded[h->kind]++;
    else
        h->c->rejected++;
}

static void on_done(void *ctx, const qlw_at_response *r)
{
    counters *c = ctx;

    c->results[r->result]++;
    c->response_lines += r->line_count;
}

/* -------------------------------------------------------------- passes */

typedef struct bench {
    stream st;
    feeder f;
    qlw_io *io;
    qlw_at_config cfg;
    void *mem;
    size_t mem_size;
    qlw_at *at;
    counters c;
} bench;

/* An answer was read whole but did not end its command: let the modem go on. */
static bool unstick(bench *b)
{
    b->c.desyncs++;
    if (b->f.next_seg >= b->st.nseg) {
        qlw_at_cancel(b->at);
        return false;
    }
    release_next(&b->f);
    return true;
}

static void send_next(bench *b)
{
    const char *cmd = b->st.seg[b->f.next_seg].cmd;

    if (qlw_at_send_raw(b->at, cmd, 5000, on_done, &b->c) != QLW_OK)
        unstick(b);
}

/* One pass over the whole stream with a fresh engine (what callgrind counts). */
static BENCH_NOINLINE void run_pass(bench *b)
{
    b->f.served = 0;
    b->f.next_seg = 0;
    release_next(&b->f);
    for (;;) {
        qlw_at_process(b->at);
        if (b->f.served < b->f.released || qlw_at_next_timeout_ms(b->at) == 0)
            continue;
        if (qlw_at_busy(b->at)) {
            if (!unstick(b))
                break;
            continue;
        }
        if (b->f.next_seg >= b->st.nseg)
            break;
        send_next(b);
    }
}

static void engine_open(bench *b)
{
    int rc = qlw_at_init(&b->at, b->mem, b->mem_size, &b->cfg, b->io);

    for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]) && rc == QLW_OK; i++) {
        handlers[i].c = &b->c;
        rc = qlw_at_add_urc_handler(b->at, handlers[i].prefix, on_urc, &handlers[i]);
    }
    if (rc != QLW_OK) {
        fprintf(stderr, "bench_parse: engine init failed: %s\n", qlw_strerror(rc));
        exit(1);
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static void print_stats(const bench *b)
{
    qlw_at_stats s;

    qlw_at_get_stats(b->at, &s);
    printf("  stream: %zu bytes, %zu commands (%zu recorded commands left unanswered),"
           " %u lines, %u URCs, %u URCs dropped, %u over-long lines, %u garbage bytes,"
           " %u stale finals, %u boot banners, %lu desyncs\n",
           b->st.data.len, b->st.nseg - 1, b->st.commands_dropped, s.lines, s.urcs, s.urcs_dropped,
           s.lines_overflowed, s.garbage_bytes, s.stale_finals, s.reboots, b->c.desyncs);
    printf("  results: ok %lu, error %lu, cme %lu, rebooted %lu, timeout %lu;"
           " %lu response lines\n",
           b->c.results[QLW_AT_RESULT_OK], b->c.results[QLW_AT_RESULT_ERROR],
           b->c.results[QLW_AT_RESULT_CME_ERROR], b->c.results[QLW_AT_RESULT_REBOOTED],
           b->c.results[QLW_AT_RESULT_TIMEOUT], b->c.response_lines);
    printf("  decoded:");
    for (int i = 0; i < D_COUNT; i++)
        printf(" %s %lu", decoder_names[i], b->c.decoded[i]);
    printf("; rejected %lu; %lu downlink bytes\n", b->c.rejected, b->c.nnmi_bytes);
}

/* Times passes at one read size; prints a table row and a JSON line. */
static void measure(bench *b, size_t read_size, long passes, long min_ms)
{
    double ns[256];
    long n = 0;
    uint64_t start = bench_now_ns();
    double med, best;

    b->f.read_size = read_size;
    if (passes <= 0) { /* warm caches and branch predictors; not timed */
        engine_open(b);
        run_pass(b);
    }
    while (n < 256 &&
           (passes > 0 ? n < passes
                       : (n < 3 || bench_now_ns() - start < (uint64_t)min_ms * 1000000u))) {
        uint64_t t0;

        memset(&b->c, 0, sizeof(b->c));
        engine_open(b);
        t0 = bench_now_ns();
        run_pass(b);
        ns[n++] = (double)(bench_now_ns() - t0) / (double)b->st.data.len;
    }
    qsort(ns, (size_t)n, sizeof(ns[0]), cmp_double);
    med = ns[n / 2];
    best = ns[0];
    printf("parse read_size %5zu: %8.1f MB/s  %6.2f ns/byte (best %.2f)  %ld passes  ~%.0f modules "
           "at 115200 baud per core\n",
           read_size, 1e3 / med, med, best, n, 1e9 / med / BAUD_115200_BPS);
    print_stats(b);
    printf("{\"bench\":\"parse\",\"read_size\":%zu,\"bytes\":%zu,\"bytes_per_s\":%.0f,"
           "\"ns_per_byte\":%.3f,\"best_ns_per_byte\":%.3f,\"instr_per_byte\":null,"
           "\"modules_115200_per_core\":%.0f,\"desyncs\":%lu}\n",
           read_size, b->st.data.len, 1e9 / med, med, best, 1e9 / med / BAUD_115200_BPS,
           b->c.desyncs);
    fflush(stdout);
}

static void free_all(exchanges *xs, bench *b)
{
    for (size_t i = 0; i < xs->n; i++) {
        free(xs->v[i].cmd);
        free(xs->v[i].answer.p);
    }
    for (size_t i = 0; i < xs->urc_n; i++)
        free(xs->urcs[i]);
    free(xs->v);
    free(xs->urcs);
    free(b->st.data.p);
    free(b->st.seg);
    free(b->mem);
}

int main(int argc, char **argv)
{
    static bench b;
    exchanges xs = {0};
    size_t files, sizes[] = {1, 64, 4096};
    long mb = bench_opt(argc, argv, "--mb", 4), one = bench_opt(argc, argv, "--read-size", 0);
    long passes = bench_opt(argc, argv, "--passes", 0), ms = bench_opt(argc, argv, "--ms", 1000);

    files = load_transcripts(&xs, QLW_TRANSCRIPT_DIR);
    build_stream(&b.st, &xs, (size_t)(mb > 0 ? mb : 1) << 20);
    printf("parse: %zu transcripts, %zu recorded exchanges, %zu URC samples -> %zu-byte stream\n",
           files, xs.n, xs.urc_n, b.st.data.len);
    b.f.st = &b.st;
    qlw_neul_at_config(&b.cfg);
    b.cfg.handlers_max = 8; /* one handler per decoder below */
    b.mem_size = qlw_at_mem_size(&b.cfg);
    b.mem = xrealloc(NULL, b.mem_size);
    if (qlw_io_create(&b.io, &feed_ops, &b.f, "bench", NULL) != QLW_OK)
        return 1;
    for (size_t i = 0; i < 3; i++) {
        if (one == 0 || (size_t)one == sizes[i])
            measure(&b, sizes[i], passes, ms);
    }
    if (one > 0 && one != 1 && one != 64 && one != 4096)
        measure(&b, (size_t)one, passes, ms);
    qlw_io_close(b.io);
    free_all(&xs, &b);
    return 0;
}
