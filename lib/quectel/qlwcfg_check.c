/*
 * Checks of the Security and Server instances before anything is sent.
 * Strings are printable ASCII without a quote, ';' or backslash, so that no
 * value can close its quotes, chain a second command or start a V.250
 * escape; CR, LF and every other control byte are refused with them.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "qlwm2m/qlwcfg.h"

#define URI_MAX       256
#define PSK_ID_MAX    128
#define PSK_KEY_MAX   128 /* hex digits: 64 bytes */
#define SERVER_ID_MAX 5   /* the widest dialect (D); the set calls narrow it */
#define SSID_MAX      65535
#define PERIOD_MAX    86400u

static int fail(char *why, size_t size, const char *field, const char *problem)
{
    if (why != NULL && size > 0)
        snprintf(why, size, "%s: %s", field, problem);
    return QLW_ERR_ARG;
}

static bool safe_char(char c)
{
    return c >= 0x20 && c <= 0x7E && c != '"' && c != ';' && c != '\\';
}

static bool safe_text(const char *s)
{
    for (; *s != '\0'; s++) {
        if (!safe_char(*s))
            return false;
    }
    return true;
}

static bool empty(const char *s)
{
    return s == NULL || s[0] == '\0';
}

static bool is_hex(const char *s)
{
    return s[strspn(s, "0123456789abcdefABCDEF")] == '\0';
}

/* ------------------------------------------------------------- security */

/* Length of "coap://" or "coaps://" at the start of uri, 0 for neither. */
static size_t scheme_len(const char *uri, bool *secure)
{
    static const char coap[] = "coap://", coaps[] = "coaps://";

    *secure = strncasecmp(uri, coaps, sizeof(coaps) - 1) == 0;
    if (*secure)
        return sizeof(coaps) - 1;
    return strncasecmp(uri, coap, sizeof(coap) - 1) == 0 ? sizeof(coap) - 1 : 0;
}

static int check_uri(const qlw_lwm2m_security *sec, char *why, size_t size)
{
    const char *uri = sec->server_uri;
    size_t skip;
    bool secure;

    if (empty(uri))
        return fail(why, size, "server_uri", "missing");
    if (strlen(uri) > URI_MAX)
        return fail(why, size, "server_uri", "longer than 256 characters");
    if (!safe_text(uri) || strchr(uri, ' ') != NULL)
        return fail(why, size, "server_uri", "contains a blank, quote, ';', '\\' or control byte");
    skip = scheme_len(uri, &secure);
    if (skip == 0)
        return fail(why, size, "server_uri", "scheme is not coap:// or coaps://");
    if (uri[skip] == '\0')
        return fail(why, size, "server_uri", "no host");
    /* DTLS (PSK or certificate) needs coaps, NoSec plain coap. */
    if (secure != (sec->security_mode != 3))
        return fail(why, size, "server_uri",
                    secure ? "coaps:// with security_mode 3" : "coap:// with a DTLS security_mode");
    return QLW_OK;
}

static int check_psk(const qlw_lwm2m_security *sec, char *why, size_t size)
{
    if (sec->security_mode != 0) {
        if (!empty(sec->psk_id) || !empty(sec->psk_key))
            return fail(why, size, "psk_id/psk_key", "only with security_mode 0");
        return QLW_OK;
    }
    if (empty(sec->psk_id))
        return fail(why, size, "psk_id", "missing (security_mode 0)");
    if (strlen(sec->psk_id) > PSK_ID_MAX || !safe_text(sec->psk_id))
        return fail(why, size, "psk_id",
                    "longer than 128 or contains a quote, ';', '\\' or control byte");
    if (empty(sec->psk_key))
        return fail(why, size, "psk_key", "missing (security_mode 0)");
    if (!is_hex(sec->psk_key) || strlen(sec->psk_key) % 2 != 0)
        return fail(why, size, "psk_key", "not an even number of hex digits");
    if (strlen(sec->psk_key) > PSK_KEY_MAX)
        return fail(why, size, "psk_key", "longer than 64 bytes");
    return QLW_OK;
}

int qlw_qlwcfg_check_security(const qlw_lwm2m_security *sec, char *why, size_t why_size)
{
    int rc;

    if (sec == NULL)
        return fail(why, why_size, "security", "NULL");
    if (sec->server_id < 0 || sec->server_id > SERVER_ID_MAX)
        return fail(why, why_size, "server_id", "not 0..5");
    if (sec->short_server_id < 1 || sec->short_server_id > SSID_MAX)
        return fail(why, why_size, "short_server_id", "not 1..65535");
    if (sec->bootstrap && sec->server_id != 0)
        return fail(why, why_size, "bootstrap", "only with server_id 0");
    if (sec->security_mode != 0 && sec->security_mode != 2 && sec->security_mode != 3)
        return fail(why, why_size, "security_mode", "not 0, 2 or 3");
    rc = check_uri(sec, why, why_size);
    return rc == QLW_OK ? check_psk(sec, why, why_size) : rc;
}

/* --------------------------------------------------------------- server */

static const char *const bindings[] = {"U", "UQ", "S", "SQ", "US", "UQS"};

static bool binding_known(const char *b)
{
    for (size_t i = 0; b != NULL && i < sizeof(bindings) / sizeof(bindings[0]); i++) {
        if (strcmp(b, bindings[i]) == 0)
            return true;
    }
    return false;
}

static bool period_ok(uint32_t v)
{
    return v >= 1 && v <= PERIOD_MAX;
}

int qlw_qlwcfg_check_server(const qlw_lwm2m_server *srv, char *why, size_t why_size)
{
    if (srv == NULL)
        return fail(why, why_size, "server", "NULL");
    if (srv->server_id < 0 || srv->server_id > SERVER_ID_MAX)
        return fail(why, why_size, "server_id", "not 0..5");
    if (!period_ok(srv->lifetime_s))
        return fail(why, why_size, "lifetime_s", "not 1..86400");
    if (!period_ok(srv->pmin_s))
        return fail(why, why_size, "pmin_s", "not 1..86400");
    if (!period_ok(srv->pmax_s))
        return fail(why, why_size, "pmax_s", "not 1..86400");
    if (!period_ok(srv->disable_timeout_s))
        return fail(why, why_size, "disable_timeout_s", "not 1..86400");
    if (!binding_known(srv->binding))
        return fail(why, why_size, "binding", "not U, UQ, S, SQ, US or UQS");
    return QLW_OK;
}
