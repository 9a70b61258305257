/*
 * Every decoder of neul.h on arbitrary lines, with their documented ranges
 * as invariants, plus the reboot cause and the names of what they return.
 *
 * Input: the line, then an 8-byte trailer. When the trailer's last byte has
 * its top bit set, a known prefix is put in front of the line so that the
 * fuzzer spends its time on the arguments (a zero trailer adds none). The line is copied to a
 * buffer of exactly its size, so a read past it is caught.
 */
#include <string.h>

#include "fuzz_input.h"
#include "qlwm2m/neul.h"

static const char *const prefixes[] = {
    "+QLWEVTIND:", "+QLWULDATASTATUS:", "+CEREG:",    "+CSCON:",    "+NPSMR:",       "+NNMI:",
    "+NSMI:",      "+NPING:",           "+NPINGERR:", "+NMSTATUS:", "REBOOT_CAUSE_",
};

static void check_name(const char *name)
{
    FZ_CHECK(name != NULL && name[0] != '\0');
}

static void check_events(const char *line, size_t len)
{
    int a = -1, b = -1;

    if (qlw_neul_parse_qlwevtind(line, len, &a) == QLW_OK) {
        FZ_CHECK(a >= 0 && a <= 255);
        check_name(qlw_lwm2m_event_str(a));
    }
    if (qlw_neul_parse_uldatastatus(line, len, &a, &b) == QLW_OK) {
        FZ_CHECK(a >= QLW_UPLINK_NOT_SENT && a <= QLW_UPLINK_RESET && b >= 0 && b <= 255);
        check_name(qlw_uplink_status_str(a));
    }
    if (qlw_neul_parse_cscon(line, len, &a) == QLW_OK)
        FZ_CHECK(a == 0 || a == 1);
    if (qlw_neul_parse_npsmr(line, len, &a) == QLW_OK)
        FZ_CHECK(a == 0 || a == 1);
    if (qlw_neul_parse_nsmi(line, len, &a) == QLW_OK)
        FZ_CHECK(a == 0 || a == 1);
}

static void check_cereg_fields(const qlw_cereg *c, bool read_form)
{
    FZ_CHECK(read_form ? (c->n >= 0 && c->n <= 5) : c->n == -1);
    FZ_CHECK(c->stat >= 0 && c->stat <= 5);
    FZ_CHECK(c->tac <= 0xFFFFu && c->ci <= 0x0FFFFFFFu);
    FZ_CHECK(c->has_cell || (c->tac == 0 && c->ci == 0));
    FZ_CHECK(c->act >= -1 && c->act <= 9);
    FZ_CHECK(c->cause_type >= -1 && c->cause_type <= 1);
    FZ_CHECK(c->reject_cause >= -1 && c->reject_cause <= 255);
    check_name(qlw_cereg_stat_str(c->stat));
}

static void check_cereg(const char *line, size_t len)
{
    qlw_cereg c;

    for (int read_form = 0; read_form < 2; read_form++) {
        if (qlw_neul_parse_cereg(line, len, read_form != 0, &c) == QLW_OK)
            check_cereg_fields(&c, read_form != 0);
    }
}

static void check_nnmi(const char *line, size_t len, fz_rng *rng)
{
    uint8_t buf[600];
    size_t size = fz_rng_byte(rng) & 1 ? sizeof(buf) : fz_rng_byte(rng) % 8;
    int n = qlw_neul_parse_nnmi(line, len, size > 0 ? buf : NULL, size);

    FZ_CHECK(n == QLW_ERR_PARSE || n == QLW_ERR_OVERFLOW || (n >= 0 && (size_t)n <= size));
    if (n == QLW_ERR_OVERFLOW) {
        /* Too big for the buffer, so it fits one as long as the line, and is bigger. */
        uint8_t *big = malloc(len);

        n = qlw_neul_parse_nnmi(line, len, big, len);
        FZ_CHECK(n > 0 && (size_t)n > size);
        free(big);
    }
}

static void check_nping(const char *line, size_t len)
{
    qlw_ping_result p;

    if (qlw_neul_parse_nping(line, len, &p) != QLW_OK)
        return;
    FZ_CHECK(memchr(p.addr, '\0', sizeof(p.addr)) != NULL);
    if (p.error != 0) {
        FZ_CHECK((p.error == 1 || p.error == 2) && p.addr[0] == '\0');
        return;
    }
    FZ_CHECK(qlw_neul_check_cdp(p.addr, 1) == QLW_OK);
    FZ_CHECK(p.ttl >= 0 && p.ttl <= 255 && p.rtt_ms >= 0);
}

static void check_nmstatus(const char *line, size_t len)
{
    qlw_nmstatus st;

    if (qlw_neul_parse_nmstatus(line, len, &st) == QLW_OK) {
        FZ_CHECK(st >= QLW_NM_UNKNOWN && st <= QLW_NM_DEREG_FAILED);
        check_name(qlw_nmstatus_str(st));
    }
}

static void check_reboot_cause(const char *line, size_t len)
{
    char *text = malloc(len + 1);
    const char *cause;

    memcpy(text, line, len);
    text[len] = '\0';
    cause = qlw_neul_reboot_cause(text);
    if (cause != NULL) {
        FZ_CHECK(cause >= text + 13 && cause <= text + len && *cause != '\0');
        FZ_CHECK(strncmp(text, "REBOOT_CAUSE_", 13) == 0);
    }
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in in = {data, size};
    uint8_t pick = size > 0 ? data[size - 1] : 0; /* the last byte chooses the prefix */
    fz_rng rng = fz_rng_from_trailer(&in);
    const char *prefix = pick & 0x80 ? prefixes[pick % (sizeof(prefixes) / sizeof(*prefixes))] : "";
    size_t plen = strlen(prefix), len = plen + in.n;
    char *line = malloc(len > 0 ? len : 1);

    memcpy(line, prefix, plen);
    memcpy(line + plen, in.p, in.n);
    check_events(line, len);
    check_cereg(line, len);
    check_nnmi(line, len, &rng);
    check_nping(line, len);
    check_nmstatus(line, len);
    check_reboot_cause(line, len);
    check_name(qlw_cme_str((int)fz_rng_byte(&rng) * 3 - 20));
    free(line);
    return 0;
}
