/* Names of the host-object enums (lwobj.h). */
#include "qlw_text.h"
#include "qlwm2m/lwobj.h"

const char *qlw_lw_type_str(qlw_lw_type type)
{
    QLW_NAME_NONE(type);
    static const char *const names[] = {"invalid", "string", "opaque",
                                        "integer", "float",  "boolean"};

    return (unsigned)type < sizeof(names) / sizeof(names[0]) ? names[type] : "unknown";
}

const char *qlw_lw_status_str(qlw_lw_status status)
{
    QLW_NAME_NONE(status);
    static const char *const names[] = {"ok", "bad_request", "not_found", "not_allowed"};

    return (unsigned)status < sizeof(names) / sizeof(names[0]) ? names[status] : "unknown";
}

const char *qlw_lw_request_kind_str(qlw_lw_request_kind kind)
{
    QLW_NAME_NONE(kind);
    static const char *const names[] = {"read", "write", "execute", "observe", "cancel"};

    return (unsigned)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "unknown";
}
