/* Session state of the BC26/BC66 dialects (A and B); part of struct qlw_session. */
#ifndef QLW_SESSION_MTK_H
#define QLW_SESSION_MTK_H

#include <stdbool.h>
#include <stdint.h>

#include "qlwm2m/lwobj.h"

#define QLW_MTK_ANSWERS  4 /* server requests waiting for their answer */
#define QLW_MTK_SEEN     8 /* message ids remembered to spot retransmissions */
#define QLW_MTK_OBSERVED 8 /* host resources the server observes */

/* A server request waiting for its AT+QLW...RSP. */
typedef struct qlw_mtk_answer {
    uint8_t kind; /* qlw_lw_request_kind */
    uint16_t msgid;
    int obj, ins, res;
    int code;      /* the module's result code */
    unsigned part; /* whole-instance reads: parts sent so far */
} qlw_mtk_answer;

typedef struct qlw_mtk_seen {
    bool used;
    uint8_t kind;
    uint16_t msgid;
    int code;
} qlw_mtk_seen;

typedef struct qlw_mtk_observed {
    bool used;
    bool notify; /* a new value waits to go */
    int obj, ins, res;
} qlw_mtk_observed;

/* Dialect B's tables of server requests. They share their memory with the
 * BC68's downlink buffer (a session speaks one dialect), which keeps the
 * default session within 8 KiB; the counters stay in qlw_mtk. */
typedef struct qlw_mtk_tables {
    qlw_mtk_answer answers[QLW_MTK_ANSWERS];
    qlw_mtk_seen seen[QLW_MTK_SEEN];
    qlw_mtk_observed observed[QLW_MTK_OBSERVED];
} qlw_mtk_tables;

typedef struct qlw_mtk {
    const qlw_lw_host *host;
    int32_t write_msgid;        /* the write whose parts are coming, or -1 */
    int32_t ul_msgid;           /* B: the head uplink's message id from "report", or -1 */
    uint32_t nt_deadline_ms;    /* B: a host notify waits for its +QLWNOTIFY until then */
    uint32_t close_deadline_ms; /* re-registering: the old close is awaited until then */
    uint8_t write_code;         /* worst result of the parts of the write in progress */
    uint8_t reg_obj;            /* registering: host instances added so far */
    uint8_t nanswers;
    uint8_t seen_next;
    bool reg_refused; /* the last AT+QLWREG/AT+QLWOPEN was refused once */
    bool nt_wait;
    bool closing;
} qlw_mtk;

#endif
