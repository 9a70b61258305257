/*
 * The durable outbox on SQLite. WAL with synchronous=FULL: a commit is on
 * the disk (the WAL fsynced) when outbox_commit() returns, so a reading
 * acknowledged to the broker after that survives a power cut, not only a
 * kill. The event loop commits once per turn, so one fsync covers every
 * message read in that turn.
 *
 * Recognising a redelivery. After a crash or a broken connection the
 * broker sends again, with the same packet id, every message whose PUBACK
 * it did not get; the gateway may already have stored it (it stores before
 * it acknowledges). libmosquitto does not show the DUP flag, and packet ids
 * are reused, so a message is taken as a redelivery of a stored reading when
 * all of these hold:
 *   - same packet id, same topic, same bytes;
 *   - that reading arrived on an earlier connection which did not end with
 *     our own clean DISCONNECT (after a clean one every PUBACK had reached
 *     the broker: TCP keeps order);
 *   - it was among the last N readings of that connection (N =
 *     --redelivery-window, default 20: a broker sends no more than its
 *     in-flight limit past an unacknowledged message; mosquitto's
 *     max_inflight_messages is 20);
 *   - no later reading carries the same packet id (the id was free again,
 *     so that reading had been acknowledged).
 * A new message could still be taken for a redelivery if the broker reused
 * a packet id at once for a message with the same topic and bytes, whose
 * first delivery was lost with the connection. mosquitto hands out packet
 * ids in sequence (65,535 of them before one comes back), so against it
 * that cannot happen. The other way round, a redelivery that does not meet
 * these rules (a window too small for the broker) becomes a second reading,
 * reported apart with its own id.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "gateway.h"

#define PRUNE_KEEP 10000 /* DONE readings kept for the redelivery check */

enum {
    ST_BEGIN,
    ST_COMMIT,
    ST_FIND_DUP,
    ST_INSERT,
    ST_CONN_COUNT,
    ST_NEXT,
    ST_GET,
    ST_FIRST_HANDED,
    ST_SET_STATE,
    ST_RESOLVE,
    ST_COUNT,
    ST_COUNT_ALL,
    ST__N
};

static const char *const sql_text[ST__N] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_FIND_DUP] =
        "SELECT r.id FROM reading r JOIN conn c ON c.epoch = r.epoch"
        " WHERE r.mid = ?1 AND r.topic = ?2 AND r.payload = ?3 AND r.epoch < ?4"
        " AND c.clean = 0 AND c.received - r.nth < ?5"
        " AND NOT EXISTS (SELECT 1 FROM reading r3 WHERE r3.mid = r.mid AND r3.id > r.id)"
        " ORDER BY r.id DESC LIMIT 1",
    [ST_INSERT] = "INSERT INTO reading(modem, con, payload, mid, topic, epoch, nth, received_ms)"
                  " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_CONN_COUNT] = "UPDATE conn SET received = ?2 WHERE epoch = ?1",
    [ST_NEXT] = "SELECT id, modem, con, payload, attempts, dup, received_ms FROM reading"
                " WHERE modem = ?1 AND state = 0 ORDER BY id LIMIT 1",
    [ST_GET] = "SELECT id, modem, con, payload, attempts, dup, received_ms FROM reading"
               " WHERE id = ?1",
    [ST_FIRST_HANDED] = "SELECT id, modem, con, payload, attempts, dup, received_ms FROM reading"
                        " WHERE modem = ?1 AND state = 1 ORDER BY id LIMIT 1",
    [ST_SET_STATE] = "UPDATE reading SET state = ?2 WHERE id = ?1",
    [ST_RESOLVE] = "UPDATE reading SET state = 2, result = ?2 WHERE id = ?1",
    [ST_COUNT] = "SELECT count(*) FROM reading WHERE modem = ?1 AND state = ?2",
    [ST_COUNT_ALL] = "SELECT count(*) FROM reading WHERE state = ?2 AND ?1 IS NULL",
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS conn("
    " epoch INTEGER PRIMARY KEY AUTOINCREMENT,"
    " clean INTEGER NOT NULL DEFAULT 0,"
    " received INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS reading("
    " id INTEGER PRIMARY KEY AUTOINCREMENT," /* never reused, even after pruning */
    " modem TEXT NOT NULL,"
    " con INTEGER NOT NULL,"
    " payload BLOB NOT NULL,"
    " mid INTEGER NOT NULL,"
    " topic TEXT NOT NULL,"
    " epoch INTEGER NOT NULL,"
    " nth INTEGER NOT NULL,"
    " state INTEGER NOT NULL DEFAULT 0,"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " dup INTEGER NOT NULL DEFAULT 0,"
    " received_ms INTEGER NOT NULL,"
    " result TEXT);"
    "CREATE INDEX IF NOT EXISTS reading_mid ON reading(mid, id);"
    "CREATE INDEX IF NOT EXISTS reading_state ON reading(modem, state, id);";

struct outbox {
    sqlite3 *db;
    sqlite3_stmt *st[ST__N];
    int64_t epoch;
    int64_t received; /* readings stored on this connection */
    unsigned window;
    bool in_tx;
    int changes_at_begin;
    char err[GW_PATH_MAX + 320];
};

static int fail(outbox *ob, const char *what)
{
    snprintf(ob->err, sizeof ob->err, "%s: %s", what, ob->db ? sqlite3_errmsg(ob->db) : "");
    return -1;
}

const char *outbox_errmsg(outbox *ob)
{
    return ob->err;
}

static sqlite3_stmt *stmt(outbox *ob, int which)
{
    sqlite3_stmt *s = ob->st[which];
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return s;
}

static int run(outbox *ob, sqlite3_stmt *s, const char *what)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : fail(ob, what);
}

int outbox_open(outbox **out, const char *dir, unsigned redelivery_window)
{
    static outbox failed_open;
    char path[GW_PATH_MAX + 16];
    outbox *ob;

    *out = NULL;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(failed_open.err, sizeof failed_open.err, "cannot create %s: %s", dir,
                 strerror(errno));
        *out = &failed_open;
        return -1;
    }
    ob = sqlite3_malloc(sizeof *ob);
    if (ob == NULL)
        return -1;
    memset(ob, 0, sizeof *ob);
    *out = ob;
    ob->window = redelivery_window;
    snprintf(path, sizeof path, "%s/outbox.db", dir);
    if (sqlite3_open_v2(path, &ob->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK)
        return fail(ob, path);
    sqlite3_busy_timeout(ob->db, 5000);
    /* WAL: readers never block the writer; FULL: each commit fsyncs the WAL. */
    if (sqlite3_exec(ob->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", NULL, NULL,
                     NULL) != SQLITE_OK ||
        sqlite3_exec(ob->db, schema, NULL, NULL, NULL) != SQLITE_OK)
        return fail(ob, path);
    for (int i = 0; i < ST__N; i++) {
        if (sqlite3_prepare_v3(ob->db, sql_text[i], -1, SQLITE_PREPARE_PERSISTENT, &ob->st[i],
                               NULL) != SQLITE_OK)
            return fail(ob, sql_text[i]);
    }
    return 0;
}

void outbox_close(outbox *ob)
{
    if (ob == NULL || ob->db == NULL)
        return;
    if (ob->in_tx)
        outbox_commit(ob);
    for (int i = 0; i < ST__N; i++)
        sqlite3_finalize(ob->st[i]);
    sqlite3_close(ob->db);
    sqlite3_free(ob);
}

int outbox_begin(outbox *ob)
{
    if (ob->in_tx)
        return 0;
    if (run(ob, stmt(ob, ST_BEGIN), "begin") != 0)
        return -1;
    ob->in_tx = true;
    ob->changes_at_begin = sqlite3_total_changes(ob->db);
    return 0;
}

bool outbox_dirty(outbox *ob)
{
    return sqlite3_total_changes(ob->db) != ob->changes_at_begin;
}

int outbox_commit(outbox *ob)
{
    if (!ob->in_tx)
        return 0;
    ob->in_tx = false;
    return run(ob, stmt(ob, ST_COMMIT), "commit");
}

int outbox_connection(outbox *ob, bool previous_clean)
{
    if (previous_clean && outbox_mark_clean(ob) != 0)
        return -1;
    if (sqlite3_exec(ob->db, "INSERT INTO conn DEFAULT VALUES", NULL, NULL, NULL) != SQLITE_OK)
        return fail(ob, "new connection");
    ob->epoch = sqlite3_last_insert_rowid(ob->db);
    ob->received = 0;
    return 0;
}

int outbox_mark_clean(outbox *ob)
{
    char sql[96];

    if (ob->epoch == 0)
        return 0;
    snprintf(sql, sizeof sql, "UPDATE conn SET clean = 1 WHERE epoch = %lld", (long long)ob->epoch);
    return sqlite3_exec(ob->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : fail(ob, "mark clean");
}

int outbox_put(outbox *ob, const char *modem, bool con, const uint8_t *data, size_t len, int mid,
               const char *topic, int64_t *id, bool *fresh)
{
    sqlite3_stmt *s = stmt(ob, ST_FIND_DUP);
    int rc;

    sqlite3_bind_int(s, 1, mid);
    sqlite3_bind_text(s, 2, topic, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 3, data, (int)len, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, ob->epoch);
    sqlite3_bind_int(s, 5, (int)ob->window);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(s, 0);
        *fresh = false;
        sqlite3_reset(s);
        return 0;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return fail(ob, "redelivery check");
    s = stmt(ob, ST_INSERT);
    sqlite3_bind_text(s, 1, modem, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, con);
    sqlite3_bind_blob(s, 3, data, (int)len, SQLITE_STATIC);
    sqlite3_bind_int(s, 4, mid);
    sqlite3_bind_text(s, 5, topic, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 6, ob->epoch);
    sqlite3_bind_int64(s, 7, ob->received + 1);
    sqlite3_bind_int64(s, 8, gw_wall_ms());
    if (run(ob, s, "store a reading") != 0)
        return -1;
    *id = sqlite3_last_insert_rowid(ob->db);
    *fresh = true;
    ob->received++;
    s = stmt(ob, ST_CONN_COUNT);
    sqlite3_bind_int64(s, 1, ob->epoch);
    sqlite3_bind_int64(s, 2, ob->received);
    return run(ob, s, "count a reading");
}

static void row_to_reading(sqlite3_stmt *s, gw_reading *r)
{
    const void *blob = sqlite3_column_blob(s, 3);
    int n = sqlite3_column_bytes(s, 3);
    const unsigned char *name = sqlite3_column_text(s, 1);

    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(s, 0);
    snprintf(r->modem, sizeof r->modem, "%s", name ? (const char *)name : "");
    r->con = sqlite3_column_int(s, 2) != 0;
    r->len = n > 0 && (size_t)n <= sizeof r->data ? (size_t)n : 0;
    if (r->len)
        memcpy(r->data, blob, r->len);
    r->attempts = (unsigned)sqlite3_column_int(s, 4);
    r->possible_duplicate = sqlite3_column_int(s, 5) != 0;
    r->received_ms = sqlite3_column_int64(s, 6);
}

static int one_reading(outbox *ob, sqlite3_stmt *s, gw_reading *r, const char *what)
{
    int rc = sqlite3_step(s);

    if (rc == SQLITE_ROW) {
        row_to_reading(s, r);
        sqlite3_reset(s);
        return 1;
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : fail(ob, what);
}

int outbox_next(outbox *ob, const char *modem, gw_reading *r)
{
    sqlite3_stmt *s = stmt(ob, ST_NEXT);
    sqlite3_bind_text(s, 1, modem, -1, SQLITE_STATIC);
    return one_reading(ob, s, r, "next reading");
}

int outbox_first_handed(outbox *ob, const char *modem, gw_reading *r)
{
    sqlite3_stmt *s = stmt(ob, ST_FIRST_HANDED);
    sqlite3_bind_text(s, 1, modem, -1, SQLITE_STATIC);
    return one_reading(ob, s, r, "handed reading");
}

int outbox_get(outbox *ob, int64_t id, gw_reading *r)
{
    sqlite3_stmt *s = stmt(ob, ST_GET);
    sqlite3_bind_int64(s, 1, id);
    return one_reading(ob, s, r, "read a reading");
}

int outbox_set_state(outbox *ob, int64_t id, gw_rstate st)
{
    sqlite3_stmt *s = stmt(ob, ST_SET_STATE);
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int(s, 2, (int)st);
    return run(ob, s, "set a reading's state");
}

int outbox_resolve(outbox *ob, int64_t id, const char *result_json)
{
    sqlite3_stmt *s = stmt(ob, ST_RESOLVE);
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, result_json, -1, SQLITE_STATIC);
    return run(ob, s, "record a result");
}

int outbox_requeue_handed(outbox *ob, const char *modem, int *count)
{
    sqlite3_stmt *s;
    int rc;

    /* A HANDED reading may have reached the module: hand it over again
     * flagged, one more attempt counted. */
    rc = sqlite3_prepare_v2(ob->db,
                            "UPDATE reading SET state = 0, dup = 1, attempts = attempts + 1"
                            " WHERE state = 1 AND (?1 IS NULL OR modem = ?1)",
                            -1, &s, NULL);
    if (rc != SQLITE_OK)
        return fail(ob, "requeue");
    if (modem)
        sqlite3_bind_text(s, 1, modem, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return fail(ob, "requeue");
    *count = sqlite3_changes(ob->db);
    return 0;
}

int outbox_each(outbox *ob, const char *modem, gw_rstate st,
                void (*fn)(void *ctx, const gw_reading *r, const char *result_json), void *ctx)
{
    sqlite3_stmt *s;
    gw_reading r;
    int rc;

    rc = sqlite3_prepare_v2(ob->db,
                            "SELECT id, modem, con, payload, attempts, dup, received_ms, result"
                            " FROM reading WHERE state = ?2 AND (?1 IS NULL OR modem = ?1)"
                            " ORDER BY id",
                            -1, &s, NULL);
    if (rc != SQLITE_OK)
        return fail(ob, "list readings");
    if (modem)
        sqlite3_bind_text(s, 1, modem, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, (int)st);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const unsigned char *res = sqlite3_column_text(s, 7);
        row_to_reading(s, &r);
        fn(ctx, &r, res ? (const char *)res : "");
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : fail(ob, "list readings");
}

int outbox_count(outbox *ob, const char *modem, gw_rstate st, long *n)
{
    sqlite3_stmt *s = stmt(ob, modem ? ST_COUNT : ST_COUNT_ALL);
    int rc;

    if (modem)
        sqlite3_bind_text(s, 1, modem, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, (int)st);
    rc = sqlite3_step(s);
    *n = rc == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : fail(ob, "count readings");
}

int outbox_prune(outbox *ob)
{
    char sql[160];

    snprintf(sql, sizeof sql,
             "DELETE FROM reading WHERE state = 3 AND id < (SELECT max(id) FROM reading) - %d",
             PRUNE_KEEP);
    return sqlite3_exec(ob->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : fail(ob, "prune");
}
