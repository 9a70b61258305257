/*
 * A whole session over an in-memory transport whose modem answers every
 * command with output the fuzzer chooses, while uplinks are queued, goals
 * change and time jumps.
 *
 * Input, front: modem output, one answer per command (and one at power-on
 * and for each unsolicited burst). An answer is a list of records:
 *   tag & FZ_REC_RAW:  tag & FZ_REC_LEN bytes follow and are sent as they are;
 *   otherwise:         template tag & FZ_REC_LEN, one argument byte follows
 *                      (OK, ERROR, +CME ERROR, +QLWEVTIND, +CEREG, banners...);
 *   tag & FZ_REC_MORE: another record of the same answer follows.
 * Input, back: the initial goals, then one operation per step (poll with a
 * time budget, jump the clock, queue an uplink, change a goal, unsolicited
 * modem output, blocking calls with short timeouts).
 *
 * Templates 20 and up speak the BC26/BC66 dialects (A and B): the probe's
 * sub-option lists, CONNECT/SEND/CLOSE results, +QLWOBSERVE, +QLWDATARECV,
 * +QLWREG, +QLWNOTIFY, "report"/"report_ack", the server's read, write,
 * execute and observe requests (to /19 and to a declared host object),
 * +CMEE ERROR and RDY; one operation declares host objects or asks for a
 * notify.
 *
 * Invariants: every uplink is reported at most once and reports + pending
 * == queued at every step (and reports == queued after qlw_close()); no
 * memory is allocated between open and close; states stay in range.
 */
#include <sanitizer/allocator_interface.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_input.h"
#include "qlwm2m/lwobj.h"
#include "qlwm2m/session.h"

#define IDS_MAX        4096u
#define ANSWER_RECORDS 16
#define EPILOGUE_POLLS 64

static const uint32_t budgets_ms[] = {0, 10, 300, 1000, 5000, 30000, 100000, 400000};
static const int cme_codes[] = {50, 159, 513, 536, 537, 512, 3, 10};
static const char *const nm_texts[] = {"MO_DATA_ENABLED", "REGISTERED",  "REG_FAILED",
                                       "INIITIALISED",    "REGISTERING", "TIMEOUT_AND_FAILED"};
static uint8_t payload[600];

/* Counts allocations this thread makes while a session is open (libFuzzer
 * harness state). Thread-local: libFuzzer's own threads allocate too. */
static _Thread_local bool alloc_armed;
static size_t allocs_while_armed;

static void on_malloc(const volatile void *ptr, size_t size)
{
    (void)ptr;
    (void)size;
    if (alloc_armed)
        allocs_while_armed++;
}

static void on_free(const volatile void *ptr)
{
    (void)ptr;
}

typedef struct rig {
    qlw_io *io;
    qlw_session *s;
    fz_in in;
    char cmd[1200]; /* host bytes since the last CR */
    size_t cmd_len;
    uint32_t delay_ms; /* before the next push */
    uint32_t queued;
    uint32_t reports;
    uint8_t reported[IDS_MAX];
} rig;

static void push(rig *r, const void *data, size_t len)
{
    /* A full input buffer is a modem whose output is lost: allowed. */
    (void)qlw_io_mem_push(r->io, data, len, r->delay_ms);
    r->delay_ms = 0;
}

static void push_line(rig *r, const char *text)
{
    char buf[160];
    int n = snprintf(buf, sizeof(buf), "\r\n%s\r\n", text);

    push(r, buf, (size_t)n);
}

static void push_banner(rig *r, uint8_t arg)
{
    static const char junk[] = "\xC3\x83\x00\xFF\xC3\xA2";
    static const char banner[] = "\r\nREBOOT_CAUSE_APPLICATION_AT\r\nNeul \r\nOK\r\n";

    if (arg & 2)
        push(r, junk, sizeof(junk) - 1);
    if (arg & 1) {
        push_line(r, "REBOOTING");
        return;
    }
    push(r, banner, sizeof(banner) - 1);
}

static void push_nnmi(rig *r, uint8_t arg)
{
    char line[64];
    size_t bytes = arg % 8u + 1u;
    int n = snprintf(line, sizeof(line), "+NNMI:%u,", (unsigned)(bytes + (arg >> 7)));

    for (size_t i = 0; i < bytes; i++)
        n +=
            snprintf(line + n, sizeof(line) - (size_t)n, "%02X", (unsigned)(i * 37u + arg) & 0xFFu);
    push_line(r, line);
}

/* Templates 0..12: one line with a number (or a name) taken from arg. */
static void format_line(char *line, size_t size, unsigned idx, uint8_t arg)
{
    const char *cell = arg & 0x80 ? ",213D,0318886E,9" : "";

    switch (idx) {
    case 0:
        snprintf(line, size, "OK");
        break;
    case 1:
        snprintf(line, size, "ERROR");
        break;
    case 2:
        snprintf(line, size, "+CME ERROR: %d", cme_codes[arg % 8]);
        break;
    case 3:
        snprintf(line, size, "+QLWEVTIND:%d", arg % 10);
        break;
    case 4:
        snprintf(line, size, "+CEREG:%d%s", arg % 6, cell);
        break;
    case 5:
        snprintf(line, size, "+CEREG:2,%d%s", arg % 6, cell);
        break;
    case 6:
        snprintf(line, size, "+QLWULDATASTATUS:%d,%d", arg % 6, arg >> 3);
        break;
    case 7:
        snprintf(line, size, "+CFUN:%d", arg % 2);
        break;
    case 8:
        snprintf(line, size, "+CGATT:%d", arg % 2);
        break;
    case 9:
        snprintf(line, size, "+NCDP:192.0.2.1,%d", 5683 + arg % 2);
        break;
    case 10:
        snprintf(line, size, "+NMSTATUS:%s", nm_texts[arg % 6]);
        break;
    case 11:
        if (arg & 4) /* the fate of a NON uplink */
            snprintf(line, size, "+NSMI:%s", arg & 1 ? "SENT" : "DISCARDED");
        else
            snprintf(line, size, "%s:%d", arg & 1 ? "+CSCON" : "+NPSMR", (arg >> 1) % 2);
        break;
    default:
        snprintf(line, size, "+CGDCONT:1,\"IP\",\"%s\"", arg & 1 ? "iot.example" : "x");
        break;
    }
}

#define LINE_TEMPLATES 13u
#define MTK_TEMPLATES  20u
#define TEMPLATES      34u

/* Dialects A and B: one line from arg. */
static void format_mtk(char *line, size_t size, unsigned idx, uint8_t arg)
{
    static const char *const words[] = {"CONNECT", "SEND", "CLOSE", "UPDATE"};
    static const char *const paths[] = {"19,0,0", "19,1,0", "3303,0,5700", "3303,0,5701",
                                        "3303,0", "9,9,9",  "3303,0,5605", "3303,1,1"};
    unsigned msgid = 1000u + arg % 4u; /* few ids: retransmissions happen */
    const char *path = paths[(arg >> 2) % 8];

    switch (idx - MTK_TEMPLATES) {
    case 0:
        snprintf(line, size, "+QLWCFG: \"%s\",(0,1)", arg & 1 ? "auto_reg" : "dataformat");
        break;
    case 1:
        snprintf(line, size, "%s %s", words[arg % 4], arg & 4 ? "FAIL" : "OK");
        break;
    case 2:
        snprintf(line, size, "+QLWOBSERVE: %d,%s", arg & 1, paths[(arg >> 1) % 3]);
        break;
    case 3:
        snprintf(line, size, "+QLWDATARECV: 19,1,0,%d,C0DE", arg % 3 + 1);
        break;
    case 4:
        snprintf(line, size, "+QLW%s: %d", arg & 1 ? "REG" : "DEREG", (arg >> 1) % 2);
        break;
    case 5:
        snprintf(line, size, "+QLWNOTIFY: %d", arg % 3 == 2 ? 9 : arg % 2);
        break;
    case 6:
        snprintf(line, size, "+QLWURC: \"report\",%u", msgid);
        break;
    case 7:
        snprintf(line, size, "+QLWURC: \"report_ack\",%d,%u", (arg >> 4) % 2, msgid);
        break;
    case 8:
        snprintf(line, size, "+QLWURC: \"read\",%u,%s", msgid, path);
        break;
    case 9:
        snprintf(line, size, "+QLWURC: \"write\",%u,%s,%s,%d", msgid, path,
                 arg & 0x80 ? "2,2,\"C0DE\"" : "1,3,\"Fah\"", (arg >> 5) % 2);
        break;
    case 10:
        snprintf(line, size, "+QLWURC:execute,%u,%s", msgid, path);
        break;
    case 11:
        snprintf(line, size, "+QLWURC: \"observe\",%u,%d,%s", msgid, (arg >> 5) % 2, path);
        break;
    case 12:
        snprintf(line, size, "+CMEE ERROR: %d", arg % 40);
        break;
    default:
        snprintf(line, size, "RDY");
        break;
    }
}

/* Templates from LINE_TEMPLATES on: banners, downlinks, echo, noise, timing. */
static void push_template(rig *r, unsigned idx, uint8_t arg)
{
    static const char noise[] = "\x00\xFF\x80\x1B\x7F\x00\x00\x00\xFE\xFD\x01\x02\x03\x04\x05\x06";
    char line[96];

    if (idx % TEMPLATES >= MTK_TEMPLATES) {
        format_mtk(line, sizeof(line), idx % TEMPLATES, arg);
        push_line(r, line);
        return;
    }
    switch (idx % TEMPLATES) {
    case LINE_TEMPLATES:
        push_nnmi(r, arg);
        break;
    case LINE_TEMPLATES + 1:
        push_banner(r, arg);
        break;
    case LINE_TEMPLATES + 2:
        push(r, r->cmd, r->cmd_len); /* echo, as after a reboot */
        push(r, "\r\n", 2);
        break;
    case LINE_TEMPLATES + 3:
        r->delay_ms = (uint32_t)arg * 64u;
        break;
    case LINE_TEMPLATES + 4:
        push(r, noise, arg % (sizeof(noise) - 1) + 1);
        break;
    case LINE_TEMPLATES + 5:
        push(r, "\r\n", 2);
        break;
    case LINE_TEMPLATES + 6:
        push(r, "> ", 2);
        break;
    default:
        format_line(line, sizeof(line), idx % TEMPLATES, arg);
        push_line(r, line);
        break;
    }
}

/* Modem output for one occasion (a command, power-on, a burst of URCs). */
static void answer(rig *r)
{
    for (int k = 0; k < ANSWER_RECORDS && !fz_empty(&r->in); k++) {
        uint8_t tag = fz_byte(&r->in);

        if (tag & FZ_REC_RAW) {
            size_t got;
            const uint8_t *bytes = fz_bytes(&r->in, tag & FZ_REC_LEN, &got);
            push(r, bytes, got);
        } else {
            push_template(r, tag & FZ_REC_LEN, fz_byte(&r->in));
        }
        if (!(tag & FZ_REC_MORE))
            return;
    }
}

static void on_write(void *ctx, qlw_io *io, const uint8_t *data, size_t len)
{
    rig *r = ctx;

    (void)io;
    for (size_t i = 0; i < len; i++) {
        if (data[i] != '\r') {
            if (r->cmd_len < sizeof(r->cmd))
                r->cmd[r->cmd_len++] = (char)data[i];
            continue;
        }
        answer(r);
        r->cmd_len = 0;
    }
}

static void on_state(void *ctx, qlw_state from, qlw_state to, qlw_cause cause)
{
    (void)ctx;
    FZ_CHECK(from != to);
    FZ_CHECK(to >= QLW_STATE_STARTING && to <= QLW_STATE_READY);
    FZ_CHECK(cause >= QLW_CAUSE_NONE && cause <= QLW_CAUSE_POLL);
}

static void on_uplink(void *ctx, const qlw_uplink_report *rep)
{
    rig *r = ctx;

    FZ_CHECK(rep->id >= 1 && rep->id < IDS_MAX);
    FZ_CHECK(!r->reported[rep->id]);
    r->reported[rep->id] = 1;
    r->reports++;
    FZ_CHECK(rep->result <= 0);
    FZ_CHECK(rep->len >= 1 && rep->len <= QLW_NEUL_PAYLOAD_MAX);
    /* sent and delivered are successes, and only those */
    FZ_CHECK((rep->outcome == QLW_OUTCOME_DELIVERED || rep->outcome == QLW_OUTCOME_SENT) ==
             (rep->result == QLW_OK));
    /* delivered is a CON's claim, sent a NON's */
    FZ_CHECK(rep->outcome != QLW_OUTCOME_DELIVERED || rep->mode == QLW_UPLINK_CON ||
             rep->mode == QLW_UPLINK_CON_RELEASE);
    FZ_CHECK(rep->outcome != QLW_OUTCOME_SENT ||
             (rep->mode != QLW_UPLINK_CON && rep->mode != QLW_UPLINK_CON_RELEASE));
    /* a duplicate needs a second handover; unknown needs a first */
    FZ_CHECK(!rep->possible_duplicate || rep->attempts >= 2);
    FZ_CHECK(rep->outcome != QLW_OUTCOME_UNKNOWN || rep->attempts >= 1);
    FZ_CHECK(rep->outcome <= QLW_OUTCOME_EXPIRED);
}

/* Uplinks handed in (what qlw_close() must report by the end). */
static uint32_t in_session(const rig *r)
{
    return r->reports + (uint32_t)qlw_uplinks_pending(r->s);
}

static void check(const rig *r)
{
    FZ_CHECK(allocs_while_armed == 0);
    FZ_CHECK(in_session(r) == r->queued);
    FZ_CHECK(qlw_get_state(r->s) <= QLW_STATE_READY);
    FZ_CHECK(qlw_next_timeout_ms(r->s) >= -1);
}

static void queue_uplink(rig *r, uint8_t op)
{
    qlw_uplink_mode mode = (qlw_uplink_mode)((op >> 3) % 6);
    uint8_t b = fz_pick(&r->in);
    size_t len = b == 0xFF ? sizeof(payload) : (size_t)b % 40u + (b == 0xFE ? 0u : 1u);
    uint32_t before = in_session(r);
    int rc = qlw_queue_uplink(r->s, payload, b == 0xFE ? 0 : len, mode, NULL);
    uint32_t added = in_session(r) - before;

    /* Queued exactly when accepted; a refusal (bad size, full queue, a module
     * without uplinks) leaves nothing behind. */
    FZ_CHECK(rc == QLW_OK ? added == 1 : (rc < 0 && added == 0));
    r->queued += added;
}

/* Blocking calls run the session inside the library; what they queued is counted after. */
static void blocking(rig *r, uint8_t op)
{
    uint32_t before = in_session(r);
    uint32_t timeout = budgets_ms[(op >> 5) & 7] / 4;
    qlw_uplink_report rep;

    if (op & 0x10)
        (void)qlw_send_uplink(r->s, payload, 4, (qlw_uplink_mode)(op % 6), timeout, &rep);
    else
        (void)qlw_wait_ready(r->s, timeout);
    r->queued += in_session(r) - before;
}

static int h_read(void *ctx, uint16_t obj, uint16_t ins, uint16_t res, qlw_lw_value *out)
{
    (void)ctx;
    (void)obj;
    (void)ins;
    out->f = 21.5;
    out->str = "Cel";
    return res == 5700 ? QLW_LW_OK : (int)(res % 4);
}

static int h_write(void *ctx, uint16_t obj, uint16_t ins, uint16_t res, const qlw_lw_value *in)
{
    (void)ctx;
    (void)obj;
    (void)ins;
    FZ_CHECK(in->type == QLW_LW_STRING ? in->str != NULL : true);
    return res % 2 ? QLW_LW_BAD_REQUEST : QLW_LW_OK;
}

static int h_execute(void *ctx, uint16_t obj, uint16_t ins, uint16_t res, const char *args)
{
    (void)ctx;
    (void)obj;
    (void)ins;
    (void)res;
    FZ_CHECK(args != NULL);
    return QLW_LW_OK;
}

/* Host objects (dialect B): declared, withdrawn, notified. */
static void host_objects(rig *r, uint8_t op)
{
    static const qlw_lw_resource res[] = {{5700, QLW_LW_FLOAT, QLW_LW_R},
                                          {5701, QLW_LW_STRING, QLW_LW_R | QLW_LW_W},
                                          {5605, QLW_LW_STRING, QLW_LW_E}};
    static const qlw_lw_instance ins[] = {{3303, 0, res, 3}};
    static const qlw_lw_host host = {ins, 1, h_read, h_write, h_execute, NULL, NULL};

    if (op & 0x40)
        (void)qlw_lw_notify(r->s, 3303, 0, op & 0x80 ? 5700 : 5701);
    else
        (void)qlw_lw_set_host(r->s, op & 0x80 ? NULL : &host);
}

static void goal(rig *r, uint8_t op)
{
    static const qlw_attach_opts with_apn = {.apn = "iot.example", .cid = 1, .band = 0};
    static const qlw_attach_opts with_band = {.apn = NULL, .cid = 1, .band = 8};

    switch ((op >> 3) % 7) {
    case 0:
        (void)qlw_request_attach(r->s, NULL);
        break;
    case 1:
        (void)qlw_request_attach(r->s, op & 0x80 ? &with_apn : &with_band);
        break;
    case 2:
        (void)qlw_request_cdp(r->s, "192.0.2.1", 5683);
        break;
    case 3:
        (void)qlw_request_register(r->s);
        break;
    case 4:
        if (op & 0x04)
            host_objects(r, op);
        else
            (void)qlw_request_deregister(r->s);
        break;
    case 5:
        (void)(op & 0x80 ? qlw_pause(r->s) : qlw_resume(r->s));
        break;
    default:
        blocking(r, op);
        break;
    }
}

static void step(rig *r)
{
    uint8_t op = fz_pick(&r->in);

    switch (op % 8) {
    case 3:
        qlw_io_mem_advance(r->io, budgets_ms[(op >> 3) % 8]);
        (void)qlw_process(r->s);
        break;
    case 4:
        queue_uplink(r, op);
        break;
    case 5:
        answer(r);
        break;
    case 6:
        goal(r, op);
        break;
    case 7:
        (void)qlw_process(r->s);
        break;
    default:
        (void)qlw_poll(r->s, budgets_ms[(op >> 3) % 8]);
        break;
    }
    check(r);
}

static void start(rig *r)
{
    uint8_t goals = fz_pick(&r->in);

    answer(r); /* what the module prints at power-on */
    if (goals & 1)
        (void)qlw_request_cdp(r->s, "192.0.2.1", 5683);
    if (goals & 2)
        (void)qlw_request_attach(r->s, goals & 8 ? &(qlw_attach_opts){"iot.example", 1, 0} : NULL);
    if (goals & 4)
        (void)qlw_request_register(r->s);
}

static void open_session(rig *r)
{
    qlw_session_config cfg;

    qlw_session_config_default(&cfg);
    cfg.on_state = on_state;
    cfg.on_uplink = on_uplink;
    cfg.ctx = r;
    cfg.backoff_min_ms = 500;
    cfg.nmstatus_poll_ms = 20000;
    cfg.delivery = fz_pick(&r->in) & 1 ? QLW_DELIVERY_AT_MOST_ONCE : QLW_DELIVERY_AT_LEAST_ONCE;
    FZ_CHECK(qlw_io_mem_open(&r->io, 1u << 15, 0) == QLW_OK);
    qlw_io_mem_set_write_hook(r->io, on_write, r);
    FZ_CHECK(qlw_session_open(&r->s, &cfg, r->io) == QLW_OK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool hooks_installed;
    static rig r;

    if (!hooks_installed) {
        __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
        hooks_installed = true;
    }
    memset(&r, 0, sizeof(r));
    r.in = (fz_in){data, size};
    open_session(&r);
    allocs_while_armed = 0;
    alloc_armed = true;
    start(&r);
    while (!fz_empty(&r.in))
        step(&r);
    for (int i = 0; i < EPILOGUE_POLLS; i++)
        (void)qlw_poll(r.s, 60000);
    check(&r);
    alloc_armed = false;
    qlw_close(r.s);
    FZ_CHECK(r.reports == r.queued);
    qlw_io_close(r.io);
    return 0;
}
