/*
 * +CME ERROR numbers of the family. Source: the Neul SDK's AT_RET mapping,
 * cross-checked with Quectel's list (reference section 6). The 3GPP
 * attach/PDP numbers are 100 + the network cause (27.007); only the common
 * ones get their own name, the rest of their ranges a generic one.
 */
#include <stdint.h>

#include "qlw_text.h"
#include "qlwm2m/neul.h"

/* Codes are below 1000: 16 bits each keep a row at 8 bytes, not 12. */
typedef struct cme_row {
    uint16_t lo, hi;
    const char *name;
} cme_row;

/* Single codes first: a range row only names what no single row does. */
static const cme_row cme_rows[] = {
    {3, 3, "Operation not allowed"},
    {4, 4, "Operation not supported"},
    {10, 10, "SIM not inserted"},
    {11, 11, "SIM PIN required"},
    {12, 12, "SIM PUK required"},
    {13, 13, "SIM failure"},
    {16, 16, "Incorrect password"},
    {23, 23, "Memory failure"},
    {30, 30, "No network service"},
    {50, 50, "Incorrect parameters"},
    {51, 51, "Command implemented but currently disabled"},
    {52, 52, "Command aborted by user"},
    {100, 100, "Unknown"},
    {103, 103, "Illegal MS"},
    {106, 106, "Illegal ME"},
    {107, 107, "GPRS services not allowed"},
    {111, 111, "PLMN not allowed"},
    {112, 112, "Location area not allowed"},
    {113, 113, "Roaming not allowed in this location area"},
    {114, 114, "GPRS services not allowed in this PLMN"},
    {115, 115, "No suitable cells in location area"},
    {122, 122, "Congestion"},
    {127, 127, "Missing or unknown APN"},
    {148, 148, "Unspecified GPRS error"},
    {149, 149, "PDP authentication failure"},
    {150, 150, "Invalid mobile class"},
    {159, 159, "Uplink busy / flow control"},
    {181, 181, "Unsupported QCI value"},
    {256, 256, "Required parameter not configured"},
    {257, 257, "TUP not registered"},
    {512, 512, "Required parameter not configured"},
    {513, 513, "TUP not registered"},
    {514, 514, "AT internal error"},
    {515, 515, "CID is active"},
    {516, 516, "Incorrect state for command"},
    {517, 517, "CID is invalid"},
    {518, 518, "CID is not active"},
    {519, 519, "Link security error"},
    {520, 520, "Deactivate the last active CID"},
    {521, 521, "CID is not defined"},
    {522, 522, "UART parity error"},
    {523, 523, "UART frame error"},
    {524, 524, "MT not powered on"},
    {525, 525, "Sent data sequence repeat error"},
    {526, 526, "AT command abort error"},
    {527, 527, "Command interrupted"},
    {528, 528, "Configuration conflicts"},
    {529, 529, "FOTA is updating"},
    {530, 530, "Not the AT-allocated socket"},
    {531, 531, "(U)SIM PIN blocked"},
    {532, 532, "(U)SIM PUK blocked"},
    {533, 533, "Not MIPI module"},
    {534, 534, "File not found"},
    {535, 535, "Conditions of use not satisfied"},
    {536, 536, "AT UART buffer error"},
    {537, 537, "Back-off timer is running"},
    {103, 150, "GPRS/EPS network error"},
    {171, 182, "GPRS/EPS network error"},
};

const char *qlw_cme_str(int code)
{
    QLW_NAME_NONE(code);
    for (size_t i = 0; i < sizeof(cme_rows) / sizeof(cme_rows[0]); i++) {
        if (code >= cme_rows[i].lo && code <= cme_rows[i].hi)
            return cme_rows[i].name;
    }
    return "unknown error";
}

bool qlw_cme_retryable(int code)
{
    /* Uplink queue full, UART buffer full, NAS back-off: the same command
     * may succeed later. Everything else is a wrong command or state. */
    return code == 159 || code == 536 || code == 537;
}
