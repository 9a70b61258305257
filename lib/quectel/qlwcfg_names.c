/* Stable names of the dialects and of QuecPython's registration states. */
#include "qlw_text.h"
#include "qlwm2m/qlwcfg.h"

const char *qlw_dialect_str(qlw_dialect d)
{
    QLW_NAME_NONE(d);
    static const char *const names[] = {
        [QLW_DIALECT_AUTO] = "auto",       [QLW_DIALECT_NEUL] = "neul",
        [QLW_DIALECT_MTK_A] = "mtk",       [QLW_DIALECT_QLWCONFIG_B] = "qlwconfig",
        [QLW_DIALECT_QLWCFG_C] = "qlwcfg", [QLW_DIALECT_QLWSVC_D] = "qlwsvc",
    };

    return (unsigned)d < sizeof(names) / sizeof(names[0]) ? names[d] : "unknown";
}

const char *qlw_lwm2m_state_str(int state)
{
    QLW_NAME_NONE(state);
    static const char *const names[] = {
        [QLW_LWM2M_NOT_REGISTERED] = "not_registered", [QLW_LWM2M_REGISTERING] = "registering",
        [QLW_LWM2M_REGISTERED] = "registered",         [QLW_LWM2M_DEREGISTERING] = "deregistering",
        [QLW_LWM2M_REG_FAILED] = "reg_failed",
    };

    return state >= 0 && (size_t)state < sizeof(names) / sizeof(names[0]) ? names[state]
                                                                          : "unknown";
}
