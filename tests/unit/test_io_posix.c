/* posix_openpt() and friends are XSI. */
#define _XOPEN_SOURCE 700

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "io/io_internal.h"
#include "qlwm2m/io.h"

typedef struct fixture {
    int master;
    char path[128];
    qlw_io *io;
    char errmsg[256];
} fixture;

static uint32_t now_ms(void)
{
    return qlw_clock_system_ms(NULL);
}

static int setup_pty(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->master = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(f->master >= 0);
    assert_int_equal(grantpt(f->master), 0);
    assert_int_equal(unlockpt(f->master), 0);
    const char *name = ptsname(f->master);
    assert_non_null(name);
    assert_true(strlen(name) < sizeof f->path);
    strcpy(f->path, name);
    *state = f;
    return 0;
}

static int teardown_pty(void **state)
{
    fixture *f = *state;
    qlw_io_close(f->io);
    if (f->master >= 0) {
        close(f->master);
    }
    free(f);
    return 0;
}

static qlw_serial_config config(uint32_t baud, qlw_flow flow, qlw_io_backend backend)
{
    qlw_serial_config cfg;
    qlw_serial_config_default(&cfg);
    cfg.baud = baud;
    cfg.flow = flow;
    cfg.backend = backend;
    return cfg;
}

static void open_slave(fixture *f, qlw_io_backend backend)
{
    qlw_serial_config cfg = config(115200, QLW_FLOW_NONE, backend);
    int err = qlw_io_open_serial(&f->io, f->path, &cfg, f->errmsg, sizeof f->errmsg);
    assert_int_equal(err, QLW_OK);
    assert_non_null(f->io);
    assert_string_equal(f->errmsg, "");
}

/* Reads exactly len bytes from the master, or fails the test after timeout_ms. */
static void master_read_all(int master, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    uint32_t start_ms = now_ms();
    size_t got = 0;
    while (got < len) {
        assert_true(qlw_ms_diff(now_ms(), start_ms) < (int32_t)timeout_ms);
        struct pollfd pfd = {.fd = master, .events = POLLIN, .revents = 0};
        if (poll(&pfd, 1, 100) == 1) {
            ssize_t n = read(master, buf + got, len - got);
            assert_true(n > 0);
            got += (size_t)n;
        }
    }
}

/* Reads exactly len bytes through the transport, or fails the test after timeout_ms. */
static void io_read_all(qlw_io *io, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    uint32_t start_ms = now_ms();
    size_t got = 0;
    while (got < len) {
        assert_true(qlw_ms_diff(now_ms(), start_ms) < (int32_t)timeout_ms);
        int ready = qlw_io_wait(io, 100);
        assert_true(ready == 0 || ready == 1);
        int n = qlw_io_read(io, buf + got, len - got);
        assert_true(n >= 0);
        got += (size_t)n;
    }
}

static void io_write_all(qlw_io *io, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    uint32_t start_ms = now_ms();
    size_t done = 0;
    while (done < len) {
        assert_true(qlw_ms_diff(now_ms(), start_ms) < (int32_t)timeout_ms);
        int n = qlw_io_write(io, buf + done, len - done);
        assert_true(n >= 0);
        done += (size_t)n;
    }
}

/* ---------------------------------------------------------------- opening */

static void auto_opens_a_pty_with_termios(void **state)
{
    fixture *f = *state;
    open_slave(f, QLW_IO_AUTO);
    assert_ptr_equal(f->io->ops, &qlw_io_posix_ops);
    assert_string_equal(f->io->name, f->path);
    assert_true(qlw_io_fd(f->io) >= 0);
}

static void posix_backend_opens_a_pty(void **state)
{
    fixture *f = *state;
    open_slave(f, QLW_IO_POSIX);
    assert_ptr_equal(f->io->ops, &qlw_io_posix_ops);
    assert_true(isatty(qlw_io_fd(f->io)));
}

static void settings_reach_the_tty(void **state)
{
    fixture *f = *state;
    qlw_serial_config cfg = config(115200, QLW_FLOW_RTSCTS, QLW_IO_POSIX);
    assert_int_equal(qlw_io_open_serial(&f->io, f->path, &cfg, NULL, 0), QLW_OK);
    struct termios tio;
    assert_int_equal(tcgetattr(qlw_io_fd(f->io), &tio), 0);
    assert_int_equal(cfgetispeed(&tio), B115200);
    assert_int_equal(cfgetospeed(&tio), B115200);
    assert_int_equal(tio.c_cflag & CSIZE, CS8);
    assert_int_equal(tio.c_cflag & (PARENB | CSTOPB), 0);
    assert_int_equal(tio.c_cflag & CRTSCTS, CRTSCTS);
    assert_int_equal(tio.c_lflag & (ICANON | ECHO | ISIG | IEXTEN), 0);
    assert_int_equal(tio.c_iflag & (ICRNL | IXON | IXOFF | ISTRIP), 0);
    assert_int_equal(tio.c_oflag & OPOST, 0);
    qlw_io_close(f->io);

    cfg = config(9600, QLW_FLOW_XONXOFF, QLW_IO_AUTO);
    assert_int_equal(qlw_io_open_serial(&f->io, f->path, &cfg, NULL, 0), QLW_OK);
    assert_int_equal(tcgetattr(qlw_io_fd(f->io), &tio), 0);
    assert_int_equal(cfgetospeed(&tio), B9600);
    assert_int_equal(tio.c_cflag & CRTSCTS, 0);
    assert_int_equal(tio.c_iflag & (IXON | IXOFF), IXON | IXOFF);
}

static void no_config_means_9600_without_flow_control(void **state)
{
    fixture *f = *state;
    assert_int_equal(qlw_io_open_serial(&f->io, f->path, NULL, NULL, 0), QLW_OK);
    struct termios tio;
    assert_int_equal(tcgetattr(qlw_io_fd(f->io), &tio), 0);
    assert_int_equal(cfgetospeed(&tio), B9600);
    assert_int_equal(tio.c_cflag & CRTSCTS, 0);
    assert_int_equal(tio.c_iflag & (IXON | IXOFF), 0);

    qlw_serial_config cfg;
    memset(&cfg, 0xff, sizeof cfg);
    qlw_serial_config_default(&cfg);
    assert_int_equal(cfg.baud, 9600);
    assert_int_equal(cfg.flow, QLW_FLOW_NONE);
    assert_int_equal(cfg.backend, QLW_IO_AUTO);
}

/* ------------------------------------------------------------------ bytes */

static void every_byte_value_arrives_unchanged(void **state)
{
    fixture *f = *state;
    open_slave(f, QLW_IO_AUTO);
    uint8_t sent[256];
    for (size_t i = 0; i < sizeof sent; i++) {
        sent[i] = (uint8_t)i;
    }
    assert_int_equal(write(f->master, sent, sizeof sent), (ssize_t)sizeof sent);
    uint8_t got[256];
    io_read_all(f->io, got, sizeof got, 5000);
    assert_memory_equal(got, sent, sizeof sent);
    assert_int_equal(qlw_io_read(f->io, got, sizeof got), 0);
}

static void every_byte_value_is_sent_unchanged(void **state)
{
    fixture *f = *state;
    open_slave(f, QLW_IO_POSIX);
    uint8_t sent[256];
    for (size_t i = 0; i < sizeof sent; i++) {
        sent[i] = (uint8_t)(255 - i);
    }
    io_write_all(f->io, sent, sizeof sent, 5000);
    uint8_t got[256];
    master_read_all(f->master, got, sizeof got, 5000);
    assert_memory_equal(got, sent, sizeof sent);
    assert_int_equal(qlw_io_write(f->io, sent, 0), 0);
}

/* Reads from the master until @p want bytes came, or nothing more came for
 * 5 s: the pty hands the slave's bytes over in a kernel worker, which a
 * loaded machine (or an emulator) may run late. */
static size_t master_drain(int master, size_t want)
{
    uint8_t buf[4096];
    size_t total = 0;
    struct pollfd pfd = {.fd = master, .events = POLLIN, .revents = 0};

    while (total < want && poll(&pfd, 1, 5000) == 1) {
        ssize_t n = read(master, buf, sizeof buf);
        assert_true(n > 0);
        total += (size_t)n;
    }
    return total;
}

static void a_full_line_takes_nothing_instead_of_blocking(void **state)
{
    fixture *f = *state;
    open_slave(f, QLW_IO_AUTO);
    uint8_t block[4096];
    memset(block, 'x', sizeof block);
    size_t total = 0;
    int n;
    /* Nobody reads the master, so the kernel's buffer fills up. */
    while ((n = qlw_io_write(f->io, block, sizeof block)) > 0) {
        total += (size_t)n;
        assert_true(total < 64u * 1024 * 1024);
    }
    assert_int_equal(n, 0);
    assert_true(total > 0);
    /* Again at once: still no blocking and no error. It may take a little:
     * the pty's kernel worker can make room between two writes (it moved
     * 3,584 bytes on with a loaded machine). */
    n = qlw_io_write(f->io, block, sizeof block);
    assert_true(n >= 0);
    total += (size_t)n;

    assert_int_equal(master_drain(f->master, total), total);
    assert_true(qlw_io_write(f->io, block, sizeof block) > 0);
}

/* ------------------------------------------------------------------- wait */

static void wait_times_out_when_idle_and_wakes_on_data(void **state)
{
    fixture *f = *state;
    open_slave(f, QLW_IO_AUTO);
    uint32_t start_ms = now_ms();
    assert_int_equal(qlw_io_wait(f->io, 100), 0);
    int32_t idle_ms = qlw_ms_diff(now_ms(), start_ms);
    assert_true(idle_ms >= 100);
    assert_true(idle_ms < 10000);

    assert_int_equal(write(f->master, "OK", 2), 2);
    start_ms = now_ms();
    assert_int_equal(qlw_io_wait(f->io, 5000), 1);
    assert_true(qlw_ms_diff(now_ms(), start_ms) < 4000);
    /* Still readable until read. */
    assert_int_equal(qlw_io_wait(f->io, 0), 1);
    uint8_t got[2];
    io_read_all(f->io, got, 2, 1000);
    assert_memory_equal(got, "OK", 2);
    assert_int_equal(qlw_io_wait(f->io, 0), 0);
}

/* ----------------------------------------------------------------- errors */

static void a_second_open_is_refused_as_busy(void **state)
{
    fixture *f = *state;
    open_slave(f, QLW_IO_AUTO);
    qlw_io *second = (qlw_io *)&second;
    char errmsg[256];
    assert_int_equal(qlw_io_open_serial(&second, f->path, NULL, errmsg, sizeof errmsg),
                     QLW_ERR_PORT_BUSY);
    assert_null(second);
    assert_non_null(strstr(errmsg, f->path));
    assert_non_null(strstr(errmsg, "in use"));

    qlw_serial_config cfg = config(9600, QLW_FLOW_NONE, QLW_IO_POSIX);
    assert_int_equal(qlw_io_open_serial(&second, f->path, &cfg, NULL, 0), QLW_ERR_PORT_BUSY);

    /* The lock goes with the port. */
    qlw_io_close(f->io);
    f->io = NULL;
    assert_int_equal(qlw_io_open_serial(&second, f->path, NULL, NULL, 0), QLW_OK);
    qlw_io_close(second);
}

static void a_closed_master_makes_the_port_gone(void **state)
{
    fixture *f = *state;
    open_slave(f, QLW_IO_AUTO);
    close(f->master);
    f->master = -1;
    uint32_t start_ms = now_ms();
    assert_int_equal(qlw_io_wait(f->io, 2000), QLW_ERR_PORT_GONE);
    assert_true(qlw_ms_diff(now_ms(), start_ms) < 4000);
    uint8_t buf[8];
    assert_int_equal(qlw_io_read(f->io, buf, sizeof buf), QLW_ERR_PORT_GONE);
    assert_int_equal(qlw_io_write(f->io, (const uint8_t *)"AT\r", 3), QLW_ERR_PORT_GONE);
}

static void a_missing_port_is_not_found(void **state)
{
    (void)state;
    const char *path = "/dev/qlwm2m-no-such-port";
    const qlw_io_backend backends[] = {QLW_IO_AUTO, QLW_IO_POSIX};
    for (size_t i = 0; i < 2; i++) {
        qlw_serial_config cfg = config(9600, QLW_FLOW_NONE, backends[i]);
        qlw_io *io = (qlw_io *)&io;
        char errmsg[256];
        assert_int_equal(qlw_io_open_serial(&io, path, &cfg, errmsg, sizeof errmsg),
                         QLW_ERR_PORT_NOT_FOUND);
        assert_null(io);
        assert_string_equal(errmsg, "cannot open /dev/qlwm2m-no-such-port: no such port");
    }
}

static void a_regular_file_is_not_a_serial_port(void **state)
{
    (void)state;
    char path[] = "/tmp/qlwm2m-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    qlw_io *io = (qlw_io *)&io;
    char errmsg[256];
    char expected[300];
    snprintf(expected, sizeof expected, "%s is not a serial port", path);
    assert_int_equal(qlw_io_open_serial(&io, path, NULL, errmsg, sizeof errmsg), QLW_ERR_ARG);
    assert_null(io);
    assert_string_equal(errmsg, expected);
    unlink(path);
}

static void other_devices_and_directories_are_not_serial_ports(void **state)
{
    (void)state;
    const char *paths[] = {"/dev/null", "/tmp"};
    for (size_t i = 0; i < 2; i++) {
        qlw_io *io = (qlw_io *)&io;
        char errmsg[256];
        char expected[300];
        snprintf(expected, sizeof expected, "%s is not a serial port", paths[i]);
        assert_int_equal(qlw_io_open_serial(&io, paths[i], NULL, errmsg, sizeof errmsg),
                         QLW_ERR_ARG);
        assert_null(io);
        assert_string_equal(errmsg, expected);
    }
}

static void bad_settings_are_refused(void **state)
{
    fixture *f = *state;
    char errmsg[256];
    const uint32_t bad_bauds[] = {0, 12345, 300, 1000000};
    for (size_t i = 0; i < sizeof bad_bauds / sizeof bad_bauds[0]; i++) {
        qlw_serial_config cfg = config(bad_bauds[i], QLW_FLOW_NONE, QLW_IO_AUTO);
        assert_int_equal(qlw_io_open_serial(&f->io, f->path, &cfg, errmsg, sizeof errmsg),
                         QLW_ERR_ARG);
        assert_null(f->io);
        char rate[64];
        snprintf(rate, sizeof rate, "baud rate %lu is not supported", (unsigned long)bad_bauds[i]);
        assert_non_null(strstr(errmsg, rate));
        assert_non_null(strstr(errmsg, f->path));
    }
    qlw_serial_config cfg = config(9600, (qlw_flow)7, QLW_IO_AUTO);
    assert_int_equal(qlw_io_open_serial(&f->io, f->path, &cfg, NULL, 0), QLW_ERR_ARG);
    cfg = config(9600, QLW_FLOW_NONE, (qlw_io_backend)9);
    assert_int_equal(qlw_io_open_serial(&f->io, f->path, &cfg, NULL, 0), QLW_ERR_ARG);
    assert_int_equal(qlw_io_open_serial(&f->io, NULL, NULL, errmsg, sizeof errmsg), QLW_ERR_ARG);
    assert_int_equal(qlw_io_open_serial(&f->io, "", NULL, NULL, 0), QLW_ERR_ARG);
    assert_int_equal(qlw_io_open_serial(NULL, f->path, NULL, NULL, 0), QLW_ERR_ARG);
    assert_null(f->io);
}

static void every_standard_rate_is_accepted(void **state)
{
    fixture *f = *state;
    const uint32_t rates[] = {1200,  2400,   4800,   9600,   19200, 38400,
                              57600, 115200, 230400, 460800, 921600};
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        qlw_serial_config cfg = config(rates[i], QLW_FLOW_NONE, QLW_IO_POSIX);
        assert_int_equal(qlw_io_open_serial(&f->io, f->path, &cfg, NULL, 0), QLW_OK);
        qlw_io_close(f->io);
        f->io = NULL;
    }
}

static void libserialport_backend_does_not_take_a_pty(void **state)
{
    fixture *f = *state;
    qlw_serial_config cfg = config(9600, QLW_FLOW_NONE, QLW_IO_LIBSERIALPORT);
    char errmsg[256];
    int err = qlw_io_open_serial(&f->io, f->path, &cfg, errmsg, sizeof errmsg);
    /* Debian's libserialport looks ports up in sysfs, where ptys are not listed. */
    assert_int_equal(err,
                     qlw_io_has_libserialport() ? QLW_ERR_PORT_NOT_FOUND : QLW_ERR_UNSUPPORTED);
    assert_null(f->io);
    assert_non_null(strstr(errmsg, f->path));
}

static void permission_denied_is_reported(void **state)
{
    fixture *f = *state;
    if (geteuid() == 0) {
        /* root opens the device whatever its mode, so there is nothing to observe. */
        skip();
    }
    assert_int_equal(chmod(f->path, 0), 0);
    char errmsg[256];
    char expected[300];
    snprintf(expected, sizeof expected,
             "cannot open %s: permission denied (add your user to the dialout group)", f->path);
    assert_int_equal(qlw_io_open_serial(&f->io, f->path, NULL, errmsg, sizeof errmsg),
                     QLW_ERR_PORT_PERMISSION);
    assert_null(f->io);
    assert_string_equal(errmsg, expected);
}

/* ------------------------------------------------------------------ clock */

static void the_system_clock_follows_real_time(void **state)
{
    (void)state;
    qlw_clock clock = qlw_clock_system();
    uint32_t start_ms = clock.now_ms(clock.ctx);
    struct timespec pause = {0, 30 * 1000 * 1000};
    assert_int_equal(nanosleep(&pause, NULL), 0);
    int32_t slept_ms = qlw_ms_diff(clock.now_ms(clock.ctx), start_ms);
    assert_true(slept_ms >= 30);
    assert_true(slept_ms < 10000);
}

#define PTY_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup_pty, teardown_pty)

int main(void)
{
    const struct CMUnitTest tests[] = {
        PTY_TEST(auto_opens_a_pty_with_termios),
        PTY_TEST(posix_backend_opens_a_pty),
        PTY_TEST(settings_reach_the_tty),
        PTY_TEST(no_config_means_9600_without_flow_control),
        PTY_TEST(every_byte_value_arrives_unchanged),
        PTY_TEST(every_byte_value_is_sent_unchanged),
        PTY_TEST(a_full_line_takes_nothing_instead_of_blocking),
        PTY_TEST(wait_times_out_when_idle_and_wakes_on_data),
        PTY_TEST(a_second_open_is_refused_as_busy),
        PTY_TEST(a_closed_master_makes_the_port_gone),
        cmocka_unit_test(a_missing_port_is_not_found),
        cmocka_unit_test(a_regular_file_is_not_a_serial_port),
        cmocka_unit_test(other_devices_and_directories_are_not_serial_ports),
        PTY_TEST(bad_settings_are_refused),
        PTY_TEST(every_standard_rate_is_accepted),
        PTY_TEST(libserialport_backend_does_not_take_a_pty),
        PTY_TEST(permission_denied_is_reported),
        cmocka_unit_test(the_system_clock_follows_real_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
