#include "qlwm2m/common.h"
#include "qlw_text.h"

typedef struct err_info {
    const char *id;
    const char *text;
} err_info;

/* Indexed by -code, so adding a code at the end of the enum means adding a line here. */
static const err_info err_table[] = {
    [-QLW_OK] = {"QLW_OK", "success"},
    [-QLW_ERR_ARG] = {"QLW_ERR_ARG", "invalid argument"},
    [-QLW_ERR_NOMEM] = {"QLW_ERR_NOMEM", "out of memory or buffer too small"},
    [-QLW_ERR_BUSY] = {"QLW_ERR_BUSY", "a command is already in flight"},
    [-QLW_ERR_TIMEOUT] = {"QLW_ERR_TIMEOUT", "the module did not answer in time"},
    [-QLW_ERR_IO] = {"QLW_ERR_IO", "serial port read or write failed"},
    [-QLW_ERR_PORT_NOT_FOUND] = {"QLW_ERR_PORT_NOT_FOUND", "serial port not found"},
    [-QLW_ERR_PORT_PERMISSION] = {"QLW_ERR_PORT_PERMISSION", "permission denied on serial port"},
    [-QLW_ERR_PORT_BUSY] = {"QLW_ERR_PORT_BUSY", "serial port is in use by another program"},
    [-QLW_ERR_PORT_GONE] = {"QLW_ERR_PORT_GONE", "serial port went away"},
    [-QLW_ERR_MODEM] = {"QLW_ERR_MODEM", "the module answered ERROR"},
    [-QLW_ERR_CME] = {"QLW_ERR_CME", "the module answered +CME ERROR"},
    [-QLW_ERR_CMS] = {"QLW_ERR_CMS", "the module answered +CMS ERROR"},
    [-QLW_ERR_REBOOTED] = {"QLW_ERR_REBOOTED", "the module rebooted"},
    [-QLW_ERR_OVERFLOW] = {"QLW_ERR_OVERFLOW", "input did not fit a buffer and was dropped"},
    [-QLW_ERR_PARSE] = {"QLW_ERR_PARSE", "unexpected answer from the module"},
    [-QLW_ERR_STATE] = {"QLW_ERR_STATE", "not valid in the current state"},
    [-QLW_ERR_UNSUPPORTED] = {"QLW_ERR_UNSUPPORTED", "not supported by this module or build"},
    [-QLW_ERR_QUEUE_FULL] = {"QLW_ERR_QUEUE_FULL", "queue is full"},
    [-QLW_ERR_DENIED] = {"QLW_ERR_DENIED", "the network refused registration"},
    [-QLW_ERR_NOT_READY] = {"QLW_ERR_NOT_READY", "the LwM2M session is not ready"},
    [-QLW_ERR_CANCELLED] = {"QLW_ERR_CANCELLED", "cancelled by the application"},
    [-QLW_ERR_FAILED] = {"QLW_ERR_FAILED", "delivery failed"},
    [-QLW_ERR_STORE] = {"QLW_ERR_STORE", "the durable store failed"},
};

static const err_info *err_lookup(int err)
{
    size_t count = sizeof err_table / sizeof err_table[0];
    /* Compare as negatives: -INT_MIN would overflow. */
    if (err > 0 || err <= -(int)count) {
        return NULL;
    }
    const err_info *info = &err_table[-err];
    return info->id != NULL ? info : NULL;
}

const char *qlw_strerror(int err)
{
    QLW_NAME_NONE(err);
    const err_info *info = err_lookup(err);
    return info != NULL ? info->text : "unknown error";
}

const char *qlw_err_str(int err)
{
    QLW_NAME_NONE(err);
    const err_info *info = err_lookup(err);
    return info != NULL ? info->id : "unknown";
}

const char *qlw_version(void)
{
    return QLWM2M_VERSION_STRING;
}
