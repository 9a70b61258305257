/*
 * Decoders of the family's URCs and read answers, and the names of their
 * values. Every decoder works on (line, len) without reading past len and
 * rejects anything outside the documented shape and ranges: they see raw
 * module output and are fuzzed.
 */
#include <string.h>

#include "qlw_text.h"
#include "qlwm2m/neul.h"
#include "quectel/neul_internal.h"

/* Longest field list: the +CEREG read form with n=4 or n=5. */
#define NEUL_FIELDS_MAX 9

/* ------------------------------------------------------------ helpers */

/* Where the arguments of "<name>:<args>" start (one optional space after
 * the colon), or QLW_ERR_PARSE when the line belongs to another name. */
static int args_start(const char *line, size_t len, const char *name, size_t *start)
{
    size_t n = strlen(name);

    if (len <= n || memcmp(line, name, n) != 0 || line[n] != ':')
        return QLW_ERR_PARSE;
    *start = n + 1;
    if (*start < len && line[*start] == ' ')
        (*start)++;
    return QLW_OK;
}

int qlw_neul_split(const char *line, size_t len, const char *name, qlw_at_field *f, size_t max,
                   size_t *count)
{
    size_t start;
    int n;

    if (line == NULL)
        return QLW_ERR_ARG;
    if (args_start(line, len, name, &start) != QLW_OK)
        return QLW_ERR_PARSE;
    n = qlw_at_split(line, len, f, max);
    if (n <= 0)
        return QLW_ERR_PARSE; /* no arguments, bad quoting, too many fields */
    *count = (size_t)n;
    return QLW_OK;
}

/* An unquoted decimal number in [min, max]; none of these carries a sign. */
static int dec_field(const qlw_at_field *f, long min, long max, long *out)
{
    if (f->quoted || f->len == 0 || f->ptr[0] < '0' || f->ptr[0] > '9')
        return QLW_ERR_PARSE;
    return qlw_at_field_int(f, min, max, out) == QLW_OK ? QLW_OK : QLW_ERR_PARSE;
}

int qlw_neul_dec_int(const qlw_at_field *f, long min, long max, int *out)
{
    long v;

    if (dec_field(f, min, max, &v) != QLW_OK)
        return QLW_ERR_PARSE;
    *out = (int)v;
    return QLW_OK;
}

/* Like dec_int, but an empty field gives -1. */
static int opt_dec_int(const qlw_at_field *f, long min, long max, int *out)
{
    if (f->len == 0) {
        *out = -1;
        return QLW_OK;
    }
    return qlw_neul_dec_int(f, min, max, out);
}

/* Hex of at most max_digits digits and at most max_value. */
static int hex_field(const qlw_at_field *f, size_t max_digits, uint32_t max_value, uint32_t *out)
{
    if (f->len > max_digits || qlw_at_field_hex32(f, out) != QLW_OK || *out > max_value)
        return QLW_ERR_PARSE;
    return QLW_OK;
}

static bool all_hex(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = p[i];

        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

/* A name from a table indexed by value, or dflt. */
static const char *table_name(const char *const *names, size_t count, int v, const char *dflt)
{
    if (v < 0 || (size_t)v >= count || names[v] == NULL)
        return dflt;
    return names[v];
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------- +QLWEVTIND */

int qlw_neul_parse_qlwevtind(const char *line, size_t len, int *ev)
{
    qlw_at_field f[1];
    size_t n;
    int rc;

    if (ev == NULL)
        return QLW_ERR_ARG;
    rc = qlw_neul_split(line, len, "+QLWEVTIND", f, COUNT(f), &n);
    if (rc != QLW_OK)
        return rc;
    return qlw_neul_dec_int(&f[0], 0, 255, ev);
}

const char *qlw_lwm2m_event_str(int ev)
{
    QLW_NAME_NONE(ev);
    /* 8 stays unnamed: demos use it for "cancel observe", an emulator for
     * "registration failed", and Quectel's own list skips it. */
    static const char *const names[] = {
        [QLW_EVT_REGISTERED] = "registered",
        [QLW_EVT_DEREGISTERED] = "deregistered",
        [QLW_EVT_UPDATED] = "updated",
        [QLW_EVT_READY] = "ready",
        [QLW_EVT_BOOTSTRAPPED] = "bootstrapped",
        [QLW_EVT_FOTA_OBSERVED] = "fota_observed",
        [QLW_EVT_FOTA_URL] = "fota_url",
        [QLW_EVT_FOTA_DOWNLOADED] = "fota_downloaded",
        [QLW_EVT_OBSERVE_CANCELLED] = "observe_cancelled",
    };

    return table_name(names, COUNT(names), ev, "unknown");
}

/* ---------------------------------------------------- +QLWULDATASTATUS */

int qlw_neul_parse_uldatastatus(const char *line, size_t len, int *status, int *seq)
{
    qlw_at_field f[2];
    size_t n;
    int rc, st, sq = 0;

    if (status == NULL || seq == NULL)
        return QLW_ERR_ARG;
    rc = qlw_neul_split(line, len, "+QLWULDATASTATUS", f, COUNT(f), &n);
    if (rc != QLW_OK)
        return rc;
    if (qlw_neul_dec_int(&f[0], QLW_UPLINK_NOT_SENT, QLW_UPLINK_RESET, &st) != QLW_OK ||
        (n == 2 && qlw_neul_dec_int(&f[1], 0, 255, &sq) != QLW_OK))
        return QLW_ERR_PARSE;
    *status = st;
    *seq = sq;
    return QLW_OK;
}

const char *qlw_uplink_status_str(int status)
{
    QLW_NAME_NONE(status);
    static const char *const names[] = {
        [QLW_UPLINK_NOT_SENT] = "not_sent",       [QLW_UPLINK_WAITING] = "waiting",
        [QLW_UPLINK_SEND_FAILED] = "send_failed", [QLW_UPLINK_TIMEOUT] = "timeout",
        [QLW_UPLINK_DELIVERED] = "delivered",     [QLW_UPLINK_RESET] = "reset",
    };

    return table_name(names, COUNT(names), status, "unknown");
}

/* ----------------------------------------------------------------- +CSQ */

int qlw_neul_parse_csq(const char *line, size_t len, int *rssi_dbm)
{
    qlw_at_field f[2];
    size_t n;
    int rssi, ber;

    if (qlw_neul_split(line, len, "+CSQ", f, COUNT(f), &n) != QLW_OK || n != 2 ||
        qlw_neul_dec_int(&f[0], 0, 99, &rssi) != QLW_OK ||
        qlw_neul_dec_int(&f[1], 0, 99, &ber) != QLW_OK || (rssi > 31 && rssi != 99) ||
        (ber > 7 && ber != 99))
        return QLW_ERR_PARSE;
    *rssi_dbm = rssi == 99 ? 0 : 2 * rssi - 113;
    return QLW_OK;
}

/* --------------------------------------------------------------- +CEREG */

/* TAC and CI come together or not at all. */
static int cereg_cell(const qlw_at_field *tac, const qlw_at_field *ci, qlw_cereg *c)
{
    if (tac->len == 0 && ci->len == 0)
        return QLW_OK;
    if (hex_field(tac, 4, 0xFFFFu, &c->tac) != QLW_OK ||
        hex_field(ci, 8, 0x0FFFFFFFu, &c->ci) != QLW_OK)
        return QLW_ERR_PARSE;
    c->has_cell = true;
    return QLW_OK;
}

/* Active-Time / Periodic-TAU: empty, or one byte written as 8 binary digits. */
static int cereg_timer(const qlw_at_field *f)
{
    if (f->len == 0)
        return QLW_OK;
    if (f->len != 8)
        return QLW_ERR_PARSE;
    for (size_t i = 0; i < f->len; i++) {
        if (f->ptr[i] != '0' && f->ptr[i] != '1')
            return QLW_ERR_PARSE;
    }
    return QLW_OK;
}

/* The fields after <stat>: f[0..2] TAC, CI, AcT; f[3..4] cause; f[5..6] timers. */
static int cereg_tail(const qlw_at_field *f, size_t count, qlw_cereg *c)
{
    if (count == 0)
        return QLW_OK;
    if (count != 3 && count != 5 && count != 7)
        return QLW_ERR_PARSE;
    if (cereg_cell(&f[0], &f[1], c) != QLW_OK || opt_dec_int(&f[2], 0, 9, &c->act) != QLW_OK)
        return QLW_ERR_PARSE;
    if (count >= 5 && (opt_dec_int(&f[3], 0, 1, &c->cause_type) != QLW_OK ||
                       opt_dec_int(&f[4], 0, 255, &c->reject_cause) != QLW_OK))
        return QLW_ERR_PARSE;
    if (count == 7 && (cereg_timer(&f[5]) != QLW_OK || cereg_timer(&f[6]) != QLW_OK))
        return QLW_ERR_PARSE;
    return QLW_OK;
}

int qlw_neul_parse_cereg(const char *line, size_t len, bool read_form, qlw_cereg *out)
{
    qlw_at_field f[NEUL_FIELDS_MAX];
    qlw_cereg c = {.n = -1, .stat = -1, .act = -1, .cause_type = -1, .reject_cause = -1};
    size_t n, first = read_form ? 1 : 0;
    int rc;

    if (out == NULL)
        return QLW_ERR_ARG;
    rc = qlw_neul_split(line, len, "+CEREG", f, COUNT(f), &n);
    if (rc != QLW_OK)
        return rc;
    if (n <= first || (read_form && qlw_neul_dec_int(&f[0], 0, 5, &c.n) != QLW_OK) ||
        qlw_neul_dec_int(&f[first], 0, 5, &c.stat) != QLW_OK ||
        cereg_tail(&f[first + 1], n - first - 1, &c) != QLW_OK)
        return QLW_ERR_PARSE;
    *out = c;
    return QLW_OK;
}

const char *qlw_cereg_stat_str(int stat)
{
    QLW_NAME_NONE(stat);
    static const char *const names[] = {
        "not_registered", "registered_home", "searching", "denied", "unknown", "registered_roaming",
    };

    return table_name(names, COUNT(names), stat, "invalid");
}

/* ------------------------------------------------------- +CSCON, +NPSMR */

/* "<name>:<mode>" (URC) or "<name>:<n>,<mode>" (read form), both 0..1. */
static int parse_mode(const char *line, size_t len, const char *name, int *mode)
{
    qlw_at_field f[2];
    size_t n;
    int rc, setting, m;

    if (mode == NULL)
        return QLW_ERR_ARG;
    rc = qlw_neul_split(line, len, name, f, COUNT(f), &n);
    if (rc != QLW_OK)
        return rc;
    if ((n == 2 && qlw_neul_dec_int(&f[0], 0, 1, &setting) != QLW_OK) ||
        qlw_neul_dec_int(&f[n - 1], 0, 1, &m) != QLW_OK)
        return QLW_ERR_PARSE;
    *mode = m;
    return QLW_OK;
}

int qlw_neul_parse_cscon(const char *line, size_t len, int *connected)
{
    return parse_mode(line, len, "+CSCON", connected);
}

int qlw_neul_parse_npsmr(const char *line, size_t len, int *psm)
{
    return parse_mode(line, len, "+NPSMR", psm);
}

/* ---------------------------------------------------------- +NNMI, +NSMI */

int qlw_neul_parse_nnmi(const char *line, size_t len, uint8_t *buf, size_t size)
{
    static const char bare[] = "+NNMI";
    qlw_at_field f[2];
    size_t n;
    long bytes;
    int rc;

    if (line == NULL || (buf == NULL && size > 0))
        return QLW_ERR_ARG;
    if (len == sizeof(bare) - 1 && memcmp(line, bare, len) == 0)
        return 0;
    rc = qlw_neul_split(line, len, bare, f, COUNT(f), &n);
    if (rc != QLW_OK)
        return rc;
    if (n != 2 || dec_field(&f[0], 1, 65535, &bytes) != QLW_OK || f[1].quoted ||
        f[1].len != 2 * (size_t)bytes)
        return QLW_ERR_PARSE;
    /* Bad hex is a parse error before it is an overflow; when the data fits,
     * the decoder checks every digit itself (one pass over a kilobyte, not two). */
    if ((size_t)bytes > size)
        return all_hex(f[1].ptr, f[1].len) ? QLW_ERR_OVERFLOW : QLW_ERR_PARSE;
    rc = qlw_hex_decode(f[1].ptr, f[1].len, buf, size);
    return rc < 0 ? QLW_ERR_PARSE : rc;
}

int qlw_neul_parse_nsmi(const char *line, size_t len, int *sent)
{
    qlw_at_field f[1];
    size_t n;
    int rc;

    if (sent == NULL)
        return QLW_ERR_ARG;
    rc = qlw_neul_split(line, len, "+NSMI", f, COUNT(f), &n);
    if (rc != QLW_OK)
        return rc;
    if (f[0].quoted)
        return QLW_ERR_PARSE;
    if (qlw_at_field_eq(&f[0], "SENT"))
        *sent = 1;
    else if (qlw_at_field_eq(&f[0], "DISCARDED"))
        *sent = 0;
    else
        return QLW_ERR_PARSE;
    return QLW_OK;
}

/* -------------------------------------------------------------- +NPING */

static int parse_npingerr(const char *line, size_t len, qlw_ping_result *out)
{
    qlw_at_field f[1];
    size_t n;
    int err;

    if (qlw_neul_split(line, len, "+NPINGERR", f, COUNT(f), &n) != QLW_OK ||
        qlw_neul_dec_int(&f[0], 1, 2, &err) != QLW_OK)
        return QLW_ERR_PARSE;
    *out = (qlw_ping_result){.error = err};
    return QLW_OK;
}

int qlw_neul_parse_nping(const char *line, size_t len, qlw_ping_result *out)
{
    qlw_at_field f[3];
    qlw_ping_result r = {.error = 0};
    size_t n;

    if (line == NULL || out == NULL)
        return QLW_ERR_ARG;
    if (qlw_neul_split(line, len, "+NPING", f, COUNT(f), &n) != QLW_OK)
        return parse_npingerr(line, len, out);
    if (n != 3 || qlw_at_field_copy(&f[0], r.addr, sizeof(r.addr)) != QLW_OK ||
        memchr(f[0].ptr, '\0', f[0].len) != NULL || qlw_neul_check_cdp(r.addr, 1) != QLW_OK ||
        qlw_neul_dec_int(&f[1], 0, 255, &r.ttl) != QLW_OK ||
        qlw_neul_dec_int(&f[2], 0, 2147483647L, &r.rtt_ms) != QLW_OK)
        return QLW_ERR_PARSE;
    *out = r;
    return QLW_OK;
}

/* ----------------------------------------------------------- +NMSTATUS */

/* The texts of +NMSTATUS, one after another, each ended by its NUL, and the
 * status each stands for in the same order: one string and a byte each
 * instead of a pointer and an int (176 bytes of a microcontroller's flash).
 * Longer names first where one contains another (UNINITIALISED holds
 * INITIALISED, REREGISTERING holds REGISTERING, DEREG_FAILED holds
 * REG_FAILED); the firmware's double-I spellings sit beside the right ones. */
static const char nm_texts[] = "UNINITIALISED\0"
                               "UNINIITIALISED\0"
                               "MISSING_CONFIG\0"
                               "INITIALISING\0"
                               "INIITIALISING\0"
                               "INITIALISED\0"
                               "INIITIALISED\0"
                               "INIT_FAILED\0"
                               "REREGISTERING\0"
                               "REGISTERING\0"
                               "REREGISTERED\0"
                               "REGISTERED\0"
                               "MO_DATA_ENABLED\0"
                               "NO_UE_IP\0"
                               "MEMORY_ERROR\0"
                               "COAP_ERROR\0"
                               "MSG_SEND_FAILED\0"
                               "REJECTED_BY_SERVER\0"
                               "TIMEOUT_AND_RETRYING\0"
                               "TIMEOUT_AND_FAILED\0"
                               "DEREG_FAILED\0"
                               "REG_FAILED\0";

static const uint8_t nm_states[] = {
    QLW_NM_UNINITIALISED,        QLW_NM_UNINITIALISED,      QLW_NM_MISSING_CONFIG,
    QLW_NM_INITIALISING,         QLW_NM_INITIALISING,       QLW_NM_INITIALISED,
    QLW_NM_INITIALISED,          QLW_NM_INIT_FAILED,        QLW_NM_REREGISTERING,
    QLW_NM_REGISTERING,          QLW_NM_REREGISTERED,       QLW_NM_REGISTERED,
    QLW_NM_MO_DATA_ENABLED,      QLW_NM_NO_UE_IP,           QLW_NM_MEMORY_ERROR,
    QLW_NM_COAP_ERROR,           QLW_NM_MSG_SEND_FAILED,    QLW_NM_REJECTED_BY_SERVER,
    QLW_NM_TIMEOUT_AND_RETRYING, QLW_NM_TIMEOUT_AND_FAILED, QLW_NM_DEREG_FAILED,
    QLW_NM_REG_FAILED,
};

static bool contains(const char *hay, size_t hay_len, const char *needle, size_t n)
{
    for (size_t i = 0; n <= hay_len && i <= hay_len - n; i++) {
        if (memcmp(hay + i, needle, n) == 0)
            return true;
    }
    return false;
}

int qlw_neul_parse_nmstatus(const char *line, size_t len, qlw_nmstatus *out)
{
    const char *text = nm_texts;
    size_t start;

    if (line == NULL || out == NULL)
        return QLW_ERR_ARG;
    if (args_start(line, len, "+NMSTATUS", &start) != QLW_OK || start == len)
        return QLW_ERR_PARSE;
    *out = QLW_NM_UNKNOWN;
    for (size_t i = 0; i < COUNT(nm_states); i++) {
        size_t n = strlen(text);

        if (contains(line + start, len - start, text, n)) {
            *out = (qlw_nmstatus)nm_states[i];
            break;
        }
        text += n + 1;
    }
    return QLW_OK;
}

const char *qlw_nmstatus_str(qlw_nmstatus st)
{
    QLW_NAME_NONE(st);
    static const char *const names[] = {
        [QLW_NM_UNKNOWN] = "UNKNOWN",
        [QLW_NM_UNINITIALISED] = "UNINITIALISED",
        [QLW_NM_MISSING_CONFIG] = "MISSING_CONFIG",
        [QLW_NM_INITIALISING] = "INITIALISING",
        [QLW_NM_INITIALISED] = "INITIALISED",
        [QLW_NM_INIT_FAILED] = "INIT_FAILED",
        [QLW_NM_REGISTERING] = "REGISTERING",
        [QLW_NM_REREGISTERING] = "REREGISTERING",
        [QLW_NM_REGISTERED] = "REGISTERED",
        [QLW_NM_REREGISTERED] = "REREGISTERED",
        [QLW_NM_MO_DATA_ENABLED] = "MO_DATA_ENABLED",
        [QLW_NM_NO_UE_IP] = "NO_UE_IP",
        [QLW_NM_MEMORY_ERROR] = "MEMORY_ERROR",
        [QLW_NM_COAP_ERROR] = "COAP_ERROR",
        [QLW_NM_MSG_SEND_FAILED] = "MSG_SEND_FAILED",
        [QLW_NM_REJECTED_BY_SERVER] = "REJECTED_BY_SERVER",
        [QLW_NM_TIMEOUT_AND_RETRYING] = "TIMEOUT_AND_RETRYING",
        [QLW_NM_TIMEOUT_AND_FAILED] = "TIMEOUT_AND_FAILED",
        [QLW_NM_REG_FAILED] = "REG_FAILED",
        [QLW_NM_DEREG_FAILED] = "DEREG_FAILED",
    };

    return table_name(names, COUNT(names), (int)st, "UNKNOWN");
}

/* -------------------------------------------------------- boot banner */

const char *qlw_neul_reboot_cause(const char *line)
{
    static const char prefix[] = "REBOOT_CAUSE_";

    if (line == NULL || strncmp(line, prefix, sizeof(prefix) - 1) != 0 ||
        line[sizeof(prefix) - 1] == '\0')
        return NULL;
    return line + sizeof(prefix) - 1;
}
