/* The qlwm2m command-line tool: shared options and the commands. */
#ifndef QLWM2M_TOOL_H
#define QLWM2M_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit codes, as documented in --help. */
enum {
    TOOL_EXIT_OK = 0,
    TOOL_EXIT_REFUSED = 1, /* the module refused */
    TOOL_EXIT_USAGE = 2,
    TOOL_EXIT_TIMEOUT = 3,
    TOOL_EXIT_IO = 4,      /* port or I/O error */
    TOOL_EXIT_NOT_READY = 5
};

typedef struct tool_opts {
    const char *port;
    uint32_t baud;
    uint32_t timeout_s;
    bool verbose;
    bool json;
    const char *trace_path;
    size_t read_size; /* replay only: bytes per read, 0 = whole */
} tool_opts;

int tool_replay(const tool_opts *opts, int argc, char **argv);

#endif
