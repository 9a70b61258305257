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

typedef struct qlw_mtk {
    const qlw_lw_host *host;
    unsigned reg_obj; /* registering: host instances added so far */
    bool reg_refused; /* the last AT+QLWREG/AT+QLWOPEN was refused once */
    qlw_mtk_answer answers[QLW_MTK_ANSWERS];
    size_t nanswers;
    qlw_mtk_seen seen[QLW_MTK_SEEN];
    size_t seen_next;
    int write_code; /* worst result of the parts of the write in progress */
    long write_msgid;
    qlw_mtk_observed observed[QLW_MTK_OBSERVED];
    long ul_msgid; /* B: the head uplink's message id from "report", or -1 */
    /* B: a notify of a host resource waits for its +QLWNOTIFY. */
    bool nt_wait;
    uint32_t nt_deadline_ms;
    int nt_index; /* the observed[] entry being sent */
    /* Registering again: the old registration's close is awaited first. */
    bool closing;
    uint32_t close_deadline_ms;
} qlw_mtk;

#endif
