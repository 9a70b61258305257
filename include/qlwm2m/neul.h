/**
 * @file neul.h
 * @brief The BC68 family (BC68, BC95-G, BC95, BC35-G, BC28: HiSilicon "Neul"
 *        firmware): URC decoders, error codes, and typed blocking calls on an
 *        AT engine handle.
 *
 * The firmware calls the LwM2M server it registers with the "CDP server"
 * (Connected Device Platform, Huawei's name; see session.h, "Words").
 *
 * Most programs use the session (session.h), which drives these for them. The
 * calls here are for programs that want one command at a time: each sends the
 * AT command it names, waits up to the stated timeout (or the one given), and
 * parses the answer. They return QLW_OK or a negative @ref qlw_err code:
 * - the error of qlw_at_exec() for the first command that failed
 *   (QLW_ERR_MODEM for `ERROR`, QLW_ERR_CME for `+CME ERROR: n` with n in
 *   qlw_at_last_response(), QLW_ERR_TIMEOUT, QLW_ERR_REBOOTED, QLW_ERR_IO ...);
 * - QLW_ERR_PARSE when an answer lacks the line it must carry or the line
 *   has the wrong shape;
 * - QLW_ERR_ARG for a NULL handle or output, or an argument out of range;
 * - QLW_ERR_BUSY while a command started with qlw_at_send() is in flight;
 * - QLW_ERR_STATE when called from inside an engine callback.
 *
 * Outputs are only meaningful when the call returned QLW_OK.
 *
 * The decoders take a line and its length (the line need not be
 * NUL-terminated and may hold any bytes); they return QLW_ERR_ARG for NULL
 * pointers and QLW_ERR_PARSE for anything that is not the documented shape
 * with every number in its documented range.
 *
 * Shapes the module prints (no space after `:` except in `+CME ERROR: n`,
 * unquoted hex TAC/CI, `Neul ` with a trailing space, the firmware's own
 * misspellings such as `INIITIALISED`) are accepted, and so are the spaced
 * forms that emulations print (one space after the `:`).
 */
#ifndef QLWM2M_NEUL_H
#define QLWM2M_NEUL_H

#include "qlwm2m/at.h"
#include "qlwm2m/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Largest uplink payload, bytes. The reference caps NMGS at 512; QLWULDATA's own
 *         limit is unconfirmed, so the same cap applies to every uplink command. */
#define QLW_NEUL_PAYLOAD_MAX 512

/**
 * @brief Fills an engine config for this family: the default sizes of
 *        qlw_at_config_default(), `boot_end` "OK", and a static URC table
 *        with every URC prefix of the family (`+QLWEVTIND`,
 *        `+QLWULDATASTATUS`, `+CEREG`, `+CSCON`, `+NPSMR`, `+NNMI`, `+NSMI`,
 *        `+NPING`, `+NPINGERR`, `+CEDRXP`, `+NSONMI`, `+NSOSTR`, `+NSOCLI`)
 *        and, flagged @ref QLW_URC_REBOOT, the lines that start a boot
 *        banner: `REBOOTING`, `Boot:` (V150), `REBOOT_CAUSE_` (the B657 banner has no
 *        `Boot:` line) and `Neul`. The `Verified` lines need no entry: they
 *        follow `Boot:`, when the engine is already in the banner.
 * @param cfg Config to fill (NULL is ignored).
 */
QLW_API void qlw_neul_at_config(qlw_at_config *cfg);

/* --------------------------------------------------------------- events */

/** @brief `+QLWEVTIND:<type>` values. */
typedef enum qlw_lwm2m_event {
    QLW_EVT_REGISTERED = 0,       /**< Register completed. Not yet ready to send. */
    QLW_EVT_DEREGISTERED = 1,     /**< Deregister completed. */
    QLW_EVT_UPDATED = 2,          /**< Registration updated. */
    QLW_EVT_READY = 3,            /**< /19/0/0 observed: uplinks may go now. */
    QLW_EVT_BOOTSTRAPPED = 4,     /**< Bootstrap completed. */
    QLW_EVT_FOTA_OBSERVED = 5,    /**< /5/0/3 observed. */
    QLW_EVT_FOTA_URL = 6,         /**< FOTA package URL received. */
    QLW_EVT_FOTA_DOWNLOADED = 7,  /**< FOTA download completed. */
    QLW_EVT_OBSERVE_CANCELLED = 9 /**< /19/0/0 observe cancelled: no longer ready. */
} qlw_lwm2m_event;

/**
 * @brief Name of a `+QLWEVTIND` value: "registered", "deregistered",
 *        "updated", "ready", "bootstrapped", "fota_observed", "fota_url",
 *        "fota_downloaded", "observe_cancelled"; "unknown" otherwise (8 too:
 *        its meaning differs between sources).
 */
QLW_API const char *qlw_lwm2m_event_str(int ev);

/**
 * @brief Decodes `+QLWEVTIND:<type>` (or `+QLWEVTIND: <type>`).
 * @param line The line (need not be NUL-terminated).
 * @param len  Its length.
 * @param[out] ev Receives the type.
 * @return QLW_OK with any integer 0..255 in @p ev (unknown values such as 8
 *         and 255 included), QLW_ERR_PARSE or QLW_ERR_ARG.
 */
QLW_API int qlw_neul_parse_qlwevtind(const char *line, size_t len, int *ev);

/** @brief `+QLWULDATASTATUS:<status>` values (CON uplink fate). */
typedef enum qlw_uplink_status {
    QLW_UPLINK_NOT_SENT = 0,    /**< Not sent yet. */
    QLW_UPLINK_WAITING = 1,     /**< Sent, waiting for the server's ACK. */
    QLW_UPLINK_SEND_FAILED = 2, /**< Sending failed. */
    QLW_UPLINK_TIMEOUT = 3,     /**< No ACK in time. */
    QLW_UPLINK_DELIVERED = 4,   /**< ACK received. */
    QLW_UPLINK_RESET = 5        /**< The server answered with a CoAP reset. */
} qlw_uplink_status;

/**
 * @brief Name of a `+QLWULDATASTATUS` value: "not_sent", "waiting",
 *        "send_failed", "timeout", "delivered", "reset"; "unknown" otherwise.
 */
QLW_API const char *qlw_uplink_status_str(int status);

/**
 * @brief Decodes `+QLWULDATASTATUS:<status>[,<seq>]`.
 * @param line The line (need not be NUL-terminated).
 * @param len  Its length.
 * @param[out] status Receives the status, a @ref qlw_uplink_status value.
 * @param[out] seq Receives the sequence number, or 0 when absent.
 * @return QLW_OK, QLW_ERR_PARSE (status outside 0..5, seq outside 0..255) or
 *         QLW_ERR_ARG.
 */
QLW_API int qlw_neul_parse_uldatastatus(const char *line, size_t len, int *status, int *seq);

/** @brief Network registration as reported by `+CEREG`. */
typedef struct qlw_cereg {
    int n;            /**< URC mode (read form only), else -1. */
    int stat;         /**< 0 not searching, 1 home, 2 searching, 3 denied, 4 unknown, 5 roaming. */
    uint32_t tac;     /**< Tracking area code (16 bits) when @ref has_cell, else 0. */
    uint32_t ci;      /**< Cell id (28 bits) when @ref has_cell, else 0. */
    int act;          /**< Access technology (9 NB-S1; 7 on old BC95), or -1. */
    int cause_type;   /**< Reject cause type, or -1. */
    int reject_cause; /**< Reject cause (e.g. 11 PLMN not allowed), or -1. */
    bool has_cell;    /**< tac and ci were present. */
} qlw_cereg;

/**
 * @brief Decodes a `+CEREG` line in URC form (`+CEREG:<stat>[,...]`) or, with
 *        @p read_form, the answer to `AT+CEREG?` (`+CEREG:<n>,<stat>[,...]`).
 *
 * After `<stat>` come either nothing, or `<tac>,<ci>,<AcT>`, optionally
 * followed by `<cause_type>,<reject_cause>` (n=3) and then by
 * `<Active-Time>,<Periodic-TAU>` (n=4, 5), so a URC has 1, 4, 6 or 8
 * fields and a read answer one more. Empty fields are accepted
 * (`+CEREG:5,1,213D,0318886E,9,,,,`); TAC and CI are unquoted or quoted hex,
 * both present or both empty. Ranges: n 0..5, stat 0..5, TAC up to 4 digits,
 * CI up to 0x0FFFFFFF, AcT 0..9, cause_type 0..1, reject_cause 0..255, timers
 * 8 binary digits.
 * @param line      The line (need not be NUL-terminated).
 * @param len       Its length.
 * @param read_form The line answers `AT+CEREG?` (it starts with `<n>`).
 * @param[out] out  Receives the registration.
 * @return QLW_OK, QLW_ERR_PARSE or QLW_ERR_ARG.
 */
QLW_API int qlw_neul_parse_cereg(const char *line, size_t len, bool read_form, qlw_cereg *out);

/** @brief True when a `+CEREG` stat means registered (1 home, 5 roaming). */
static inline bool qlw_cereg_registered(int stat)
{
    return stat == 1 || stat == 5;
}

/**
 * @brief Name of a `+CEREG` stat: "not_registered", "registered_home",
 *        "searching", "denied", "unknown", "registered_roaming"; "invalid"
 *        outside 0..5.
 */
QLW_API const char *qlw_cereg_stat_str(int stat);

/**
 * @brief Decodes `+CSCON:<mode>` (URC) or `+CSCON:<n>,<mode>` (read form),
 *        n and mode 0..1.
 * @param line The line (need not be NUL-terminated).
 * @param len  Its length.
 * @param[out] connected 1 when the RRC connection is up, 0 when idle.
 * @return QLW_OK, QLW_ERR_PARSE or QLW_ERR_ARG.
 */
QLW_API int qlw_neul_parse_cscon(const char *line, size_t len, int *connected);

/**
 * @brief Decodes `+NPSMR:<mode>` (URC) or `+NPSMR:<n>,<mode>` (read form),
 *        n and mode 0..1.
 * @param line The line (need not be NUL-terminated).
 * @param len  Its length.
 * @param[out] psm 1 = the module entered PSM, 0 = awake.
 * @return QLW_OK, QLW_ERR_PARSE or QLW_ERR_ARG.
 */
QLW_API int qlw_neul_parse_npsmr(const char *line, size_t len, int *psm);

/**
 * @brief Decodes a downlink `+NNMI:<len>,<hex>` into @p buf.
 * @param line The line (need not be NUL-terminated).
 * @param len  Its length.
 * @param buf  Receives the bytes (may be NULL when @p size is 0).
 * @param size Size of @p buf.
 * @return the number of bytes (1..65535), 0 for the bare `+NNMI` (data waits
 *         for AT+NMGR), QLW_ERR_PARSE (len 0 or not a number, length and
 *         data disagree, bad hex, the read form `+NNMI:<status>`),
 *         QLW_ERR_OVERFLOW (does not fit @p size) or QLW_ERR_ARG.
 */
QLW_API int qlw_neul_parse_nnmi(const char *line, size_t len, uint8_t *buf, size_t size);

/**
 * @brief Decodes `+NSMI:SENT` (1) / `+NSMI:DISCARDED` (0).
 * @param line The line (need not be NUL-terminated).
 * @param len  Its length.
 * @param[out] sent Receives 1 for SENT, 0 for DISCARDED.
 * @return QLW_OK, QLW_ERR_PARSE (anything else, a trailing field included)
 *         or QLW_ERR_ARG.
 */
QLW_API int qlw_neul_parse_nsmi(const char *line, size_t len, int *sent);

/** @brief Result of `AT+NPING`. */
typedef struct qlw_ping_result {
    char addr[48]; /**< Address that answered ("" with an error). */
    int ttl;       /**< TTL of the reply (0 with an error). */
    int rtt_ms;    /**< Round trip, ms (0 with an error). */
    int error;     /**< 0 on success; 1 no reply (timeout), 2 could not send (from `+NPINGERR`). */
} qlw_ping_result;

/**
 * @brief Decodes `+NPING:<ip>,<ttl>,<rtt>` (dotted IPv4, ttl 0..255, rtt
 *        0..2147483647) or `+NPINGERR:<err>` (err 1..2).
 * @param line The line (need not be NUL-terminated).
 * @param len  Its length.
 * @param[out] out Receives the result (with an error: empty address, ttl and rtt 0).
 * @return QLW_OK, QLW_ERR_PARSE or QLW_ERR_ARG.
 */
QLW_API int qlw_neul_parse_nping(const char *line, size_t len, qlw_ping_result *out);

/** @brief `AT+NMSTATUS?` values (misspellings of the firmware included). */
typedef enum qlw_nmstatus {
    QLW_NM_UNKNOWN = 0,          /**< Text not recognised. */
    QLW_NM_UNINITIALISED,        /**< `UNINITIALISED`. */
    QLW_NM_MISSING_CONFIG,       /**< `MISSING_CONFIG`: no CDP server set. */
    QLW_NM_INITIALISING,         /**< `INITIALISING` (firmware: `INIITIALISING`). */
    QLW_NM_INITIALISED,          /**< `INITIALISED` (firmware: `INIITIALISED`). */
    QLW_NM_INIT_FAILED,          /**< `INIT_FAILED`. */
    QLW_NM_REGISTERING,          /**< `REGISTERING`. */
    QLW_NM_REREGISTERING,        /**< `REREGISTERING`. */
    QLW_NM_REGISTERED,           /**< `REGISTERED`: not yet observed. */
    QLW_NM_REREGISTERED,         /**< `REREGISTERED`. */
    QLW_NM_MO_DATA_ENABLED,      /**< `MO_DATA_ENABLED`: /19/0/0 observed, uplinks may go. */
    QLW_NM_NO_UE_IP,             /**< `NO_UE_IP`: not attached. */
    QLW_NM_MEMORY_ERROR,         /**< `MEMORY_ERROR`. */
    QLW_NM_COAP_ERROR,           /**< `COAP_ERROR`. */
    QLW_NM_MSG_SEND_FAILED,      /**< `MSG_SEND_FAILED`. */
    QLW_NM_REJECTED_BY_SERVER,   /**< `REJECTED_BY_SERVER`. */
    QLW_NM_TIMEOUT_AND_RETRYING, /**< `TIMEOUT_AND_RETRYING`. */
    QLW_NM_TIMEOUT_AND_FAILED,   /**< `TIMEOUT_AND_FAILED`. */
    QLW_NM_REG_FAILED,           /**< `REG_FAILED` (emulations). */
    QLW_NM_DEREG_FAILED          /**< `DEREG_FAILED` (emulations). */
} qlw_nmstatus;

/**
 * @brief Name of an NMSTATUS value as the enum spells it ("MO_DATA_ENABLED",
 *        "INITIALISED" for the firmware's `INIITIALISED`); "UNKNOWN" for
 *        QLW_NM_UNKNOWN and values outside the enum.
 */
QLW_API const char *qlw_nmstatus_str(qlw_nmstatus st);

/**
 * @brief Decodes `+NMSTATUS:<text>` by substring match, so `INIITIALISED`
 *        and `INIITIALISING` (the firmware's spelling) are recognised.
 * @param line The line (need not be NUL-terminated).
 * @param len  Its length.
 * @param[out] out Receives the status.
 * @return QLW_OK (unknown text gives QLW_NM_UNKNOWN), QLW_ERR_PARSE (not a
 *         `+NMSTATUS:` line, or empty text) or QLW_ERR_ARG.
 */
QLW_API int qlw_neul_parse_nmstatus(const char *line, size_t len, qlw_nmstatus *out);

/**
 * @brief The cause of a boot banner line `REBOOT_CAUSE_<X>`.
 * @param line NUL-terminated line (NULL is accepted).
 * @return the part after `REBOOT_CAUSE_` as printed, misspellings included
 *         ("APPLICATION_AT", "SEUCRITY_SCAN_ENTER_EXIT"), or NULL when the
 *         line is not a cause line or names no cause. Points into @p line.
 */
QLW_API const char *qlw_neul_reboot_cause(const char *line);

/* ----------------------------------------------------------- error codes */

/**
 * @brief Short name of a `+CME ERROR` number on this family ("TUP not
 *        registered" for 513); the 3GPP attach/PDP ranges 103..150 and
 *        171..182 have a generic name where no specific one is known;
 *        "unknown error" for numbers outside the table.
 */
QLW_API const char *qlw_cme_str(int code);

/**
 * @brief True for codes that mean "try again later" rather than "wrong":
 *        159 uplink busy, 536 UART buffer error, 537 back-off timer running.
 */
QLW_API bool qlw_cme_retryable(int code);

/* --------------------------------------------------------- typed calls */

/** @brief Which URCs qlw_neul_setup() switches on. */
typedef struct qlw_neul_setup_opts {
    int cereg_mode; /**< `AT+CEREG=<n>`, 0..5 (default 2: stat, TAC, CI, AcT). */
    bool cscon;     /**< `AT+CSCON=1` (false sends `AT+CSCON=0`). */
    bool npsmr;     /**< `AT+NPSMR=1` (false sends `AT+NPSMR=0`). */
    int nnmi;       /**< `AT+NNMI=<n>`: 0 buffer, 1 with data (default), 2 indication only. */
    bool nsmi;      /**< `AT+NSMI=1` (false sends `AT+NSMI=0`). */
} qlw_neul_setup_opts;

/** @brief Fills @p o with: CEREG 2, CSCON on, NPSMR on, NNMI 1, NSMI on. */
QLW_API void qlw_neul_setup_opts_default(qlw_neul_setup_opts *o);

/**
 * @brief Module setup after every boot: `AT` (up to 3 tries: the first `AT`
 *        after power-up may get `ERROR` or nothing), `ATE0`, `AT+CMEE=1`,
 *        `AT+CEREG=<n>`, `AT+CSCON=<0|1>`, `AT+NPSMR=<0|1>`, `AT+NNMI=<n>`,
 *        `AT+NSMI=<0|1>` (the module forgets them at reboot).
 *        1 s per command. While a boot banner is being received, it first
 *        waits for its end. @p opts NULL = defaults.
 * @return QLW_OK; QLW_ERR_ARG (cereg_mode outside 0..5, nnmi outside 0..2);
 *         the error of the last `AT` when none of the three got `OK`; or
 *         the error of the first later command that failed.
 */
QLW_API int qlw_neul_setup(qlw_at *at, const qlw_neul_setup_opts *opts);

/** @brief Module identity and firmware. */
typedef struct qlw_neul_info {
    char imei[20];     /**< `AT+CGSN=1`. */
    char imsi[20];     /**< `AT+CIMI` (empty without SIM). */
    char iccid[24];    /**< `AT+NCCID` (empty without SIM). */
    char model[32];    /**< `AT+CGMM`. */
    char revision[40]; /**< `AT+QGMR` (e.g. BC68JAR01A08), or the APPLICATION line of `AT+CGMR`. */
} qlw_neul_info;

/**
 * @brief Reads IMEI (`AT+CGSN=1`), IMSI (`AT+CIMI`), ICCID (`AT+NCCID`),
 *        model (`AT+CGMM`) and revision (`AT+QGMR`; when that is refused, as
 *        on B657 firmware without the Quectel commands, the value of the
 *        `APPLICATION` line of `AT+CGMR`), 1 to 2 s each.
 *
 * A SIM problem leaves IMSI/ICCID empty and is not an error: a plain
 * `ERROR` or `+CME ERROR` 10 (not inserted), 11 (PIN), 12 (PUK), 13
 * (failure), 531 (PIN blocked) or 532 (PUK blocked) on `AT+CIMI`/`AT+NCCID`.
 * @return QLW_OK; the first failing command's error otherwise;
 *         QLW_ERR_PARSE when an answer lacks its line or a value does not
 *         fit its field.
 */
QLW_API int qlw_neul_get_info(qlw_at *at, qlw_neul_info *out);

/**
 * @brief Radio figures. A figure the module did not print, or printed as
 *        -32768 (its "invalid" value), holds the unknown value given here.
 */
typedef struct qlw_neul_signal {
    int rssi_dbm;      /**< From `AT+CSQ` (2*rssi - 113), or 0 when unknown (99). */
    int rsrp_ddbm;     /**< `Signal power` of `AT+NUESTATS`, 0.1 dBm units, or -32768. */
    int rssi_ddbm;     /**< `Total power`, 0.1 dBm, or -32768. */
    int snr_ddb;       /**< `SNR`, 0.1 dB, or -32768. */
    int rsrq_ddb;      /**< `RSRQ`, 0.1 dB, or -32768. */
    uint32_t cell_id;  /**< `Cell ID` (decimal, 28 bits), or 0. */
    int pci;           /**< `PCI` 0..503, or -1. */
    int earfcn;        /**< `EARFCN` 0..262143, or -1. */
    int ecl;           /**< Coverage enhancement level 0..2, or -1. */
    int tx_power_ddbm; /**< `TX power`, 0.1 dBm, or -32768. */
} qlw_neul_signal;

/**
 * @brief `AT+CSQ` (1 s) and `AT+NUESTATS` (2 s). NUESTATS lines are
 *        `Name:value`, optionally prefixed `NUESTATS:RADIO,`; unknown names
 *        are skipped.
 * @return QLW_OK; QLW_ERR_PARSE when `+CSQ` or the `Signal power` line is
 *         missing, a value is not a number or lies outside the range of its
 *         field (powers -32767..32767); or the command's error.
 */
QLW_API int qlw_neul_get_signal(qlw_at *at, qlw_neul_signal *out);

/**
 * @brief `AT+CEREG?` (1 s): registration with the read-form `n` (decoded
 *        as qlw_neul_parse_cereg() with read_form). A `+CEREG` URC that
 *        arrives meanwhile is told apart by its field count and stays a URC.
 */
QLW_API int qlw_neul_get_cereg(qlw_at *at, qlw_cereg *out);

/** @brief `AT+CGATT?` (1 s): @p attached 1 or 0 (`+CGATT:<0|1>`). */
QLW_API int qlw_neul_get_cgatt(qlw_at *at, int *attached);

/** @brief `AT+CFUN?` (1 s): @p fun 0 radio off, 1 on (`+CFUN:<0|1>`). */
QLW_API int qlw_neul_get_cfun(qlw_at *at, int *fun);

/** @brief `AT+NMSTATUS?` (1 s), decoded as qlw_neul_parse_nmstatus(). */
QLW_API int qlw_neul_get_nmstatus(qlw_at *at, qlw_nmstatus *out);

/** @brief Message counters of `AT+NQMGS` and `AT+NQMGR`. */
typedef struct qlw_neul_counters {
    int pending;  /**< Uplinks not yet sent (`PENDING=`). */
    int sent;     /**< Uplinks sent (`SENT=`). */
    int error;    /**< Uplinks that failed (`ERROR=`). */
    int buffered; /**< Downlinks waiting for AT+NMGR (`BUFFERED=`). */
    int received; /**< Downlinks received (`RECEIVED=`). */
    int dropped;  /**< Downlinks dropped (`DROPPED=`). */
} qlw_neul_counters;

/**
 * @brief `AT+NQMGS` and `AT+NQMGR` (1 s each): bare lines of `NAME=<n>`
 *        fields, n 0..2147483647, every name present.
 */
QLW_API int qlw_neul_get_counters(qlw_at *at, qlw_neul_counters *out);

/**
 * @brief `AT+NCDP?` (1 s), answered `+NCDP:<ip>,<port>`.
 * @param at        Engine handle.
 * @param[out] addr Receives the server address, "" when none is set (the
 *                  module answers `ERROR` or `+CME ERROR` then; that is not
 *                  reported as one).
 * @param addr_size Size of @p addr.
 * @param[out] port Receives the port, 0 when none.
 * @return QLW_OK; QLW_ERR_ARG (NULL, @p addr_size 0); QLW_ERR_NOMEM (the
 *         address does not fit @p addr); QLW_ERR_PARSE (no `+NCDP` line,
 *         port outside 0..65535); timeouts and the like as usual.
 */
QLW_API int qlw_neul_get_cdp(qlw_at *at, char *addr, size_t addr_size, uint16_t *port);

/**
 * @brief Checks a CDP address: a dotted IPv4 literal (the module does not
 *        resolve names): exactly four decimal octets 0..255 of 1 to 3 digits
 *        without leading zeros, nothing before or after; port 1..65535.
 * @return QLW_OK or QLW_ERR_ARG.
 */
QLW_API int qlw_neul_check_cdp(const char *addr, uint16_t port);

/**
 * @brief Checks an APN: 1..62 characters of letters, digits, `-` and `.`
 *        (a quote, CR, LF, `;`, comma or space could inject a command or a
 *        parameter). "" is allowed (network default).
 * @return QLW_OK or QLW_ERR_ARG (anything else, NULL included).
 */
QLW_API int qlw_neul_check_apn(const char *apn);

/**
 * @brief Checks an uplink payload: 1..QLW_NEUL_PAYLOAD_MAX bytes.
 * @return QLW_OK or QLW_ERR_ARG (also for NULL @p data).
 */
QLW_API int qlw_neul_check_payload(const uint8_t *data, size_t len);

/**
 * @brief `AT+NRB` and waits for the boot banner to end (`REBOOTING` within
 *        10 s, then the banner's `OK` within 30 s). The banner lines reach
 *        the URC handlers as usual. Uses one event handler slot while it
 *        waits. Afterwards every volatile setting is lost: call
 *        qlw_neul_setup().
 * @return QLW_OK; QLW_ERR_TIMEOUT (no `REBOOTING`, or the banner did not
 *         end); QLW_ERR_NOMEM (no handler slot left); or the command's error.
 */
QLW_API int qlw_neul_reboot(qlw_at *at);

/**
 * @brief Pings an IPv4 address from the module and waits for the result.
 *
 * Sends `AT+NPING=<addr>` when @p size is 0 (module defaults), otherwise
 * `AT+NPING=<addr>,<size>,<timeout_ms>` (the module takes no timeout without
 * a size). Then waits for `+NPING` or `+NPINGERR` up to @p timeout_ms + 5 s
 * after the `OK`. Uses three handler slots while it waits.
 * @param at         Engine handle.
 * @param addr       Dotted IPv4 literal (checked as qlw_neul_check_cdp()).
 * @param size       Payload bytes 1..1500, 0 = module default.
 * @param timeout_ms Module's wait for the reply, 1..60000 ms; 0 = 10000.
 * @param[out] out   Result.
 * @return QLW_OK (then @p out->error says whether a reply came);
 *         QLW_ERR_ARG; QLW_ERR_TIMEOUT (no result URC); QLW_ERR_REBOOTED
 *         (the module rebooted while waiting); QLW_ERR_PARSE (a result URC
 *         of the wrong shape); QLW_ERR_NOMEM (no handler slots left); or the
 *         command's error.
 */
QLW_API int qlw_neul_ping(qlw_at *at, const char *addr, int size, uint32_t timeout_ms,
                          qlw_ping_result *out);

/**
 * @brief Decodes the answer of `AT+NMGR`: `<len>,<hex>` (e.g. `2,0503`).
 * @return the number of bytes, QLW_ERR_PARSE (length and data disagree, bad
 *         hex), QLW_ERR_OVERFLOW (does not fit @p size) or QLW_ERR_ARG.
 */
QLW_API int qlw_neul_parse_nmgr(const char *line, size_t len, uint8_t *buf, size_t size);

/**
 * @brief `AT+NMGR` (2 s): reads one buffered downlink (with `AT+NNMI=0` the
 *        module keeps them; with `AT+NNMI=2` it only announces them with a
 *        bare `+NNMI`).
 * @return the number of bytes, 0 when nothing is buffered (a bare `OK`), or
 *         the errors of qlw_neul_parse_nmgr() and of the command.
 */
QLW_API int qlw_neul_read_downlink(qlw_at *at, uint8_t *buf, size_t size);

/**
 * @brief `AT+QREGSWT?` (1 s): @p mode 0 manual (`AT+QLWSREGIND`), 1 automatic
 *        after attach, 2 the platform client disabled.
 */
QLW_API int qlw_neul_get_regswt(qlw_at *at, int *mode);

/**
 * @brief `AT+QREGSWT=<mode>` (2 s). Kept in NV; takes effect after a reboot
 *        (qlw_neul_reboot()). @return QLW_OK, QLW_ERR_ARG (mode outside 0..2)
 *        or the command's error.
 */
QLW_API int qlw_neul_set_regswt(qlw_at *at, int mode);

#ifdef __cplusplus
}
#endif
#endif /* QLWM2M_NEUL_H */
