/**
 * @file qlwcfg.h
 * @brief Quectel's LTE device-management LwM2M client (EC200U, EC200A, EG912N:
 *        `AT+QLWCFG` + `+QLWURC`; BG95/BG77: `AT+QLWCFG` + `AT+QLWSVC`), the set
 *        that QuecPython's `lwm2m` module wraps on the module itself, driven
 *        from the host; and dialect detection.
 *
 * Quectel uses the `AT+QLW...` prefix for four incompatible command sets
 * (dialects A to D, see @ref qlw_dialect). This header covers C and D, the
 * ones QuecPython's `lwm2m()` runs on, with one call per QuecPython call:
 *
 * | QuecPython                  | C call                     | AT (dialect C)                    |
 * |-----------------------------|----------------------------|-----------------------------------|
 * | `config(Security, [...])`   | qlw_qlwcfg_set_security()  | `AT+QLWCFG="security",...`        |
 * | `config(Server, [...])`     | qlw_qlwcfg_set_server()    | `AT+QLWCFG="server",...`          |
 * | `config(Epnamemode, [m])`   | qlw_qlwcfg_set_epname_mode() | `AT+QLWCFG="epname/mode",m`     |
 * | `config(Urc, [on])`         | qlw_qlwcfg_set_urc()       | `AT+QLWCFG="urc",on`              |
 * | `config(Fota, [dl, up])`    | qlw_qlwcfg_set_fota()      | `AT+QLWCFG="fota",dl,up`          |
 * | `config(Reset, [])`         | qlw_qlwcfg_reset()         | `AT+QLWCFG="reset"`               |
 * | `register()`                | qlw_qlwcfg_register()      | `AT+QLWREG`                       |
 * | `unregister()`              | qlw_qlwcfg_deregister()    | `AT+QLWDEREG`                     |
 * | `update(ssid)`              | qlw_qlwcfg_update()        | `AT+QLWUPDATE=<ssid>`             |
 * | `stat()`                    | qlw_qlwcfg_get_state()     | `AT+QLWSTAT?`                     |
 * | `register_call(cb)`         | qlw_parse_qlwurc() on `+QLWURC` URCs | (the URC stream)   |
 *
 * Every command whose syntax the public sources do not confirm is one row of
 * one table in lib/quectel/qlwcfg_cmd.c, so a correction from the field is a
 * one-line change; @ref unconfirmed lists those points.
 *
 * Results: each config call returns QLW_OK (QuecPython 0), a failure
 * (QLW_ERR_MODEM, QLW_ERR_CME, QLW_ERR_TIMEOUT ...: QuecPython -1), or
 * QLW_ERR_UNSUPPORTED when the firmware does not know the sub-option
 * (QuecPython -2). Arguments are validated before anything is sent
 * (QLW_ERR_ARG, nothing written).
 *
 * "Does not know" is decided per sub-option. Sub-options that firmware builds
 * differ in (`"epname/mode"`, `"fota"`, and `"urc"`, which dialect D lacks
 * although the `+QLWURC` events depend on it) map a plain `ERROR` and
 * `+CME ERROR: 4` (operation not supported) to QLW_ERR_UNSUPPORTED; the CME
 * number stays readable with qlw_at_last_response(). For every other command
 * an `ERROR` is a failure. A call the dialect has no command for returns
 * QLW_ERR_UNSUPPORTED without sending anything: in dialect D `"urc"`,
 * `"fota"` and `"reset"`; in every dialect other than C and D (AUTO
 * included), all of them.
 *
 * Dialect D (BG95) forms and their answers are unconfirmed (see @ref unconfirmed);
 * the calls send them as the command table has them.
 *
 * @section qlwcfg_secret The PSK key
 * qlw_qlwcfg_set_security() keeps the key out of the trace hook and out of
 * the command text of qlw_at_last_response(): while its command is in
 * flight the engine's trace hook is replaced by a filter that writes `***`
 * instead of the key's hex digits, in the command and in its echo, however
 * the bytes are cut into writes and reads; afterwards the original hook is
 * back and the response's command text reads `...,"***"`. A trace recorded
 * this way cannot be replayed byte for byte on that line. Set
 * qlw_lwm2m_security::show_key to see the key (debugging only).
 */
#ifndef QLWM2M_QLWCFG_H
#define QLWM2M_QLWCFG_H

#include "qlwm2m/at.h"
#include "qlwm2m/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------- dialects */

/** @brief Quectel LwM2M command sets. */
typedef enum qlw_dialect {
    QLW_DIALECT_AUTO = 0,        /**< Probe at start-up (qlw_detect_dialect()). */
    QLW_DIALECT_NEUL = 1,        /**< BC68 family: `AT+NCDP`, `AT+QLWSREGIND`, `+QLWEVTIND`. */
    QLW_DIALECT_MTK_A = 2,       /**< BC26/early BC66 `AT+QLWSERV` set (detected, not driven). */
    QLW_DIALECT_QLWCONFIG_B = 3, /**< BC66 `AT+QLWCONFIG` set (detected, not driven). */
    QLW_DIALECT_QLWCFG_C = 4,    /**< EC200U/EC200A/EG912N/EG25: `AT+QLWCFG` + `AT+QLWREG`. */
    QLW_DIALECT_QLWSVC_D = 5     /**< BG95/BG77/BG600L: `AT+QLWCFG` + `AT+QLWSVC`. */
} qlw_dialect;

/** @brief Stable name of a dialect: "auto", "neul", "mtk", "qlwconfig", "qlwcfg",
 *         "qlwsvc"; "unknown" for any other value. */
QLW_API const char *qlw_dialect_str(qlw_dialect d);

/**
 * @brief Probes which dialect the module speaks, stopping at the first
 *        answer that tells: `AT+QLWSVC=?` (OK: D), `AT+QLWCONFIG=?` (OK: B),
 *        `AT+QLWCFG=?` (its sub-option list: `"autostart"`, `"epns"` or
 *        `"pdpcid"`: D; `"epname/mode"`: C; `"auto_reg"` or `"access_mode"`:
 *        B; only `"dataformat"`: A), `AT+QLWSERV=?` (OK: A), `AT+NCDP?`
 *        (`+NCDP` and OK, or `+CME ERROR`, rather than the plain `ERROR` of
 *        an unknown command: the BC68 set). 1 s each.
 *
 * A plain `ERROR`, any `+CME`/`+CMS ERROR` and silence mean "absent". A
 * BC68 whose CDP address was never set answers `AT+NCDP?` with an error
 * code only after `AT+CMEE=1` (plain `ERROR` before), so send that first.
 * When the list is wanted and D or B was found before it, `AT+QLWCFG=?` is
 * sent as well.
 * @param at            The engine handle.
 * @param[out] out       The dialect, or QLW_DIALECT_AUTO when none matched.
 * @param[out] cfg_test  Optional buffer for the raw `AT+QLWCFG=?` lines
 *                       (joined by '\n', cut to fit; "" when the module
 *                       refused it or it was not sent).
 * @param cfg_test_size  Size of @p cfg_test.
 * @return QLW_OK (even when nothing matched), QLW_ERR_ARG, or what broke the
 *         exchange itself (QLW_ERR_IO, QLW_ERR_PORT_GONE, QLW_ERR_REBOOTED,
 *         QLW_ERR_BUSY, QLW_ERR_STATE); @p out then holds what was found so far.
 */
QLW_API int qlw_detect_dialect(qlw_at *at, qlw_dialect *out, char *cfg_test, size_t cfg_test_size);

/* --------------------------------------------------------------- config */

/**
 * @brief One LwM2M Security (/0) instance: QuecPython `config(Security, [...])`.
 *
 * Strings are printable ASCII without `"`, `;` or `\` (so without CR, LF or
 * any other control byte either): no value can close its quotes or add a
 * command.
 */
typedef struct qlw_lwm2m_security {
    int server_id;          /**< 0 bootstrap server, 1 DM server (C: 0..3; D: 0..5). */
    int short_server_id;    /**< 1..65535 (D: 1..65534; e.g. 100 bootstrap, 1000 DM). */
    const char *server_uri; /**< `coap://host:5683` or `coaps://host:5684`, at most 256 chars,
                                 no blanks; `coaps://` with modes 0 and 2, `coap://` with 3. */
    bool bootstrap;         /**< Bootstrap server; only with server_id 0. */
    int security_mode;      /**< 0 PSK, 2 certificate (some builds only), 3 none. */
    const char *psk_id;     /**< PSK identity: required with mode 0, else NULL or "";
                                 at most 128 chars. */
    const char *psk_key;    /**< PSK key as hex digits, an even number of them: required with
                                 mode 0, else NULL or ""; at most 64 bytes. Never traced. */
    bool show_key;          /**< Let the trace hook and qlw_at_last_response() see
                                 @ref psk_key (debugging only; see @ref qlwcfg_secret). */
} qlw_lwm2m_security;

/** @brief One LwM2M Server (/1) instance: QuecPython `config(Server, [...])`. */
typedef struct qlw_lwm2m_server {
    int server_id;              /**< As in the security instance. */
    uint32_t lifetime_s;        /**< 1..86400 (default 86400; D: at least 60). */
    uint32_t pmin_s;            /**< Default minimum period, 1..86400. */
    uint32_t pmax_s;            /**< Default maximum period, 1..86400 (default 86400). */
    uint32_t disable_timeout_s; /**< 1..86400. */
    bool storing;               /**< Store notifications while offline. */
    const char *binding;        /**< "U", "UQ", "S", "SQ", "US" or "UQS". */
} qlw_lwm2m_server;

/** @brief FOTA modes: QuecPython `config(Fota, [download, update])`. */
typedef struct qlw_lwm2m_fota {
    int download; /**< 0 or 1 (which one is automatic is unconfirmed; see @ref unconfirmed). */
    int update;   /**< 0 or 1. */
} qlw_lwm2m_fota;

/**
 * @brief Checks a security instance against every rule on its fields, with
 *        the ranges of the widest dialect (server_id 0..5, short_server_id
 *        1..65535); the set call also applies its dialect's own.
 * @param sec The instance to check.
 * @param why Optional buffer for a message naming the bad field
 *            ("psk_key: not an even number of hex digits").
 * @param why_size Size of @p why.
 * @return QLW_OK or QLW_ERR_ARG (an id out of range; a URI missing, longer
 *         than 256, with a blank, quote, `;`, `\` or control byte, with
 *         another scheme than coap/coaps or one that does not fit the mode;
 *         bootstrap with server_id != 0; a mode other than 0, 2, 3; PSK
 *         fields with mode 2 or 3, or missing or malformed with mode 0).
 */
QLW_API int qlw_qlwcfg_check_security(const qlw_lwm2m_security *sec, char *why, size_t why_size);

/**
 * @brief Checks a server instance: server_id 0..5, lifetime, pmin, pmax and
 *        disable timeout 1..86400, binding one of the six.
 * @param srv The instance to check.
 * @param why Optional buffer for a message naming the bad field.
 * @param why_size Size of @p why.
 * @return QLW_OK or QLW_ERR_ARG.
 */
QLW_API int qlw_qlwcfg_check_server(const qlw_lwm2m_server *srv, char *why, size_t why_size);

/**
 * @brief `AT+QLWCFG="security",<id>,<ssid>,"<uri>",<bs>,<mode>[,"<psk_id>","<psk_key>"]`
 *        (the PSK fields only with mode 0, as QuecPython sends them), 2 s.
 *        The key never reaches the trace (see @ref qlwcfg_secret).
 */
QLW_API int qlw_qlwcfg_set_security(qlw_at *at, qlw_dialect d, const qlw_lwm2m_security *sec);
/** @brief `AT+QLWCFG="server",<id>,<lifetime>,<pmin>,<pmax>,<disable>,<storing>,"<binding>"`
 *         (D: the order in the command table), 2 s. */
QLW_API int qlw_qlwcfg_set_server(qlw_at *at, qlw_dialect d, const qlw_lwm2m_server *srv);
/**
 * @brief `AT+QLWCFG="epname/mode",<mode>` (D: `AT+QLWCFG="epns",<mode>`), 2 s.
 *        C: 0..9 (3 = `urn:imei:<IMEI>`; builds accept different subsets,
 *        e.g. EG25-G 3, 6, 7); D: 0..1. Optional: `ERROR` gives QLW_ERR_UNSUPPORTED.
 */
QLW_API int qlw_qlwcfg_set_epname_mode(qlw_at *at, qlw_dialect d, int mode);
/** @brief `AT+QLWCFG="urc",<0|1>`: `+QLWURC` reporting, 2 s. Treated as optional
 *         (`ERROR`: QLW_ERR_UNSUPPORTED); D has no such command. */
QLW_API int qlw_qlwcfg_set_urc(qlw_at *at, qlw_dialect d, bool on);
/** @brief `AT+QLWCFG="fota",<download>,<update>`, 2 s. Optional (EG25-G 30.203
 *         lacks it: QLW_ERR_UNSUPPORTED); D has no such command. */
QLW_API int qlw_qlwcfg_set_fota(qlw_at *at, qlw_dialect d, const qlw_lwm2m_fota *fota);
/** @brief `AT+QLWCFG="reset"`: configuration back to defaults, 5 s. D has no such command. */
QLW_API int qlw_qlwcfg_reset(qlw_at *at, qlw_dialect d);

/* ------------------------------------------------------------ lifecycle */

/** @brief The five registration states of QuecPython's `stat()`. */
typedef enum qlw_lwm2m_state {
    QLW_LWM2M_NOT_REGISTERED = 0, /**< Not registered. */
    QLW_LWM2M_REGISTERING = 1,    /**< Registering. */
    QLW_LWM2M_REGISTERED = 2,     /**< Registered. */
    QLW_LWM2M_DEREGISTERING = 3,  /**< Deregistering. */
    QLW_LWM2M_REG_FAILED = 4      /**< Registration failed. */
} qlw_lwm2m_state;

/** @brief Stable name of a state: "not_registered", "registering", "registered",
 *         "deregistering", "reg_failed"; "unknown" for any other value. */
QLW_API const char *qlw_lwm2m_state_str(int state);

/** @brief `AT+QLWREG` (D: `AT+QLWSVC="reg",1`), 5 s for the OK; the outcome comes as `+QLWURC`. */
QLW_API int qlw_qlwcfg_register(qlw_at *at, qlw_dialect d);
/** @brief `AT+QLWDEREG` (D: `AT+QLWSVC="dereg",1`), 5 s. */
QLW_API int qlw_qlwcfg_deregister(qlw_at *at, qlw_dialect d);
/** @brief `AT+QLWUPDATE=<ssid>` (D: `AT+QLWSVC="update",<ssid>,1`), 5 s. @p ssid 1..65535
 *         (D: 1..65534). */
QLW_API int qlw_qlwcfg_update(qlw_at *at, qlw_dialect d, int ssid);
/**
 * @brief `AT+QLWSTAT?` (D: `AT+QLWSVC="state",1`), 2 s. The state is the last
 *        field of the answer line (`+QLWSTAT: <n>`).
 * @return QLW_OK, QLW_ERR_PARSE (no answer line, or a value outside 0..4), or
 *         the failures of the other calls.
 */
QLW_API int qlw_qlwcfg_get_state(qlw_at *at, qlw_dialect d, qlw_lwm2m_state *out);

/* ---------------------------------------------------------------- +QLWURC */

/** @brief Known `+QLWURC` events. */
typedef enum qlw_qlwurc_kind {
    QLW_QLWURC_UNKNOWN = 0,         /**< Anything else: see @ref qlw_qlwurc::name. */
    QLW_QLWURC_PDP_ACTIVE,          /**< `"pdp active",<result>,<APN>` */
    QLW_QLWURC_INITIAL,             /**< `"initial",<result>,<SSID>` */
    QLW_QLWURC_DTLS,                /**< `"dtls",<result>,<SSID>` */
    QLW_QLWURC_BOOTSTRAPING,        /**< `"bootstraping"` (sic) */
    QLW_QLWURC_BOOTSTRAP,           /**< `"bootstrap",<result>,<SSID>` */
    QLW_QLWURC_REGISTERING,         /**< `"registering"` */
    QLW_QLWURC_READY,               /**< `"ready",<result>,<SSID>` */
    QLW_QLWURC_UPDATE,              /**< `"update",<result>,<SSID>` */
    QLW_QLWURC_DEREGISTER,          /**< `"deregister",<SSID>,<code>` or `"deregister",<code>` */
    QLW_QLWURC_FOTA_PKGURL,         /**< `"fota/pkgurl",<url>` */
    QLW_QLWURC_APN_CHANGED,         /**< `"apn_changed",<APN>` */
    QLW_QLWURC_USER_NAME_CHANGED,   /**< `"user_name_changed",<user>` */
    QLW_QLWURC_SECRET_CHANGED,      /**< `"secret_changed",<password>` (value never logged) */
    QLW_QLWURC_AUTH_TYPE_CHANGED,   /**< `"authentication_type_changed",...` */
    QLW_QLWURC_LIFETIME_CHANGED,    /**< `"lifetime_changed",<lifetime>` */
    QLW_QLWURC_CURRENT_TIME_CHANGED /**< `"current_time_changed",<date_time>` */
} qlw_qlwurc_kind;

/** @brief Stable name of an event kind: the module's own string ("pdp active",
 *         "fota/pkgurl", ...); "unknown" for QLW_QLWURC_UNKNOWN and any other value. */
QLW_API const char *qlw_qlwurc_kind_str(qlw_qlwurc_kind kind);

/** @brief A decoded `+QLWURC` line. */
typedef struct qlw_qlwurc {
    qlw_qlwurc_kind kind; /**< Which event. */
    char name[40];        /**< The event string as printed, unquoted (cut to fit). */
    int result;           /**< 1 "successfully" (or "success"), 0 "failed" (or "fail"),
                               -1 absent or anything else (a number included). */
    int ssid;             /**< Short server id 0..65535 (0 = all servers), or -1. */
    int code;             /**< Deregister code 0..255 (0 success, 1 failure, 3 unknown
                               error), or -1. */
    char value[260];      /**< The text argument (APN, URL, user, lifetime, time), unquoted
                               and cut to fit; "" for `"secret_changed"`. */
    size_t argc;          /**< Number of arguments after the event string. */
} qlw_qlwurc;

/**
 * @brief Decodes `+QLWURC: "<event>"[,<arg>...]`.
 *
 * Quotes, the space after the colon and blanks around fields are optional;
 * event names are compared without regard to case, and `"bootstrapping"`
 * counts as `"bootstraping"`. Where the fields go:
 * - `"pdp active",<result>,<APN>`: result, value;
 * - `"initial"`, `"dtls"`, `"bootstrap"`, `"ready"`, `"update"`
 *   `,<result>,<SSID>`: result, ssid;
 * - `"deregister",<SSID>,<code>` or `"deregister",<code>`: ssid, code;
 * - `"fota/pkgurl"`, `"apn_changed"`, `"user_name_changed"`,
 *   `"authentication_type_changed"`, `"lifetime_changed"`,
 *   `"current_time_changed"`, and unknown events: value is the one
 *   argument unquoted, or, with several, the arguments as printed (an
 *   unquoted date with a comma stays whole);
 * - `"secret_changed",<password>`: only argc; the password is not copied.
 * A field that is not the expected word or number leaves its member at -1.
 * @param line The line (need not be NUL-terminated).
 * @param len  Its length.
 * @param[out] out Receives the event.
 * @return QLW_OK, QLW_ERR_PARSE (not a `+QLWURC:` line, no event string, or a
 *         quote around it that never closes) or QLW_ERR_ARG (NULL).
 */
QLW_API int qlw_parse_qlwurc(const char *line, size_t len, qlw_qlwurc *out);

/**
 * @brief Fills an engine config for this family: the defaults of
 *        qlw_at_config_default(), a URC table with `+QLWURC`, `+CEREG`,
 *        `+CSCON`, `+QIND`, `+CFUN`, `+CPIN`, `+QUSIM`, and `RDY` flagged
 *        @ref QLW_URC_REBOOT and @ref QLW_URC_BOOT_END (the `RDY` line fails the
 *        command in flight with "module rebooted" and is the whole banner, so
 *        the next command can go at once).
 * @param cfg Config to fill (NULL is ignored).
 */
QLW_API void qlw_qlwcfg_at_config(qlw_at_config *cfg);

/**
 * @brief Fills an engine config that understands every Quectel family at once
 *        (the BC68 banner ended by `OK`, the LTE `RDY`, both URC sets): the
 *        session's default, for a program that detects its module.
 */
QLW_API void qlw_quectel_at_config(qlw_at_config *cfg);

#ifdef __cplusplus
}
#endif
#endif /* QLWM2M_QLWCFG_H */
