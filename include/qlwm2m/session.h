/**
 * @file session.h
 * @brief The LwM2M session: a BC68-family module from power-on to delivered
 *        uplinks, and kept there.
 *
 * @section s_model How it works
 * A session is a state machine driven only by events: command results, URCs
 * and time. The application says what it wants (attached, this server,
 * registered, these uplinks) and the session gets the module there and keeps
 * it there: after a reboot it sets the module up again and resumes, after the
 * observe of /19/0/0 is cancelled or the network is lost it registers again
 * with a back-off.
 *
 * States: @ref QLW_STATE_STARTING (setting the module up) -> DETACHED ->
 * ATTACHING -> ATTACHED -> REGISTERING -> REGISTERED (`+QLWEVTIND:0`) ->
 * READY (`+QLWEVTIND:3`: the server observes /19/0/0). Every change reaches
 * the application through one callback with the old state, the new state and
 * the cause.
 *
 * @section s_words Words
 * - **CDP server**: the LwM2M server the module registers with. "CDP"
 *   (Connected Device Platform) is the firmware's own name for it, from
 *   Huawei's IoT platform for which the BC68 family was first built; the
 *   module keeps its address in flash (`AT+NCDP=<ip>,<port>`), and
 *   qlw_set_cdp() changes it only when it differs.
 * - **Uplink**: one payload the host asks the module to send to the server
 *   (`AT+QLWULDATA`/`AT+QLWULDATAEX` on the BC68 family, the dialects'
 *   notify or send commands elsewhere). The API has one name for it,
 *   "uplink": qlw_send_uplink(), qlw_queue_uplink(), @ref qlw_uplink_report,
 *   @ref qlw_uplink_mode, qlw_session_config::uplink_queue_len. The module's
 *   own spelling (`ULDATA`) appears only where an AT command or URC is
 *   named (qlw_neul_parse_uldatastatus() decodes `+QLWULDATASTATUS`).
 * - **Downlink**: a payload the server sends to the module (`+NNMI`).
 *
 * @section s_uplinks Uplinks and their reports
 * Uplinks wait in a bounded queue and go out in order, one at a time, only in
 * READY: the module answers an earlier one with `ERROR` and registers again.
 * Each uplink ends in exactly one report (@ref qlw_uplink_report), and the
 * report says only what the module told us (@ref qlw_outcome):
 * - **sent** (NON): the module said the message left: `+NSMI:SENT` (the
 *   setup switches `AT+NSMI=1` on). On firmware that refuses `AT+NSMI=1`
 *   the command's `OK` is taken instead: a weaker claim (the module accepted
 *   the message; a reset right after the `OK` can still lose it).
 * - **delivered** (CON): `+QLWULDATASTATUS:4` for this message's sequence
 *   number, whenever it comes (before the `OK`, after a lost `OK`, or as the
 *   answer to `AT+QLWULDATASTATUS?`).
 * - **failed**: the message certainly did not reach the server (the module
 *   refused it, `+NSMI:DISCARDED` or `+QLWULDATASTATUS:2` more often than
 *   @ref qlw_session_config::max_resends allows, or it was never handed to
 *   the module before qlw_close()).
 * - **unknown**: it may or may not have reached the server (the module reset
 *   or fell silent after taking it, and the policy or the session's end
 *   forbade handing it over again).
 *
 * No blind resend: when an uplink command's outcome is uncertain (no final
 * result, `+QLWULDATASTATUS:3`, a reset after the `OK`) the session asks the
 * module (`AT+QLWULDATASTATUS?`) or waits for `+NSMI`, and hands the message
 * over again only when the answer says it did not go, or when the module's
 * state is gone. Under @ref QLW_DELIVERY_AT_LEAST_ONCE (the default) an
 * uncertain message is handed over again and its report carries
 * `possible_duplicate`; under @ref QLW_DELIVERY_AT_MOST_ONCE it is reported
 * unknown and never handed over again. The CON sequence number is local to
 * the module (it pairs `+QLWULDATASTATUS` with the command); it is not
 * something the server sees, so the server cannot deduplicate by it: an
 * application that needs exactly-once puts its own id in the payload.
 *
 * Nothing is dropped silently: a full queue refuses the new uplink
 * (QLW_ERR_QUEUE_FULL); a reboot, a cancelled observe, a lost network or
 * `+CME ERROR: 159` leave the uplink queued until the session is READY again.
 *
 * @section s_drive Driving it
 * Blocking: qlw_attach(), qlw_set_cdp(), qlw_register(), qlw_send_uplink()
 * each run the session until their goal is reached, fails, or their timeout
 * passes (a timeout above 2147483647 ms, which the wrapping clock cannot
 * tell from one in the past, is refused with QLW_ERR_ARG before anything
 * else happens). Event loop: qlw_request_*() and qlw_queue_uplink() return at once;
 * the application polls qlw_fd() and calls qlw_process() when it is readable
 * or when qlw_next_timeout_ms() expires. One thread can drive many sessions.
 *
 * @section s_port A lost port
 * A lost port is a state, not the end. When the transport fails (USB
 * unplugged, module power-cycled, simulator restarted: a read or write
 * returns QLW_ERR_PORT_GONE or another transport error) the session:
 * - reports it once: @ref QLW_NOTICE_PORT_LOST (value = the error) and a
 *   change to @ref QLW_STATE_STARTING with cause @ref QLW_CAUSE_PORT_LOST
 *   (no change when it was starting already); qlw_port_lost() is true and
 *   qlw_fd() is -1 until the port is back;
 * - keeps its queue, its goals (attached, this server, registered) and its
 *   pending reports. The module's state is unknown, as after a reboot: an
 *   uplink that was handed to the module is handed over again flagged
 *   `possible_duplicate` under @ref QLW_DELIVERY_AT_LEAST_ONCE, or reported
 *   unknown under @ref QLW_DELIVERY_AT_MOST_ONCE;
 * - gets a port again with a back-off (@ref qlw_session_config::reopen_min_ms
 *   doubling up to @ref qlw_session_config::reopen_max_ms, for ever): a session
 *   made by qlw_open() opens the same path again; a session on the
 *   application's own transport calls @ref qlw_session_config::reopen. Once
 *   it has one: @ref QLW_NOTICE_PORT_BACK, and the module is set up again
 *   from the start (it may have been power-cycled), then the goals are
 *   pursued again and the queue goes out.
 *
 * The application gives up on a session by closing it (qlw_close()); the
 * counters (qlw_get_stats()) say how often the port was lost.
 *
 * **What a transport error from qlw_process() means.** qlw_process() (and
 * qlw_poll()) return the transport's error on the call in which the port was
 * lost. It is information, not an end: the session is port-lost as above and
 * recovers by itself in later calls, which return QLW_OK while it waits for
 * the port. A session with no way to get a new port (its own transport and no
 * reopen callback) tries the same transport again after the back-off, and
 * returns its error again when it still fails. Blocking calls (qlw_attach(),
 * qlw_send_uplink(), ...) ride over a lost port within their timeout when the
 * session can reopen it (they sleep until the next attempt); without a way
 * to reopen they return the transport's error at once.
 *
 * **Stable names.** A USB modem's `/dev/ttyUSB0` may come back as
 * `/dev/ttyUSB1` after a replug. Open it by a name that does not move:
 * `/dev/serial/by-id/usb-Quectel_..._-if00-port0` (the adapter's serial
 * number), `/dev/serial/by-path/...` (the USB socket), or a udev rule's
 * symlink (`SYMLINK+="modem-north"`). The session reopens the path it was
 * given, so a stable name makes a replug invisible to the application.
 *
 * @section s_obs Counters and logs
 * qlw_get_stats() copies the session's counters (@ref qlw_session_stats) at any
 * time. @ref qlw_session_config::on_log receives one line of text per event
 * worth logging, with a level and the session's name
 * (@ref qlw_session_config::name), so that the lines of many modems can go to
 * one log.
 *
 * @section s_threads Threads and callbacks
 * A session is used by one thread at a time. Callbacks run inside
 * qlw_process()/qlw_poll() or a blocking call; from a callback only the
 * non-blocking calls may be used (blocking ones return QLW_ERR_STATE).
 */
#ifndef QLWM2M_SESSION_H
#define QLWM2M_SESSION_H

#include "qlwm2m/at.h"
#include "qlwm2m/common.h"
#include "qlwm2m/io.h"
#include "qlwm2m/neul.h"
#include "qlwm2m/qlwcfg.h"
#include "qlwm2m/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief A session handle (opaque). */
typedef struct qlw_session qlw_session;

/** @brief Session states. */
typedef enum qlw_state {
    QLW_STATE_STARTING = 0,    /**< Setting the module up (after open or a reboot). */
    QLW_STATE_DETACHED = 1,    /**< Set up, not attached to the network. */
    QLW_STATE_ATTACHING = 2,   /**< Radio on, waiting for `+CEREG` 1 or 5. */
    QLW_STATE_ATTACHED = 3,    /**< Attached, not registered to the LwM2M server. */
    QLW_STATE_REGISTERING = 4, /**< `AT+QLWSREGIND=0` sent, waiting for `+QLWEVTIND:0`. */
    QLW_STATE_REGISTERED = 5,  /**< Registered, waiting for the server to observe /19/0/0. */
    QLW_STATE_READY = 6        /**< /19/0/0 observed: uplinks go out. */
} qlw_state;

/** @brief Stable name of a state ("starting", "ready", ...). */
QLW_API const char *qlw_state_str(qlw_state state);

/** @brief Why a state changed. */
typedef enum qlw_cause {
    QLW_CAUSE_NONE = 0,              /**< No particular cause. */
    QLW_CAUSE_REQUEST = 1,           /**< The application asked for it. */
    QLW_CAUSE_SETUP = 2,             /**< Module setup finished. */
    QLW_CAUSE_NETWORK = 3,           /**< `+CEREG` (or a poll of it) changed. */
    QLW_CAUSE_LWM2M_EVENT = 4,       /**< A `+QLWEVTIND` event. */
    QLW_CAUSE_REBOOT = 5,            /**< The module rebooted. */
    QLW_CAUSE_OBSERVE_CANCELLED = 6, /**< `+QLWEVTIND:9`. */
    QLW_CAUSE_UPLINK_REJECTED = 7,   /**< The module refused an uplink as not ready. */
    QLW_CAUSE_TIMEOUT = 8,           /**< A step took longer than allowed. */
    QLW_CAUSE_ERROR = 9,             /**< A command failed (see qlw_errmsg()). */
    QLW_CAUSE_POLL = 10,             /**< `AT+NMSTATUS?` polling (firmware without +QLWEVTIND). */
    QLW_CAUSE_PORT_LOST = 11         /**< The transport failed: see @ref s_port. */
} qlw_cause;

/** @brief Stable name of a cause. */
QLW_API const char *qlw_cause_str(qlw_cause cause);

/** @brief How an uplink is sent. */
typedef enum qlw_uplink_mode {
    QLW_UPLINK_NON = 0,         /**< `AT+QLWULDATA`: non-confirmable. */
    QLW_UPLINK_NON_RELEASE = 1, /**< `AT+QLWULDATAEX` 0x0001: NON, release RRC at once (RAI). */
    QLW_UPLINK_NON_RELEASE_AFTER_REPLY = 2, /**< 0x0010: NON, release after the first downlink. */
    QLW_UPLINK_CON = 3,         /**< 0x0100: confirmable, tracked by `+QLWULDATASTATUS`. */
    QLW_UPLINK_CON_RELEASE = 4, /**< 0x0101: CON, release RRC after the ACK. */
    QLW_UPLINK_LEGACY_NMGS = 5  /**< `AT+NMGS` for B657 (old BC95) firmware. */
} qlw_uplink_mode;

/** @brief Stable name of a mode ("non", "con", ...). */
QLW_API const char *qlw_uplink_mode_str(qlw_uplink_mode mode);

/** @brief What a report claims about an uplink. */
typedef enum qlw_outcome {
    QLW_OUTCOME_SENT = 0,      /**< NON: the module said it left (`+NSMI:SENT`, or the `OK` on
                                    firmware without `+NSMI`). */
    QLW_OUTCOME_DELIVERED = 1, /**< CON: the server acknowledged it (`+QLWULDATASTATUS:4`). */
    QLW_OUTCOME_FAILED = 2,    /**< It certainly did not reach the server. */
    QLW_OUTCOME_UNKNOWN = 3,   /**< It may or may not have reached the server. */
    QLW_OUTCOME_EXPIRED = 4    /**< Its deadline passed before it was handed to the module. */
} qlw_outcome;

/** @brief Stable name of an outcome ("sent", "delivered", "failed", "unknown", "expired").
 *  @return A static string; "invalid" for a value outside the enum ("unknown" is one of
 *          its names). */
QLW_API const char *qlw_outcome_str(qlw_outcome outcome);

/** @brief How uncertain uplinks are handled (see @ref s_uplinks). */
typedef enum qlw_delivery {
    QLW_DELIVERY_AT_LEAST_ONCE = 0, /**< Hand an uncertain uplink over again, flagged
                                         `possible_duplicate` (default). */
    QLW_DELIVERY_AT_MOST_ONCE = 1   /**< Report an uncertain uplink unknown; never resend it. */
} qlw_delivery;

/** @brief Stable name of a delivery policy ("at-least-once", "at-most-once").
 *  @return A static string; "unknown" for a value outside the enum. */
QLW_API const char *qlw_delivery_str(qlw_delivery delivery);

/** @brief The fate of one uplink: exactly one per queued uplink. */
typedef struct qlw_uplink_report {
    uint32_t id;             /**< Id returned when it was queued. */
    qlw_uplink_mode mode;    /**< Its mode. */
    qlw_outcome outcome;     /**< What is known of it: the report's claim. */
    bool possible_duplicate; /**< It was handed to the module again after a handover that may
                                  have reached the server: the server may have it twice. */
    int seq;                 /**< Sequence number used (CON modes), else 0. */
    qlw_err result;          /**< QLW_OK for sent and delivered, else the error that ended it. */
    int status;              /**< Last `+QLWULDATASTATUS` value, or -1. */
    int cme;                 /**< `+CME ERROR` number that ended it, or -1. */
    unsigned attempts;       /**< How many times it was handed to the module. */
    size_t len;              /**< Payload bytes. */
} qlw_uplink_report;

/** @brief Kinds of notices (diagnostics for logs). */
typedef enum qlw_notice {
    QLW_NOTICE_REBOOT = 0,      /**< Module rebooted; text = cause (e.g. "APPLICATION_AT"). */
    QLW_NOTICE_CEREG = 1,       /**< Registration report; value = stat, text = the line. */
    QLW_NOTICE_RRC = 2,         /**< `+CSCON`; value 1 connected, 0 idle. */
    QLW_NOTICE_PSM = 3,         /**< `+NPSMR`; value 1 in PSM. */
    QLW_NOTICE_LWM2M_EVENT = 4, /**< Any `+QLWEVTIND` (value = the event), or the `+QLWEVTIND`
                                     value an LTE `+QLWURC` stands for (ready: 0 then 3,
                                     update: 2, deregister: 1; text = its name). */
    QLW_NOTICE_URC_LOST = 5,    /**< URCs were dropped (queue full); value = count. */
    QLW_NOTICE_ERROR = 6,       /**< A step failed (qlw_errmsg() says the same); value = qlw_err. */
    QLW_NOTICE_RETRY = 7,       /**< A step will be retried; value = delay ms, text = what. */
    QLW_NOTICE_DOWNLINK_LOST = 8, /**< A downlink could not be decoded; text = the line. */
    QLW_NOTICE_DIALECT = 9,       /**< The dialect was detected; value = @ref qlw_dialect. */
    QLW_NOTICE_WARNING = 10,      /**< Something odd the session works around (a URC switch the
                                       firmware refused, no banner after AT+NRB); value = qlw_err. */
    QLW_NOTICE_PORT_LOST = 11,    /**< The transport failed; value = its qlw_err, text = the port's
                                       name (see @ref s_port). */
    QLW_NOTICE_PORT_BACK = 12     /**< The session has a port again; value = attempts it took,
                                       text = the port's name. The module is set up again next. */
} qlw_notice;

/** @brief Stable name of a notice kind. */
QLW_API const char *qlw_notice_str(qlw_notice kind);

/** @brief State callback. */
typedef void (*qlw_state_fn)(void *ctx, qlw_state old_state, qlw_state new_state, qlw_cause cause);
/** @brief Uplink fate callback (once per uplink). */
typedef void (*qlw_uplink_fn)(void *ctx, const qlw_uplink_report *report);
/** @brief Downlink callback (`+NNMI`); @p data is valid during the call only. */
typedef void (*qlw_downlink_fn)(void *ctx, const uint8_t *data, size_t len);
/** @brief Notice callback. */
typedef void (*qlw_notice_fn)(void *ctx, qlw_notice kind, int value, const char *text);

/**
 * @brief Gets a new transport for a session whose transport failed (see @ref s_port).
 * @param ctx    qlw_session_config::ctx.
 * @param old_io The transport that failed. On QLW_OK the session no longer
 *               uses it and the callback may close it; on failure the session
 *               still reads its clock, so it must stay open.
 * @param[out] new_io The new transport. Its clock must continue the old one's.
 *               It stays the application's: after qlw_close(), close the
 *               transport in use then (qlw_at_io() of qlw_session_at()).
 * @return QLW_OK, or any negative qlw_err: the session tries again after its back-off.
 */
typedef int (*qlw_reopen_fn)(void *ctx, qlw_io *old_io, qlw_io **new_io);

/** @brief Log levels, most severe first. */
typedef enum qlw_log_level {
    QLW_LOG_ERROR = 0,   /**< A step failed; an uplink failed or its fate is unknown. */
    QLW_LOG_WARNING = 1, /**< Reboots, lost ports, retries, dropped URCs, oddities. */
    QLW_LOG_INFO = 2,    /**< State changes, reports, the port back. */
    QLW_LOG_DEBUG = 3    /**< Every notice (network, RRC, PSM, LwM2M events). */
} qlw_log_level;

/** @brief Stable name of a log level ("error", "warning", "info", "debug").
 *  @return A static string; "unknown" for a value outside the enum. */
QLW_API const char *qlw_log_level_str(qlw_log_level level);

/**
 * @brief Log callback: one event as one line of text (no newline).
 * @param ctx   qlw_session_config::ctx.
 * @param level Its level (only those up to qlw_session_config::log_level come).
 * @param name  The session's name (qlw_session_config::name, or its port's).
 * @param text  The line; valid during the call only.
 */
typedef void (*qlw_log_fn)(void *ctx, qlw_log_level level, const char *name, const char *text);

/**
 * @brief A session's counters since it was created (qlw_get_stats()).
 *
 * Report counters grow when the report is delivered: each uplink counts once,
 * in exactly one of sent, delivered, failed, unknown and expired.
 */
typedef struct qlw_session_stats {
    uint32_t queued;              /**< Uplinks accepted by qlw_queue_uplink() (or send). */
    uint32_t sent;                /**< Reports with outcome sent. */
    uint32_t delivered;           /**< Reports with outcome delivered. */
    uint32_t failed;              /**< Reports with outcome failed. */
    uint32_t unknown;             /**< Reports with outcome unknown. */
    uint32_t expired;             /**< Reports with outcome expired. */
    uint32_t resends;             /**< Handovers beyond each uplink's first (counted when
                                       reported: attempts - 1). */
    uint32_t possible_duplicates; /**< Reports flagged possible_duplicate. */
    uint32_t reboots;             /**< Module restarts seen (the session's own `AT+NRB` too). */
    uint32_t port_losses;         /**< Times the transport failed (see @ref s_port). */
    uint32_t port_reopens;        /**< Times the session got a port back. */
    uint32_t readies;             /**< Times the session became READY. */
    int32_t time_to_ready_ms;     /**< From creation, or the last reboot or lost port, to the
                                       READY after it; -1 before the first READY. */
    int signal_rssi_dbm;    /**< Last `AT+CSQ` (qlw_session_config::signal_poll_ms), 0 = unknown. */
    uint32_t signal_age_ms; /**< Age of signal_rssi_dbm when read; 0 when unknown. */
    uint32_t pending;       /**< Uplinks not reported yet (as qlw_uplinks_pending()). */
} qlw_session_stats;

/** @brief Session configuration. Start from qlw_session_config_default(). */
typedef struct qlw_session_config {
    qlw_at_config at;          /**< Engine sizes and URC table (from qlw_quectel_at_config()). */
    qlw_dialect dialect;       /**< QLW_DIALECT_AUTO (default: probed once at the first
                                    setup), QLW_DIALECT_NEUL, QLW_DIALECT_QLWCFG_C or
                                    QLW_DIALECT_QLWSVC_D. */
    qlw_neul_setup_opts setup; /**< URCs switched on after every boot. */
    size_t uplink_queue_len;   /**< Uplinks queued at most (default 8; a gateway that must
                                ride out hours without the network sets hundreds: see
                                qlw_session_mem_size()). */
    size_t uplink_queue_bytes; /**< Payload bytes queued at most (default 512: one largest uplink,
                              or many small ones). */
    qlw_store *store;          /**< Durable outbox (see store.h), or NULL (default): queued
                                    uplinks live in memory only. With a store, open takes back
                                    what it holds (it must fit uplink_queue_len and uplink_queue_bytes).
                                    A library built with QLWM2M_STORE=OFF takes none: open
                                    refuses one with QLW_ERR_UNSUPPORTED. */
    unsigned max_resends;     /**< Times an uplink is handed over again after the module said it did
                                   not go (`+QLWULDATASTATUS` 2/5, `+NSMI:DISCARDED`) or after an
                                   uncertain handover (default 2); then it is reported. */
    qlw_delivery delivery;    /**< What to do with an uncertain uplink (default at-least-once). */
    uint32_t sent_timeout_ms; /**< NON with `+NSMI`: no `+NSMI` this long after the `OK` =
                                   uncertain (default 60000). */
    uint32_t
        con_ack_timeout_ms; /**< No `+QLWULDATASTATUS` within this = timeout (default 90000). */
    uint32_t
        register_timeout_ms; /**< Not READY this long after registering = retry (default 300000). */
    uint32_t attach_poll_ms; /**< While attaching, `AT+CEREG?` this often (default 5000). */
    uint32_t nmstatus_poll_ms;   /**< While registering without `+QLWEVTIND`, `AT+NMSTATUS?`
                                      this often (default 30000; 0 = never). */
    bool resume_registration;    /**< BC68 family: when the setup finds the module attached,
                                      ask `AT+NMSTATUS?` and take over a registration (and an
                                      observe) that survived the program's restart instead of
                                      registering again (default false). */
    uint32_t backoff_min_ms;     /**< First retry delay (default 2000). */
    uint32_t backoff_max_ms;     /**< Longest retry delay (default 300000). */
    qlw_state_fn on_state;       /**< State changes (may be NULL). */
    qlw_uplink_fn on_uplink;     /**< Uplink fates (may be NULL). */
    qlw_downlink_fn on_downlink; /**< Downlinks (may be NULL). */
    qlw_notice_fn on_notice;     /**< Diagnostics (may be NULL). */
    /** Every `+QLWURC` event of an LTE module, decoded (QuecPython's
     *  `register_call`); may be NULL. Secrets are not in it. */
    void (*on_qlwurc)(void *ctx, const qlw_qlwurc *event);
    void *ctx;               /**< Passed to every callback. */
    const char *name;        /**< The session's name in logs (copied, at most 31 bytes); NULL
                                  = the transport's name. */
    qlw_log_fn on_log;       /**< Log lines (may be NULL). */
    qlw_log_level log_level; /**< Most verbose level passed to on_log (default QLW_LOG_INFO). */
    qlw_reopen_fn reopen;    /**< A new transport when the application's own one failed (may
                                  be NULL; qlw_open() sessions reopen their path instead). */
    uint32_t reopen_min_ms;  /**< First wait before getting a lost port again (default 500). */
    uint32_t reopen_max_ms;  /**< Longest wait between attempts (default 30000). */
    uint32_t signal_poll_ms; /**< When > 0: `AT+CSQ` this often while attached and idle, for
                                  qlw_session_stats::signal_rssi_dbm (default 0 = never). */
} qlw_session_config;

/** @brief Fills @p cfg with the defaults documented on each field. */
QLW_API void qlw_session_config_default(qlw_session_config *cfg);

/** @brief Options of qlw_attach(). */
typedef struct qlw_attach_opts {
    const char
        *apn; /**< APN to set (checked with qlw_neul_check_apn()), or NULL to keep the module's. */
    int cid;  /**< PDP context id for the APN (default 1). */
    int band; /**< `AT+NBAND=<band>` when > 0; 0 keeps the module's bands. */
} qlw_attach_opts;

/**
 * @brief Bytes a session with @p cfg needs (for qlw_session_init()); 0 when invalid.
 *
 * With A(n) = n rounded up to the pointer size:
 *
 *     A(S) + A(qlw_at_mem_size(&cfg->at)) + A(uplink_queue_len * U) + A(uplink_queue_bytes)
 *
 * where S is the session's own state and U one queued uplink's record. On a
 * 64-bit x86 Linux host today: S = 1688, the engine with the default
 * qlw_at_config 6088, U = 36. With the defaults (8 uplinks, 512 bytes) that
 * is 8576 bytes;
 * a gateway that keeps 500 readings of up to 16 bytes through an outage
 * (uplink_queue_len 500, uplink_queue_bytes 8000) needs 1688 + 6088 + 18000 + 8000 =
 * 33776 bytes. The transport is not included, nor the store (whose SQLite
 * connection has its own heap). Queue operations stay cheap at that size:
 * a report removes the head in O(1), an expired uplink in O(n + bytes), and
 * the payload pool is compacted (one memmove) only when its tail reaches
 * its end. `bench_mem` (scripts/bench.sh) prints every term.
 */
QLW_API size_t qlw_session_mem_size(const qlw_session_config *cfg);

/**
 * @brief Creates a session on a transport in caller-owned memory.
 *
 * With a store, what it holds is queued again here (see store.h).
 * @return QLW_OK, QLW_ERR_ARG, QLW_ERR_NOMEM (@p mem too small);
 *         with a store: QLW_ERR_STORE (it could not be read, or holds
 *         something this library did not write), QLW_ERR_QUEUE_FULL (it
 *         holds more than uplink_queue_len or uplink_queue_bytes allow);
 *         QLW_ERR_UNSUPPORTED (@p cfg names a dialect the library was built
 *         without: QLWM2M_DIALECT_QLWCFG=OFF or QLWM2M_DIALECT_MTK=OFF; or
 *         gives a store to a library built without stores: QLWM2M_STORE=OFF).
 * @note Sends nothing yet; the first qlw_process() or blocking call starts the module setup.
 */
QLW_API int qlw_session_init(qlw_session **s, void *mem, size_t mem_size,
                             const qlw_session_config *cfg, qlw_io *io);

/**
 * @brief Creates a session on a transport with one allocation.
 * @param[out] s Receives the session.
 * @param cfg Configuration, or NULL for the defaults.
 * @param io  Transport; it is not closed by qlw_close().
 * @return QLW_OK, QLW_ERR_ARG or QLW_ERR_NOMEM.
 */
QLW_API int qlw_session_open(qlw_session **s, const qlw_session_config *cfg, qlw_io *io);

/**
 * @brief Opens a serial port and a session on it; qlw_close() closes both.
 *
 * When the port is lost the session opens @p port again with the same
 * settings, with a back-off (see @ref s_port): give a stable name such as
 * `/dev/serial/by-id/...`, not `/dev/ttyUSB0`, which may change on a replug.
 * @ref qlw_session_config::reopen is not used.
 * @return as qlw_io_open_serial() and qlw_session_open(); @p errmsg names the port.
 */
QLW_API int qlw_open(qlw_session **s, const char *port, const qlw_serial_config *serial,
                     const qlw_session_config *cfg, char *errmsg, size_t errmsg_size);

/**
 * @brief Frees the session (and the port when it came from qlw_open()). NULL is ignored.
 *
 * Nothing new is handed to the module. An uplink command still in flight is
 * awaited first (up to its command timeout); then every uplink not yet
 * reported gets its report: failed (QLW_ERR_CANCELLED) when it was never
 * handed to the module, unknown when it was and its fate is not known.
 * With a store (@ref qlw_session_config::store) those uplinks get no report
 * here: they stay in the store, and the next session opened on it takes
 * them back (see store.h). The store itself is not closed.
 * Must not be called from a callback.
 */
QLW_API void qlw_close(qlw_session *s);

/** @brief The session's AT engine (for raw commands with qlw_at_exec_raw()). */
QLW_API qlw_at *qlw_session_at(qlw_session *s);

/** @brief The dialect in use (QLW_DIALECT_AUTO until it has been probed). */
QLW_API qlw_dialect qlw_get_dialect(const qlw_session *s);

/** @brief Current state. */
QLW_API qlw_state qlw_get_state(const qlw_session *s);

/** @brief Text of the last failure ("AT+NCDP=...: +CME ERROR: 50 (incorrect parameters)"), or "".
 */
QLW_API const char *qlw_errmsg(const qlw_session *s);

/** @brief `+CME ERROR` number of the last failure, or -1. */
QLW_API int qlw_last_cme(const qlw_session *s);

/**
 * @brief Code (@ref qlw_err) of the last failure the session recorded, the one
 * qlw_errmsg() describes; QLW_OK when none yet.
 *
 * In a build without text (`QLWM2M_TEXT=OFF`) qlw_errmsg() is always "", and
 * this code with qlw_last_cme() is what tells the failure.
 * @return the code, or QLW_ERR_ARG for a NULL session.
 */
QLW_API int qlw_last_error(const qlw_session *s);

/** @brief The session's name in logs (qlw_session_config::name or the port's). */
QLW_API const char *qlw_session_name(const qlw_session *s);

/** @brief True while the transport is lost and not back yet (see @ref s_port). */
QLW_API bool qlw_port_lost(const qlw_session *s);

/**
 * @brief Copies the session's counters (see @ref qlw_session_stats).
 * @return QLW_OK or QLW_ERR_ARG (NULL).
 */
QLW_API int qlw_get_stats(const qlw_session *s, qlw_session_stats *out);

/* ---------------------------------------------------------- event loop */

/** @brief Pollable descriptor of the transport, or -1 (none, or the port is lost). */
QLW_API int qlw_fd(qlw_session *s);

/**
 * @brief Does all due work without blocking.
 * @return QLW_OK; the transport's error on the call in which the port was lost
 *         (the session goes on and a later call reopens it: see @ref s_port);
 *         QLW_ERR_STATE from inside a callback.
 */
QLW_API int qlw_process(qlw_session *s);

/** @brief Ms until qlw_process() is due without input; -1 when nothing is timed. */
QLW_API int32_t qlw_next_timeout_ms(qlw_session *s);

/** @brief Waits for input up to @p max_ms (or the next deadline), then processes. */
QLW_API int qlw_poll(qlw_session *s, uint32_t max_ms);

/* --------------------------------------------------- goals (non-blocking) */

/** @brief Asks for the network: radio on, APN/band if given, `AT+CGATT=1`. @return QLW_OK or
 * QLW_ERR_ARG. */
QLW_API int qlw_request_attach(qlw_session *s, const qlw_attach_opts *opts);

/** @brief Asks for this CDP server (set with the radio off, then `AT+NRB`, only if different). */
QLW_API int qlw_request_cdp(qlw_session *s, const char *addr, uint16_t port);

/** @brief Asks to be registered (attaching first if needed). */
QLW_API int qlw_request_register(qlw_session *s);

/** @brief Asks to deregister (`AT+QLWSREGIND=1`). */
QLW_API int qlw_request_deregister(qlw_session *s);

/**
 * @brief Queues an uplink; it goes out in order once READY.
 *
 * With a store the uplink is handed over at the next qlw_process() (or
 * blocking call), not from inside this call, so that the application may
 * queue inside its own transaction on the store's database.
 * @param s    The session.
 * @param data Payload (copied into the queue).
 * @param len  Payload bytes, 1..QLW_NEUL_PAYLOAD_MAX.
 * @param mode How to send it.
 * @param[out] id Receives its id (for the report), may be NULL.
 * @return QLW_OK (with a store: the uplink is durable, see store.h);
 *         QLW_ERR_ARG (empty, longer than QLW_NEUL_PAYLOAD_MAX, bad mode);
 *         QLW_ERR_QUEUE_FULL (nothing queued; try again after a report);
 *         QLW_ERR_STORE (the store could not keep it: nothing queued;
 *         qlw_errmsg() names the file and the problem);
 *         QLW_ERR_UNSUPPORTED on an AT+QLWCFG (LTE) module, whose client has
 *         no application-data command (uplinks queued before the dialect was
 *         detected are reported with this error then).
 */
QLW_API int qlw_queue_uplink(qlw_session *s, const uint8_t *data, size_t len, qlw_uplink_mode mode,
                             uint32_t *id);

/** @brief Options of qlw_queue_uplink_opts(). */
typedef struct qlw_uplink_opts {
    qlw_uplink_mode mode; /**< How to send it. */
    uint32_t deadline_ms; /**< Not handed to the module within this many ms of queueing: it is
                               reported @ref QLW_OUTCOME_EXPIRED (result QLW_ERR_TIMEOUT) at
                               that time and never sent. 0 = no deadline. With a store the
                               deadline is kept in wall-clock time across restarts. The
                               deadline covers the first handover only: once handed over, an
                               uplink is followed to its report. At most 2147483647. */
} qlw_uplink_opts;

/**
 * @brief Queues an uplink with options (a deadline); as qlw_queue_uplink() otherwise.
 * @param s    The session.
 * @param data Payload (copied into the queue).
 * @param len  Payload bytes, 1..QLW_NEUL_PAYLOAD_MAX.
 * @param opts Mode and deadline (NULL: QLW_UPLINK_NON, no deadline).
 * @param[out] id Receives its id, may be NULL.
 * @return as qlw_queue_uplink(); QLW_ERR_ARG for a deadline above 2147483647 ms.
 */
QLW_API int qlw_queue_uplink_opts(qlw_session *s, const uint8_t *data, size_t len,
                                  const qlw_uplink_opts *opts, uint32_t *id);

/** @brief Uplinks queued or in flight (not reported yet). */
QLW_API size_t qlw_uplinks_pending(const qlw_session *s);

/** @brief Uplinks handed to the module whose fate is not known yet (0 or 1): the
 *  command is in flight, or the session waits for `+NSMI` / `+QLWULDATASTATUS`. */
QLW_API size_t qlw_uplinks_in_flight(const qlw_session *s);

/**
 * @brief Stops handing uplinks to the module. The one in flight is followed
 *        until the module has said what became of it (its final result,
 *        `+NSMI`, `+QLWULDATASTATUS`, `AT+QLWULDATASTATUS?`) and reported;
 *        if that stays uncertain it is not handed over again while paused
 *        (qlw_close() then reports it unknown; after qlw_resume() it goes
 *        again, flagged possible_duplicate). An uplink whose command the
 *        engine still holds back (it first resynchronises after a timeout:
 *        see at.h) has not reached the module: it is taken back and stays
 *        at the head of the queue, not in flight. The others stay queued.
 *        Queueing still works. Idempotent.
 * @return QLW_OK, or QLW_ERR_ARG for NULL.
 */
QLW_API int qlw_pause(qlw_session *s);

/** @brief Undoes qlw_pause(): queued uplinks go out again. @return QLW_OK or QLW_ERR_ARG. */
QLW_API int qlw_resume(qlw_session *s);

/* ------------------------------------------------------------ blocking */

/**
 * @brief Attaches: `AT+CFUN?`; APN (`AT+CGDCONT`, with the radio off when it
 *        must change) and band (`AT+NBAND`) if asked; `AT+CFUN=1` (up to 85 s);
 *        `AT+CGATT=1`; then waits for `+CEREG` 1 or 5 (polling `AT+CEREG?`).
 * @return QLW_OK; QLW_ERR_DENIED (`+CEREG` stat 3: the network refused; the
 *         reject cause is in qlw_errmsg()); QLW_ERR_TIMEOUT; QLW_ERR_ARG (bad
 *         APN); a command's error; QLW_ERR_STATE from inside a callback.
 */
QLW_API int qlw_attach(qlw_session *s, const qlw_attach_opts *opts, uint32_t timeout_ms);

/**
 * @brief Points the module at a CDP/LwM2M server: reads `AT+NCDP?`; when
 *        different, `AT+CFUN=0`, `AT+NCDP=<addr>,<port>`, `AT+NRB`, setup, and
 *        reads it back. The address must be a dotted IPv4 literal.
 * @return QLW_OK; QLW_ERR_ARG (bad address or port: nothing sent); QLW_ERR_TIMEOUT;
 *         a command's error; QLW_ERR_UNSUPPORTED on an AT+QLWCFG (LTE) module
 *         (configure it with qlw_qlwcfg_set_security() on qlw_session_at()).
 */
QLW_API int qlw_set_cdp(qlw_session *s, const char *addr, uint16_t port, uint32_t timeout_ms);

/**
 * @brief Registers: attaches if needed, `AT+QLWSREGIND=0`, waits for
 *        `+QLWEVTIND:0` (REGISTERED). Uplinks still need READY. On an
 *        AT+QLWCFG (LTE) module: `AT+QLWREG` (BG95: `AT+QLWSVC="reg",1`), and
 *        the session is READY once `+QLWURC: "ready","successfully"` arrives.
 * @return QLW_OK, QLW_ERR_TIMEOUT, a command's error.
 */
QLW_API int qlw_register(qlw_session *s, uint32_t timeout_ms);

/** @brief Waits until READY (`+QLWEVTIND:3`). @return QLW_OK or QLW_ERR_TIMEOUT. */
QLW_API int qlw_wait_ready(qlw_session *s, uint32_t timeout_ms);

/**
 * @brief Deregisters: `AT+QLWSREGIND=1` and waits for `+QLWEVTIND:1` (LTE:
 *        `AT+QLWDEREG`, waits for `+QLWURC: "deregister"`).
 * @return QLW_OK, QLW_ERR_TIMEOUT or a command's error.
 */
QLW_API int qlw_deregister(qlw_session *s, uint32_t timeout_ms);

/**
 * @brief Queues an uplink and waits for its fate: for NON until the module
 *        accepted it, for CON until the server acknowledged it or it failed.
 * @param s          The session.
 * @param data       Payload.
 * @param len        Payload bytes, 1..QLW_NEUL_PAYLOAD_MAX.
 * @param mode       How to send it.
 * @param timeout_ms Longest wait.
 * @param[out] report Receives the report (may be NULL).
 * @return QLW_OK; the errors of qlw_queue_uplink(); QLW_ERR_FAILED (CON
 *         failed after its retries); QLW_ERR_CME (refused, e.g. 50);
 *         QLW_ERR_TIMEOUT: not finished in time: the uplink STAYS QUEUED and
 *         its report will come through the uplink callback.
 */
QLW_API int qlw_send_uplink(qlw_session *s, const uint8_t *data, size_t len, qlw_uplink_mode mode,
                            uint32_t timeout_ms, qlw_uplink_report *report);

/** @brief `AT+NRB` and waits until the module is set up again. */
QLW_API int qlw_reboot(qlw_session *s, uint32_t timeout_ms);

#ifdef __cplusplus
}
#endif
#endif /* QLWM2M_SESSION_H */
