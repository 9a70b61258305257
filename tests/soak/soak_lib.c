/*
 * soak_lib: the delivery soak through the library's event-loop API.
 *
 * Drives several sessions at once with qlw_queue_uplink(), qlw_process()
 * and qlw_next_timeout_ms(), each against its own qlwm2m-sim, and switches
 * the simulators' faults at run time (control lines on their stdin) every
 * 0.3-2 s: reboots, lost, late and cut final results, stalls, a reboot
 * after the OK or after the transmission, +NSMI:DISCARDED, CON failures,
 * the status before the OK, busy, garbage, cancelled observes; and it
 * pauses and resumes sessions. Every report is checked against what the
 * simulated server recorded (the simulator's JSON events):
 *   received twice without possible_duplicate; reported sent/delivered but
 *   never received; reported failed but received; a payload without exactly
 *   one report; an uplink command written while the session was paused; a
 *   session that did not report everything within its time after the last
 *   payload was queued (qlw_close() then reports the rest); every second
 *   session runs QLW_DELIVERY_AT_MOST_ONCE, where any duplicate fails.
 * Prints the totals and a last JSON line; exits 1 when any count is not 0.
 *
 *   soak_lib --sim PATH [--uplinks N] [--sessions K] [--seed S] [-v] [--trace-dir DIR]
 *
 * --trace-dir DIR writes DIR/session-K.log per session: every chunk of
 * bytes both ways, the simulator's events, the control lines and the
 * reports, on one clock, to read back what led to a failure.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "qlwm2m/qlwm2m.h"

#define SESSIONS_MAX    8
#define QUEUE_DEPTH     4       /* uplinks a session holds at once */
#define SETTLE_MS       120000u /* after the last payload is queued, time to report all */
#define EV_BUF          (256u * 1024u)
#define PAYLOAD_BYTES   6
#define FAULT_MIN_MS    300u
#define FAULT_SPREAD_MS 1700u

typedef struct payload {
    uint32_t id;
    qlw_uplink_mode mode;
    bool queued;
    unsigned reports;
    qlw_outcome outcome;
    bool dup;
    int result;
    unsigned received;
    bool lost_silently; /* the module took it and lost it without a word (reset, drop) */
    bool weak;          /* reported while the firmware refused AT+NSMI=1: "sent" = the OK */
} payload;

typedef struct soak soak;

typedef struct sess {
    soak *top;
    int idx;
    pid_t pid;
    int ctl_fd;
    int ev_fd;
    char ev[EV_BUF];
    size_t ev_len;
    char pty[128];
    qlw_session *s;
    payload *p;
    size_t n;
    size_t next; /* next payload to queue */
    size_t reported;
    uint64_t next_fault_ms;
    uint64_t resume_ms; /* paused until then; 0 = not paused */
    uint64_t all_queued_ms;
    bool closed;
    bool stuck;
    unsigned faults;
    unsigned paused_sends; /* uplink commands written while paused */
    char tx[96];
    size_t tx_len;
    char rx[96];
    size_t rx_len;
    char last_ul[96];          /* the last uplink command written */
    size_t in_flight_at_pause; /* qlw_uplinks_in_flight() when qlw_pause() returned */
    bool at_most_once;         /* QLW_DELIVERY_AT_MOST_ONCE: never handed over twice */
    bool nsmi_asked;           /* AT+NSMI=1 written, its final result not seen yet */
    bool no_nsmi;              /* the firmware answered AT+NSMI=1 with ERROR */
    FILE *log;                 /* --trace-dir: this session's timeline, or NULL */
} sess;

struct soak {
    const char *sim;
    unsigned seed;
    unsigned uplinks;
    unsigned nsess;
    bool verbose;
    const char *trace_dir;
    uint64_t rng;
    sess ss[SESSIONS_MAX];
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint32_t rnd(soak *k)
{
    k->rng ^= k->rng << 13;
    k->rng ^= k->rng >> 7;
    k->rng ^= k->rng << 17;
    return (uint32_t)(k->rng >> 11);
}

static uint32_t rnd_in(soak *k, uint32_t lo, uint32_t hi)
{
    return lo + rnd(k) % (hi - lo + 1);
}

/* One line of the session's timeline (--trace-dir): WHAT, then TEXT with
 * CR, LF and other control bytes escaped. */
static void tlog(sess *x, const char *what, const char *text, size_t len)
{
    if (x->log == NULL)
        return;
    fprintf(x->log, "%llu %s ", (unsigned long long)now_ms(), what);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\r')
            fputs("\\r", x->log);
        else if (c == '\n')
            fputs("\\n", x->log);
        else if (c < 0x20 || c >= 0x7F)
            fprintf(x->log, "\\x%02X", c);
        else
            fputc(c, x->log);
    }
    fputc('\n', x->log);
}

/* ---------------------------------------------------------- simulators */

static int spawn_sim(soak *k, sess *x)
{
    int in[2], out[2];
    char seed[32];

    if (pipe(in) != 0 || pipe(out) != 0)
        return -1;
    snprintf(seed, sizeof(seed), "%u", k->seed * 100u + (unsigned)x->idx);
    x->pid = fork();
    if (x->pid < 0)
        return -1;
    if (x->pid == 0) {
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        execl(k->sim, k->sim, "--ncdp", "198.51.100.1", "--seed", seed, "--attach-delay-ms", "50",
              "--register-delay-ms", "50", "--observe-delay-ms", "100", "--boot-ms", "100",
              "--ack-delay-ms", "100", "--rrc-idle-ms", "2000", (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    x->ctl_fd = in[1];
    x->ev_fd = out[0];
    return 0;
}

/* Reads what the simulator printed; the first line is the pty path. */
static void read_events(sess *x, int wait_ms)
{
    struct pollfd pfd = {x->ev_fd, POLLIN, 0};

    if (x->ev_fd < 0 || poll(&pfd, 1, wait_ms) <= 0)
        return;
    if (x->ev_len + 1 >= EV_BUF) {
        fprintf(stderr, "soak_lib: session %d: event buffer full\n", x->idx);
        exit(2);
    }
    ssize_t n = read(x->ev_fd, x->ev + x->ev_len, EV_BUF - 1 - x->ev_len);
    if (n <= 0) {
        close(x->ev_fd);
        x->ev_fd = -1;
        return;
    }
    x->ev_len += (size_t)n;
}

/* The payload whose hex starts at @p h, or NULL when it is none of this session's. */
static payload *payload_at(sess *x, const char *h)
{
    unsigned b[PAYLOAD_BYTES];

    if (h == NULL ||
        sscanf(h, "%2X%2X%2X%2X%2X%2X", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != PAYLOAD_BYTES)
        return NULL;
    size_t i = (size_t)b[2] << 16 | (size_t)b[3] << 8 | b[4];
    if (b[0] != 0x5A || b[1] != (unsigned)x->idx || b[5] != (x->top->seed & 0xFFu) || i >= x->n)
        return NULL;
    return &x->p[i];
}

static const char *after(const char *line, const char *key)
{
    const char *p = strstr(line, key);
    return p ? p + strlen(key) : NULL;
}

static void count_event(sess *x, const char *line)
{
    payload *p;

    tlog(x, "event", line, strlen(line));
    if (strncmp(line, "{\"event\":\"uplink\",", 18) == 0) {
        if ((p = payload_at(x, after(line, "\"hex\":\""))) != NULL)
            p->received++;
    } else if (strncmp(line, "{\"event\":\"uplink_lost\",", 23) == 0) {
        if (strstr(line, "\"why\":\"discarded\"") &&
            (p = payload_at(x, after(line, "\"hex\":\""))) != NULL)
            p->lost_silently = true;
    } else if (strncmp(line, "{\"event\":\"reboot_mid_command\",", 30) == 0 ||
               strncmp(line, "{\"event\":\"reboot_after_final\",", 30) == 0) {
        /* "text":"AT+QLWULDATA=6,5A..." or "AT+QLWULDATAEX=6,5A...,0x0100,1" */
        const char *comma = strchr(line, ',');
        comma = comma ? strchr(comma + 1, ',') : NULL;
        if (strstr(line, "AT+QLWULDATA") && comma && (p = payload_at(x, comma + 1)) != NULL)
            p->lost_silently = true;
    }
}

/* Every complete line of the events read so far; keeps an unfinished one. */
static void parse_events(sess *x)
{
    char *start = x->ev, *nl;

    x->ev[x->ev_len] = '\0';
    while ((nl = strchr(start, '\n')) != NULL) {
        *nl = '\0';
        count_event(x, start);
        start = nl + 1;
    }
    x->ev_len = (size_t)(x->ev + x->ev_len - start);
    memmove(x->ev, start, x->ev_len);
}

static void control(sess *x, const char *line)
{
    char buf[128];
    int n = snprintf(buf, sizeof(buf), "%s\n", line);

    if (x->top->verbose)
        fprintf(stderr, "soak_lib: session %d: %s\n", x->idx, line);
    tlog(x, "control", line, strlen(line));
    if (x->ctl_fd >= 0 && write(x->ctl_fd, buf, (size_t)n) != n)
        fprintf(stderr, "soak_lib: session %d: control line lost\n", x->idx);
}

/* One fault at run time, or a pause. */
static void inject(soak *k, sess *x, uint64_t now)
{
    static const char *const lines[] = {
        "reboot",
        "drop-final AT+QLWULDATA",
        "drop-final AT+QLWULDATA",
        "cut-final AT+QLWULDATA",
        "reboot-on AT+QLWULDATA",
        "reboot-after-final AT+QLWULDATA",
        "reboot-after-tx AT+QLWULDATA",
        "stall-on AT+QLWULDATA",
        "status-first AT+QLWULDATAEX",
        "discard-non 1",
        "con-fail 1",
        "busy 2",
        "cancel-observe",
        "flood 30",
        "garbage on",
        "garbage off",
        "no-nsmi on",
        "no-nsmi off",
        "drop-final AT+CMEE",
        "drop-final AT+NSMI",
        "drop-final AT+QLWULDATASTATUS",
    };
    char line[64];
    uint32_t pick = rnd(k) % (sizeof(lines) / sizeof(lines[0]) + 4);

    x->faults++;
    if (pick >= sizeof(lines) / sizeof(lines[0])) {
        switch (pick - sizeof(lines) / sizeof(lines[0])) {
        case 0:
            snprintf(line, sizeof(line), "late-final-ms %u", rnd_in(k, 200, 7000));
            control(x, line);
            break;
        case 1:
            snprintf(line, sizeof(line), "stall-ms %u", rnd_in(k, 500, 7000));
            control(x, line);
            break;
        case 2:
            snprintf(line, sizeof(line), "stall %u", rnd_in(k, 300, 4000));
            control(x, line);
            break;
        default:
            if (x->resume_ms == 0 && x->s != NULL && qlw_pause(x->s) == QLW_OK) {
                x->resume_ms = now + rnd_in(k, 300, 2000);
                x->in_flight_at_pause = qlw_uplinks_in_flight(x->s);
                if (x->top->verbose)
                    fprintf(stderr, "soak_lib: session %d: paused, %zu in flight\n", x->idx,
                            x->in_flight_at_pause);
            }
            break;
        }
        return;
    }
    control(x, lines[pick]);
}

/* ------------------------------------------------------------ sessions */

static void on_uplink(void *ctx, const qlw_uplink_report *r)
{
    sess *x = ctx;

    for (size_t i = x->next; i-- > 0;) {
        payload *p = &x->p[i];
        if (!p->queued || p->id != r->id)
            continue;
        if (p->reports++ == 0) {
            x->reported++;
            p->outcome = r->outcome;
            p->result = r->result;
            p->weak = x->no_nsmi;
        }
        p->dup = p->dup || r->possible_duplicate;
        if (x->log != NULL)
            fprintf(x->log, "%llu report payload %zu id %lu %s%s (%s, %u attempts)\n",
                    (unsigned long long)now_ms(), i, (unsigned long)r->id,
                    qlw_outcome_str(r->outcome), r->possible_duplicate ? " dup" : "",
                    qlw_strerror(r->result), r->attempts);
        if (x->top->verbose)
            fprintf(stderr, "soak_lib: session %d: payload %zu %s%s (%s, %u attempts)\n", x->idx, i,
                    qlw_outcome_str(r->outcome), r->possible_duplicate ? " dup" : "",
                    qlw_strerror(r->result), r->attempts);
        return;
    }
    fprintf(stderr, "soak_lib: session %d: report for unknown id %lu\n", x->idx,
            (unsigned long)r->id);
}

/* The module's lines: did the firmware refuse AT+NSMI=1? */
static void watch_rx(sess *x, const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (data[i] != '\r' && data[i] != '\n') {
            /* Line noise (NULs, bytes >= 0x80: "garbage on") is dropped as
             * the library's reader drops it: an "ERROR" with noise inside is
             * still the ERROR the session acted on. */
            bool text = (data[i] >= 0x20 && data[i] < 0x7F) || data[i] == '\t';
            if (text && x->rx_len + 1 < sizeof(x->rx))
                x->rx[x->rx_len++] = (char)data[i];
            continue;
        }
        x->rx[x->rx_len] = '\0';
        if (x->nsmi_asked && (strcmp(x->rx, "OK") == 0 || strcmp(x->rx, "ERROR") == 0 ||
                              strncmp(x->rx, "+CME ERROR", 10) == 0)) {
            x->no_nsmi = strcmp(x->rx, "OK") != 0;
            x->nsmi_asked = false;
        }
        x->rx_len = 0;
    }
}

/* Watches the bytes the session writes: no uplink command while paused. */
static void on_trace(void *ctx, qlw_trace_dir dir, const uint8_t *data, size_t len,
                     uint32_t time_ms)
{
    sess *x = ctx;

    (void)time_ms;
    tlog(x, dir == QLW_TRACE_RX ? "<" : ">", (const char *)data, len);
    if (dir == QLW_TRACE_RX)
        watch_rx(x, data, len);
    if (dir != QLW_TRACE_TX)
        return;
    for (size_t i = 0; i < len; i++) {
        if (data[i] != '\r' && data[i] != '\n') {
            if (x->tx_len + 1 < sizeof(x->tx))
                x->tx[x->tx_len++] = (char)data[i];
            continue;
        }
        x->tx[x->tx_len] = '\0';
        if (strcmp(x->tx, "AT+NSMI=1") == 0)
            x->nsmi_asked = true;
        bool uplink = strncmp(x->tx, "AT+QLWULDATA=", 13) == 0 ||
                      strncmp(x->tx, "AT+QLWULDATAEX=", 15) == 0 ||
                      strncmp(x->tx, "AT+NMGS=", 8) == 0;
        if (uplink && x->resume_ms != 0) {
            x->paused_sends++;
            fprintf(stderr,
                    "FAIL session %d: %s written while paused (%s; %zu in flight at the pause)\n",
                    x->idx, x->tx,
                    strcmp(x->tx, x->last_ul) == 0 ? "the last uplink again" : "a new one",
                    x->in_flight_at_pause);
        }
        if (uplink)
            memcpy(x->last_ul, x->tx, x->tx_len + 1);
        x->tx_len = 0;
    }
}

static int open_session(soak *k, sess *x)
{
    qlw_session_config cfg;
    qlw_serial_config ser;
    char err[256] = "";
    char *nl;

    for (int i = 0; i < 200 && (nl = memchr(x->ev, '\n', x->ev_len)) == NULL; i++)
        read_events(x, 50);
    nl = memchr(x->ev, '\n', x->ev_len);
    if (nl == NULL)
        return -1;
    size_t n = (size_t)(nl - x->ev);
    if (n >= sizeof(x->pty))
        return -1;
    memcpy(x->pty, x->ev, n);
    x->pty[n] = '\0';
    x->ev_len -= n + 1;
    memmove(x->ev, nl + 1, x->ev_len);

    qlw_session_config_default(&cfg);
    cfg.uplink_queue_len = QUEUE_DEPTH;
    cfg.uplink_queue_bytes = QUEUE_DEPTH * PAYLOAD_BYTES;
    cfg.backoff_min_ms = 200;
    cfg.backoff_max_ms = 2000;
    cfg.register_timeout_ms = 20000;
    cfg.on_uplink = on_uplink;
    cfg.ctx = x;
    /* Every second session runs the other policy: a duplicate there is a
     * failure even when flagged. */
    x->at_most_once = x->idx % 2 == 1;
    cfg.delivery = x->at_most_once ? QLW_DELIVERY_AT_MOST_ONCE : QLW_DELIVERY_AT_LEAST_ONCE;
    qlw_serial_config_default(&ser);
    int rc = qlw_open(&x->s, x->pty, &ser, &cfg, err, sizeof(err));
    if (rc != QLW_OK) {
        fprintf(stderr, "soak_lib: %s: %s\n", x->pty, err);
        return -1;
    }
    qlw_at_set_trace(qlw_session_at(x->s), on_trace, x);
    if (k->trace_dir != NULL) {
        char path[512];
        snprintf(path, sizeof(path), "%s/session-%d.log", k->trace_dir, x->idx);
        if ((x->log = fopen(path, "w")) == NULL)
            fprintf(stderr, "soak_lib: %s: cannot write\n", path);
    }
    return qlw_request_register(x->s) == QLW_OK ? 0 : -1;
}

static void queue_more(soak *k, sess *x, uint64_t now)
{
    static const qlw_uplink_mode modes[] = {QLW_UPLINK_NON, QLW_UPLINK_NON_RELEASE, QLW_UPLINK_CON,
                                            QLW_UPLINK_CON_RELEASE};

    while (x->next < x->n && qlw_uplinks_pending(x->s) < QUEUE_DEPTH) {
        payload *p = &x->p[x->next];
        size_t i = x->next;
        uint8_t data[PAYLOAD_BYTES] = {
            0x5A,       (uint8_t)x->idx,           (uint8_t)(i >> 16), (uint8_t)(i >> 8),
            (uint8_t)i, (uint8_t)(k->seed & 0xFFu)};
        p->mode = modes[rnd(k) % 4];
        int rc = qlw_queue_uplink(x->s, data, sizeof(data), p->mode, &p->id);
        if (rc == QLW_ERR_QUEUE_FULL)
            break;
        if (rc != QLW_OK) {
            fprintf(stderr, "soak_lib: session %d: queue: %s\n", x->idx, qlw_strerror(rc));
            exit(2);
        }
        p->queued = true;
        x->next++;
        if (x->next == x->n)
            x->all_queued_ms = now;
    }
}

static bool finished(const sess *x)
{
    return x->closed || (x->next == x->n && x->reported == x->n);
}

static void close_session(sess *x, bool stuck)
{
    if (x->closed)
        return;
    x->stuck = stuck;
    if (stuck)
        fprintf(stderr,
                "soak_lib: session %d: %zu of %zu reported %u s after the last was queued\n",
                x->idx, x->reported, x->n, SETTLE_MS / 1000u);
    x->resume_ms = 0;
    qlw_close(x->s); /* reports what is left */
    x->s = NULL;
    x->closed = true;
    if (x->log != NULL)
        fclose(x->log);
    x->log = NULL;
}

/* One pass: queue, faults, pauses, then wait for any input or deadline. */
static void step(soak *k)
{
    struct pollfd pfd[2 * SESSIONS_MAX];
    sess *who[2 * SESSIONS_MAX];
    nfds_t n = 0;
    int32_t wait = 200;
    uint64_t now = now_ms();

    for (unsigned i = 0; i < k->nsess; i++) {
        sess *x = &k->ss[i];
        if (x->closed)
            continue;
        if (x->resume_ms != 0 && now >= x->resume_ms) {
            x->resume_ms = 0; /* first: qlw_resume() may write the next uplink at once */
            qlw_resume(x->s);
        }
        queue_more(k, x, now);
        if (x->next < x->n && now >= x->next_fault_ms) {
            inject(k, x, now);
            x->next_fault_ms = now + FAULT_MIN_MS + rnd(k) % FAULT_SPREAD_MS;
        }
        if (x->next == x->n && x->reported < x->n && now - x->all_queued_ms > SETTLE_MS)
            close_session(x, true);
        if (finished(x))
            continue;
        int32_t t = qlw_next_timeout_ms(x->s);
        if (t >= 0 && t < wait)
            wait = t;
        pfd[n] = (struct pollfd){qlw_fd(x->s), POLLIN, 0};
        who[n++] = x;
    }
    for (unsigned i = 0; i < k->nsess; i++) {
        if (k->ss[i].ev_fd >= 0) {
            pfd[n] = (struct pollfd){k->ss[i].ev_fd, POLLIN, 0};
            who[n++] = NULL;
        }
    }
    if (poll(pfd, n, wait) < 0 && errno != EINTR) {
        perror("soak_lib: poll");
        exit(2);
    }
    (void)who;
    for (unsigned i = 0; i < k->nsess; i++) {
        sess *x = &k->ss[i];
        if (!x->closed && !finished(x)) {
            int rc = qlw_process(x->s);
            if (rc != QLW_OK && rc != QLW_ERR_TIMEOUT)
                fprintf(stderr, "soak_lib: session %d: process: %s (%s)\n", x->idx,
                        qlw_strerror(rc), qlw_errmsg(x->s));
        }
        read_events(x, 0);
        parse_events(x);
    }
}

/* ------------------------------------------------------------ accounting */

typedef struct totals {
    unsigned long payloads, sent, delivered, unknown, failed, expired, dups, received_twice;
    unsigned long dup_unflagged, claimed_not_received, failed_but_received, not_one_report;
    unsigned long sent_while_paused, stuck_sessions, faults, weak_sent_lost, at_most_once_dups;
} totals;

static void judge(const sess *x, totals *t)
{
    t->sent_while_paused += x->paused_sends;
    t->stuck_sessions += x->stuck;
    t->faults += x->faults;
    for (size_t i = 0; i < x->n; i++) {
        const payload *p = &x->p[i];
        bool done = p->reports > 0;
        t->payloads++;
        t->dups += p->dup;
        t->received_twice += p->received >= 2;
        if (p->reports != 1) {
            t->not_one_report++;
            fprintf(stderr, "FAIL session %d payload %zu: %u reports, received %u\n", x->idx, i,
                    p->reports, p->received);
        }
        if (!done)
            continue;
        t->sent += p->outcome == QLW_OUTCOME_SENT;
        t->delivered += p->outcome == QLW_OUTCOME_DELIVERED;
        t->unknown += p->outcome == QLW_OUTCOME_UNKNOWN;
        t->failed += p->outcome == QLW_OUTCOME_FAILED;
        t->expired += p->outcome == QLW_OUTCOME_EXPIRED;
        if (p->received >= 2 && x->at_most_once) {
            t->at_most_once_dups++;
            fprintf(stderr,
                    "FAIL session %d payload %zu (%s): received %u times under "
                    "at-most-once\n",
                    x->idx, i, qlw_uplink_mode_str(p->mode), p->received);
        }
        if (p->received >= 2 && !p->dup) {
            t->dup_unflagged++;
            fprintf(stderr,
                    "FAIL session %d payload %zu (%s): received %u times, reported %s "
                    "without possible_duplicate\n",
                    x->idx, i, qlw_uplink_mode_str(p->mode), p->received,
                    qlw_outcome_str(p->outcome));
        }
        if (p->outcome == QLW_OUTCOME_SENT && p->received == 0 && p->weak && p->lost_silently) {
            t->weak_sent_lost++; /* documented: without +NSMI, "sent" is the OK */
        } else if ((p->outcome == QLW_OUTCOME_SENT || p->outcome == QLW_OUTCOME_DELIVERED) &&
                   p->received == 0) {
            t->claimed_not_received++;
            fprintf(stderr, "FAIL session %d payload %zu (%s): reported %s, never received\n",
                    x->idx, i, qlw_uplink_mode_str(p->mode), qlw_outcome_str(p->outcome));
        }
        if ((p->outcome == QLW_OUTCOME_FAILED || p->outcome == QLW_OUTCOME_EXPIRED) &&
            p->received > 0) {
            t->failed_but_received++;
            fprintf(stderr, "FAIL session %d payload %zu (%s): reported %s (%s), received %u\n",
                    x->idx, i, qlw_uplink_mode_str(p->mode), qlw_outcome_str(p->outcome),
                    qlw_strerror(p->result), p->received);
        }
    }
}

static void finish_sim(sess *x)
{
    uint64_t until = now_ms() + 8000; /* a stall may still hold commands the module will act on */

    while (now_ms() < until && x->ev_fd >= 0) {
        read_events(x, 100);
        parse_events(x);
        if (now_ms() + 7500 > until)
            break; /* 0.5 s of quiet is enough without a stall */
    }
    control(x, "quit");
    close(x->ctl_fd);
    x->ctl_fd = -1;
    while (x->ev_fd >= 0) {
        read_events(x, 2000);
        parse_events(x);
    }
    waitpid(x->pid, NULL, 0);
}

static int usage(void)
{
    fputs("usage: soak_lib --sim PATH [--uplinks N] [--sessions K] [--seed S] [-v] "
          "[--trace-dir DIR]\n",
          stderr);
    return 2;
}

static int parse(soak *k, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-v")) {
            k->verbose = true;
            continue;
        }
        if (v == NULL)
            return usage();
        i++;
        if (!strcmp(a, "--sim"))
            k->sim = v;
        else if (!strcmp(a, "--uplinks"))
            k->uplinks = (unsigned)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--sessions"))
            k->nsess = (unsigned)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--seed"))
            k->seed = (unsigned)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--trace-dir"))
            k->trace_dir = v;
        else
            return usage();
    }
    if (k->sim == NULL || k->uplinks == 0 || k->nsess == 0 || k->nsess > SESSIONS_MAX ||
        k->uplinks > 0xFFFFFFu)
        return usage();
    return 0;
}

int main(int argc, char **argv)
{
    static soak k = {.seed = 1, .uplinks = 3000, .nsess = 3};
    totals t = {0};
    uint64_t t0 = now_ms();

    signal(SIGPIPE, SIG_IGN);
    if (parse(&k, argc, argv) != 0)
        return 2;
    k.rng = ((uint64_t)k.seed + 1) * 0x9E3779B97F4A7C15ull;
    printf("soak_lib: %u uplinks over %u sessions, seed %u, faults every %u-%u ms\n", k.uplinks,
           k.nsess, k.seed, FAULT_MIN_MS, FAULT_MIN_MS + FAULT_SPREAD_MS);
    fflush(stdout);
    for (unsigned i = 0; i < k.nsess; i++) {
        sess *x = &k.ss[i];
        x->top = &k;
        x->idx = (int)i;
        x->n = k.uplinks / k.nsess + (i < k.uplinks % k.nsess);
        x->p = calloc(x->n ? x->n : 1, sizeof(*x->p));
        x->next_fault_ms = now_ms() + FAULT_MIN_MS + rnd(&k) % FAULT_SPREAD_MS;
        if (x->p == NULL || spawn_sim(&k, x) != 0 || open_session(&k, x) != 0) {
            fprintf(stderr, "soak_lib: cannot start session %u\n", i);
            return 2;
        }
    }
    for (;;) {
        bool all = true;
        for (unsigned i = 0; i < k.nsess; i++)
            all = all && finished(&k.ss[i]);
        if (all)
            break;
        step(&k);
    }
    for (unsigned i = 0; i < k.nsess; i++) {
        close_session(&k.ss[i], false);
        finish_sim(&k.ss[i]);
        judge(&k.ss[i], &t);
        free(k.ss[i].p);
    }
    unsigned long bad = t.dup_unflagged + t.claimed_not_received + t.failed_but_received +
                        t.not_one_report + t.sent_while_paused + t.stuck_sessions +
                        t.at_most_once_dups;
    printf("soak_lib: %lu payloads in %.0f s, %lu faults; outcomes: sent %lu, delivered %lu, "
           "unknown %lu, failed %lu, expired %lu; %lu flagged possible_duplicate, %lu received "
           "twice or more\n",
           t.payloads, (double)(now_ms() - t0) / 1000.0, t.faults, t.sent, t.delivered, t.unknown,
           t.failed, t.expired, t.dups, t.received_twice);
    printf("  received twice, report gives no sign     %6lu\n"
           "  reported sent/delivered, never received  %6lu\n"
           "  reported failed, but received            %6lu\n"
           "  payload without exactly one report       %6lu\n"
           "  uplink command written while paused      %6lu\n"
           "  sessions stuck with unreported payloads  %6lu\n"
           "  received twice under at-most-once        %6lu\n"
           "  sent on the OK (no +NSMI), then lost in the module (documented, not a failure) "
           "%lu\n",
           t.dup_unflagged, t.claimed_not_received, t.failed_but_received, t.not_one_report,
           t.sent_while_paused, t.stuck_sessions, t.at_most_once_dups, t.weak_sent_lost);
    printf("{\"soak\":\"lib\",\"seed\":%u,\"sessions\":%u,\"payloads\":%lu,\"dup_unflagged\":%lu,"
           "\"claimed_not_received\":%lu,\"failed_but_received\":%lu,\"not_one_report\":%lu,"
           "\"sent_while_paused\":%lu,\"stuck_sessions\":%lu,\"at_most_once_dups\":%lu,"
           "\"weak_sent_lost\":%lu}\n",
           k.seed, k.nsess, t.payloads, t.dup_unflagged, t.claimed_not_received,
           t.failed_but_received, t.not_one_report, t.sent_while_paused, t.stuck_sessions,
           t.at_most_once_dups, t.weak_sent_lost);
    return bad ? 1 : 0;
}
