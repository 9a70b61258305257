#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qlwm2m/common.h"
#include "tool.h"

typedef struct tool_cmd {
    const char *name;
    int (*run)(const tool_opts *opts, int argc, char **argv);
    const char *help;
} tool_cmd;

static const tool_cmd commands[] = {
    {"replay", tool_replay, "replay FILE.at        drive the library through a transcript, print JSON events"},
};

static void usage(FILE *out)
{
    fputs("usage: qlwm2m [-p PORT] [-b BAUD] [-t SECONDS] [-v] [--json] [--trace FILE.at]\n"
          "              [--read-size N] COMMAND [ARGS]\n\ncommands:\n",
          out);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %s\n", commands[i].help);
    fputs("\nexit codes: 0 success, 1 the module refused, 2 usage, 3 timeout,\n"
          "            4 port or I/O error, 5 the session never became ready\n",
          out);
}

static int parse_opts(int argc, char **argv, tool_opts *o, int *next)
{
    int i;

    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;

        if ((!strcmp(a, "-p") || !strcmp(a, "--port")) && has_value)
            o->port = argv[++i];
        else if ((!strcmp(a, "-b") || !strcmp(a, "--baud")) && has_value)
            o->baud = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if ((!strcmp(a, "-t") || !strcmp(a, "--timeout")) && has_value)
            o->timeout_s = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(a, "--trace") && has_value)
            o->trace_path = argv[++i];
        else if (!strcmp(a, "--read-size") && has_value)
            o->read_size = (size_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(a, "-v") || !strcmp(a, "--verbose"))
            o->verbose = true;
        else if (!strcmp(a, "--json"))
            o->json = true;
        else if (!strcmp(a, "-h") || !strcmp(a, "--help"))
            return 1;
        else {
            fprintf(stderr, "qlwm2m: unknown option or missing value: %s\n", a);
            return -1;
        }
    }
    *next = i;
    return 0;
}

int main(int argc, char **argv)
{
    tool_opts o = {getenv("QLWM2M_PORT"), 9600, 60, false, false, NULL, 0};
    int next = 1;
    int rc = parse_opts(argc, argv, &o, &next);

    if (rc != 0 || next >= argc) {
        usage(rc > 0 ? stdout : stderr);
        return rc > 0 ? TOOL_EXIT_OK : TOOL_EXIT_USAGE;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(argv[next], commands[i].name) == 0)
            return commands[i].run(&o, argc - next - 1, argv + next + 1);
    }
    fprintf(stderr, "qlwm2m: unknown command '%s' (qlwm2m --help lists them)\n", argv[next]);
    return TOOL_EXIT_USAGE;
}
