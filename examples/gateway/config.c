/*
 * Options: the command line, and a config file read with inih (the same
 * names without the dashes, "modem = NAME=PORT" once per module). The file
 * is read first; the command line wins for single values and adds modules.
 */
#include <errno.h>
#include <getopt.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway.h"

static const char usage_text[] =
    "Usage: qlwm2m-gateway --broker HOST:PORT --state DIR --client-id ID\n"
    "                      --modem NAME=PORT [--modem NAME=PORT ...]\n"
    "                      [--topic-prefix P] [--config FILE] [-v] [--json]\n"
    "Drives every module of a gateway with qlwm2m and bridges it to an MQTT broker.\n"
    "\n"
    "  --broker HOST:PORT     the MQTT broker (persistent session, QoS 1 both ways)\n"
    "  --state DIR            where the durable outbox lives (outbox.db); keep it\n"
    "                         across restarts, with the same --client-id\n"
    "  --client-id ID         MQTT client id (the broker keeps this session)\n"
    "  --modem NAME=PORT      a module: its name in topics and its serial port\n"
    "                         (prefer /dev/serial/by-id/... paths); repeatable\n"
    "  --topic-prefix P       topic prefix (default qlwm2m)\n"
    "  --config FILE          read options from FILE (INI: key = value, the long\n"
    "                         option names; 'modem = NAME=PORT' once per module)\n"
    "  --cdp HOST[:PORT]      point every module at this LwM2M server (default:\n"
    "                         leave the module's setting)\n"
    "  --apn APN              APN to attach with (default: the module's)\n"
    "  --delivery at-least-once|at-most-once\n"
    "                         uncertain uplinks: resend flagged possible_duplicate\n"
    "                         (default), or report them unknown\n"
    "  --redelivery-window N  how many of the last readings of a connection that\n"
    "                         broke are checked against redeliveries (default 20,\n"
    "                         the broker's max_inflight_messages)\n"
    "  --deadline S           a reading not handed to its module within S seconds\n"
    "                         of its arrival is reported expired, never sent\n"
    "                         (default 0: no deadline)\n"
    "  --signal-poll S        ask each idle module its signal (AT+CSQ) every S\n"
    "                         seconds, for \"signal\" in P/NAME/state (default 60;\n"
    "                         0: never)\n"
    "  --keepalive S          MQTT keepalive in seconds (default 30)\n"
    "  -v, --verbose          debug logs\n"
    "  --json                 logs as one JSON object per line\n"
    "  -h, --help             this help\n"
    "\n"
    "Topics (P = prefix, NAME = module):\n"
    "  P/NAME/up              publish one reading (raw bytes): sent confirmable\n"
    "  P/NAME/up/non          the same, non-confirmable\n"
    "  P/NAME/up/result       one JSON result per reading: id, hex, result\n"
    "                         (delivered, sent, failed, expired, unknown),\n"
    "                         possible_duplicate, attempts\n"
    "  P/NAME/down            downlinks from the server (raw bytes)\n"
    "  P/NAME/state           the module's state (retained JSON)\n"
    "  P/gateway/ID/status    online / offline (retained; offline is the last will)\n"
    "\n"
    "SIGTERM or SIGINT: the uplink in flight finishes, the rest stays in the outbox,\n"
    "exit 0. Exit status 1: a fatal error (the outbox cannot be written); 2: usage.\n";

enum {
    OPT_BROKER = 256,
    OPT_STATE,
    OPT_CLIENT_ID,
    OPT_MODEM,
    OPT_PREFIX,
    OPT_CONFIG,
    OPT_JSON,
    OPT_CDP,
    OPT_APN,
    OPT_DELIVERY,
    OPT_WINDOW,
    OPT_KEEPALIVE,
    OPT_DEADLINE,
    OPT_SIGNAL_POLL,
};

static const struct option long_opts[] = {
    {"broker", required_argument, NULL, OPT_BROKER},
    {"state", required_argument, NULL, OPT_STATE},
    {"client-id", required_argument, NULL, OPT_CLIENT_ID},
    {"modem", required_argument, NULL, OPT_MODEM},
    {"topic-prefix", required_argument, NULL, OPT_PREFIX},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"json", no_argument, NULL, OPT_JSON},
    {"cdp", required_argument, NULL, OPT_CDP},
    {"apn", required_argument, NULL, OPT_APN},
    {"delivery", required_argument, NULL, OPT_DELIVERY},
    {"redelivery-window", required_argument, NULL, OPT_WINDOW},
    {"keepalive", required_argument, NULL, OPT_KEEPALIVE},
    {"deadline", required_argument, NULL, OPT_DEADLINE},
    {"signal-poll", required_argument, NULL, OPT_SIGNAL_POLL},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int usage_error(const char *fmt, const char *arg) __attribute__((format(printf, 1, 0)));

static int usage_error(const char *fmt, const char *arg)
{
    fputs("qlwm2m-gateway: ", stderr);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    fprintf(stderr, fmt, arg); /* every caller passes a literal with one %s */
#pragma GCC diagnostic pop
    fputs("\nTry 'qlwm2m-gateway --help'.\n", stderr);
    return 2;
}

static bool copy(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size)
        return false;
    memcpy(dst, src, n + 1);
    return true;
}

static bool parse_uint(const char *s, long min, long max, long *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* A topic level: no '/', '+', '#', nothing empty. */
static bool name_ok(const char *s, size_t n)
{
    if (n == 0 || n >= GW_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

/* Applies one option by its long name; returns 0 or an exit status. */
static int apply(gw_config *cfg, const char *key, const char *val)
{
    long v;

    if (!strcmp(key, "broker")) {
        const char *colon = strrchr(val, ':');
        if (colon == NULL || colon == val || (size_t)(colon - val) >= sizeof cfg->broker_host ||
            !parse_uint(colon + 1, 1, 65535, &v))
            return usage_error("--broker wants HOST:PORT, got '%s'", val);
        memcpy(cfg->broker_host, val, (size_t)(colon - val));
        cfg->broker_host[colon - val] = '\0';
        cfg->broker_port = (int)v;
    } else if (!strcmp(key, "state")) {
        if (!copy(cfg->state_dir, sizeof cfg->state_dir, val) || !*val)
            return usage_error("--state: bad directory '%s'", val);
    } else if (!strcmp(key, "client-id")) {
        if (!name_ok(val, strlen(val)))
            return usage_error("--client-id: letters, digits, '-', '_' and '.' only: '%s'", val);
        copy(cfg->client_id, sizeof cfg->client_id, val);
    } else if (!strcmp(key, "modem")) {
        const char *eq = strchr(val, '=');
        gw_modem_cfg *m;

        if (eq == NULL || !name_ok(val, (size_t)(eq - val)) || eq[1] == '\0')
            return usage_error("--modem wants NAME=PORT (NAME: letters, digits, -_.), got '%s'",
                               val);
        if (cfg->modems == GW_MODEMS_MAX)
            return usage_error("too many modems (at most %s)", "1024");
        m = &cfg->modem[cfg->modems];
        memcpy(m->name, val, (size_t)(eq - val));
        m->name[eq - val] = '\0';
        for (size_t i = 0; i < cfg->modems; i++) {
            if (!strcmp(cfg->modem[i].name, m->name))
                return usage_error("modem name given twice: '%s'", m->name);
        }
        if (!copy(m->port, sizeof m->port, eq + 1))
            return usage_error("--modem: port path too long: '%s'", val);
        cfg->modems++;
    } else if (!strcmp(key, "topic-prefix")) {
        if (!copy(cfg->prefix, sizeof cfg->prefix, val) || !*val || strpbrk(val, "+#"))
            return usage_error("--topic-prefix: bad prefix '%s'", val);
    } else if (!strcmp(key, "cdp")) {
        const char *colon = strchr(val, ':');
        size_t n = colon ? (size_t)(colon - val) : strlen(val);
        if (n == 0 || n >= sizeof cfg->cdp_host || (colon && !parse_uint(colon + 1, 1, 65535, &v)))
            return usage_error("--cdp wants HOST[:PORT], got '%s'", val);
        memcpy(cfg->cdp_host, val, n);
        cfg->cdp_host[n] = '\0';
        cfg->cdp_port = colon ? (int)v : 5683;
    } else if (!strcmp(key, "apn")) {
        if (!copy(cfg->apn, sizeof cfg->apn, val) || qlw_neul_check_apn(val) != QLW_OK)
            return usage_error("--apn: bad APN '%s'", val);
    } else if (!strcmp(key, "delivery")) {
        if (!strcmp(val, "at-least-once"))
            cfg->delivery = QLW_DELIVERY_AT_LEAST_ONCE;
        else if (!strcmp(val, "at-most-once"))
            cfg->delivery = QLW_DELIVERY_AT_MOST_ONCE;
        else
            return usage_error("--delivery: at-least-once or at-most-once, not '%s'", val);
    } else if (!strcmp(key, "redelivery-window")) {
        if (!parse_uint(val, 1, 65535, &v))
            return usage_error("--redelivery-window: 1 to 65535, not '%s'", val);
        cfg->redelivery_window = (unsigned)v;
    } else if (!strcmp(key, "keepalive")) {
        if (!parse_uint(val, 5, 3600, &v))
            return usage_error("--keepalive: 5 to 3600 seconds, not '%s'", val);
        cfg->keepalive_s = (int)v;
    } else if (!strcmp(key, "deadline")) {
        /* The session takes deadlines up to 2^31 - 1 ms. */
        if (!parse_uint(val, 0, 2147483, &v))
            return usage_error("--deadline: 0 to 2147483 seconds, not '%s'", val);
        cfg->deadline_s = (unsigned)v;
    } else if (!strcmp(key, "signal-poll")) {
        if (!parse_uint(val, 0, 86400, &v))
            return usage_error("--signal-poll: 0 to 86400 seconds, not '%s'", val);
        cfg->signal_poll_s = (unsigned)v;
    } else if (!strcmp(key, "verbose")) {
        if (!strcmp(val, "true") || !strcmp(val, "yes") || !strcmp(val, "1"))
            cfg->verbosity = 1;
    } else if (!strcmp(key, "json")) {
        cfg->json = !strcmp(val, "true") || !strcmp(val, "yes") || !strcmp(val, "1");
    } else {
        return usage_error("unknown option '%s'", key);
    }
    return 0;
}

typedef struct ini_ctx {
    gw_config *cfg;
    int rc;
} ini_ctx;

static int on_ini(void *user, const char *section, const char *name, const char *value)
{
    ini_ctx *c = user;

    if (section[0] != '\0' && strcmp(section, "gateway") != 0) {
        c->rc = usage_error("config file: unknown section [%s] (options go at the top or "
                            "under [gateway])",
                            section);
        return 0;
    }
    if (!strcmp(name, "config")) {
        c->rc = usage_error("config file: '%s' cannot name another config file", name);
        return 0;
    }
    c->rc = apply(c->cfg, name, value);
    return c->rc == 0;
}

int gw_config_parse(gw_config *cfg, int argc, char **argv)
{
    const char *config_file = NULL;
    int opt, rc;

    memset(cfg, 0, sizeof *cfg);
    strcpy(cfg->prefix, "qlwm2m");
    cfg->keepalive_s = 30;
    cfg->redelivery_window = 20;
    cfg->signal_poll_s = 60;
    cfg->delivery = QLW_DELIVERY_AT_LEAST_ONCE;
    /* The file first, so that the command line wins. */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--config") && i + 1 < argc)
            config_file = argv[i + 1];
        else if (!strncmp(argv[i], "--config=", 9))
            config_file = argv[i] + 9;
        else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(usage_text, stdout);
            return 1;
        }
    }
    if (config_file != NULL) {
        ini_ctx c = {cfg, 0};
        int line = ini_parse(config_file, on_ini, &c);
        if (c.rc != 0)
            return c.rc;
        if (line < 0)
            return usage_error("cannot read the config file '%s'", config_file);
        if (line > 0) {
            fprintf(stderr, "qlwm2m-gateway: %s:%d: not a 'key = value' line\n", config_file, line);
            return 2;
        }
    }
    optind = 1;
    while ((opt = getopt_long(argc, argv, "vh", long_opts, NULL)) != -1) {
        if (opt == 'v') {
            cfg->verbosity++;
            continue;
        }
        if (opt == '?')
            return usage_error("%s", "bad option");
        if (opt == OPT_CONFIG)
            continue;
        if (opt == OPT_JSON) {
            cfg->json = true;
            continue;
        }
        for (const struct option *o = long_opts; o->name; o++) {
            if (o->val == opt) {
                rc = apply(cfg, o->name, optarg);
                if (rc != 0)
                    return rc;
                break;
            }
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    if (!cfg->broker_host[0])
        return usage_error("%s", "--broker HOST:PORT is required");
    if (!cfg->state_dir[0])
        return usage_error("%s", "--state DIR is required");
    if (!cfg->client_id[0])
        return usage_error("%s", "--client-id ID is required");
    if (cfg->modems == 0)
        return usage_error("%s", "at least one --modem NAME=PORT is required");
    return 0;
}
