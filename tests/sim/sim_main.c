/* qlwm2m-sim: start-up, the poll loop and timer dispatch. */
#define _GNU_SOURCE /* ppoll: waits and lets SIGINT/SIGTERM in atomically */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim.h"

#define DRAIN_POLL_MS 20

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

typedef void (*timer_fn)(struct sim *s, const struct sim_timer *t);

static void tmr_exit(struct sim *s, const struct sim_timer *t)
{
    (void)t;
    s->quit = true;
}

static const timer_fn timer_fns[TMR_COUNT] = {
    [TMR_BOOT_DONE] = net_tmr_boot_done,
    [TMR_ATTACH_DONE] = net_tmr_attach_done,
    [TMR_RRC_IDLE] = net_tmr_rrc_idle,
    [TMR_REGISTERED] = lw_tmr_registered,
    [TMR_OBSERVED] = lw_tmr_observed,
    [TMR_DEREGISTERED] = lw_tmr_deregistered,
    [TMR_CON_RESULT] = lw_tmr_con_result,
    [TMR_DOWNLINK] = lw_tmr_downlink,
    [TMR_URC] = fault_tmr_urc,
    [TMR_LATE_FINAL] = fault_tmr_late_final,
    [TMR_EXIT] = tmr_exit,
    [TMR_SCRIPT] = script_tmr_resume,
    [TMR_LTE] = lte_tmr,
    [TMR_MTK] = mtk_tmr,
};

static void run_timers(struct sim *s)
{
    struct sim_timer t;
    uint64_t now = sim_now_ms(s);
    while (!s->quit && timer_pop_due(s, now, &t))
        timer_fns[t.kind](s, &t);
}

static void read_host(struct sim *s)
{
    uint8_t buf[4096];
    ssize_t n = read(s->master_fd, buf, sizeof buf);
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        sim_log(s, "read from pty: %s", strerror(errno));
    if (n <= 0)
        return;
    if (s->script)
        script_feed(s, buf, (size_t)n);
    else
        at_feed(s, buf, (size_t)n);
}

static void read_control(struct sim *s)
{
    char buf[1024];
    /* stdin is left blocking (it may be the caller's terminal); poll said it is readable. */
    ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    if (n <= 0) {
        s->stdin_open = false;
        return;
    }
    buf_append(&s->ctl, buf, (size_t)n);
    char *nl;
    while (!s->quit && (nl = memchr(s->ctl.data, '\n', s->ctl.len)) != NULL) {
        *nl = '\0';
        fault_control_line(s, s->ctl.data);
        buf_consume(&s->ctl, (size_t)(nl - s->ctl.data) + 1);
    }
}

static bool drain_done(struct sim *s)
{
    return s->draining && (pty_drained(s) || sim_now_ms(s) >= s->drain_deadline_ms);
}

static int wait_ms(const struct sim *s)
{
    uint64_t now = sim_now_ms(s);
    int ms = timer_wait_ms(s, now);
    /* The end of a stall is a deadline too: then the output flows again. */
    if (fault_stalled(s)) {
        uint64_t left = s->st.faults.stalled_until_ms - now;
        if (ms < 0 || (uint64_t)ms > left)
            ms = (int)left;
    }
    /* Nothing signals "the host has read it all", so the final drain polls briefly. */
    if (s->draining && (ms < 0 || ms > DRAIN_POLL_MS))
        ms = DRAIN_POLL_MS;
    return ms;
}

static int wait_events(struct sim *s, struct pollfd *pfd, nfds_t *n, const sigset_t *mask)
{
    struct timespec ts, *tsp = NULL;
    int ms = wait_ms(s);
    if (ms >= 0) {
        ts.tv_sec = ms / 1000;
        ts.tv_nsec = (long)(ms % 1000) * 1000000L;
        tsp = &ts;
    }
    /* A stalled module neither reads (the host's bytes wait in the line) nor writes.
     * One whose final result is still to come late is busy with that command:
     * like a real module's AT interpreter it takes the next one only after
     * answering, so a late final never follows a later command's answer. */
    bool stalled = fault_stalled(s);
    bool busy = at_busy(s);
    pfd[0] = (struct pollfd){.fd = s->master_fd, .events = busy ? 0 : POLLIN};
    if (s->out.len && !stalled)
        pfd[0].events |= POLLOUT;
    *n = 1;
    if (s->stdin_open)
        pfd[(*n)++] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
    return ppoll(pfd, *n, tsp, mask);
}

static void handle_events(struct sim *s, const struct pollfd *pfd, nfds_t n)
{
    if (pfd[0].revents & (POLLERR | POLLNVAL)) {
        sim_log(s, "pty failed");
        s->quit = true;
        return;
    }
    if (pfd[0].revents & POLLOUT)
        pty_flush(s);
    if (pfd[0].revents & POLLIN)
        read_host(s);
    if (n > 1 && pfd[1].revents)
        read_control(s);
}

static void loop(struct sim *s, const sigset_t *mask)
{
    struct pollfd pfd[2];
    nfds_t n;
    while (!s->quit && !stop_signal) {
        run_timers(s);
        if (!fault_stalled(s) && s->out.len)
            pty_flush(s); /* what a stall held back */
        at_feed_held(s);  /* the commands that waited while the module was busy */
        if (s->quit || drain_done(s))
            break;
        int rc = wait_events(s, pfd, &n, mask);
        if (rc < 0 && errno != EINTR) {
            sim_log(s, "poll: %s", strerror(errno));
            break;
        }
        if (rc > 0)
            handle_events(s, pfd, n);
    }
}

/* SIGINT/SIGTERM stay blocked except inside ppoll(), so none is lost between checks. */
static void setup_signals(sigset_t *wait_mask)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, wait_mask);
    sigdelset(wait_mask, SIGINT);
    sigdelset(wait_mask, SIGTERM);
    sigdelset(wait_mask, SIGHUP);
}

static void sim_free(struct sim *s)
{
    pty_close(s);
    script_close(s);
    buf_free(&s->out);
    buf_free(&s->ev);
    buf_free(&s->host);
    buf_free(&s->held);
    buf_free(&s->ctl);
    buf_free(&s->reply.info);
    buf_free(&s->reply.post);
    lw_seen_free(s);
    free(s);
}

static int start(struct sim *s)
{
    if (s->opt.script_path && script_open(s, s->opt.script_path) != 0)
        return -1;
    if (pty_open(s) != 0)
        return -1;
    printf("%s\n", s->slave_path);
    fflush(stdout);
    if (s->opt.exit_after_ms)
        timer_add(s, TMR_EXIT, s->opt.exit_after_ms, 0, 0, NULL);
    if (s->script)
        script_start(s);
    else
        net_power_on(s);
    return 0;
}

int main(int argc, char **argv)
{
    sigset_t wait_mask;
    struct sim *s = calloc(1, sizeof *s);
    if (!s)
        return 1;
    s->master_fd = -1;
    s->slave_fd = -1;
    s->stdin_open = true;
    sim_clock_start(s);
    state_defaults(s);
    int rc = opts_parse(s, argc, argv);
    if (rc != 0) {
        if (rc < 0)
            fputs("Try 'qlwm2m-sim --help'.\n", stderr);
        sim_free(s);
        return rc < 0 ? 2 : 0;
    }
    if (sim_mtk(s))
        mtk_nv_defaults(s);
    setup_signals(&wait_mask);
    if (start(s) != 0) {
        sim_free(s);
        return 1;
    }
    loop(s, &wait_mask);
    rc = s->exit_code;
    sim_free(s);
    return rc;
}
