/* AT command handlers: a parsed command in, info lines into the reply, a result out. */
#ifndef QLWM2M_SIM_CMD_H
#define QLWM2M_SIM_CMD_H

#include "sim.h"

enum at_kind {
    AT_EXEC, /* AT+CMD */
    AT_SET,  /* AT+CMD=... */
    AT_READ, /* AT+CMD? */
    AT_TEST  /* AT+CMD=? */
};

struct at_cmd {
    char name[SIM_NAME_MAX]; /* upper case: "+CEREG", "E", "I", "" for bare AT */
    enum at_kind kind;
    size_t argc;
    char *argv[SIM_ARGS_MAX]; /* quotes removed, spaces around them dropped */
    bool quoted[SIM_ARGS_MAX];
};

/** Returns SIM_R_OK, SIM_R_ERROR, SIM_R_NONE or a CME error number. */
typedef int (*at_handler)(struct sim *s, const struct at_cmd *c, struct sim_reply *r);

struct at_entry {
    const char *name;
    at_handler fn;
    const char *test; /* answer line of the =? form, NULL: a bare OK, at_test_by_handler */
};

/** As at_entry::test: the handler answers the =? form itself. */
extern const char at_test_by_handler[];

struct at_table {
    const struct at_entry *entries;
    size_t count;
};

extern const struct at_table at_info_table;
extern const struct at_table at_radio_table;
extern const struct at_table at_lwm2m_table;
extern const struct at_table at_ec200u_table;
extern const struct at_table at_mtk_table;

/* Argument helpers for handlers. */
bool arg_u32(const struct at_cmd *c, size_t i, uint32_t min, uint32_t max, uint32_t *out);
bool arg_empty(const struct at_cmd *c, size_t i);
/** Handles "+X=n" (0..max) into *field and "+X?" as "+X:n"; other forms: CME 50. */
int at_switch(const struct at_cmd *c, struct sim_reply *r, int *field, uint32_t max);

#endif /* QLWM2M_SIM_CMD_H */
