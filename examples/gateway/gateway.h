/*
 * qlwm2m-gateway: one thread, one poll() over the MQTT socket and the
 * multi handle that gathers every module's session. The pieces talk
 * through this header:
 *   log.c     levels, text or JSON lines on stderr (journald reads the <N> prefix)
 *   config.c  command line and config file (inih)
 *   outbox.c  the durable outbox (SQLite); the only file that knows SQL
 *   mqtt.c    the broker connection (libmosquitto, driven by our loop)
 *   modem.c   one qlwm2m session per module: open, feed, reports, state
 *   main.c    the event loop, signals, shutdown
 */
#ifndef QLWM2M_GATEWAY_H
#define QLWM2M_GATEWAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <qlwm2m/qlwm2m.h>

#define GW_MODEMS_MAX       1024
#define GW_NAME_MAX         64
#define GW_PATH_MAX         512
#define GW_TOPIC_MAX        512
#define GW_PAYLOAD_MAX      QLW_NEUL_PAYLOAD_MAX
#define GW_SHUTDOWN_MS      25000u /* SIGTERM: the command in flight gets this long */
#define GW_REOPEN_MIN_MS    500u   /* a lost or missing port: first wait */
#define GW_REOPEN_MAX_MS    30000u
#define GW_RECONNECT_MIN_MS 500u
#define GW_RECONNECT_MAX_MS 30000u

/* ---------------------------------------------------------------- log */
typedef enum gw_level { GW_ERR = 3, GW_WARN = 4, GW_INFO = 6, GW_DEBUG = 7 } gw_level;

void gw_log_init(bool json, int verbosity);
/* @p modem may be NULL (a message about the gateway itself). */
void gw_log(gw_level level, const char *modem, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ------------------------------------------------------------- config */
typedef struct gw_modem_cfg {
    char name[GW_NAME_MAX];
    char port[GW_PATH_MAX];
} gw_modem_cfg;

typedef struct gw_config {
    char broker_host[256];
    int broker_port;
    char state_dir[GW_PATH_MAX];
    char client_id[128];
    char prefix[128];
    gw_modem_cfg modem[GW_MODEMS_MAX];
    size_t modems;
    bool json;
    int verbosity;
    int keepalive_s;
    char cdp_host[64]; /* "" = leave the module's CDP server as it is */
    int cdp_port;
    char apn[64];
    qlw_delivery delivery;
    unsigned redelivery_window; /* see outbox_redelivery() */
    unsigned deadline_s;        /* a reading not handed to its module within this long of
                                   its arrival is reported expired; 0 = no deadline */
    unsigned signal_poll_s;     /* AT+CSQ this often while idle, for "signal" (0 = never) */
} gw_config;

/* 0 = run, 1 = exit 0 (--help), 2 = usage error (already printed). */
int gw_config_parse(gw_config *cfg, int argc, char **argv);

/* ------------------------------------------------------------- outbox */
/*
 * The durable outbox. Until the library's own store (a session writing its
 * queue through a store interface) is on main, the gateway keeps readings
 * here, behind these few calls; each is one statement on the database.
 *
 * A reading's life: QUEUED (stored, acknowledged to the broker) -> HANDED
 * (given to the session: it may reach the module from now on) -> RESOLVED
 * (its report is known, the result waits for the broker's PUBACK) -> DONE.
 */
typedef enum gw_rstate {
    GW_R_QUEUED = 0,
    GW_R_HANDED = 1,
    GW_R_RESOLVED = 2,
    GW_R_DONE = 3
} gw_rstate;

typedef struct gw_reading {
    int64_t id;
    char modem[GW_NAME_MAX];
    bool con;
    uint8_t data[GW_PAYLOAD_MAX];
    size_t len;
    unsigned attempts;       /* handovers in earlier runs or sessions */
    bool possible_duplicate; /* one of those may have reached the server */
    int64_t received_ms;     /* wall clock, for the publish-to-uplink delay */
} gw_reading;

typedef struct outbox outbox;

int outbox_open(outbox **ob, const char *dir, unsigned redelivery_window);
void outbox_close(outbox *ob);
/* One transaction per turn of the event loop: begin, work, commit (one fsync). */
int outbox_begin(outbox *ob);
int outbox_commit(outbox *ob);
/* Something was written since outbox_begin() (the commit will fsync). */
bool outbox_dirty(outbox *ob);
/* A new MQTT connection; the previous one ended cleanly or not. */
int outbox_connection(outbox *ob, bool previous_clean);
int outbox_mark_clean(outbox *ob);
/*
 * A message from the broker. When it is a redelivery of a reading already
 * stored (see outbox.c for the rule), *id is that reading's and *fresh false.
 */
int outbox_put(outbox *ob, const char *modem, bool con, const uint8_t *data, size_t len, int mid,
               const char *topic, int64_t *id, bool *fresh);
/* The oldest QUEUED reading of @p modem; 1 found, 0 none, <0 error. */
int outbox_next(outbox *ob, const char *modem, gw_reading *r);
/* The oldest HANDED reading of @p modem; 1 found, 0 none, <0 error. */
int outbox_first_handed(outbox *ob, const char *modem, gw_reading *r);
int outbox_get(outbox *ob, int64_t id, gw_reading *r);
int outbox_set_state(outbox *ob, int64_t id, gw_rstate st);
/* HANDED readings of @p modem (NULL: all) become QUEUED again, flagged as possible duplicates. */
int outbox_requeue_handed(outbox *ob, const char *modem, int *count);
/* Readings of @p modem (NULL: all) in state @p st, oldest first, through @p fn. */
int outbox_each(outbox *ob, const char *modem, gw_rstate st,
                void (*fn)(void *ctx, const gw_reading *r, const char *result_json), void *ctx);
/* The report: result JSON kept until the broker acknowledges it. */
int outbox_resolve(outbox *ob, int64_t id, const char *result_json);
int outbox_count(outbox *ob, const char *modem, gw_rstate st, long *n);
/* Forgets DONE readings that can no longer be redelivered. */
int outbox_prune(outbox *ob);
const char *outbox_errmsg(outbox *ob);

/* --------------------------------------------------------------- mqtt */
typedef struct gw gw;

int mqtt_init(gw *g);
void mqtt_free(gw *g);
/* The socket to poll (-1 when not connected) and whether to poll for output. */
int mqtt_fd(gw *g, bool *want_write);
/* Reads what the broker sent: messages go to gw_on_reading() (inside the open transaction). */
void mqtt_read(gw *g);
/* Writes what is queued (PUBACKs included: only after the transaction committed). */
void mqtt_write(gw *g);
/* Keepalive and reconnection; returns ms until it is due again. */
uint32_t mqtt_misc(gw *g);
/* Publishes QoS 1; @p retain. Returns the message id or -1. */
int mqtt_publish(gw *g, const char *topic, const void *data, size_t len, bool retain);
bool mqtt_connected(const gw *g);
/* Sends "offline" and DISCONNECT, waits (up to @p timeout_ms) for it to leave. */
bool mqtt_disconnect(gw *g, uint32_t timeout_ms);

/* -------------------------------------------------------------- modem */
/* Results the gateway gives itself, without the session, and what only it sees. */
typedef struct gw_counters {
    unsigned long received, delivered, sent, failed, unknown, expired, downlinks;
} gw_counters;

typedef struct gw_modem {
    gw *g;
    const gw_modem_cfg *cfg;
    qlw_session *s;      /* NULL only until the port first exists (qlw_open() needs it) */
    uint32_t open_at_ms; /* when to try qlw_open() again */
    uint32_t open_delay_ms;
    unsigned open_tries;
    qlw_state state;
    qlw_cause cause;
    int64_t fed_id;            /* reading handed to the session, or 0 (its payload is the
                                  session's now; the outbox has it for the result) */
    uint32_t fed_lib_id;       /* its id in the session */
    bool state_dirty;          /* retained state to publish now */
    bool state_dirty_counters; /* counters changed: publish within a few seconds */
    uint32_t state_published_ms;
    qlw_session_stats published; /* the session's counters in the last state published */
    bool closing;
    bool release; /* fed this turn: paused until HANDED is committed */
    long queued;  /* QUEUED readings in the outbox (saves a query per turn) */
    gw_counters n;
} gw_modem;

/* Settles what an earlier run left handed over, then opens the session. */
int modem_start(gw_modem *m);
/* A port that did not exist at start: qlw_open() again once its back-off has passed. */
void modem_retry_open(gw_modem *m);
/* Ms until modem_retry_open() is due, or -1 (the session exists). */
int32_t modem_open_timeout_ms(const gw_modem *m);
/* Records a result the gateway gives itself and publishes it. */
void modem_resolve(gw_modem *m, const gw_reading *rd, const char *result, bool dup,
                   unsigned attempts, const qlw_uplink_report *r);
void modem_stop(gw_modem *m);
/* Hands the next queued reading to the session when it can take one. */
void modem_feed(gw_modem *m);
/* After the commit: the session fed this turn may hand its reading to the module. */
void modem_release(gw_modem *m);
void modem_publish_state(gw_modem *m);
/* The session's counters or signal moved since the last state published. */
bool modem_stats_changed(gw_modem *m);
/* Idle: nothing handed to the module whose fate waiting could still settle. */
bool modem_idle(const gw_modem *m);
/* SIGTERM: the uplink on the air finishes, nothing new goes to the module. */
void modem_pause(gw_modem *m);
gw_modem *gw_find_modem(gw *g, const char *name);

/* ------------------------------------------------------------ gateway */
struct gw {
    gw_config cfg;
    outbox *ob;
    qlw_multi *multi; /* every module's session: one descriptor, one timeout */
    gw_modem modems[GW_MODEMS_MAX];
    size_t nmodems;
    struct mosquitto *mosq;
    bool connected;
    bool connecting;
    uint32_t reconnect_at_ms;
    uint32_t reconnect_delay_ms;
    bool stopping; /* SIGTERM: hand nothing new to modules */
    bool subscribed;
    char status_topic[GW_TOPIC_MAX];
    int64_t *mid_reading; /* result publications awaiting PUBACK, by message id */
    int64_t *done;        /* results the broker acknowledged, not yet marked DONE */
    size_t ndone;
    uint32_t done_since_ms;
    bool db_failed;
    bool republished; /* results left from an earlier run were published again */
    unsigned stored_this_turn;
    unsigned handed_this_turn;
    unsigned resolved_this_turn;
    const char *crash_point; /* test hook, see gw_crash_point() */
    long crash_after;
};

/* A message on P/NAME/up or P/NAME/up/non (called inside the open transaction). */
void gw_on_reading(gw *g, const char *topic, const uint8_t *data, size_t len, int mid);
/* The broker acknowledged a publication. */
void gw_on_published(gw *g, int mid);
/* Connected (again): subscribe, publish status and state, republish open results. */
void gw_on_connected(gw *g, bool session_present);
/* Publishes a RESOLVED reading's result; remembers the message id. */
void gw_publish_result(gw *g, int64_t id, const char *modem, const char *json);
/*
 * Test hook: QLWM2M_GATEWAY_CRASH=POINT:N makes the process kill itself
 * with SIGKILL the N-th time it passes POINT, each right after the commit
 * that recorded it: "stored" (a reading on the disk, its PUBACK not
 * written), "handed" (a reading marked HANDED, nothing written to the
 * module), "resolved" (a result recorded, not published); "fed" is the
 * one point before a commit: a reading just queued into its session, its
 * HANDED mark not yet on the disk (nothing may have reached the module). The crash tests
 * use it to hit those narrow windows on purpose.
 */
void gw_crash_point(gw *g, const char *point);
uint32_t gw_now_ms(void);
int64_t gw_wall_ms(void);
void gw_hex(char *out, const uint8_t *data, size_t len);

#endif
