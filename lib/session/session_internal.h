/* State of a session; shared by the files of lib/session only. */
#ifndef QLW_SESSION_INTERNAL_H
#define QLW_SESSION_INTERNAL_H

#include "qlw_printf.h"
#include "qlw_text.h"
#include "qlwm2m/session.h"
#include "quectel/neul_cmd.h"
#include "session/session_mtk.h"
#include "session/ulq.h"

/* Procedures: short command sequences the session runs one at a time. */
typedef enum qlw_proc {
    QLW_PROC_NONE = 0,
    QLW_PROC_SETUP,
    QLW_PROC_CDP,
    QLW_PROC_ATTACH,
    QLW_PROC_POLL_CEREG,
    QLW_PROC_REGISTER,
    QLW_PROC_DEREGISTER,
    QLW_PROC_POLL_NMSTATUS,
    QLW_PROC_UPLINK,
    QLW_PROC_UPLINK_QUERY, /* AT+QLWULDATASTATUS? after an uncertain CON */
    QLW_PROC_READ_DOWNLINK,
    QLW_PROC_REBOOT,
    QLW_PROC_SIGNAL, /* AT+CSQ of signal_poll_ms, when nothing else is due */
    /* dialects A and B (session_mtk.c) */
    QLW_PROC_MTK_REGISTER,
    QLW_PROC_MTK_UPLINK,
    QLW_PROC_MTK_ANSWER,
    QLW_PROC_MTK_NOTIFY
} qlw_proc;

/* Progress of a goal the application asked for. */
typedef enum qlw_goal {
    QLW_GOAL_NONE = 0, /* not asked */
    QLW_GOAL_PENDING,  /* asked, working on it */
    QLW_GOAL_WAITING,  /* the module accepted it; its URC will say when done */
    QLW_GOAL_DONE,
    QLW_GOAL_FAILED /* gave up; error in errmsg/last_err */
} qlw_goal;

/* Where the uplink at the head of the queue stands. */
typedef enum qlw_uplink_phase {
    QLW_UPLINK_IDLE = 0,    /* not handed over (or handed over and found not to have gone) */
    QLW_UPLINK_COMMAND,     /* its command is in flight */
    QLW_UPLINK_WAIT_SENT,   /* NON accepted: waiting for +NSMI */
    QLW_UPLINK_WAIT_STATUS, /* CON accepted: waiting for +QLWULDATASTATUS */
    QLW_UPLINK_QUERY        /* asking AT+QLWULDATASTATUS? */
} qlw_uplink_phase;

/* What a URC said about the uplink whose command is in flight. */
typedef enum qlw_uplink_news {
    QLW_UPLINK_NEWS_NONE = 0,
    QLW_UPLINK_NEWS_LEFT,      /* +NSMI:SENT or +QLWULDATASTATUS:4 */
    QLW_UPLINK_NEWS_NOT_GONE,  /* +NSMI:DISCARDED, +QLWULDATASTATUS 0, 2 or 5 */
    QLW_UPLINK_NEWS_UNCERTAIN, /* +QLWULDATASTATUS:3 (no ACK: the server may have it) */
    QLW_UPLINK_NEWS_PENDING    /* +QLWULDATASTATUS:1 (sent, waiting for the ACK) */
} qlw_uplink_news;

/* Without text (QLW_NO_TEXT) qlw_errmsg() is always "": no room is kept for it. */
#ifdef QLW_NO_TEXT
#define QLW_SESSION_ERRMSG 1u
#else
#define QLW_SESSION_ERRMSG 160u
#endif

struct qlw_session {
    qlw_session_config cfg;
    qlw_at *at;
    qlw_io *owned_io;
    void *owned_ctx; /* qlw_open()'s path and settings, freed by qlw_close() */
    bool owns_mem;
    qlw_state state;
    qlw_dialect dialect;

    qlw_proc proc;
    int step;
    qlw_at_cmd cmd;

    bool need_setup;
    bool boot_wait; /* AT+NRB answered REBOOTING: send nothing until the banner */
    uint32_t boot_wait_until_ms;
    unsigned setup_tries;

    /* goals */
    qlw_goal attach_goal;
    char apn[64];
    bool apn_set;
    int cid;
    int band;
    int attach_err;
    bool attach_apply; /* an APN or band asked for is not applied yet */
    int fun_now;       /* AT+CFUN? as read at the start of an attach */
    qlw_goal cdp_goal;
    char cdp_addr[16];
    uint16_t cdp_port;
    unsigned cdp_reboots;
    bool want_registered;
    bool rereg; /* deregister before registering again */
    qlw_goal dereg_goal;
    qlw_goal reboot_goal;

    /* timers (valid when the flag is set) */
    bool backoff_on;
    uint32_t backoff_until_ms;
    uint32_t backoff_ms;
    bool poll_on;
    uint32_t poll_at_ms;
    bool reg_timer_on;
    uint32_t reg_deadline_ms;
    qlw_uplink_phase ul_phase; /* of the head uplink */
    qlw_uplink_news ul_news;   /* learnt while its command was in flight */
    uint32_t ul_deadline_ms;   /* WAIT_SENT / WAIT_STATUS */
    bool ul_extended;          /* WAIT_STATUS was extended once after a query said "waiting" */
    bool nsmi_on;              /* the module accepted AT+NSMI=1: +NSMI tells a NON's fate */
    bool paused;               /* qlw_pause(): hand nothing new over */
    bool overtaken;      /* the command in flight was ended by the URC that shows its effect */
    unsigned step_tries; /* retries of a step whose answer was lost */
    bool ul_hold;        /* uplinks paused (e.g. after 159) until backoff ends */
    uint32_t ul_hold_until_ms;

    qlw_ulq ulq;
    uint32_t next_id;
    int next_seq;
    bool store_resolve; /* uplinks the store held were handed over before: resolve them */
    bool reporting;     /* inside the store's report transaction: hand nothing over */

    /* the report a blocking qlw_send_uplink() waits for */
    uint32_t watch_id;
    bool watch_done;
    qlw_uplink_report watch_report;

    char reboot_cause[48];
    int last_err;
    int last_cme;
    char errmsg[QLW_SESSION_ERRMSG];
    union {
        uint8_t dl_buf[QLW_NEUL_PAYLOAD_MAX]; /* a downlink (BC68 family, dialect A) */
        qlw_mtk_tables mtkt;                  /* dialect B's server requests */
    };
    bool dl_pending; /* downlinks wait in the module for AT+NMGR */
    qlw_mtk mtk;     /* dialects A and B */

    /* the port (session_port.c): lost, and how it comes back */
    qlw_reopen_fn reopen; /* qlw_open()'s own, or cfg.reopen, or NULL */
    void *reopen_ctx;
    bool port_lost;
    bool port_lost_now;    /* lost during the current qlw_process(): return the error */
    bool port_wait_failed; /* the lost port's wait could not let time pass */
    int port_err;
    uint32_t reopen_at_ms;
    uint32_t reopen_delay_ms;
    unsigned reopen_tries;

    /* Grows whenever the session's deadlines may have moved (qlw_s_schedule()):
     * a multi handle recomputes a session's deadline only when it changed. */
    uint32_t touches;

    /* counters and logs (session_obs.c) */
    char name[32];
    qlw_session_stats stats;
    bool ready_timing; /* time_to_ready runs from ready_from_ms */
    uint32_t ready_from_ms;
    uint32_t csq_at_ms;
    uint32_t signal_ms; /* when signal_rssi_dbm was read */
};

/* session.c */
void qlw_s_set_state(qlw_session *s, qlw_state st, qlw_cause cause);
/* Records a failure: its code, its +CME ERROR number (or -1), and a message
 * for qlw_errmsg() that starts with what failed. Without text the codes are
 * recorded the same and the message, with every literal passed for it, is
 * left out of the build. */
#ifdef QLW_NO_TEXT
void qlw_s_fail_code(qlw_session *s, int err, int cme);
static inline void qlw_s_fail(qlw_session *s, int err, int cme, const char *what)
{
    (void)what;
    qlw_s_fail_code(s, err, cme);
}
static inline void qlw_s_fail_text(qlw_session *s, int err, const char *text)
{
    (void)text;
    qlw_s_fail_code(s, err, -1);
}
static inline void qlw_s_failf(qlw_session *s, int err, const char *fmt, ...)
{
    (void)fmt;
    qlw_s_fail_code(s, err, -1);
}
#else
void qlw_s_fail(qlw_session *s, int err, int cme, const char *what);
/* Like qlw_s_fail() for messages that already say everything. */
void qlw_s_fail_text(qlw_session *s, int err, const char *text);
void qlw_s_failf(qlw_session *s, int err, const char *fmt, ...) QLW_PRINTF(3, 4);
#endif
void qlw_s_notice(qlw_session *s, qlw_notice kind, int value, const char *text);
uint32_t qlw_s_now(const qlw_session *s);
void qlw_s_backoff(qlw_session *s, const char *what);
void qlw_s_backoff_reset(qlw_session *s);

/* session_proc.c: procedures are steps, each sending one command whose
 * result calls the step again with the next step number. */
char *qlw_s_text(qlw_session *s, size_t *size);
size_t qlw_s_text_size(qlw_session *s);
int qlw_s_issue(qlw_session *s, int next_step, int build_rc);
int qlw_s_finish(qlw_session *s);
bool qlw_s_ok(const qlw_at_response *r);
/* Builds the BC68-family command op into the engine's buffer and sends it. */
/* Builds a BC68-family command (neul_cmd.h: op and its arguments) into the
 * engine's buffer and issues it; one call per step keeps the steps small. */
int qlw_s_issue_neul(qlw_session *s, int next_step, qlw_neul_op op, ...);
void qlw_s_start_reg_timers(qlw_session *s);
void qlw_s_schedule(qlw_session *s);
void qlw_s_tick(qlw_session *s);
int32_t qlw_s_next_timer(qlw_session *s);
void qlw_s_report_head(qlw_session *s, qlw_outcome outcome, int result, int cme);
/* The head's handover may or may not have reached the server: it is marked
 * uncertain and goes again (its report will say possible_duplicate), or,
 * under at-most-once or past max_resends, is reported unknown. */
void qlw_s_uplink_uncertain(qlw_session *s, qlw_ul *ul, int err);
/* The head is about to be handed over (its command issued): one attempt
 * more, flagged as a resend when an earlier one was uncertain. */
void qlw_s_uplink_handing(qlw_session *s, qlw_ul *ul);
/* The head's command ended before it was written whole (qlw_at_written()):
 * the module has nothing of it, so it goes again with no duplicate from this
 * attempt. True when that was the case (the result is then handled). */
bool qlw_s_uplink_unwritten(qlw_session *s, qlw_ul *ul, const qlw_at_response *r);
/* Reports the i-th queued uplink (0 = head) with this outcome. */
void qlw_s_report_at(qlw_session *s, size_t i, qlw_outcome outcome, int result, int cme);
/* session_uplink.c */
int qlw_s_uplink_step(qlw_session *s, const qlw_at_response *r);
int qlw_s_uplink_query_step(qlw_session *s, const qlw_at_response *r);
bool qlw_s_uplink_due(const qlw_session *s);
void qlw_s_uplink_tick(qlw_session *s, uint32_t now);
int32_t qlw_s_uplink_timer(const qlw_session *s, uint32_t now); /* ms, or -1 */
/* The end of an uplink whose fate cannot be known any more (close, unsupported). */
void qlw_s_report_head_final(qlw_session *s, int result);
/* URCs about the uplink at the head of the queue. */
void qlw_s_ul_news(qlw_session *s, qlw_uplink_news news, int status);
/* The module's state is gone (reboot, lost port): what was handed over is uncertain. */
void qlw_s_ul_module_lost(qlw_session *s, int err);
/* Ends the command in flight as if its OK had come: its effect is already visible. */
void qlw_s_overtake(qlw_session *s, qlw_proc proc, int step);
void qlw_s_on_cereg(qlw_session *s, const qlw_cereg *cr);
void qlw_s_downlink(qlw_session *s, int n, const char *line);

/* The transport's name ("/dev/ttyUSB0"), for messages. */
static inline const char *qlw_io_name_of(qlw_session *s)
{
    return qlw_at_io(s->at)->name;
}

/* The durable outbox, or NULL: always NULL in a build without one
 * (QLWM2M_STORE=OFF), where every path through a store is compiled out. */
static inline qlw_store *qlw_s_store(const qlw_session *s)
{
#ifdef QLW_NO_STORE
    (void)s;
    return NULL;
#else
    return s->cfg.store;
#endif
}

/* True for the AT+QLWCFG modules (LTE device management). */
static inline bool qlw_s_lte(const qlw_session *s)
{
#ifdef QLW_HAVE_DIALECT_QLWCFG
    return s->dialect == QLW_DIALECT_QLWCFG_C || s->dialect == QLW_DIALECT_QLWSVC_D;
#else
    (void)s;
    return false;
#endif
}

/* True for the BC26/BC66 command sets (dialects A and B). */
static inline bool qlw_s_mtk(const qlw_session *s)
{
#ifdef QLW_HAVE_DIALECT_MTK
    return s->dialect == QLW_DIALECT_MTK_A || s->dialect == QLW_DIALECT_QLWCONFIG_B;
#else
    (void)s; /* never set: probes and qlw_session_init() map A and B away */
    return false;
#endif
}

/* True for the BC68 set, once set up (the dialect is known then, not AUTO):
 * a build without the other dialects knows it without looking. */
static inline bool qlw_s_bc68(const qlw_session *s)
{
    return !qlw_s_lte(s) && !qlw_s_mtk(s);
}

/* session_mtk.c: dialects A and B */
qlw_proc qlw_s_mtk_pick(qlw_session *s, bool wait);
int qlw_s_mtk_register_step(qlw_session *s, const qlw_at_response *r);
int qlw_s_mtk_uplink_step(qlw_session *s, const qlw_at_response *r);
int qlw_s_mtk_answer_step(qlw_session *s, const qlw_at_response *r);
int qlw_s_mtk_notify_step(qlw_session *s, const qlw_at_response *r);
/* Step 0 of a deregistration (its result goes to the generic step 1). */
int qlw_s_mtk_deregister(qlw_session *s);
/* A line of the module: true when it was one of these dialects' lines. */
bool qlw_s_mtk_urc(qlw_session *s, const char *line, size_t len);
/* The module restarted: objects, registration and observes are gone. */
void qlw_s_mtk_reset(qlw_session *s);
void qlw_s_mtk_tick(qlw_session *s);
/* The earliest deadline of these dialects, false when none. */
bool qlw_s_mtk_deadline(const qlw_session *s, uint32_t *at_ms);

/* session_store.c: the durable outbox (store.h) and the uplinks' deadlines */
int qlw_s_store_load(qlw_session *s);
int qlw_s_queue(qlw_session *s, const uint8_t *data, size_t len, qlw_uplink_mode mode,
                uint32_t deadline_ms, uint32_t *id);
/* Before the head uplink's command: 0 = send it; else it was dealt with
 * (expired, resolved by the policy, or held after a store error). */
int qlw_s_handover(qlw_session *s, qlw_ul *ul);
/* Passes a report to the application (through the store's removal). */
void qlw_s_deliver(qlw_session *s, const qlw_uplink_report *rep);
/* Deadlines passed, and what the store gave back that must be resolved now. */
void qlw_s_uplinks_tick(qlw_session *s);
/* Earliest deadline of an uplink not handed over yet; false when none. */
bool qlw_s_next_deadline(qlw_session *s, uint32_t *at_ms);

/* session_events.c */
int qlw_s_install_handlers(qlw_session *s);
/* The module's volatile state is gone (a reboot, or a lost port): set it up again. */
void qlw_s_module_reset(qlw_session *s, qlw_cause cause);

/* session_port.c */
void qlw_s_port_init(qlw_session *s);
/* The transport failed with err (from the engine's I/O error event). */
void qlw_s_port_failed(qlw_session *s, int err);
/* While lost: gets a port again when the back-off is over. */
void qlw_s_port_tick(qlw_session *s);
int32_t qlw_s_port_next_ms(qlw_session *s);
/* Sleeps (or waits on the old transport) until the next attempt, at most max_ms. */
int qlw_s_port_wait(qlw_session *s, uint32_t max_ms);
/* Can the session get a new transport by itself? */
bool qlw_s_port_reopenable(const qlw_session *s);

/* session_obs.c */
void qlw_s_obs_init(qlw_session *s);
void qlw_s_obs_state(qlw_session *s, qlw_state old_state, qlw_state st, qlw_cause cause);
void qlw_s_obs_notice(qlw_session *s, qlw_notice kind, int value, const char *text);
void qlw_s_obs_report(qlw_session *s, const qlw_uplink_report *rep);
#ifdef QLW_NO_TEXT
/* No log lines without text: on_log is never called, nothing is formatted. */
static inline void qlw_s_log(qlw_session *s, qlw_log_level level, const char *fmt, ...)
{
    (void)s;
    (void)level;
    (void)fmt;
}
#else
void qlw_s_log(qlw_session *s, qlw_log_level level, const char *fmt, ...) QLW_PRINTF(3, 4);
#endif
/* The signal poll (QLW_PROC_SIGNAL): whether one is due now, when the next
 * one is (false when none will be), and its step. */
bool qlw_s_signal_due(const qlw_session *s);
bool qlw_s_signal_next(const qlw_session *s, uint32_t *at_ms);
int qlw_s_signal_step(qlw_session *s, const qlw_at_response *r);

#endif
