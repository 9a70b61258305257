/*
 * temperature_3303: an IPSO Temperature sensor (object 3303) on a BC66,
 * whose LwM2M client relays the server's requests to the host. The program
 * declares instance /3303/0 (Sensor Value 5700, Min and Max Measured Value
 * 5601/5602, Sensor Units 5701, Reset Min and Max 5605), registers, answers
 * the server's reads, writes and executes through its callbacks, and sends
 * a notify of /3303/0/5700 with every new reading while the server observes
 * it. The readings are made up (a slow ramp); a real program reads its sensor.
 *
 *   temperature_3303 PORT [SECONDS]      e.g.  temperature_3303 /dev/ttyUSB0 60
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qlwm2m/qlwm2m.h>

typedef struct sensor {
    double value, min, max;
    char units[16];
} sensor;

static const qlw_lw_resource resources[] = {
    {5700, QLW_LW_FLOAT, QLW_LW_R},  {5601, QLW_LW_FLOAT, QLW_LW_R},
    {5602, QLW_LW_FLOAT, QLW_LW_R},  {5701, QLW_LW_STRING, QLW_LW_R | QLW_LW_W},
    {5605, QLW_LW_STRING, QLW_LW_E},
};
static const qlw_lw_instance instances[] = {
    {3303, 0, resources, sizeof(resources) / sizeof(resources[0])}};

static int on_read(void *ctx, uint16_t obj, uint16_t ins, uint16_t res, qlw_lw_value *out)
{
    sensor *t = ctx;

    (void)obj;
    (void)ins;
    switch (res) {
    case 5700:
        out->f = t->value;
        break;
    case 5601:
        out->f = t->min;
        break;
    case 5602:
        out->f = t->max;
        break;
    default:
        out->str = t->units;
        break;
    }
    return QLW_LW_OK;
}

static int on_write(void *ctx, uint16_t obj, uint16_t ins, uint16_t res, const qlw_lw_value *in)
{
    sensor *t = ctx;

    (void)obj;
    (void)ins;
    (void)res; /* only 5701 is writable: the session refused the others */
    if (strlen(in->str) >= sizeof(t->units))
        return QLW_LW_BAD_REQUEST;
    strcpy(t->units, in->str);
    printf("units set to %s\n", t->units);
    return QLW_LW_OK;
}

static int on_execute(void *ctx, uint16_t obj, uint16_t ins, uint16_t res, const char *args)
{
    sensor *t = ctx;

    (void)obj;
    (void)ins;
    (void)res;
    (void)args;
    t->min = t->max = t->value;
    printf("min and max reset\n");
    return QLW_LW_OK;
}

static void on_request(void *ctx, const qlw_lw_request *r)
{
    (void)ctx;
    printf("server %s /%d/%d/%d: answered %d%s\n", qlw_lw_request_kind_str(r->kind), r->object,
           r->instance, r->resource, r->code, r->repeated ? " (again)" : "");
    fflush(stdout);
}

static void new_reading(sensor *t, double v)
{
    t->value = v;
    if (v < t->min)
        t->min = v;
    if (v > t->max)
        t->max = v;
}

int main(int argc, char **argv)
{
    sensor t = {21.0, 21.0, 21.0, "Cel"};
    qlw_lw_host host = {instances, 1, on_read, on_write, on_execute, on_request, &t};
    unsigned seconds = argc == 3 ? (unsigned)strtoul(argv[2], NULL, 10) : 60;
    unsigned notified = 0;
    qlw_session *s;
    char err[160];
    int rc;

    if (argc < 2 || argc > 3 || seconds == 0) {
        fprintf(stderr, "usage: %s PORT [SECONDS]\n", argv[0]);
        return 2;
    }
    if (qlw_open(&s, argv[1], NULL, NULL, err, sizeof(err)) != QLW_OK) {
        fprintf(stderr, "temperature_3303: %s\n", err);
        return 1;
    }
    /* The objects go out in the Register message: declare them first. */
    rc = qlw_lw_set_host(s, &host);
    if (rc == QLW_OK)
        rc = qlw_register(s, 120000);
    if (rc == QLW_OK)
        rc = qlw_wait_ready(s, 120000); /* the server observed /19/0/0 */
    if (rc == QLW_OK && qlw_get_dialect(s) != QLW_DIALECT_QLWCONFIG_B)
        rc = QLW_ERR_UNSUPPORTED;
    if (rc != QLW_OK) {
        fprintf(stderr, "temperature_3303: %s%s%s\n", qlw_strerror(rc),
                qlw_errmsg(s)[0] ? ": " : "", qlw_errmsg(s));
        qlw_close(s);
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    /* One reading a second; a notify whenever the server observes the value. */
    for (unsigned i = 1; i <= seconds; i++) {
        uint32_t start = qlw_at_now_ms(qlw_session_at(s));

        new_reading(&t, 21.0 + 0.5 * i);
        if (qlw_lw_notify(s, 3303, 0, 5700) == QLW_OK)
            notified++;
        while (qlw_ms_diff(qlw_at_now_ms(qlw_session_at(s)), start) < 1000)
            qlw_poll(s, 1000);
    }
    printf("%u readings, %u notified\n", seconds, notified);
    qlw_close(s);
    return 0;
}
