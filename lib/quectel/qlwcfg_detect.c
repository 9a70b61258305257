/*
 * Which of Quectel's LwM2M command sets a module speaks, from the answers to
 * test and read commands (reference section 0.1). A module answers a command
 * it does not know with a plain ERROR, so "present" means OK; the BC68 set is
 * recognised by AT+NCDP? answering at all (a never-set address gives a
 * +CME ERROR, which an unknown command does not).
 */
#include <string.h>

#include "quectel/qlwcfg_cmd.h"

typedef struct probe_out {
    bool ok;      /* OK */
    bool cme;     /* +CME ERROR: n */
    bool answers; /* any final result the module chose (not a timeout) */
} probe_out;

/* Runs a probe. Failures of the exchange itself (port, reboot, misuse) are
 * returned; the module's refusal or silence is an answer. */
static int probe(qlw_at *at, qlw_qlwcfg_op op, probe_out *p, const qlw_at_response **resp)
{
    char text[32];
    qlw_at_cmd cmd;
    int rc = qlw_qlwcfg_cmd(&cmd, text, sizeof(text), QLW_DIALECT_AUTO, op);

    if (rc == QLW_OK)
        rc = qlw_at_exec(at, &cmd, resp);
    *p = (probe_out){rc == QLW_OK, rc == QLW_ERR_CME, rc != QLW_ERR_TIMEOUT};
    if (rc == QLW_OK || rc == QLW_ERR_MODEM || rc == QLW_ERR_CME || rc == QLW_ERR_CMS ||
        rc == QLW_ERR_TIMEOUT)
        return QLW_OK;
    return rc;
}

/* ----------------------------------------------------- AT+QLWCFG=? list */

/* The sub-option name a line of the list starts with: after "+QLWCFG:" and
 * blanks, quoted or not, up to the quote or comma. */
static bool option_name(const char *line, const char **name, size_t *len)
{
    const char *p = strchr(line, ':');

    p = p != NULL ? p + 1 : line;
    p += strspn(p, " ");
    if (*p == '"') {
        const char *end = strchr(++p, '"');

        if (end == NULL)
            return false;
        *len = (size_t)(end - p);
    } else {
        *len = strcspn(p, ", ");
    }
    *name = p;
    return *len > 0;
}

/* The dialect the listed sub-options point to, or QLW_DIALECT_AUTO. */
qlw_dialect qlw_qlwcfg_classify(const qlw_at_response *r)
{
    qlw_dialect best = QLW_DIALECT_AUTO;
    int best_rank = 0;

    for (size_t i = 0; r != NULL && i < r->line_count; i++) {
        const char *name;
        size_t len;
        int rank;
        qlw_dialect d;

        if (!option_name(r->lines[i], &name, &len))
            continue;
        d = qlw_qlwcfg_option_dialect(name, len, &rank);
        if (rank > best_rank) {
            best = d;
            best_rank = rank;
        }
    }
    return best;
}

/* The raw lines joined by '\n', cut to fit. */
static void keep_lines(const qlw_at_response *r, char *buf, size_t size)
{
    size_t used = 0;

    if (buf == NULL || size == 0)
        return;
    buf[0] = '\0';
    for (size_t i = 0; r != NULL && i < r->line_count; i++) {
        size_t n = strlen(r->lines[i]), room = size - 1 - used;

        if (i > 0 && room > 0) {
            buf[used++] = '\n';
            room--;
        }
        n = n < room ? n : room;
        memcpy(buf + used, r->lines[i], n);
        used += n;
        buf[used] = '\0';
    }
}

static int probe_list(qlw_at *at, qlw_dialect *d, char *buf, size_t size)
{
    const qlw_at_response *r = NULL;
    probe_out p;
    int rc = probe(at, QLW_QLWCFG_PROBE_QLWCFG, &p, &r);

    *d = QLW_DIALECT_AUTO;
    if (rc != QLW_OK || !p.ok)
        return rc;
    keep_lines(r, buf, size);
    *d = qlw_qlwcfg_classify(r);
    return QLW_OK;
}

/* --------------------------------------------------------------- order */

/* Steps 1, 2 and 4 of the order: a command whose mere presence names the set. */
static int probe_presence(qlw_at *at, qlw_qlwcfg_op op, bool cme_counts, bool *present)
{
    probe_out p;
    int rc = probe(at, op, &p, NULL);

    *present = p.ok || (cme_counts && p.cme);
    return rc;
}

/* AT+QLWSVC=? and AT+QLWCONFIG=?: D, then B. */
static int probe_svc_config(qlw_at *at, qlw_dialect *out)
{
    bool present;
    int rc = probe_presence(at, QLW_QLWCFG_PROBE_QLWSVC, false, &present);

    if (rc == QLW_OK && present) {
        *out = QLW_DIALECT_QLWSVC_D;
        return QLW_OK;
    }
    if (rc == QLW_OK)
        rc = probe_presence(at, QLW_QLWCFG_PROBE_QLWCONFIG, false, &present);
    if (rc == QLW_OK && present)
        *out = QLW_DIALECT_QLWCONFIG_B;
    return rc;
}

/* AT+QLWSERV=? (A), then AT+NCDP? (the BC68 set). */
static int probe_serv_ncdp(qlw_at *at, qlw_dialect *out)
{
    bool present;
    int rc = probe_presence(at, QLW_QLWCFG_PROBE_QLWSERV, false, &present);

    if (rc == QLW_OK && present) {
        *out = QLW_DIALECT_MTK_A;
        return QLW_OK;
    }
    if (rc == QLW_OK)
        rc = probe_presence(at, QLW_QLWCFG_PROBE_NCDP, true, &present);
    if (rc == QLW_OK && present)
        *out = QLW_DIALECT_NEUL;
    return rc;
}

int qlw_detect_dialect(qlw_at *at, qlw_dialect *out, char *cfg_test, size_t cfg_test_size)
{
    qlw_dialect listed;
    int rc;

    if (at == NULL || out == NULL)
        return QLW_ERR_ARG;
    *out = QLW_DIALECT_AUTO;
    if (cfg_test != NULL && cfg_test_size > 0)
        cfg_test[0] = '\0';
    rc = probe_svc_config(at, out);
    if (rc != QLW_OK)
        return rc;
    /* Found already: the list is still fetched when the caller keeps it. */
    if (*out != QLW_DIALECT_AUTO)
        return cfg_test != NULL && cfg_test_size > 0
                   ? probe_list(at, &listed, cfg_test, cfg_test_size)
                   : QLW_OK;
    rc = probe_list(at, &listed, cfg_test, cfg_test_size);
    if (rc != QLW_OK || listed != QLW_DIALECT_AUTO) {
        *out = listed;
        return rc;
    }
    return probe_serv_ncdp(at, out);
}
