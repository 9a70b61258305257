/* The qlwm2m command-line tool: shared options, the run context and the commands. */
#ifndef QLWM2M_TOOL_H
#define QLWM2M_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "qlwm2m/qlwm2m.h"

/* mingw-w64 builds use its C99 printf (__USE_MINGW_ANSI_STDIO), not the C runtime's. */
#if defined(__MINGW32__)
#define TOOL_PRINTF(fmt_arg, first_arg) __attribute__((format(gnu_printf, fmt_arg, first_arg)))
#else
#define TOOL_PRINTF(fmt_arg, first_arg) __attribute__((format(printf, fmt_arg, first_arg)))
#endif

/* Exit codes, as documented in --help. */
enum {
    TOOL_EXIT_OK = 0,
    TOOL_EXIT_REFUSED = 1, /* the module (or the network, or the server) refused */
    TOOL_EXIT_USAGE = 2,
    TOOL_EXIT_TIMEOUT = 3,
    TOOL_EXIT_IO = 4, /* port or I/O error */
    TOOL_EXIT_NOT_READY = 5,
    TOOL_EXIT_UNKNOWN = 6, /* send: none failed, but whether some reached the server is unknown */
    TOOL_EXIT_INTERRUPTED = 130 /* SIGINT/SIGTERM, as a shell reports a Ctrl-C */
};

/* Most payloads one `send` takes; the session's queue is sized for them. */
#define TOOL_PAYLOADS_MAX 64

typedef struct tool_opts {
    const char *port;
    uint32_t baud;
    uint32_t timeout_s; /* 0: the command's own default */
    bool verbose;
    bool json;
    const char *trace_path;
    size_t read_size; /* replay only: bytes per read, 0 = whole */
} tool_opts;

/* One payload of `send` and what became of it. */
typedef struct tool_uplink {
    uint8_t data[QLW_NEUL_PAYLOAD_MAX];
    size_t len;
    uint32_t id;
    bool queued;
    bool reported;
    qlw_uplink_report report;
} tool_uplink;

struct tool_cmd;

/* Everything one run of a command needs; lives on main()'s stack. */
typedef struct tool {
    const tool_opts *opts;
    const struct tool_cmd *cmd;
    uint32_t t0_ms;
    uint32_t timeout_ms; /* the command's overall timeout (-t or its default) */
    bool timeout_given;  /* -t was on the command line */
    qlw_session *s;
    qlw_at *at;

    FILE *trace_file;
    qlw_ts_writer *writer;

    /* The last +CEREG seen on the wire (URC or read answer): the session
     * reports the state change, not the cell, so the tool reads it itself. */
    char rx_line[128];
    size_t rx_len;
    bool rx_overlong;
    qlw_cereg cereg;
    bool have_cereg;
    char reboot_cause[48];

    /* The last command line written to the module, and when: the step a
     * stalled run is stuck at, when the engine is still waiting for it. */
    char tx_line[96];
    size_t tx_len;
    char tx_last[96];
    uint32_t tx_last_ms;
    size_t rx_bytes; /* modem bytes seen since the port opened */
    bool reg_sent;   /* AT+QLWSREGIND=0 (or an LTE register command) was written */
    bool paused;     /* Ctrl-C: qlw_pause() called, waiting for the uplink in flight */

    bool narrate;       /* print state changes (not for one-shot queries) */
    bool announce_wait; /* print "waiting for the server to observe" on REGISTERED */
    bool ever_ready;
    bool listening;      /* print every URC (listen) */
    unsigned lwm2m_seen; /* bit n: +QLWEVTIND:n seen since open */

    int fatal; /* a qlw_err that ends the command at once, 0 while none */
    int fatal_exit;
    int fatal_cme;
    char fatal_msg[256];

    tool_uplink *ul;
    size_t ul_count;
    size_t ul_reported;

    unsigned long events;        /* listen: URCs and downlinks printed */
    unsigned long events_wanted; /* listen --count; 0 = no limit */
} tool;

/* A command of the table in main.c. */
typedef struct tool_cmd {
    const char *name;
    int (*run)(tool *t, int argc, char **argv);
    const char *synopsis; /* "send [--con|--non] [--release] HEX..." */
    const char *summary;  /* one line for `qlwm2m --help` */
    const char *help;     /* the rest of `qlwm2m COMMAND --help` */
    uint32_t timeout_s;   /* default of -t; 0 = none */
    bool needs_port;
} tool_cmd;

/* ------------------------------------------------------------ commands */

int tool_replay(const tool_opts *opts, int argc, char **argv);
int cmd_info(tool *t, int argc, char **argv);
int cmd_attach(tool *t, int argc, char **argv);
int cmd_cdp(tool *t, int argc, char **argv);
int cmd_register(tool *t, int argc, char **argv);
int cmd_deregister(tool *t, int argc, char **argv);
int cmd_reboot(tool *t, int argc, char **argv);
int cmd_send(tool *t, int argc, char **argv);
int cmd_listen(tool *t, int argc, char **argv);
int cmd_ping(tool *t, int argc, char **argv);
int cmd_at(tool *t, int argc, char **argv);
int cmd_lwm2m_config(tool *t, int argc, char **argv);
int cmd_update(tool *t, int argc, char **argv);
int cmd_state(tool *t, int argc, char **argv);

/* ------------------------------------------------------- args.c: checks */

/* Each returns 0, or prints "error: ..." naming the argument and returns TOOL_EXIT_USAGE. */
int tool_parse_hex(const char *what, const char *hex, uint8_t *out, size_t *len);
int tool_parse_server(const char *what, const char *arg, char *host, size_t host_size,
                      uint16_t *port);
int tool_parse_ipv4(const char *what, const char *arg);
int tool_parse_uint(const char *what, const char *arg, unsigned long lo, unsigned long hi,
                    unsigned long *out);
int tool_parse_apn(const char *what, const char *arg);
/* Refuses leftover arguments; 0 when there are none. */
int tool_no_more_args(const tool *t, int argc, char **argv);
/* Prints "usage: qlwm2m SYNOPSIS" to stderr and returns TOOL_EXIT_USAGE. */
int tool_usage_error(const tool *t, const char *fmt, ...) TOOL_PRINTF(2, 3);

/* --------------------------------------------------------- out.c: output */

uint32_t tool_elapsed_ms(const tool *t);
/* A human step line: "[  1.2s] TEXT" (not in --json mode). */
void tool_say(const tool *t, const char *fmt, ...) TOOL_PRINTF(2, 3);
/* Starts a JSON event line: {"t_ms":N,"event":"NAME" ; the caller adds fields and ends it. */
void tool_json_begin(const tool *t, const char *event);
void tool_json_str(const char *key, const char *value);
void tool_json_int(const char *key, long value);
void tool_json_bool(const char *key, bool value);
void tool_json_hex(const char *key, const uint8_t *data, size_t len);
void tool_json_end(void);
/* The last line of a command that worked: a step line, or {"event":"done",...} with --json. */
void tool_done(const tool *t, const char *fmt, ...) TOOL_PRINTF(2, 3);
/* Prints "error: MESSAGE" (and a JSON error event with --json); returns @p code. */
int tool_fail(const tool *t, int code, const char *fmt, ...) TOOL_PRINTF(3, 4);
/* Prints "hint: TEXT" on stderr. */
void tool_hint(const char *fmt, ...) TOOL_PRINTF(1, 2);
/* Exit code for a qlw_err. */
int tool_exit_code(int err);
/* Reports a failed library call: the module's answer, a timeout, a lost port. */
int tool_fail_err(tool *t, int err, const char *what);
/* Stable word for an uplink's fate: ok, not_sent, unknown, refused, failed, timeout, error. */
const char *tool_uplink_result(const qlw_uplink_report *r);
/* True when the report says the payload went: sent (NON) or delivered (CON). */
bool tool_uplink_done(const qlw_uplink_report *r);
/* A hint for a +CME ERROR number, or NULL. */
const char *tool_cme_hint(int cme);
void tool_hex(const uint8_t *data, size_t len, char *out, size_t out_size);

/* ------------------------------------- narrate.c: the session's callbacks */

/* Points the callbacks of @p cfg at the tool's, with @p t as their context. */
void tool_set_callbacks(qlw_session_config *cfg, tool *t);

/* ---------------------------------------------- run.c: port and session */

/* Opens the port and the session with the tool's callbacks (and the trace); exit code. */
int tool_open(tool *t, const qlw_session_config *cfg);
/* Lets the command in flight finish, closes the session, the port and the trace. */
void tool_close(tool *t);
/* Runs the session until done() > 0 (QLW_OK), done() < 0 (that error), a
 * fatal error, Ctrl-C (QLW_ERR_CANCELLED), a lost port, or the command's
 * deadline (QLW_ERR_TIMEOUT). */
int tool_run(tool *t, int (*done)(tool *t));
/* Ms left of the command's timeout (at least 1). */
uint32_t tool_remaining_ms(const tool *t);

/* ---------------------------------- platform.c: Ctrl-C and waiting for input */

/* Ctrl-C (and SIGTERM on POSIX) are counted from now on; the first asks to stop. */
void tool_install_signals(void);
bool tool_stop_requested(void);
/* Stop requests so far, at most 2 (a second one stops waiting for the command in flight). */
int tool_stop_count(void);
/* Sleeps until @p fd is readable, up to @p timeout_ms; QLW_ERR_UNSUPPORTED where
 * there is no descriptor to wait on (fd < 0, Windows). */
int tool_wait_fd(int fd, int timeout_ms);
/* Reports the error that ended a command through t->fatal; returns its exit code. */
int tool_fail_fatal(tool *t);
/* The wait for the first setup of the module after open. */
int tool_setup_done(tool *t);
/* Writes "the module has not answered AT+X (sent N s ago)" into @p out when a
 * command is waiting for its answer; "" otherwise. */
void tool_stalled_step(const tool *t, char *out, size_t size);

#endif
