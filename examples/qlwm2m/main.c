/*
 * qlwm2m: a command-line tool for BC68-family LwM2M modules. Global options,
 * the command table, and --help; each command lives in its own file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

static int run_replay(tool *t, int argc, char **argv)
{
    return tool_replay(t->opts, argc, argv);
}

static const tool_cmd commands[] = {
    {"info", cmd_info, "info", "module, firmware, IDs, signal, network, CDP",
     "Reads what the module says about itself; changes nothing.\n", 10, true},
    {"attach", cmd_attach, "attach [--apn APN] [--band N]",
     "radio on, context, wait for the network",
     "Switches the radio on, sets the APN of context 1 and the band when given\n"
     "(only when they differ: the radio goes off to change them), attaches, and\n"
     "waits for +CEREG 1 (home) or 5 (roaming).\n"
     "  --apn APN   letters, digits, '-' and '.', at most 62\n"
     "  --band N    NB-IoT band (AT+NBAND), e.g. 8 or 20\n",
     120, true},
    {"cdp", cmd_cdp, "cdp [HOST[:PORT]]", "show, or set, the LwM2M server",
     "Without HOST, prints the LwM2M (CDP) server the module uses. With HOST (a\n"
     "dotted IPv4 address; PORT defaults to 5683), sets it when it differs: the\n"
     "radio goes off, AT+NCDP is written and the module reboots to apply it.\n",
     30, true},
    {"register", cmd_register, "register", "register to the LwM2M server",
     "Attaches when needed, then AT+QLWSREGIND=0 and waits for +QLWEVTIND:0.\n"
     "Uplinks still need the server to observe /19/0/0 (send waits for that).\n",
     120, true},
    {"deregister", cmd_deregister, "deregister", "deregister from the LwM2M server",
     "AT+QLWSREGIND=1 and waits for +QLWEVTIND:1.\n", 30, true},
    {"send", cmd_send, "send [--con|--non] [--release] HEX...",
     "send payloads once the server observes",
     "The main job: attaches if needed (setting nothing it was not told to),\n"
     "registers if needed, waits until the server observes /19/0/0, sends each\n"
     "payload in order and reports each one's outcome, saying only what the\n"
     "module told: sent (NON: +NSMI:SENT, or the OK on firmware without +NSMI),\n"
     "delivered (CON: the server's acknowledgement), failed (certainly did not\n"
     "reach the server), unknown (may or may not have). \"possible duplicate\"\n"
     "(JSON \"possible_duplicate\":true) marks one handed to the module again\n"
     "after a handover that may have reached the server.\n"
     "  --non       non-confirmable (default)\n"
     "  --con       confirmable: wait for the server's acknowledgement\n"
     "  --release   release the radio connection right after (RAI)\n"
     "  HEX         1 to 512 bytes as hex digits, e.g. DEADBEEF; up to 64 payloads\n"
     "Ctrl-C: nothing more goes to the module; the payload it has is followed to\n"
     "its report (within -t; a second Ctrl-C stops waiting), the rest are reported\n"
     "not sent. -t is the budget of the whole run.\n"
     "Exit 0 when every payload was sent (NON) or delivered (CON); 1 when one was\n"
     "refused or failed; 6 when none failed but some are unknown; 5 when the\n"
     "session never became ready; 3 when time ran out after that; 130 Ctrl-C.\n",
     120, true},
    {"listen", cmd_listen, "listen [--count N] [--register]",
     "print downlinks and URCs as they arrive",
     "Prints every downlink (+NNMI) and every other URC the module sends, until\n"
     "Ctrl-C, N of them, or -t SECONDS (no timeout unless -t is given).\n"
     "  --count N   stop after N events (exit 0; exit 3 if -t ends it first)\n"
     "  --register  first register and wait until the server observes /19/0/0\n",
     0, true},
    {"ping", cmd_ping, "ping HOST", "ping an IPv4 address from the module",
     "AT+NPING=HOST; waits for the reply or the module's verdict. With -t, the\n"
     "module is told to give up after two thirds of it (AT+NPING=HOST,12,MS).\n",
     15, true},
    {"reboot", cmd_reboot, "reboot", "reboot the module, set it up again",
     "AT+NRB, waits for the boot banner, then sets the module up again.\n", 30, true},
    {"at", cmd_at, "at 'AT+...'", "send a raw command, print its answer",
     "Sends one command as given and prints every response line and the final\n"
     "result. Exit 0 on OK, 1 on ERROR or +CME ERROR, 3 without an answer.\n",
     10, true},
    {"lwm2m-config", cmd_lwm2m_config, "lwm2m-config SETTING [ARGS]",
     "configure an LTE module's LwM2M client (AT+QLWCFG)",
     "QuecPython's lwm2m.config() for EC200U/EC200A/EG912N (AT+QLWCFG) and BG95:\n"
     "  security SERVER_ID SSID URI BOOTSTRAP MODE [PSK_ID PSK_KEY]\n"
     "  server SERVER_ID LIFETIME PMIN PMAX DISABLE STORING BINDING\n"
     "  epname MODE      endpoint name format (3 = urn:imei:<IMEI>)\n"
     "  urc on|off       +QLWURC reporting (needed for register/listen)\n"
     "  fota DOWNLOAD UPDATE\n"
     "  reset            configuration back to the defaults\n"
     "Exit 0 done, 1 failed or not supported by this firmware (said which).\n"
     "The PSK key never appears in a --trace file.\n",
     10, true},
    {"update", cmd_update, "update SSID", "LwM2M registration update (LTE modules)",
     "AT+QLWUPDATE=SSID (BG95: AT+QLWSVC=\"update\",SSID,1); the outcome comes as\n"
     "+QLWURC: \"update\" (see listen).\n",
     10, true},
    {"state", cmd_state, "state", "LwM2M registration state (LTE modules)",
     "AT+QLWSTAT? (BG95: AT+QLWSVC=\"state\",1): 0 not registered, 1 registering,\n"
     "2 registered, 3 deregistering, 4 registration failed.\n",
     10, true},
    {"replay", run_replay, "replay FILE.at", "drive the library through a transcript",
     "Plays the host side of a transcript through the AT engine against the\n"
     "transcript's modem side (no port) and prints one JSON object per event.\n"
     "The global option --read-size N cuts the modem's bytes into N-byte reads.\n",
     0, false},
};

#define COMMAND_COUNT  (sizeof(commands) / sizeof(commands[0]))
#define SYNOPSIS_WIDTH 32

static void usage(FILE *out)
{
    fputs("usage: qlwm2m [-p PORT] [-b BAUD] [-t SECONDS] [-v] [--json] [--trace FILE.at]\n"
          "              COMMAND [ARGS]\n\n"
          "  -p, --port PORT        serial device (/dev/ttyUSB0, /dev/pts/7); a name that\n"
          "                         survives a replug (/dev/serial/by-id/...) lets a\n"
          "                         command ride over a lost port: it is reopened within\n"
          "                         -t; default $QLWM2M_PORT\n"
          "  -b, --baud BAUD        baud rate (default 9600)\n"
          "  -t, --timeout SECONDS  overall timeout (default 120 for send, attach and\n"
          "                         register, 10 to 30 for quick commands, none for\n"
          "                         listen)\n"
          "  -v, --verbose          also print notices (network, radio, reboot cause,\n"
          "                         retries) and, last, the session's counters\n"
          "  --json                 one JSON object per line instead of text, for scripts\n"
          "  --trace FILE.at        record the whole exchange as a transcript\n"
          "  --read-size N          replay only: cut the modem's bytes into N-byte reads\n"
          "                         (default 0: as they come)\n"
          "  -h, --help             print this help ('qlwm2m COMMAND --help': one command)\n"
          "  --version              print the version\n\ncommands:\n",
          out);
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        const tool_cmd *c = &commands[i];

        if (strlen(c->synopsis) > SYNOPSIS_WIDTH)
            fprintf(out, "  %s\n  %-*s %s\n", c->synopsis, SYNOPSIS_WIDTH, "", c->summary);
        else
            fprintf(out, "  %-*s %s\n", SYNOPSIS_WIDTH, c->synopsis, c->summary);
    }
    fputs("\n'qlwm2m COMMAND --help' tells more about one.\n"
          "exit codes: 0 success, 1 the module refused, 2 usage, 3 timeout,\n"
          "            4 port or I/O error, 5 the session never became ready,\n"
          "            6 send: some payloads' fate unknown (none failed), 130 Ctrl-C\n",
          out);
}

static void command_help(const tool_cmd *c)
{
    printf("usage: qlwm2m [GLOBAL OPTIONS] %s\n\n%s.\n\n%s", c->synopsis, c->summary, c->help);
    if (c->timeout_s > 0)
        printf("Default timeout (-t): %lu s.\n", (unsigned long)c->timeout_s);
}

static bool is_baud(unsigned long b)
{
    static const unsigned long rates[] = {1200,  2400,   4800,   9600,   19200, 38400,
                                          57600, 115200, 230400, 460800, 921600};

    for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
        if (rates[i] == b)
            return true;
    }
    return false;
}

/* One global option with a value; 0, or an exit code. */
static int parse_value(tool_opts *o, const char *name, const char *value)
{
    unsigned long v;

    if (!strcmp(name, "-p") || !strcmp(name, "--port")) {
        o->port = value;
    } else if (!strcmp(name, "-b") || !strcmp(name, "--baud")) {
        if (tool_parse_uint("baud rate (-b)", value, 1, 921600, &v) != 0)
            return TOOL_EXIT_USAGE;
        if (!is_baud(v))
            return tool_usage_error(
                NULL, "baud rate (-b) %s: not a standard rate (9600, 115200 ...)", value);
        o->baud = (uint32_t)v;
    } else if (!strcmp(name, "-t") || !strcmp(name, "--timeout")) {
        if (tool_parse_uint("timeout (-t)", value, 1, 86400, &v) != 0)
            return TOOL_EXIT_USAGE;
        o->timeout_s = (uint32_t)v;
    } else if (!strcmp(name, "--trace")) {
        o->trace_path = value;
    } else {
        if (tool_parse_uint("--read-size", value, 0, 65536, &v) != 0)
            return TOOL_EXIT_USAGE;
        o->read_size = (size_t)v;
    }
    return 0;
}

static bool takes_value(const char *a)
{
    static const char *const names[] = {"-p", "--port",    "-b",      "--baud",
                                        "-t", "--timeout", "--trace", "--read-size"};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!strcmp(a, names[i]))
            return true;
    }
    return false;
}

/* Global options up to the command; returns -1 for --help, -2 for --version, else 0 or an exit
 * code. */
static int parse_opts(int argc, char **argv, tool_opts *o, int *next)
{
    int i;

    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];

        if (takes_value(a)) {
            int rc;
            if (i + 1 >= argc)
                return tool_usage_error(NULL, "option %s needs a value", a);
            rc = parse_value(o, a, argv[++i]);
            if (rc != 0)
                return rc;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            o->verbose = true;
        } else if (!strcmp(a, "--json")) {
            o->json = true;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            return -1;
        } else if (!strcmp(a, "--version")) {
            return -2;
        } else {
            return tool_usage_error(NULL, "unknown option %s (qlwm2m --help lists them)", a);
        }
    }
    *next = i;
    return 0;
}

static const tool_cmd *find_command(const char *name)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        if (strcmp(name, commands[i].name) == 0)
            return &commands[i];
    }
    return NULL;
}

static bool wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return true;
    }
    return false;
}

static int run_command(const tool_opts *o, const tool_cmd *c, int argc, char **argv)
{
    tool t;
    int rc;

    memset(&t, 0, sizeof(t));
    t.opts = o;
    t.cmd = c;
    t.t0_ms = qlw_clock_system_ms(NULL);
    t.timeout_given = o->timeout_s > 0;
    t.timeout_ms = (o->timeout_s > 0 ? o->timeout_s : c->timeout_s) * 1000u;
    if (c->needs_port && (o->port == NULL || o->port[0] == '\0'))
        return tool_usage_error(NULL, "no port: give -p PORT (e.g. -p /dev/ttyUSB0) or set "
                                      "QLWM2M_PORT");
    tool_install_signals();
    rc = c->run(&t, argc, argv);
    tool_close(&t);
    if (tool_stop_requested() && rc != TOOL_EXIT_USAGE)
        return TOOL_EXIT_INTERRUPTED;
    return rc;
}

int main(int argc, char **argv)
{
    tool_opts o = {getenv("QLWM2M_PORT"), 9600, 0, false, false, NULL, 0};
    const tool_cmd *c;
    int next = 1;
    int rc;

    /* Step lines must show as they happen, even in a pipe. The Windows C
     * runtime has no line buffering (and refuses _IOLBF without a size):
     * there stdout is unbuffered instead. */
#ifdef _WIN32
    setvbuf(stdout, NULL, _IONBF, 0);
#else
    setvbuf(stdout, NULL, _IOLBF, 0);
#endif
    rc = parse_opts(argc, argv, &o, &next);
    if (rc == -1) {
        usage(stdout);
        return TOOL_EXIT_OK;
    }
    if (rc == -2) {
        printf("qlwm2m %s\n", qlw_version());
        return TOOL_EXIT_OK;
    }
    if (rc != 0)
        return rc;
    if (next >= argc) {
        usage(stderr);
        return TOOL_EXIT_USAGE;
    }
    c = find_command(argv[next]);
    if (c == NULL)
        return tool_usage_error(NULL, "unknown command '%s' (qlwm2m --help lists them)",
                                argv[next]);
    if (wants_help(argc - next - 1, argv + next + 1)) {
        command_help(c);
        return TOOL_EXIT_OK;
    }
    return run_command(&o, c, argc - next - 1, argv + next + 1);
}
