/* State of an AT engine handle; shared by the files of lib/at only. */
#ifndef QLW_AT_ENGINE_INTERNAL_H
#define QLW_AT_ENGINE_INTERNAL_H

#include "qlwm2m/at.h"

#include "at/reader.h"
#include "at/urcq.h"

#define QLW_AT_RX_CHUNK     128u
#define QLW_AT_PREFIX_MAX   24u
#define QLW_AT_RAW_PREFIXES 4u
#define QLW_AT_FINAL_MAX    48u

/* The resynchronising probe (at.h, "Late answers, and resynchronising"). */
typedef enum qlw_sync {
    QLW_SYNC_OFF = 0,  /* none needed, or none started yet */
    QLW_SYNC_WRITING,  /* being written */
    QLW_SYNC_AWAITING, /* written: waiting for its answer line */
    QLW_SYNC_ANSWERED  /* its answer line came: the next final result ends it */
} qlw_sync;

typedef enum qlw_phase {
    QLW_PHASE_IDLE = 0,
    QLW_PHASE_WRITING, /* command bytes (or the payload) still to write */
    QLW_PHASE_PROMPT,  /* text written, waiting for "> " */
    QLW_PHASE_WAITING  /* everything written, waiting for the final result */
} qlw_phase;

#define QLW_AT_URC_BUCKETS   16
#define QLW_AT_URC_INDEX_MAX 32

typedef struct qlw_handler {
    /* The prefix's first three bytes (fewer when shorter) packed as by
     * head3(), and which of them count: one compare rejects most lines. */
    uint32_t head, head_mask;
    char prefix[QLW_AT_PREFIX_MAX];
    qlw_at_urc_fn urc;
    qlw_at_event_fn event;
    void *ctx;
} qlw_handler;

/* Storage for the descriptor qlw_at_exec_raw() derives from the text. */
typedef struct qlw_raw_cmd {
    char names[QLW_AT_RAW_PREFIXES][QLW_AT_PREFIX_MAX];
    const char *prefixes[QLW_AT_RAW_PREFIXES + 1];
    qlw_at_cmd cmd;
} qlw_raw_cmd;

/*
 * The fields in order of use, the small and hot ones first: on a Thumb-2
 * core a byte within the first 32 bytes of the handle, or a word within its
 * first 128, is one 16-bit load or store, and further out a 32-bit one. The
 * arrays and the configuration come last.
 */
struct qlw_at {
    /* the command in flight */
    qlw_phase phase;
    /* the probe that resynchronises after a timeout (cfg.sync_command) */
    qlw_sync sync;
    bool in_dispatch;
    bool completed; /* completion waiting to be dispatched */
    bool booting;
    bool stale;    /* after a timeout: finals are stale until the next command is written */
    bool got_line; /* a response line arrived: later copies of the text are not echo */
    bool sending_payload;
    bool line_cut; /* a command or probe stopped mid-line: the next probe ends it first */
    bool sync_cr;  /* this probe starts with a CR (see line_cut) */
    /* The URC table by the first three bytes of its prefixes, built once at
     * init: every line is looked up in it, and a linear scan of a few dozen
     * prefixes that mostly start with "+N" or "+C" was the dearest part of
     * classifying a line. Chains keep the table's order (the first match
     * wins). Unused (a linear scan) for longer tables or prefixes shorter
     * than three bytes. Entries are numbered from 1; 0 ends a chain. */
    bool urc_indexed;
    bool owns_mem;
    unsigned sync_which; /* which of the two probes */
    qlw_io *io;

    char *tx; /* command text + CR */
    size_t tx_len;
    size_t tx_pos;
    size_t payload_pos;
    size_t rx_len;
    size_t rx_pos;
    uint32_t last_rx_ms;
    uint32_t start_ms;
    uint32_t deadline_ms;
    uint32_t stale_since_ms;
    uint32_t boot_deadline_ms;
    unsigned finals_expected;
    unsigned finals_seen;
    size_t sync_pos; /* bytes of [CR] probe CR written */
    qlw_at_done_fn done;
    void *done_ctx;

    /* the response of the last command */
    char *resp_buf;
    size_t resp_used;
    const char **resp_lines;

    qlw_handler *handlers;
    size_t handler_count;
    uint32_t urc_dropped_unreported;
    qlw_urcq urcq;
    qlw_reader rd;
    qlw_at_cmd cmd;
    qlw_at_response resp;
    qlw_at_config cfg;
    qlw_at_stats stats;

    uint8_t urc_head[QLW_AT_URC_BUCKETS];
    uint8_t urc_next[QLW_AT_URC_INDEX_MAX];
    char final[QLW_AT_FINAL_MAX];
    uint8_t rx[QLW_AT_RX_CHUNK];
    qlw_raw_cmd raw;
};

/* Keeps a function out of its one caller where inlining it costs code: in
 * qlw_at_process(), which would hold it, registers run short and the
 * spilling outweighs the call (measured on a Cortex-M4 at -Os). Only when
 * optimising for size: elsewhere the call would cost time per chunk. */
#if defined(__OPTIMIZE_SIZE__) && (defined(__GNUC__) || defined(__clang__))
#define QLW_AT_NOINLINE __attribute__((noinline))
#else
#define QLW_AT_NOINLINE
#endif

/* Defined in prefix.c */
bool qlw_prefix_match(const char *line, size_t len, const char *prefix);
unsigned qlw_count_chained(const char *text);
void qlw_raw_cmd_build(qlw_raw_cmd *raw, const char *text, uint32_t timeout_ms);

#endif
