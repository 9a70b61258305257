/* The durable outbox on SQLite: one row per reading not reported yet, and the
 * session's counters, in one database file (WAL, synchronous=FULL). Built
 * without SQLite, the same calls say so (at the end of this file). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qlwm2m/store.h"

#ifdef QLW_HAVE_SQLITE
#include <sqlite3.h>

#define ERRMSG_SIZE 256u

enum { ST_ADD, ST_META, ST_HANDED, ST_DELETE, ST_LOAD, ST_META_READ, ST_COUNT };

static const char *const stmt_sql[ST_COUNT] = {
    [ST_ADD] = "INSERT INTO qlw_outbox(id, mode, seq, attempts, handed, deadline, data) "
               "VALUES (?1, ?2, ?3, 0, 0, ?4, ?5)",
    [ST_META] = "UPDATE qlw_meta SET next_id = ?1, next_seq = ?2",
    [ST_HANDED] = "UPDATE qlw_outbox SET handed = 1, attempts = ?2 WHERE id = ?1",
    [ST_DELETE] = "DELETE FROM qlw_outbox WHERE id = ?1",
    [ST_LOAD] = "SELECT id, mode, seq, attempts, handed, deadline, data FROM qlw_outbox "
                "ORDER BY pos",
    [ST_META_READ] = "SELECT next_id, next_seq FROM qlw_meta",
};

/* pos keeps the order of arrival whatever the ids do when they wrap; a
 * deadline is wall-clock ms since 1970, because it must outlive the process
 * (the session's own clock starts anew in each). */
static const char schema[] =
    "CREATE TABLE IF NOT EXISTS qlw_outbox("
    " pos INTEGER PRIMARY KEY AUTOINCREMENT,"
    " id INTEGER NOT NULL UNIQUE,"
    " mode INTEGER NOT NULL,"
    " seq INTEGER NOT NULL,"
    " attempts INTEGER NOT NULL,"
    " handed INTEGER NOT NULL,"
    " deadline INTEGER,"
    " data BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS qlw_meta(next_id INTEGER NOT NULL, next_seq INTEGER NOT NULL);"
    "INSERT INTO qlw_meta SELECT 1, 1 WHERE NOT EXISTS (SELECT 1 FROM qlw_meta);";

typedef struct sq_store {
    qlw_store store; /* first: the public part */
    sqlite3 *db;
    sqlite3_stmt *st[ST_COUNT];
    char errmsg[ERRMSG_SIZE];
    char path[]; /* as given to open */
} sq_store;

/* The message names the file, what we were doing and SQLite's reason. */
static int fail(sq_store *q, const char *what)
{
    snprintf(q->errmsg, sizeof(q->errmsg), "outbox %s: %s: %s (SQLite %d)", q->path, what,
             q->db != NULL ? sqlite3_errmsg(q->db) : "cannot open",
             q->db != NULL ? sqlite3_extended_errcode(q->db) : SQLITE_CANTOPEN);
    return QLW_ERR_STORE;
}

static int exec(sq_store *q, const char *sql)
{
    return sqlite3_exec(q->db, sql, NULL, NULL, NULL) == SQLITE_OK ? QLW_OK : QLW_ERR_STORE;
}

/* Undoes a savepoint after a failure; when SQLite already rolled the whole
 * transaction back (it does on some I/O errors) there is nothing left to undo. */
static void undo(sq_store *q, const char *name)
{
    char sql[64];

    if (sqlite3_get_autocommit(q->db))
        return;
    snprintf(sql, sizeof(sql), "ROLLBACK TO %s; RELEASE %s", name, name);
    if (exec(q, sql) != QLW_OK && !sqlite3_get_autocommit(q->db))
        exec(q, "ROLLBACK");
}

static int run(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? QLW_OK : QLW_ERR_STORE;
}

static int64_t wall_ms(void)
{
    struct timespec ts;

    if (timespec_get(&ts, TIME_UTC) != TIME_UTC)
        return 0;
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ----------------------------------------------------------- operations */

static int sq_load(void *impl, uint32_t *next_id, int *next_seq, qlw_store_item_fn fn, void *ctx)
{
    sq_store *q = impl;
    sqlite3_stmt *st = q->st[ST_META_READ];
    int64_t now = wall_ms();
    int rc = QLW_OK, sr;

    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return fail(q, "reading the counters");
    }
    *next_id = (uint32_t)sqlite3_column_int64(st, 0);
    *next_seq = sqlite3_column_int(st, 1);
    sqlite3_reset(st);
    st = q->st[ST_LOAD];
    while (rc == QLW_OK && (sr = sqlite3_step(st)) == SQLITE_ROW) {
        qlw_store_item it = {.id = (uint32_t)sqlite3_column_int64(st, 0),
                             .mode = sqlite3_column_int(st, 1),
                             .seq = sqlite3_column_int(st, 2),
                             .attempts = (unsigned)sqlite3_column_int(st, 3),
                             .handed = sqlite3_column_int(st, 4) != 0,
                             .has_deadline = sqlite3_column_type(st, 5) != SQLITE_NULL};
        if (it.has_deadline) {
            int64_t left = sqlite3_column_int64(st, 5) - now;
            it.deadline_ms = left <= 0 ? 0 : left > INT32_MAX ? INT32_MAX : (uint32_t)left;
        }
        it.data = sqlite3_column_blob(st, 6);
        it.len = (size_t)sqlite3_column_bytes(st, 6);
        rc = fn(ctx, &it);
    }
    if (rc == QLW_OK && sr != SQLITE_DONE)
        rc = fail(q, "reading the queued uplinks");
    sqlite3_reset(st);
    return rc;
}

static int sq_add(void *impl, const qlw_store_item *it, uint32_t next_id, int next_seq)
{
    sq_store *q = impl;
    sqlite3_stmt *st = q->st[ST_ADD];
    char what[48];

    snprintf(what, sizeof(what), "adding uplink %lu", (unsigned long)it->id);
    if (exec(q, "SAVEPOINT qlw_add") != QLW_OK)
        return fail(q, what);
    sqlite3_bind_int64(st, 1, it->id);
    sqlite3_bind_int(st, 2, it->mode);
    sqlite3_bind_int(st, 3, it->seq);
    if (it->has_deadline)
        sqlite3_bind_int64(st, 4, wall_ms() + it->deadline_ms);
    sqlite3_bind_blob(st, 5, it->data, (int)it->len, SQLITE_STATIC);
    if (run(st) != QLW_OK)
        goto failed;
    sqlite3_bind_int64(q->st[ST_META], 1, next_id);
    sqlite3_bind_int(q->st[ST_META], 2, next_seq);
    if (run(q->st[ST_META]) != QLW_OK || exec(q, "RELEASE qlw_add") != QLW_OK)
        goto failed;
    return QLW_OK;
failed:
    fail(q, what); /* before undo(), whose statements replace SQLite's message */
    undo(q, "qlw_add");
    return QLW_ERR_STORE;
}

static int sq_handed(void *impl, uint32_t id, unsigned attempts)
{
    sq_store *q = impl;
    sqlite3_stmt *st = q->st[ST_HANDED];
    char what[64];

    snprintf(what, sizeof(what), "marking uplink %lu handed over", (unsigned long)id);
    /* The mark must be durable before the command is written: inside the
     * application's open transaction it would not be. */
    if (!sqlite3_get_autocommit(q->db)) {
        snprintf(q->errmsg, sizeof(q->errmsg),
                 "outbox %s: %s: a transaction is open on the connection (qlw_process() "
                 "called inside the application's transaction?)",
                 q->path, what);
        return QLW_ERR_STORE;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, attempts);
    if (run(st) == QLW_OK)
        return QLW_OK;
    return fail(q, what);
}

static int sq_report(void *impl, uint32_t id, qlw_store_report_fn fn, void *arg)
{
    sq_store *q = impl;
    sqlite3_stmt *st = q->st[ST_DELETE];
    char what[48];

    snprintf(what, sizeof(what), "removing reported uplink %lu", (unsigned long)id);
    if (exec(q, "SAVEPOINT qlw_report") != QLW_OK) {
        fail(q, what);
        fn(arg); /* the report is due whatever the disk says */
        return QLW_ERR_STORE;
    }
    sqlite3_bind_int64(st, 1, id);
    if (run(st) != QLW_OK) {
        fail(q, what);
        undo(q, "qlw_report");
        fn(arg);
        return QLW_ERR_STORE;
    }
    fn(arg);
    if (exec(q, "RELEASE qlw_report") != QLW_OK) {
        fail(q, what);
        undo(q, "qlw_report");
        return QLW_ERR_STORE;
    }
    return QLW_OK;
}

static const char *sq_errmsg(void *impl)
{
    return ((sq_store *)impl)->errmsg;
}

/* ------------------------------------------------------------ open/close */

static int setup(sq_store *q, const char *vfs)
{
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;

    if (sqlite3_open_v2(q->path, &q->db, flags, vfs) != SQLITE_OK)
        return fail(q, "opening");
    if (sqlite3_db_readonly(q->db, "main") == 1) {
        snprintf(q->errmsg, sizeof(q->errmsg), "outbox %s: the file is read-only", q->path);
        return QLW_ERR_STORE;
    }
    sqlite3_extended_result_codes(q->db, 1);
    sqlite3_busy_timeout(q->db, 2000);
    /* WAL: a commit appends to the log, readers never block the writer.
     * FULL: the log is flushed at every commit, so what a call said is
     * durable survives a power cut too, not only a crash of the process. */
    {
        sqlite3_stmt *st = NULL;
        char mode[16] = "";

        if (sqlite3_prepare_v2(q->db, "PRAGMA journal_mode=WAL", -1, &st, NULL) != SQLITE_OK ||
            sqlite3_step(st) != SQLITE_ROW) {
            sqlite3_finalize(st);
            return fail(q, "switching to WAL");
        }
        snprintf(mode, sizeof(mode), "%s", (const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        if (strcmp(mode, "wal") != 0) {
            snprintf(q->errmsg, sizeof(q->errmsg), "outbox %s: WAL mode refused (journal %s)",
                     q->path, mode);
            return QLW_ERR_STORE;
        }
    }
    if (exec(q, "PRAGMA synchronous=FULL") != QLW_OK)
        return fail(q, "setting synchronous=FULL");
    if (exec(q, schema) != QLW_OK)
        return fail(q, "creating the tables");
    for (int i = 0; i < ST_COUNT; i++) {
        if (sqlite3_prepare_v3(q->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &q->st[i],
                               NULL) != SQLITE_OK)
            return fail(q, "preparing statements (not an outbox of this version?)");
    }
    return QLW_OK;
}

static void sq_free(sq_store *q)
{
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(q->st[i]);
    sqlite3_close(q->db);
    free(q);
}

int qlw_sqlite_store_open_vfs(qlw_store **out, const char *path, const char *vfs, char *errmsg,
                              size_t errmsg_size)
{
    sq_store *q;
    int rc;

    if (errmsg != NULL && errmsg_size > 0)
        errmsg[0] = '\0';
    if (out == NULL || path == NULL || path[0] == '\0')
        return QLW_ERR_ARG;
    *out = NULL;
    q = calloc(1, sizeof(*q) + strlen(path) + 1);
    if (q == NULL)
        return QLW_ERR_NOMEM;
    memcpy(q->path, path, strlen(path) + 1);
    rc = setup(q, vfs);
    if (rc != QLW_OK) {
        if (errmsg != NULL && errmsg_size > 0)
            snprintf(errmsg, errmsg_size, "%s", q->errmsg);
        sq_free(q);
        return rc;
    }
    q->store = (qlw_store){.impl = q,
                           .load = sq_load,
                           .add = sq_add,
                           .handed = sq_handed,
                           .report = sq_report,
                           .errmsg = sq_errmsg};
    *out = &q->store;
    return QLW_OK;
}

int qlw_sqlite_store_open(qlw_store **out, const char *path, char *errmsg, size_t errmsg_size)
{
    return qlw_sqlite_store_open_vfs(out, path, NULL, errmsg, errmsg_size);
}

void qlw_sqlite_store_close(qlw_store *store)
{
    if (store != NULL)
        sq_free(store->impl);
}

struct sqlite3 *qlw_sqlite_store_db(qlw_store *store)
{
    return store != NULL ? ((sq_store *)store->impl)->db : NULL;
}

#else /* !QLW_HAVE_SQLITE: the API is there and says what is missing */

int qlw_sqlite_store_open_vfs(qlw_store **out, const char *path, const char *vfs, char *errmsg,
                              size_t errmsg_size)
{
    (void)path;
    (void)vfs;
    if (out != NULL)
        *out = NULL;
    if (errmsg != NULL && errmsg_size > 0)
        snprintf(errmsg, errmsg_size,
                 "qlwm2m was built without SQLite (install libsqlite3-dev and rebuild)");
    return QLW_ERR_UNSUPPORTED;
}

int qlw_sqlite_store_open(qlw_store **out, const char *path, char *errmsg, size_t errmsg_size)
{
    return qlw_sqlite_store_open_vfs(out, path, NULL, errmsg, errmsg_size);
}

void qlw_sqlite_store_close(qlw_store *store)
{
    (void)store;
}

struct sqlite3 *qlw_sqlite_store_db(qlw_store *store)
{
    (void)store;
    return NULL;
}

#endif
