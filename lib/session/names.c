#include "qlw_text.h"
#include "qlwm2m/session.h"

const char *qlw_state_str(qlw_state state)
{
    QLW_NAME_NONE(state);
    static const char *const names[] = {"starting",    "detached",   "attaching", "attached",
                                        "registering", "registered", "ready"};

    return (unsigned)state < sizeof(names) / sizeof(names[0]) ? names[state] : "unknown";
}

const char *qlw_cause_str(qlw_cause cause)
{
    QLW_NAME_NONE(cause);
    static const char *const names[] = {
        "none",   "request",           "setup",           "network", "lwm2m_event",
        "reboot", "observe_cancelled", "uplink_rejected", "timeout", "error",
        "poll",   "port_lost"};

    return (unsigned)cause < sizeof(names) / sizeof(names[0]) ? names[cause] : "unknown";
}

const char *qlw_uplink_mode_str(qlw_uplink_mode mode)
{
    QLW_NAME_NONE(mode);
    static const char *const names[] = {"non", "non_release", "non_release_after_reply",
                                        "con", "con_release", "nmgs"};

    return (unsigned)mode < sizeof(names) / sizeof(names[0]) ? names[mode] : "unknown";
}

const char *qlw_notice_str(qlw_notice kind)
{
    QLW_NAME_NONE(kind);
    static const char *const names[] = {
        "reboot", "cereg",         "rrc",     "psm",     "lwm2m_event", "urc_lost", "error",
        "retry",  "downlink_lost", "dialect", "warning", "port_lost",   "port_back"};

    return (unsigned)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "unknown";
}

const char *qlw_outcome_str(qlw_outcome outcome)
{
    QLW_NAME_NONE(outcome);
    static const char *const names[] = {"sent", "delivered", "failed", "unknown", "expired"};

    return (unsigned)outcome < sizeof(names) / sizeof(names[0]) ? names[outcome] : "invalid";
}

const char *qlw_delivery_str(qlw_delivery delivery)
{
    QLW_NAME_NONE(delivery);
    static const char *const names[] = {"at-least-once", "at-most-once"};

    return (unsigned)delivery < sizeof(names) / sizeof(names[0]) ? names[delivery] : "unknown";
}

const char *qlw_log_level_str(qlw_log_level level)
{
    QLW_NAME_NONE(level);
    static const char *const names[] = {"error", "warning", "info", "debug"};

    return (unsigned)level < sizeof(names) / sizeof(names[0]) ? names[level] : "unknown";
}
