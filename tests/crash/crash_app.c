/*
 * qlwm2m-crash-app: a small gateway that the crash test (scripts/crash.sh)
 * kills at random moments and starts again.
 *
 * It drives one module (normally qlwm2m-sim) with an SQLite outbox, queues
 * COUNT readings "R<run>-<i>" (NON and CON in turn) while the session runs,
 * and writes down in the outbox's own database, in the same transactions as
 * the library:
 *   readings(id, hex, run)   with the queueing (one transaction: both or none)
 *   reports(id, outcome, dup, attempts, run)   with the report's removal
 * so that after any number of kills the checker can compare what was queued,
 * what was reported and what the simulated server received. It exits 0 once
 * its readings and whatever an earlier run left are reported.
 *
 * Usage: qlwm2m-crash-app PORT DB RUN COUNT [--at-most-once] [--die-at-write N]
 *   --die-at-write N: SIGKILL itself at the N-th write or sync of the
 *   database (through a wrapping VFS), i.e. in the middle of a commit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "fail_vfs.h"
#include "qlwm2m/qlwm2m.h"

typedef struct app {
    sqlite3 *db;
    int run;
    unsigned reports;
} app;

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "crash-app: %s: %s\n", what, detail);
    exit(2);
}

static void sql(sqlite3 *db, const char *text)
{
    if (sqlite3_exec(db, text, NULL, NULL, NULL) != SQLITE_OK)
        die(text, sqlite3_errmsg(db));
}

/* Runs inside the store's removal: this row and the removal commit together. */
static void on_uplink(void *ctx, const qlw_uplink_report *r)
{
    app *a = ctx;
    char text[160];

    snprintf(text, sizeof(text),
             "INSERT INTO reports(id, outcome, dup, attempts, run) VALUES (%lu, '%s', %d, %u, %d)",
             (unsigned long)r->id, qlw_outcome_str(r->outcome), r->possible_duplicate ? 1 : 0,
             r->attempts, a->run);
    sql(a->db, text);
    a->reports++;
}

static void hex(const uint8_t *data, size_t len, char *out)
{
    for (size_t i = 0; i < len; i++)
        sprintf(out + 2 * i, "%02X", data[i]);
}

/* Queues reading i of this run and records it, atomically. */
static int queue_one(qlw_session *s, app *a, int i)
{
    char payload[32], text[160], h[65];
    int len = snprintf(payload, sizeof(payload), "R%d-%d", a->run, i);
    uint32_t id;
    int rc;

    sql(a->db, "SAVEPOINT app_queue");
    rc = qlw_queue_uplink(s, (const uint8_t *)payload, (size_t)len,
                          i % 2 ? QLW_UPLINK_CON : QLW_UPLINK_NON, &id);
    if (rc != QLW_OK) {
        sql(a->db, "ROLLBACK TO app_queue; RELEASE app_queue");
        if (rc != QLW_ERR_QUEUE_FULL)
            die("queue", qlw_errmsg(s));
        return rc;
    }
    hex((const uint8_t *)payload, (size_t)len, h);
    snprintf(text, sizeof(text), "INSERT INTO readings(id, hex, run) VALUES (%lu, '%s', %d)",
             (unsigned long)id, h, a->run);
    sql(a->db, text);
    sql(a->db, "RELEASE app_queue");
    return QLW_OK;
}

int main(int argc, char **argv)
{
    qlw_session_config cfg;
    qlw_serial_config serial;
    qlw_session *s;
    qlw_store *store;
    app a = {0};
    char err[256];
    int count, queued = 0, rc;
    const char *vfs = NULL;
    bool at_most_once = false;

    if (argc < 5) {
        fprintf(stderr, "usage: %s PORT DB RUN COUNT [--at-most-once] [--die-at-write N]\n",
                argv[0]);
        return 2;
    }
    a.run = atoi(argv[3]);
    count = atoi(argv[4]);
    for (int i = 5; i < argc; i++) {
        if (strcmp(argv[i], "--at-most-once") == 0) {
            at_most_once = true;
        } else if (strcmp(argv[i], "--die-at-write") == 0 && i + 1 < argc) {
            fail_vfs_register();
            fail_vfs.kill_at = (unsigned)atoi(argv[++i]);
            vfs = FAIL_VFS_NAME;
        }
    }
    if (qlw_sqlite_store_open_vfs(&store, argv[2], vfs, err, sizeof(err)) != QLW_OK)
        die("store", err);
    a.db = qlw_sqlite_store_db(store);
    sql(a.db, "CREATE TABLE IF NOT EXISTS readings(id INTEGER, hex TEXT, run INTEGER);"
              "CREATE TABLE IF NOT EXISTS reports(id INTEGER, outcome TEXT, dup INTEGER, "
              "attempts INTEGER, run INTEGER)");

    qlw_session_config_default(&cfg);
    cfg.store = store;
    cfg.delivery = at_most_once ? QLW_DELIVERY_AT_MOST_ONCE : QLW_DELIVERY_AT_LEAST_ONCE;
    cfg.resume_registration = true; /* the module stays registered across our restarts */
    cfg.uplink_queue_len = 64;
    cfg.uplink_queue_bytes = 2048;
    cfg.backoff_min_ms = 200;
    cfg.on_uplink = on_uplink;
    cfg.ctx = &a;
    qlw_serial_config_default(&serial);
    rc = qlw_open(&s, argv[1], &serial, &cfg, err, sizeof(err));
    if (rc != QLW_OK)
        die("open", err[0] ? err : qlw_strerror(rc));
    qlw_request_register(s);

    /* One reading every few polls, so that kills find the program queueing,
     * waiting for a command and writing the store, in every proportion. */
    for (int spin = 0; spin < 20000; spin++) {
        if (queued < count && spin % 3 == 0 && queue_one(s, &a, queued) == QLW_OK)
            queued++;
        if (queued == count && qlw_uplinks_pending(s) == 0)
            break;
        rc = qlw_poll(s, 20);
        if (rc != QLW_OK && rc != QLW_ERR_TIMEOUT)
            die("poll", qlw_errmsg(s));
    }
    rc = queued == count && qlw_uplinks_pending(s) == 0 ? 0 : 3;
    if (rc != 0)
        fprintf(stderr, "crash-app: run %d: %d of %d queued, %zu pending (%s)\n", a.run, queued,
                count, qlw_uplinks_pending(s), qlw_errmsg(s));
    qlw_close(s);
    qlw_sqlite_store_close(store);
    printf("run %d: queued %d, reported %u\n", a.run, queued, a.reports);
    return rc;
}
