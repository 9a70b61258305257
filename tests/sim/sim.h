/*
 * qlwm2m-sim: a BC68 (Neul/HiSilicon V150) modem simulator on a pseudo-terminal;
 * with --model ec200u, an EC200U (LTE Cat 1) with the AT+QLWCFG LwM2M client.
 *
 * All state lives in one struct sim owned by main(). The part of it that
 * models the module and the virtual server (struct sim_state) holds no
 * pointers, so it can be copied: a "reboot mid-command" fault runs the handler
 * on a copy to learn the answer it would have printed, then throws the copy
 * away.
 */
#ifndef QLWM2M_SIM_H
#define QLWM2M_SIM_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_LINE_MAX        4200 /* 1024-byte payload = 2048 hex chars plus the command */
#define SIM_ARGS_MAX        16
#define SIM_NAME_MAX        24
#define SIM_PAYLOAD_MAX     1024 /* bytes accepted by AT+QLWULDATA(EX) */
#define SIM_NMGS_MAX        512  /* bytes accepted by AT+NMGS */
#define SIM_DL_MAX          512  /* bytes of one downlink */
#define SIM_DL_QUEUE_MAX    4
#define SIM_TIMERS_MAX      48
#define SIM_TIMER_TEXT_MAX  96
#define SIM_RULES_MAX       32
#define SIM_PREFIX_MAX      48
#define SIM_UNREACHABLE_MAX 8
#define SIM_BANDS_MAX       8
#define SIM_CONTEXTS_MAX    4
#define SIM_APN_MAX         64
#define SIM_ID_MAX          32
#define SIM_OUT_MAX         (4u * 1024u * 1024u) /* drop modem output beyond this backlog */
#define SIM_LTE_IDS         4                    /* AT+QLWCFG server ids 0-3 (EG25-G dump) */
#define SIM_URI_MAX         257
#define SIM_PSK_MAX         129

/* Handler results: 0 = OK, >0 = CME error number, or one of these. */
#define SIM_R_OK    0
#define SIM_R_ERROR (-1) /* plain ERROR whatever AT+CMEE says */
#define SIM_R_NONE  (-2) /* no final result (AT+NRB: the boot banner ends it) */

/* +CME ERROR numbers used by the simulator (Neul mapping, reference section 6). */
#define CME_NOT_ALLOWED 3
#define CME_NO_NETWORK  30
#define CME_PARAM       50
#define CME_BUSY        159
#define CME_NOT_CONFIG  512
#define CME_RADIO_OFF   524

/* ------------------------------------------------------------ small helpers */

/** Growable byte buffer (the simulator aborts when memory runs out). */
struct sim_buf {
    char *data;
    size_t len;
    size_t cap;
};

void buf_append(struct sim_buf *b, const void *p, size_t n);
void buf_puts(struct sim_buf *b, const char *s);
void buf_printf(struct sim_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct sim_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
void buf_consume(struct sim_buf *b, size_t n);
void buf_clear(struct sim_buf *b);
void buf_free(struct sim_buf *b);
/** Appends @p s as a JSON string literal (quotes included). */
void buf_json_str(struct sim_buf *b, const char *s, size_t n);

bool str_ieq(const char *a, const char *b);
bool str_iprefix(const char *s, const char *prefix);
void str_upper(char *s);
void str_copy(char *dst, size_t size, const char *src);
bool parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);
bool hex_valid(const char *s, size_t *bytes);
bool ipv4_valid(const char *s);
uint32_t prng_next(uint64_t *state);

/* ------------------------------------------------------------------- timers */

enum sim_tmr {
    TMR_BOOT_DONE,
    TMR_ATTACH_DONE,
    TMR_RRC_IDLE,
    TMR_REGISTERED,
    TMR_OBSERVED,
    TMR_DEREGISTERED,
    TMR_CON_RESULT,
    TMR_DOWNLINK,
    TMR_URC,
    TMR_LATE_FINAL,
    TMR_EXIT,
    TMR_SCRIPT,
    TMR_LTE, /* one step of the EC200U's LwM2M client (sim_lte.c) */
    TMR_MTK, /* one step of the BC66/BC26 LwM2M client (sim_mtk.c) */
    TMR_COUNT
};

struct sim_timer {
    bool used;
    uint8_t kind;
    uint64_t due_ms;
    uint64_t seq; /* insertion order breaks ties, so equal deadlines fire in order */
    int32_t arg;
    int32_t arg2;
    char text[SIM_TIMER_TEXT_MAX];
};

/* ------------------------------------------------------------- module state */

enum sim_lw { LW_IDLE, LW_REGISTERING, LW_REGISTERED, LW_OBSERVED, LW_DEREGISTERING };

enum sim_stat {
    STAT_NONE = 0,
    STAT_HOME = 1,
    STAT_SEARCHING = 2,
    STAT_DENIED = 3,
    STAT_ROAMING = 5
};

enum sim_nconfig {
    NCFG_AUTOCONNECT,
    NCFG_SCRAMBLING,
    NCFG_SI_AVOID,
    NCFG_COMBINE_ATTACH,
    NCFG_CELL_RESELECTION,
    NCFG_ENABLE_BIP,
    NCFG_COUNT
};

struct sim_pdp {
    bool defined;
    uint8_t cid;
    char type[8];
    char apn[SIM_APN_MAX];
};

enum sim_model { MODEL_BC68, MODEL_EC200U, MODEL_BC66, MODEL_BC26 };

/* "+CMEE ERROR: n" (the BC66's LwM2M errors): a handler returns SIM_R_CMEE + n. */
#define SIM_R_CMEE   10000
#define SIM_MTK_OBJS 16
#define SIM_MTK_REQS 4

/** The BC66/BC26's stored LwM2M server (AT+QLWCONFIG or AT+QLWSERV/AT+QLWCONF). */
struct sim_mtk_nv {
    bool server_set;
    char server[64];
    uint32_t port;
    char endpoint[64];
    uint32_t lifetime;
    int security;
    int auto_reg;
};

struct sim_mtk_obj {
    bool used;
    uint32_t obj, ins;
};

/** A server request the host has not answered yet (dialect B). */
struct sim_mtk_req {
    bool used;
    char kind[12];
    uint32_t msgid;
    char path[24];
};

enum sim_mtk_state { MTK_IDLE, MTK_REGISTERING, MTK_REGISTERED, MTK_OBSERVED, MTK_CLOSING };

/** The BC66/BC26's LwM2M client at run time (lost at every restart). */
struct sim_mtk {
    int state;
    struct sim_mtk_obj objs[SIM_MTK_OBJS];
    uint32_t next_msgid;
    uint32_t observe_msgid; /* B: the observe of /19/0/0 waiting for AT+QLWOBSRSP */
    uint32_t observe_tries;
    bool con_pending;
    int dataformat_send, dataformat_recv;
    struct sim_mtk_req reqs[SIM_MTK_REQS];
    uint32_t last_req; /* index of the last request sent, for server-repeat */
    char last_req_text[160];
};

/** One AT+QLWCFG="security" instance of the EC200U. */
struct sim_lte_sec {
    bool set;
    uint32_t ssid;
    char uri[SIM_URI_MAX];
    bool bootstrap;
    int mode;
    char psk_id[SIM_PSK_MAX];
    char psk_key[SIM_PSK_MAX];
};

/** One AT+QLWCFG="server" instance of the EC200U. */
struct sim_lte_srv {
    bool set;
    uint32_t lifetime, pmin, pmax, disable;
    int storing;
    char binding[4];
};

/** The EC200U's stored LwM2M configuration (QLWCFG settings survive a restart). */
struct sim_lte_nv {
    struct sim_lte_sec sec[SIM_LTE_IDS];
    struct sim_lte_srv srv[SIM_LTE_IDS];
    int epname_mode;
    int urc;
    int startup;
    int fota_download, fota_update;
};

/** Settings kept in non-volatile memory: they survive AT+NRB. */
struct sim_nv {
    bool ncdp_set;
    char ncdp_ip[16];
    uint16_t ncdp_port;
    int regswt;
    uint8_t bands[SIM_BANDS_MAX];
    size_t nbands;
    bool nconfig[NCFG_COUNT];
    struct sim_pdp pdp[SIM_CONTEXTS_MAX];
    int psm_mode;
    char psm_tau[9];
    char psm_active[9];
    struct sim_lte_nv lte;
    struct sim_mtk_nv mtk;
};

/** Settings lost at every reboot. */
struct sim_vol {
    bool echo;
    int cmee;
    int cereg_n;
    int cscon_n;
    int npsmr_n;
    int nnmi;
    int nsmi;
};

struct sim_radio {
    bool booting;
    int cfun;
    int stat;
    bool rrc;         /* RRC connected */
    bool autoconnect; /* NV value as applied at the last boot */
};

struct sim_lwm2m {
    enum sim_lw state;
    int regswt; /* NV value as applied at the last boot */
    bool con_pending;
    bool con_release;         /* 0x0101: release RRC once the ACK arrives */
    bool release_after_reply; /* 0x0010: release RRC after the next downlink */
    int last_status;
    uint32_t last_seq;
    uint32_t received; /* uplinks the server got (the "n" of the uplink event) */
    uint32_t sent;
    uint32_t errors;
};

/** The EC200U's LwM2M client at run time; state as AT+QLWSTAT? reports it. */
enum sim_lte_state {
    LTE_NOT_REGISTERED = 0,
    LTE_REGISTERING = 1,
    LTE_REGISTERED = 2,
    LTE_DEREGISTERING = 3,
    LTE_REG_FAILED = 4
};

struct sim_lte {
    int state;
    int sec_id;    /* the Security instance in use */
    uint32_t ssid; /* its short server id (after a bootstrap: the provisioned one) */
};

struct sim_downlinks {
    char server[SIM_DL_QUEUE_MAX][2 * SIM_DL_MAX + 1]; /* waiting for the next uplink */
    size_t nserver;
    char ue[SIM_DL_QUEUE_MAX][2 * SIM_DL_MAX + 1]; /* buffered in the module for AT+NMGR */
    size_t nue;
    uint32_t received;
    uint32_t dropped;
};

enum sim_rule_kind {
    RULE_REBOOT_ON,    /* reboot while answering: nothing the command did happens */
    RULE_DROP_FINAL,   /* answer without the final result */
    RULE_REBOOT_AFTER, /* full answer, then reboot before acting on it (uplink lost) */
    RULE_REBOOT_TX,    /* acts (the server gets the uplink), then reboots before any URC */
    RULE_CUT_FINAL,    /* the final result stops mid-line */
    RULE_STALL,        /* the module falls silent for stall_ms after this command */
    RULE_STATUS_FIRST  /* a CON uplink's +QLWULDATASTATUS comes before its OK */
};

struct sim_rule {
    bool armed;
    uint8_t kind;
    char prefix[SIM_PREFIX_MAX];
    uint32_t nth;
    uint32_t hits;
};

struct sim_faults {
    struct sim_rule rules[SIM_RULES_MAX];
    uint32_t busy;
    uint32_t con_fail;
    uint32_t cancel_after; /* uplinks still to go before +QLWEVTIND:9; 0 = off */
    uint32_t flood;        /* URCs to burst after the next registration; 0 = off */
    uint32_t late_final_ms;
    bool garbage;
    bool never_observe;
    bool deny;
    bool reg_fail;             /* EC200U: "ready","failed" */
    bool dtls_fail;            /* EC200U: "dtls","failed" */
    bool reject_fota;          /* EC200U: firmware without the "fota" sub-option */
    bool no_nsmi;              /* firmware without AT+NSMI (answers ERROR) */
    uint32_t discard_non;      /* the N-th NON uplink from now ends in +NSMI:DISCARDED; 0 = off */
    uint32_t stall_ms;         /* how long a RULE_STALL silence lasts */
    uint64_t stalled_until_ms; /* the module reads and prints nothing before this */
};

struct sim_state {
    struct sim_nv nv;
    struct sim_vol vol;
    struct sim_radio radio;
    struct sim_lwm2m lw;
    struct sim_lte lte;
    struct sim_mtk mtk;
    struct sim_downlinks dl;
    struct sim_faults faults;
    struct sim_timer timers[SIM_TIMERS_MAX];
    uint64_t timer_seq;
    uint64_t prng;
    bool echo_default;
};

/* ------------------------------------------------------------------ options */

struct sim_opts {
    int model; /* enum sim_model */
    const char *link_path;
    const char *script_path;
    char imei[SIM_ID_MAX];
    char imsi[SIM_ID_MAX];
    char iccid[SIM_ID_MAX];
    char unreachable[SIM_UNREACHABLE_MAX][16];
    size_t nunreachable;
    bool banner;
    bool roaming;
    bool log_commands;
    bool wall_clock; /* uplink events carry "wall_ms" (benchmarks across processes) */
    bool verbose;
    uint32_t attach_delay_ms;
    uint32_t register_delay_ms;
    uint32_t observe_delay_ms;
    uint32_t ack_delay_ms;
    uint32_t rrc_idle_ms;
    uint32_t boot_ms;
    uint32_t exit_after_ms;
};

/* --------------------------------------------------------- the whole thing */

struct sim_reply {
    struct sim_buf info; /* information lines and URCs the handler puts before the final */
    struct sim_buf post; /* URCs raised while the command ran: they follow the final */
    bool spaced;         /* "+X: v" (EC200U) rather than "+X:v" (BC68) */
};

struct sim_script;

struct sim {
    struct sim_opts opt;
    struct sim_state st;
    int master_fd;
    int slave_fd;
    bool stdin_open;
    char slave_path[128];
    bool link_made;
    uint64_t start_ms;
    struct sim_buf out; /* modem bytes not yet written to the pty */
    uint64_t last_write_ms;
    struct sim_buf ev;   /* JSON event being built */
    struct sim_buf host; /* host bytes of the command line being assembled */
    struct sim_buf held; /* host bytes read with a command that left the module busy */
    bool host_overflow;
    struct sim_buf ctl; /* stdin control bytes */
    struct sim_reply reply;
    struct sim_reply *cur_reply; /* non-NULL while a command handler runs */
    bool dry_run;                /* handler runs on a copy of the state: no events */
    struct sim_script *script;
    bool quit;
    bool draining;         /* quit once the host has read everything */
    struct sim_seen *seen; /* how often the server got each payload (duplicates) */
    bool status_first;     /* the command running is a RULE_STATUS_FIRST hit */
    uint64_t drain_deadline_ms;
    int exit_code;
};

/* sim_opts.c */
/** Returns 0 to run, 1 when the program should exit 0 (--help), -1 on a usage error. */
int opts_parse(struct sim *s, int argc, char **argv);
void state_defaults(struct sim *s);

/* sim_pty.c */
int pty_open(struct sim *s);
void pty_close(struct sim *s);
void pty_flush(struct sim *s);
bool pty_drained(const struct sim *s);

/* sim_out.c */
void sim_clock_start(struct sim *s);
/** True when the model prints a space after the colon of "+X:" lines (3GPP style). */
bool sim_spaced(const struct sim *s);
uint64_t sim_now_ms(const struct sim *s);
/** Modem bytes to the host (garbage fault applied). */
void out_put(struct sim *s, const void *data, size_t len);
/** An unsolicited line, framed CR LF <line> CR LF; held back until the running command's final. */
void sim_urc(struct sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Unframed unsolicited bytes; held back like sim_urc(). */
void sim_raw(struct sim *s, const void *data, size_t len);
void reply_line(struct sim_reply *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
struct sim_buf *ev_begin(struct sim *s, const char *event);
void ev_str(struct sim_buf *ev, const char *key, const char *value);
void ev_end(struct sim *s);
void sim_log(const struct sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* sim_timer.c */
bool timer_add(struct sim *s, enum sim_tmr kind, uint32_t delay_ms, int32_t arg, int32_t arg2,
               const char *text);
void timer_cancel(struct sim *s, enum sim_tmr kind);
bool timer_pending(const struct sim *s, enum sim_tmr kind);
/** Removes the earliest timer due at @p now_ms into @p out. */
bool timer_pop_due(struct sim *s, uint64_t now_ms, struct sim_timer *out);
/** Milliseconds until the next timer, or -1 when none. */
int timer_wait_ms(const struct sim *s, uint64_t now_ms);
void timer_cancel_volatile(struct sim *s);

/* sim_at.c */
void at_feed(struct sim *s, const uint8_t *data, size_t len);
/** Feeds the host bytes held back while the module was busy, once it no longer is. */
void at_feed_held(struct sim *s);
/** True while the module reads no new command: stalled, or a late final result still due. */
bool at_busy(const struct sim *s);
void at_reset_input(struct sim *s);

/* sim_net.c: radio, attach, RRC, reboot */
void net_power_on(struct sim *s);
void net_start_attach(struct sim *s);
void net_detach(struct sim *s);
bool net_attached(const struct sim *s);
void net_cereg_text(const struct sim *s, struct sim_buf *b, int stat);
void net_rrc_touch(struct sim *s);
void net_rrc_release(struct sim *s);
void net_reboot(struct sim *s, const char *cause);
void net_tmr_boot_done(struct sim *s, const struct sim_timer *t);
void net_tmr_attach_done(struct sim *s, const struct sim_timer *t);
void net_tmr_rrc_idle(struct sim *s, const struct sim_timer *t);

/* sim_server.c: the virtual LwM2M server and the module's CDP client */
struct sim_uplink {
    const char *cmd; /* "QLWULDATA", "QLWULDATAEX" or "NMGS" */
    const char *hex;
    size_t len;
    uint32_t mode; /* 0x0000, 0x0001, 0x0010, 0x0100 or 0x0101 */
    uint32_t seq;
};

void lw_register(struct sim *s);
int lw_deregister(struct sim *s);
int lw_uplink(struct sim *s, const struct sim_uplink *u);
void lw_reject(struct sim *s, const struct sim_uplink *u, const char *reason);
void lw_on_attach(struct sim *s);
void lw_reset(struct sim *s);
void lw_cancel_observe(struct sim *s);
void lw_downlink(struct sim *s, const char *hex, bool now_if_ready);
const char *lw_nmstatus(const struct sim *s);
void lw_tmr_registered(struct sim *s, const struct sim_timer *t);
void lw_tmr_observed(struct sim *s, const struct sim_timer *t);
void lw_tmr_deregistered(struct sim *s, const struct sim_timer *t);
void lw_tmr_con_result(struct sim *s, const struct sim_timer *t);
void lw_tmr_downlink(struct sim *s, const struct sim_timer *t);
void lw_seen_free(struct sim *s);

/* sim_lte.c: the EC200U's LwM2M client and its +QLWURC events */
void lte_nv_defaults(struct sim_lte_nv *nv);
int lte_register(struct sim *s);
int lte_deregister(struct sim *s);
int lte_update(struct sim *s, uint32_t ssid);
void lte_reset(struct sim *s);
/** Prints "+QLWURC: <args>" when URC reporting is on. */
void lte_urc(struct sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void lte_tmr(struct sim *s, const struct sim_timer *t);

/* sim_mtk.c: the BC66 (dialect B) and BC26 (dialect A) LwM2M clients and their server */
bool sim_mtk(const struct sim *s);
/** The server the module boots with: --ncdp's address (else 198.51.100.1), the IMEI as endpoint. */
void mtk_nv_defaults(struct sim *s);
void mtk_reset(struct sim *s);
void mtk_cancel_observe(struct sim *s);
void mtk_downlink(struct sim *s, const char *hex, bool now_if_ready);
void mtk_tmr(struct sim *s, const struct sim_timer *t);
/** Control lines of the virtual server: server-read PATH, server-write PATH TYPE VALUE,
 *  server-execute PATH, server-observe PATH, server-repeat. */
bool mtk_server_control(struct sim *s, const char *name, const char *arg);

/* sim_fault.c */
/** True while a stall fault keeps the module silent (no reading, no writing). */
bool fault_stalled(const struct sim *s);
void fault_stall(struct sim *s, uint32_t ms);
bool fault_apply(struct sim *s, const char *name, const char *arg, bool runtime);
void fault_control_line(struct sim *s, char *line);
struct sim_rule *fault_match(struct sim *s, enum sim_rule_kind kind, const char *cmd_text);
void fault_flood(struct sim *s, uint32_t count);
void fault_garbage_bytes(struct sim *s, struct sim_buf *b);
void fault_tmr_urc(struct sim *s, const struct sim_timer *t);
void fault_tmr_late_final(struct sim *s, const struct sim_timer *t);

/* sim_script.c */
int script_open(struct sim *s, const char *path);
void script_close(struct sim *s);
void script_start(struct sim *s);
void script_feed(struct sim *s, const uint8_t *data, size_t len);
void script_tmr_resume(struct sim *s, const struct sim_timer *t);

#endif /* QLWM2M_SIM_H */
