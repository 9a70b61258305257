#include "qlw_text.h"
#include "qlwm2m/at.h"

const char *qlw_at_result_str(qlw_at_result result)
{
    QLW_NAME_NONE(result);
    switch (result) {
    case QLW_AT_RESULT_OK:
        return "ok";
    case QLW_AT_RESULT_ERROR:
        return "error";
    case QLW_AT_RESULT_CME_ERROR:
        return "cme_error";
    case QLW_AT_RESULT_CMS_ERROR:
        return "cms_error";
    case QLW_AT_RESULT_FINAL:
        return "final";
    case QLW_AT_RESULT_TIMEOUT:
        return "timeout";
    case QLW_AT_RESULT_IO_ERROR:
        return "io_error";
    case QLW_AT_RESULT_REBOOTED:
        return "rebooted";
    case QLW_AT_RESULT_CANCELLED:
        return "cancelled";
    }
    return "unknown";
}

int qlw_at_result_err(qlw_at_result result)
{
    switch (result) {
    case QLW_AT_RESULT_OK:
    case QLW_AT_RESULT_FINAL:
        return QLW_OK;
    case QLW_AT_RESULT_ERROR:
        return QLW_ERR_MODEM;
    case QLW_AT_RESULT_CME_ERROR:
        return QLW_ERR_CME;
    case QLW_AT_RESULT_CMS_ERROR:
        return QLW_ERR_CMS;
    case QLW_AT_RESULT_TIMEOUT:
        return QLW_ERR_TIMEOUT;
    case QLW_AT_RESULT_IO_ERROR:
        return QLW_ERR_IO;
    case QLW_AT_RESULT_REBOOTED:
        return QLW_ERR_REBOOTED;
    case QLW_AT_RESULT_CANCELLED:
        return QLW_ERR_CANCELLED;
    }
    return QLW_ERR_ARG;
}

const char *qlw_at_event_str(qlw_at_event ev)
{
    QLW_NAME_NONE(ev);
    switch (ev) {
    case QLW_AT_EV_BOOT_START:
        return "boot_start";
    case QLW_AT_EV_BOOT_END:
        return "boot_end";
    case QLW_AT_EV_BOOT_TIMEOUT:
        return "boot_timeout";
    case QLW_AT_EV_URC_OVERFLOW:
        return "urc_overflow";
    case QLW_AT_EV_LINE_OVERFLOW:
        return "line_overflow";
    case QLW_AT_EV_STALE_FINAL:
        return "stale_final";
    case QLW_AT_EV_IO_ERROR:
        return "io_error";
    }
    return "unknown";
}
