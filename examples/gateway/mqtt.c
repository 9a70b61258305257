/*
 * The broker connection, on libmosquitto, driven by the gateway's own loop.
 *
 * Why libmosquitto, and why "threaded": a reading must be in the outbox
 * before the broker gets its PUBACK. In libmosquitto 2.0 (Debian 12:
 * 2.0.11) handle__publish() queues the PUBACK of a QoS 1 message *before*
 * it calls on_message, and packet__queue() writes it to the socket at once
 * unless the handle is marked threaded (or is inside a callback). Eclipse
 * Paho C is no better: MQTTProtocol_handlePublishes() sends the PUBACK
 * before the message is queued for messageArrived, whose "return 0, deliver
 * again" only repeats the call from memory, so it does not survive a crash.
 * With mosquitto_threaded_set(true) and no thread of its own, libmosquitto
 * only queues packets; they leave when this program calls
 * mosquitto_loop_write(). The loop reads (on_message stores each reading in
 * the open transaction), commits (fsync), and only then writes: every PUBACK
 * follows the commit of its reading. The library starts no thread: we call
 * mosquitto_loop_read/write/misc ourselves.
 */
#include <mosquitto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway.h"

static void on_connect_flags(struct mosquitto *mosq, void *obj, int rc, int flags)
{
    gw *g = obj;

    (void)mosq;
    g->connecting = false;
    if (rc != 0) {
        gw_log(GW_WARN, NULL, "broker refused the connection: %s", mosquitto_connack_string(rc));
        return;
    }
    g->connected = true;
    g->reconnect_delay_ms = GW_RECONNECT_MIN_MS;
    gw_on_connected(g, (flags & 1) != 0);
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
    gw *g = obj;

    (void)mosq;
    if (g->connected || g->connecting)
        gw_log(rc == 0 ? GW_INFO : GW_WARN, NULL, "disconnected from the broker%s%s",
               rc == 0 ? "" : ": ", rc == 0 ? "" : mosquitto_strerror(rc));
    g->connected = false;
    g->connecting = false;
    g->reconnect_at_ms = gw_now_ms() + g->reconnect_delay_ms;
    g->reconnect_delay_ms = g->reconnect_delay_ms * 2 > GW_RECONNECT_MAX_MS
                                ? GW_RECONNECT_MAX_MS
                                : g->reconnect_delay_ms * 2;
}

static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg)
{
    (void)mosq;
    gw_on_reading(obj, msg->topic, msg->payload,
                  (size_t)(msg->payloadlen > 0 ? msg->payloadlen : 0), msg->mid);
}

static void on_publish(struct mosquitto *mosq, void *obj, int mid)
{
    (void)mosq;
    gw_on_published(obj, mid);
}

static void on_log(struct mosquitto *mosq, void *obj, int level, const char *str)
{
    (void)mosq;
    (void)obj;
    if (level & (MOSQ_LOG_ERR | MOSQ_LOG_WARNING))
        gw_log(GW_WARN, NULL, "mqtt: %s", str);
}

int mqtt_init(gw *g)
{
    static const char offline[] = "offline";

    mosquitto_lib_init();
    g->mosq = mosquitto_new(g->cfg.client_id, false /* persistent session */, g);
    if (g->mosq == NULL) {
        gw_log(GW_ERR, NULL, "cannot create the MQTT client");
        return -1;
    }
    mosquitto_threaded_set(g->mosq, true); /* see the top of this file */
    mosquitto_connect_with_flags_callback_set(g->mosq, on_connect_flags);
    mosquitto_disconnect_callback_set(g->mosq, on_disconnect);
    mosquitto_message_callback_set(g->mosq, on_message);
    mosquitto_publish_callback_set(g->mosq, on_publish);
    mosquitto_log_callback_set(g->mosq, on_log);
    snprintf(g->status_topic, sizeof g->status_topic, "%s/gateway/%s/status", g->cfg.prefix,
             g->cfg.client_id);
    if (mosquitto_will_set(g->mosq, g->status_topic, (int)strlen(offline), offline, 1, true) !=
        MOSQ_ERR_SUCCESS) {
        gw_log(GW_ERR, NULL, "cannot set the last will");
        return -1;
    }
    g->reconnect_delay_ms = GW_RECONNECT_MIN_MS;
    g->reconnect_at_ms = gw_now_ms();
    g->mid_reading = calloc(65536, sizeof *g->mid_reading);
    g->done = calloc(65536, sizeof *g->done);
    return g->mid_reading && g->done ? 0 : -1;
}

void mqtt_free(gw *g)
{
    if (g->mosq)
        mosquitto_destroy(g->mosq);
    g->mosq = NULL;
    free(g->mid_reading);
    free(g->done);
    g->mid_reading = NULL;
    g->done = NULL;
    mosquitto_lib_cleanup();
}

bool mqtt_connected(const gw *g)
{
    return g->connected;
}

int mqtt_fd(gw *g, bool *want_write)
{
    int fd = mosquitto_socket(g->mosq);

    *want_write = fd >= 0 && mosquitto_want_write(g->mosq);
    return fd;
}

void mqtt_read(gw *g)
{
    mosquitto_loop_read(g->mosq, 64);
}

void mqtt_write(gw *g)
{
    if (mosquitto_socket(g->mosq) >= 0 && mosquitto_want_write(g->mosq))
        mosquitto_loop_write(g->mosq, 64);
}

static void connect_now(gw *g)
{
    int rc;

    g->connecting = true;
    if (!g->subscribed) /* the first time: connect; afterwards: reconnect (keeps the queue) */
        rc = mosquitto_connect_async(g->mosq, g->cfg.broker_host, g->cfg.broker_port,
                                     g->cfg.keepalive_s);
    else
        rc = mosquitto_reconnect_async(g->mosq);
    if (rc != MOSQ_ERR_SUCCESS) {
        gw_log(GW_WARN, NULL, "cannot connect to %s:%d: %s (again in %u ms)", g->cfg.broker_host,
               g->cfg.broker_port, mosquitto_strerror(rc), g->reconnect_delay_ms);
        on_disconnect(g->mosq, g, -1);
        g->connecting = false;
    }
}

uint32_t mqtt_misc(gw *g)
{
    uint32_t now = gw_now_ms();

    if (!g->connected && !g->connecting && !g->stopping) {
        if (qlw_ms_reached(now, g->reconnect_at_ms))
            connect_now(g);
        else
            return (uint32_t)qlw_ms_diff(g->reconnect_at_ms, now);
    }
    if (mosquitto_socket(g->mosq) >= 0)
        mosquitto_loop_misc(g->mosq);
    return 1000;
}

int mqtt_publish(gw *g, const char *topic, const void *data, size_t len, bool retain)
{
    int mid = 0;
    int rc = mosquitto_publish(g->mosq, &mid, topic, (int)len, data, 1, retain);

    /* Not connected: libmosquitto keeps the message and sends it after the reconnect. */
    if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NO_CONN) {
        gw_log(GW_WARN, NULL, "publish to %s: %s", topic, mosquitto_strerror(rc));
        return -1;
    }
    return mid;
}

bool mqtt_disconnect(gw *g, uint32_t timeout_ms)
{
    static const char offline[] = "offline";
    uint32_t start = gw_now_ms();

    if (!g->connected)
        return false;
    mosquitto_publish(g->mosq, NULL, g->status_topic, (int)strlen(offline), offline, 1, true);
    mosquitto_disconnect(g->mosq);
    /* PUBACKs, results and "offline" leave before the DISCONNECT (one queue, in order);
     * libmosquitto closes the socket once the DISCONNECT is written. */
    while (mosquitto_socket(g->mosq) >= 0 && mosquitto_want_write(g->mosq) &&
           qlw_ms_diff(gw_now_ms(), start) < (int32_t)timeout_ms) {
        if (mosquitto_loop_write(g->mosq, 64) != MOSQ_ERR_SUCCESS)
            break;
    }
    g->connected = false;
    return mosquitto_socket(g->mosq) < 0 && !mosquitto_want_write(g->mosq);
}
