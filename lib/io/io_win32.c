/*
 * COM ports through the Windows communications API: the serial backend every
 * Windows build has, with or without libserialport. It is what libserialport
 * does on Windows (overlapped I/O, comm event masks), written against the
 * system alone so that a Windows program needs no extra DLL to open a port.
 *
 * Reads never block: the port's read timeouts are set to "return at once with
 * what is there". Writes are overlapped: the bytes are copied into a buffer
 * of our own and handed to the driver, and write() says how many it took; a
 * write still in progress makes the next one accept nothing until it is done.
 * wait() sleeps on WaitCommEvent(EV_RXCHAR | EV_ERR), kept outstanding across
 * calls so that no event is lost between two waits.
 */
#include "io/io_internal.h"

#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One overlapped write at a time; an AT command line is far smaller. */
#define WIN_WRITE_BUF_BYTES 4096
/* How often wait() looks at the input queue on a port without comm events. */
#define WIN_POLL_MS 10u

typedef struct win_ctx {
    HANDLE port;
    OVERLAPPED read_ov;
    OVERLAPPED write_ov;
    OVERLAPPED wait_ov;
    bool write_pending;
    bool wait_pending;
    bool poll_only;    /* the driver cannot wait for comm events (win_wait_failed) */
    DWORD wait_events; /* filled by the pending WaitCommEvent() */
    uint8_t write_buf[WIN_WRITE_BUF_BYTES];
} win_ctx;

/* ------------------------------------------------------------------ errors */

int qlw_io_win_errno(unsigned long code)
{
    switch (code) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_NAME:
    case ERROR_BAD_PATHNAME:
        return ENOENT;
    /* A COM port opened by another program answers "access denied". */
    case ERROR_ACCESS_DENIED:
    case ERROR_SHARING_VIOLATION:
        return EBUSY;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
        return ENOMEM;
    /* What a USB serial adapter answers once it has been unplugged. */
    case ERROR_DEVICE_NOT_CONNECTED:
    case ERROR_BAD_COMMAND:
    case ERROR_GEN_FAILURE:
    case ERROR_OPERATION_ABORTED:
    case ERROR_INVALID_HANDLE:
        return ENODEV;
    default:
        return EIO;
    }
}

static int win_err(void)
{
    return qlw_io_errno_to_err(qlw_io_win_errno(GetLastError()));
}

/* ------------------------------------------------------------- operations */

/* Bytes in the driver's input queue, or a negative qlw_err when the port failed. */
static int win_input_waiting(win_ctx *c)
{
    DWORD errors = 0;
    COMSTAT stat;
    /* Also clears a line error (framing, overrun), which would stop all I/O. */
    if (!ClearCommError(c->port, &errors, &stat)) {
        return win_err();
    }
    return stat.cbInQue > INT_MAX ? INT_MAX : (int)stat.cbInQue;
}

static int win_io_read(void *ctx, uint8_t *buf, size_t size)
{
    win_ctx *c = ctx;
    if (size == 0) {
        return 0;
    }
    int waiting = win_input_waiting(c);
    if (waiting <= 0) {
        return waiting;
    }
    DWORD want = size < (size_t)waiting ? (DWORD)size : (DWORD)waiting;
    DWORD got = 0;
    /* With the timeouts set at open, this completes at once with what is
     * there; the count always comes from GetOverlappedResult(), since the
     * one ReadFile() gives on an overlapped handle is not to be trusted. */
    if (!ReadFile(c->port, buf, want, NULL, &c->read_ov) && GetLastError() != ERROR_IO_PENDING) {
        return win_err();
    }
    if (!GetOverlappedResult(c->port, &c->read_ov, &got, TRUE)) {
        return win_err();
    }
    return (int)got;
}

/* Whether the last write is still going: 1 yes, 0 done, negative if it failed. */
static int win_write_busy(win_ctx *c)
{
    if (!c->write_pending) {
        return 0;
    }
    DWORD done = 0;
    if (!GetOverlappedResult(c->port, &c->write_ov, &done, FALSE)) {
        if (GetLastError() == ERROR_IO_INCOMPLETE) {
            return 1;
        }
        c->write_pending = false;
        return win_err();
    }
    c->write_pending = false;
    return 0;
}

static int win_io_write(void *ctx, const uint8_t *buf, size_t size)
{
    win_ctx *c = ctx;
    if (size == 0) {
        return 0;
    }
    int busy = win_write_busy(c);
    if (busy != 0) {
        return busy > 0 ? 0 : busy;
    }
    DWORD n = size < sizeof c->write_buf ? (DWORD)size : (DWORD)sizeof c->write_buf;
    memcpy(c->write_buf, buf, n);
    if (WriteFile(c->port, c->write_buf, n, NULL, &c->write_ov)) {
        return (int)n; /* done already */
    }
    if (GetLastError() != ERROR_IO_PENDING) {
        return win_err();
    }
    c->write_pending = true; /* the driver has the bytes; they go out in order */
    return (int)n;
}

/* Makes sure a WaitCommEvent() is outstanding: 0 armed, 1 already fired,
 * negative (the Windows error kept in GetLastError()) when it failed. */
static int win_arm_wait(win_ctx *c)
{
    if (c->wait_pending) {
        return 0;
    }
    c->wait_events = 0;
    /* A wait that fired while nobody waited left its event signalled. */
    (void)ResetEvent(c->wait_ov.hEvent);
    if (WaitCommEvent(c->port, &c->wait_events, &c->wait_ov)) {
        return 1;
    }
    if (GetLastError() != ERROR_IO_PENDING) {
        return -1;
    }
    c->wait_pending = true;
    return 0;
}

/*
 * A failed comm-event wait on a port that still answers ClearCommError() is
 * the driver's limit, not the port's end: wine on a pseudo-terminal fails
 * every WaitCommEvent() (its event thread asks for the modem lines, which a
 * pty refuses), and some virtual COM port drivers implement no events. Such
 * a port is waited on by looking at its input queue between short sleeps.
 * A port that fails ClearCommError() too is gone.
 */
static int win_wait_failed(win_ctx *c)
{
    int waiting = win_input_waiting(c);
    if (waiting < 0) {
        return waiting;
    }
    c->poll_only = true;
    return waiting > 0 ? 1 : 0;
}

/* One sleep of wait(): 1 when the event fired (or may have), 0 on timeout,
 * negative when the port failed. */
static int win_sleep(win_ctx *c, uint32_t ms)
{
    if (c->poll_only) {
        Sleep(ms < WIN_POLL_MS ? ms : WIN_POLL_MS);
        return 1;
    }
    int fired = win_arm_wait(c);
    if (fired != 0) {
        return fired > 0 ? 1 : win_wait_failed(c);
    }
    /* Bytes that came before the wait was armed raise no event. */
    int waiting = win_input_waiting(c);
    if (waiting != 0) {
        return waiting > 0 ? 1 : waiting;
    }
    DWORD r = WaitForSingleObject(c->wait_ov.hEvent, ms);
    if (r == WAIT_TIMEOUT) {
        return 0;
    }
    if (r != WAIT_OBJECT_0) {
        return win_err();
    }
    DWORD unused = 0;
    c->wait_pending = false;
    if (!GetOverlappedResult(c->port, &c->wait_ov, &unused, FALSE)) {
        return win_wait_failed(c);
    }
    return 1; /* EV_RXCHAR or EV_ERR: the input queue says which */
}

static int win_io_wait(void *ctx, uint32_t timeout_ms)
{
    win_ctx *c = ctx;
    uint32_t deadline_ms = qlw_clock_system_ms(NULL) + timeout_ms;
    for (;;) {
        int waiting = win_input_waiting(c);
        if (waiting != 0) {
            return waiting > 0 ? 1 : waiting;
        }
        uint32_t now_ms = qlw_clock_system_ms(NULL);
        if (qlw_ms_reached(now_ms, deadline_ms)) {
            return 0;
        }
        int slept = win_sleep(c, qlw_ms_diff(deadline_ms, now_ms));
        if (slept < 0) {
            return slept;
        }
    }
}

static int win_io_fd(void *ctx)
{
    /* A HANDLE cannot be polled like a descriptor: wait() is the way. */
    (void)ctx;
    return -1;
}

/* Ends what is still in flight so that no overlapped call outlives its buffers. */
static void win_cancel(win_ctx *c)
{
    DWORD unused = 0;
    if (c->wait_pending || c->write_pending) {
        (void)CancelIo(c->port);
    }
    if (c->wait_pending) {
        (void)GetOverlappedResult(c->port, &c->wait_ov, &unused, TRUE);
        c->wait_pending = false;
    }
    if (c->write_pending) {
        (void)GetOverlappedResult(c->port, &c->write_ov, &unused, TRUE);
        c->write_pending = false;
    }
}

static void win_free(win_ctx *c)
{
    if (c->port != INVALID_HANDLE_VALUE) {
        win_cancel(c);
        (void)CloseHandle(c->port);
    }
    HANDLE events[] = {c->read_ov.hEvent, c->write_ov.hEvent, c->wait_ov.hEvent};
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++) {
        if (events[i] != NULL) {
            (void)CloseHandle(events[i]);
        }
    }
    free(c);
}

static void win_io_close(void *ctx)
{
    win_free(ctx);
}

const qlw_io_ops qlw_io_win32_ops = {
    .read = win_io_read,
    .write = win_io_write,
    .wait = win_io_wait,
    .fd = win_io_fd,
    .close = win_io_close,
};

/* ------------------------------------------------------------------- open */

/*
 * "COM3" works as a file name only up to COM9; the device namespace form
 * "\\.\COM12" works for every port, so a bare name gets that prefix. A path
 * that already starts with two backslashes is taken as it is.
 */
static int win_device_name(const char *path, char *out, size_t out_size)
{
    const char *prefix = (path[0] == '\\' && path[1] == '\\') ? "" : "\\\\.\\";
    int n = snprintf(out, out_size, "%s%s", prefix, path);
    return n < 0 || (size_t)n >= out_size ? QLW_ERR_ARG : QLW_OK;
}

static int win_failed(const char *what, const char *path, char *errmsg, size_t errmsg_size)
{
    DWORD code = GetLastError();
    int errnum = qlw_io_win_errno(code);
    if (errnum != EIO) {
        return qlw_io_open_failed(errnum, path, errmsg, errmsg_size);
    }
    qlw_io_errmsg(errmsg, errmsg_size, "cannot open %s: %s failed (Windows error %lu)", path, what,
                  (unsigned long)code);
    return QLW_ERR_IO;
}

static void win_set_flow(DCB *dcb, qlw_flow flow)
{
    dcb->fOutxCtsFlow = flow == QLW_FLOW_RTSCTS;
    dcb->fRtsControl = flow == QLW_FLOW_RTSCTS ? RTS_CONTROL_HANDSHAKE : RTS_CONTROL_ENABLE;
    dcb->fOutX = flow == QLW_FLOW_XONXOFF;
    dcb->fInX = flow == QLW_FLOW_XONXOFF;
    dcb->fOutxDsrFlow = FALSE;
    dcb->fDsrSensitivity = FALSE;
    dcb->fDtrControl = DTR_CONTROL_ENABLE;
}

static int win_configure(win_ctx *c, const char *path, const qlw_serial_config *cfg, char *errmsg,
                         size_t errmsg_size)
{
    DCB dcb;
    memset(&dcb, 0, sizeof dcb);
    dcb.DCBlength = sizeof dcb;
    if (!GetCommState(c->port, &dcb)) {
        return win_failed("GetCommState", path, errmsg, errmsg_size);
    }
    dcb.BaudRate = cfg->baud;
    dcb.ByteSize = 8;
    dcb.Parity = NOPARITY;
    dcb.StopBits = ONESTOPBIT;
    dcb.fBinary = TRUE;
    dcb.fParity = FALSE;
    dcb.fErrorChar = FALSE;
    dcb.fNull = FALSE; /* NUL bytes reach the engine, which copes with them */
    dcb.fAbortOnError = FALSE;
    win_set_flow(&dcb, cfg->flow);
    if (!SetCommState(c->port, &dcb)) {
        if (GetLastError() == ERROR_INVALID_PARAMETER) {
            qlw_io_errmsg(errmsg, errmsg_size,
                          "cannot open %s: the port refused %lu baud or this flow control", path,
                          (unsigned long)cfg->baud);
            return QLW_ERR_UNSUPPORTED;
        }
        return win_failed("SetCommState", path, errmsg, errmsg_size);
    }
    /* Reads return at once with what has arrived; writes have no time limit
     * (they are overlapped, and wait() never waits for one). */
    COMMTIMEOUTS timeouts = {.ReadIntervalTimeout = MAXDWORD};
    if (!SetCommTimeouts(c->port, &timeouts)) {
        return win_failed("SetCommTimeouts", path, errmsg, errmsg_size);
    }
    if (!SetCommMask(c->port, EV_RXCHAR | EV_ERR)) {
        return win_failed("SetCommMask", path, errmsg, errmsg_size);
    }
    /* What an earlier program left in the driver's queues is not ours. */
    (void)PurgeComm(c->port, PURGE_RXCLEAR | PURGE_TXCLEAR);
    return QLW_OK;
}

int qlw_io_win32_open(qlw_io **io, const char *path, const qlw_serial_config *cfg, char *errmsg,
                      size_t errmsg_size)
{
    char device[MAX_PATH];
    if (win_device_name(path, device, sizeof device) != QLW_OK) {
        qlw_io_errmsg(errmsg, errmsg_size, "cannot open %s: the name is too long", path);
        return QLW_ERR_ARG;
    }
    win_ctx *c = calloc(1, sizeof *c);
    if (c == NULL) {
        return qlw_io_open_failed(ENOMEM, path, errmsg, errmsg_size);
    }
    c->port = INVALID_HANDLE_VALUE;
    /* Manual-reset events, as GetOverlappedResult() expects. */
    c->read_ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
    c->write_ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
    c->wait_ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
    if (c->read_ov.hEvent == NULL || c->write_ov.hEvent == NULL || c->wait_ov.hEvent == NULL) {
        int err = win_failed("CreateEvent", path, errmsg, errmsg_size);
        win_free(c);
        return err;
    }
    /* Share mode 0: Windows keeps every other program off the port while it
     * is open (a second open fails with "access denied"). */
    c->port = CreateFileA(device, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                          FILE_FLAG_OVERLAPPED, NULL);
    if (c->port == INVALID_HANDLE_VALUE) {
        int err = win_failed("CreateFile", path, errmsg, errmsg_size);
        win_free(c);
        return err;
    }
    int err = win_configure(c, path, cfg, errmsg, errmsg_size);
    if (err == QLW_OK) {
        err = qlw_io_create(io, &qlw_io_win32_ops, c, path, NULL);
        if (err != QLW_OK) {
            err = qlw_io_open_failed(ENOMEM, path, errmsg, errmsg_size);
        }
    }
    if (err != QLW_OK) {
        win_free(c);
    }
    return err;
}
