/*
 * Checks of the strings and data that go into AT commands. What passes can
 * never end a command early or add a parameter: no quote, CR, LF, `;`,
 * comma or space gets through.
 */
#include <string.h>

#include "qlwm2m/neul.h"

#define APN_MAX 62

/* One octet: 1 to 3 digits, no leading zero (inet_aton would read 010 as
 * octal, the module perhaps not), value 0..255. Advances *p past it. */
static bool ipv4_octet(const char **p)
{
    const char *s = *p;
    int v = 0, digits = 0;

    while (s[digits] >= '0' && s[digits] <= '9' && digits < 4) {
        v = v * 10 + (s[digits] - '0');
        digits++;
    }
    if (digits == 0 || digits > 3 || v > 255 || (digits > 1 && s[0] == '0'))
        return false;
    *p = s + digits;
    return true;
}

static bool is_ipv4(const char *s)
{
    for (int i = 0; i < 4; i++) {
        if (!ipv4_octet(&s))
            return false;
        if (i < 3 && *s++ != '.')
            return false;
    }
    return *s == '\0';
}

int qlw_neul_check_cdp(const char *addr, uint16_t port)
{
    if (addr == NULL || port == 0 || !is_ipv4(addr))
        return QLW_ERR_ARG;
    return QLW_OK;
}

static bool apn_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.';
}

int qlw_neul_check_apn(const char *apn)
{
    size_t i;

    if (apn == NULL)
        return QLW_ERR_ARG;
    for (i = 0; apn[i] != '\0'; i++) {
        if (i >= APN_MAX || !apn_char(apn[i]))
            return QLW_ERR_ARG;
    }
    return QLW_OK;
}

int qlw_neul_check_payload(const uint8_t *data, size_t len)
{
    if (data == NULL || len == 0 || len > QLW_NEUL_PAYLOAD_MAX)
        return QLW_ERR_ARG;
    return QLW_OK;
}
