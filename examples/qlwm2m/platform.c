/*
 * The tool's platform layer: Ctrl-C, and sleeping until the port has input.
 * On POSIX a signal handler counts stop requests and poll() waits on the
 * port's descriptor; on Windows a console control handler counts them and
 * the transport's own wait (libserialport's event sets) does the sleeping.
 */
#ifndef _WIN32
#define _POSIX_C_SOURCE 200809L
#endif

#include "tool.h"

#ifdef _WIN32
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#else
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#endif

#ifdef _WIN32

/* Windows calls the handler on a thread of its own: the count is interlocked. */
static volatile LONG stop_signals;

static BOOL WINAPI on_console(DWORD event)
{
    if (event != CTRL_C_EVENT && event != CTRL_BREAK_EVENT && event != CTRL_CLOSE_EVENT)
        return FALSE;
    if (InterlockedCompareExchange(&stop_signals, 0, 0) < 2)
        InterlockedIncrement(&stop_signals);
    return TRUE; /* handled: the loop lets the command in flight finish */
}

void tool_install_signals(void)
{
    SetConsoleCtrlHandler(on_console, TRUE);
}

int tool_stop_count(void)
{
    return (int)InterlockedCompareExchange(&stop_signals, 0, 0);
}

int tool_wait_fd(int fd, int timeout_ms)
{
    (void)fd;
    (void)timeout_ms;
    return QLW_ERR_UNSUPPORTED; /* no pollable descriptors: the caller uses qlw_poll() */
}

#else

/* The only state shared with the signal handler: how many stop signals came. */
static volatile sig_atomic_t stop_signals;

static void on_signal(int sig)
{
    (void)sig;
    if (stop_signals < 2)
        stop_signals = stop_signals + 1;
}

void tool_install_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: poll() must return at once */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int tool_stop_count(void)
{
    return (int)stop_signals;
}

int tool_wait_fd(int fd, int timeout_ms)
{
    struct pollfd pfd = {fd, POLLIN, 0};

    if (fd < 0)
        return QLW_ERR_UNSUPPORTED;
    if (poll(&pfd, 1, timeout_ms) < 0 && errno != EINTR)
        return QLW_ERR_IO;
    return QLW_OK;
}

#endif

bool tool_stop_requested(void)
{
    return tool_stop_count() > 0;
}
