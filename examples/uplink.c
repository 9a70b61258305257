/*
 * uplink: the smallest complete qlwm2m program. It points the module at an
 * LwM2M server, attaches, registers, and sends one reading as a confirmable
 * uplink, waiting for the server's acknowledgement.
 *
 *   uplink PORT HOST        e.g.  uplink /dev/ttyUSB0 198.51.100.1
 */
#include <stdio.h>

#include <qlwm2m/qlwm2m.h>

static int fail(qlw_session *s, const char *step, int rc)
{
    /* qlw_errmsg() names the command and the module's answer when there was one. */
    fprintf(stderr, "uplink: %s failed: %s%s%s\n", step, qlw_strerror(rc),
            qlw_errmsg(s)[0] ? ": " : "", qlw_errmsg(s));
    qlw_close(s);
    return 1;
}

int main(int argc, char **argv)
{
    static const uint8_t reading[] = {0x01, 0x17};
    qlw_uplink_report rep;
    qlw_session *s;
    char err[160];
    int rc;

    if (argc != 3) {
        fprintf(stderr, "usage: %s PORT HOST\n", argv[0]);
        return 2;
    }
    if (qlw_open(&s, argv[1], NULL, NULL, err, sizeof(err)) != QLW_OK) {
        fprintf(stderr, "uplink: %s\n", err);
        return 1;
    }
    /* The server first: changing it turns the radio off and reboots the module. */
    rc = qlw_set_cdp(s, argv[2], 5683, 60000);
    if (rc != QLW_OK)
        return fail(s, "setting the server", rc);
    rc = qlw_attach(s, NULL, 180000);
    if (rc != QLW_OK)
        return fail(s, "attaching", rc);
    rc = qlw_register(s, 120000);
    if (rc != QLW_OK)
        return fail(s, "registering", rc);
    /* Waits for the server to observe /19/0/0, then for its acknowledgement. */
    rc = qlw_send_uplink(s, reading, sizeof(reading), QLW_UPLINK_CON, 300000, &rep);
    if (rc != QLW_OK)
        return fail(s, "sending", rc);
    printf("delivered %zu bytes (seq %d, %u attempt%s)\n", rep.len, rep.seq, rep.attempts,
           rep.attempts == 1 ? "" : "s");
    qlw_close(s);
    return 0;
}
