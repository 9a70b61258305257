/*
 * The AT+QLWCFG calls against the simulator (qlwm2m-sim --model ec200u, found
 * next to this program) over a real pseudo-terminal: detection, every config
 * call, a registration followed through its +QLWURC events, update and
 * deregistration, a firmware without "fota", a failed DTLS handshake, and
 * a trace without the PSK key. Skipped when the simulator is not there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qlwm2m/qlwcfg.h"
#include "qlwm2m/transcript.h"

#define C          QLW_DIALECT_QLWCFG_C
#define WAIT_MS    5000
#define KEY        "000102030405060708090a0b0c0d0e0f"
#define TRACE_SIZE 16384

typedef struct rig {
    pid_t pid;
    int ctl;
    FILE *out;
    qlw_io *io;
    qlw_at *at;
    qlw_qlwurc last[QLW_QLWURC_CURRENT_TIME_CHANGED + 1]; /* by kind */
    unsigned seen;
    qlw_ts_writer *writer;
    char trace[TRACE_SIZE];
    size_t trace_len;
} rig;

static rig rg;

static bool sim_path(char *buf, size_t size)
{
    /* Set and empty: this process cannot start programs (an emulated cross build). */
    const char *given = getenv("QLWM2M_SIM");
    ssize_t n;
    char *slash;

    if (given != NULL && given[0] == '\0')
        return false;
    n = readlink("/proc/self/exe", buf, size - 1);

    if (n <= 0)
        return false;
    buf[n] = '\0';
    slash = strrchr(buf, '/');
    if (slash == NULL || (size_t)(slash - buf) + sizeof("/qlwm2m-sim") > size)
        return false;
    strcpy(slash, "/qlwm2m-sim");
    return access(buf, X_OK) == 0;
}

static void on_urc(void *ctx, const qlw_at_line *l)
{
    rig *r = ctx;
    qlw_qlwurc u;

    if (qlw_parse_qlwurc(l->text, l->len, &u) == QLW_OK) {
        r->last[u.kind] = u;
        r->seen |= 1u << u.kind;
    }
}

static bool contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);

    for (; *hay != '\0'; hay++) {
        if (strncasecmp(hay, needle, n) == 0)
            return true;
    }
    return false;
}

static void sink(void *ctx, const char *text, size_t len)
{
    rig *r = ctx;

    assert_true(r->trace_len + len < sizeof(r->trace));
    memcpy(r->trace + r->trace_len, text, len);
    r->trace_len += len;
    r->trace[r->trace_len] = '\0';
}

static void spawn(rig *r, const char *path, char *const argv[])
{
    int in[2], out[2];

    assert_int_equal(pipe(in), 0);
    assert_int_equal(pipe(out), 0);
    r->pid = fork();
    assert_true(r->pid >= 0);
    if (r->pid == 0) {
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        close(in[1]);
        close(out[0]);
        execv(path, argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    r->ctl = in[1];
    r->out = fdopen(out[0], "r");
    assert_non_null(r->out);
}

/* Starts the simulator with extra options and opens its pty. */
static rig *rig_open(const char *opt1, const char *opt2)
{
    static char path[512];
    char pty[128], err[160];
    qlw_at_config cfg;
    /* --exit-after-ms: a test that fails half-way leaves no simulator behind */
    static const char *const fixed[] = {
        "--model",         "ec200u", "--attach-delay-ms", "50", "--register-delay-ms", "200",
        "--exit-after-ms", "60000"};
    char args[10][32], *argv[12];
    rig *r = &rg;

    if (!sim_path(path, sizeof(path)))
        return NULL;
    /* execv wants writable strings */
    for (size_t i = 0; i < 8; i++)
        snprintf(args[i], sizeof(args[i]), "%s", fixed[i]);
    snprintf(args[8], sizeof(args[8]), "%s", opt1);
    snprintf(args[9], sizeof(args[9]), "%s", opt2);
    argv[0] = path;
    for (size_t i = 0; i < 10; i++)
        argv[i + 1] = args[i];
    argv[11] = NULL;
    memset(r, 0, sizeof(*r));
    spawn(r, path, argv);
    assert_non_null(fgets(pty, sizeof(pty), r->out));
    pty[strcspn(pty, "\n")] = '\0';
    if (qlw_io_open_serial(&r->io, pty, NULL, err, sizeof(err)) != QLW_OK)
        fail_msg("%s", err);
    qlw_qlwcfg_at_config(&cfg);
    assert_int_equal(qlw_at_open(&r->at, &cfg, r->io), QLW_OK);
    assert_int_equal(qlw_at_add_urc_handler(r->at, "+QLWURC", on_urc, r), QLW_OK);
    assert_int_equal(qlw_ts_writer_open(&r->writer, sink, r, 0), QLW_OK);
    qlw_at_set_trace(r->at, qlw_ts_writer_trace, r->writer);
    return r;
}

static void rig_close(rig *r)
{
    int status;

    qlw_at_close(r->at);
    qlw_io_close(r->io);
    qlw_ts_writer_close(r->writer);
    assert_true(write(r->ctl, "quit\n", 5) == 5);
    close(r->ctl);
    fclose(r->out);
    assert_int_equal(waitpid(r->pid, &status, 0), r->pid);
}

/* Polls until an event of kind arrives; returns it. */
static const qlw_qlwurc *wait_event(rig *r, qlw_qlwurc_kind kind)
{
    uint32_t start = qlw_at_now_ms(r->at);

    while (!(r->seen & (1u << kind)) && qlw_at_now_ms(r->at) - start < WAIT_MS)
        assert_int_equal(qlw_at_poll(r->at, 100), QLW_OK);
    if (!(r->seen & (1u << kind)))
        fail_msg("no %s event", qlw_qlwurc_kind_str(kind));
    r->seen &= ~(1u << kind);
    return &r->last[kind];
}

/* The simulator attaches by itself; registration needs the PDP context. */
static void wait_attached(rig *r)
{
    uint32_t start = qlw_at_now_ms(r->at);
    const qlw_at_response *resp;

    for (;;) {
        assert_int_equal(qlw_at_exec_raw(r->at, "AT+CGATT?", 1000, &resp), QLW_OK);
        if (resp->line_count == 1 && strcmp(resp->lines[0], "+CGATT: 1") == 0)
            return;
        assert_true(qlw_at_now_ms(r->at) - start < WAIT_MS);
        qlw_at_poll(r->at, 50);
    }
}

static void configure(rig *r)
{
    qlw_lwm2m_security sec = {.server_id = 1,
                              .short_server_id = 1000,
                              .server_uri = "coaps://lwm2m.example.com:5684",
                              .security_mode = 0,
                              .psk_id = "urn:imei:869339060001965",
                              .psk_key = KEY};
    qlw_lwm2m_server srv = {1, 60, 2, 60, 86400, true, "U"};

    assert_int_equal(qlw_qlwcfg_reset(r->at, C), QLW_OK);
    assert_int_equal(qlw_qlwcfg_set_urc(r->at, C, true), QLW_OK);
    assert_int_equal(qlw_qlwcfg_set_security(r->at, C, &sec), QLW_OK);
    assert_int_equal(qlw_qlwcfg_set_server(r->at, C, &srv), QLW_OK);
    assert_int_equal(qlw_qlwcfg_set_epname_mode(r->at, C, 3), QLW_OK);
}

static void expect_state(rig *r, qlw_lwm2m_state want)
{
    qlw_lwm2m_state st;

    assert_int_equal(qlw_qlwcfg_get_state(r->at, C, &st), QLW_OK);
    assert_int_equal(st, want);
}

static void test_session_against_simulator(void **state)
{
    rig *r = rig_open("--seed", "1");
    qlw_lwm2m_fota fota = {0, 1};
    char list[2048];
    qlw_dialect d;
    const qlw_qlwurc *u;

    (void)state;
    if (r == NULL) {
        skip();
        return;
    }
    assert_int_equal(qlw_detect_dialect(r->at, &d, list, sizeof(list)), QLW_OK);
    assert_int_equal(d, C);
    assert_non_null(strstr(list, "+QLWCFG: \"fota\",(0,1),(0,1)"));
    configure(r);
    assert_int_equal(qlw_qlwcfg_set_fota(r->at, C, &fota), QLW_OK);
    expect_state(r, QLW_LWM2M_NOT_REGISTERED);
    wait_attached(r);
    assert_int_equal(qlw_qlwcfg_register(r->at, C), QLW_OK);
    u = wait_event(r, QLW_QLWURC_READY);
    assert_int_equal(u->result, 1);
    assert_int_equal(u->ssid, 1000);
    assert_string_equal(r->last[QLW_QLWURC_PDP_ACTIVE].value, "internet");
    assert_int_equal(r->last[QLW_QLWURC_DTLS].result, 1);
    expect_state(r, QLW_LWM2M_REGISTERED);
    assert_int_equal(qlw_qlwcfg_update(r->at, C, 1000), QLW_OK);
    assert_int_equal(wait_event(r, QLW_QLWURC_UPDATE)->result, 1);
    assert_int_equal(qlw_qlwcfg_deregister(r->at, C), QLW_OK);
    u = wait_event(r, QLW_QLWURC_DEREGISTER);
    assert_int_equal(u->ssid, 1000);
    assert_int_equal(u->code, 0);
    expect_state(r, QLW_LWM2M_NOT_REGISTERED);
    rig_close(r);
    assert_false(contains_ci(r->trace, KEY));
    assert_non_null(strstr(r->trace, "\"urn:imei:869339060001965\",\"***\"\n"));
}

static void test_firmware_without_fota_and_dtls_failure(void **state)
{
    rig *r = rig_open("--reject-fota", "--dtls-fail");
    qlw_lwm2m_fota fota = {0, 1};
    char list[2048];
    qlw_dialect d;

    (void)state;
    if (r == NULL) {
        skip();
        return;
    }
    assert_int_equal(qlw_detect_dialect(r->at, &d, list, sizeof(list)), QLW_OK);
    assert_int_equal(d, C);
    assert_null(strstr(list, "\"fota\""));
    configure(r);
    assert_int_equal(qlw_qlwcfg_set_fota(r->at, C, &fota), QLW_ERR_UNSUPPORTED);
    wait_attached(r);
    assert_int_equal(qlw_qlwcfg_register(r->at, C), QLW_OK);
    assert_int_equal(wait_event(r, QLW_QLWURC_DTLS)->result, 0);
    expect_state(r, QLW_LWM2M_REG_FAILED);
    /* not registered: the module refuses, which is a failure, not "unsupported" */
    assert_int_equal(qlw_qlwcfg_deregister(r->at, C), QLW_ERR_MODEM);
    rig_close(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_session_against_simulator),
        cmocka_unit_test(test_firmware_without_fota_and_dtls_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
