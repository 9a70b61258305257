/*
 * The durable outbox: the SQLite store on a real file (what it keeps, in
 * which order, across reopen), the session writing through it (ids and
 * sequence numbers that go on, readings handed over before a "crash"
 * resolved by the delivery policy, deadlines), and every store error path
 * under a VFS that fails writes and syncs like a full or dying disk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fail_vfs.h"
#include "qlwm2m/neul.h"
#include "qlwm2m/session.h"
#include "qlwm2m/store.h"

/* ---------------------------------------------------------- temp files */

static char dir[64];
static char db_path[128];

static int make_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/qlw-store-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(db_path, sizeof(db_path), "%s/outbox.db", dir);
    fail_vfs_register();
    fail_vfs_reset();
    return 0;
}

static int remove_dir(void **state)
{
    char path[160];
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};

    (void)state;
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof(path), "%s%s", db_path, suffix[i]);
        unlink(path);
    }
    rmdir(dir);
    return 0;
}

static int sql_int(const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    int v = -1;

    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void assert_intact(void)
{
    sqlite3 *db;
    sqlite3_stmt *st;

    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* ------------------------------------------------------ the store alone */

typedef struct loaded {
    qlw_store_item items[8];
    uint8_t data[8][16];
    size_t count;
} loaded;

static int keep(void *ctx, const qlw_store_item *it)
{
    loaded *l = ctx;

    assert_true(l->count < 8 && it->len <= 16);
    l->items[l->count] = *it;
    memcpy(l->data[l->count], it->data, it->len);
    l->items[l->count].data = l->data[l->count];
    l->count++;
    return QLW_OK;
}

static void count_call(void *arg)
{
    (*(int *)arg)++;
}

static void store_keeps_order_counters_and_marks(void **state)
{
    qlw_store *st;
    loaded l = {0};
    uint32_t next_id = 0;
    int next_seq = 0, calls = 0;
    qlw_store_item a = {
        .id = 7, .mode = QLW_UPLINK_NON, .data = (const uint8_t *)"\x01\x02", .len = 2};
    qlw_store_item b = {.id = 8,
                        .mode = QLW_UPLINK_CON,
                        .seq = 200,
                        .has_deadline = true,
                        .deadline_ms = 600000,
                        .data = (const uint8_t *)"\xAA",
                        .len = 1};
    qlw_store_item c = {.id = 9, .mode = QLW_UPLINK_NON, .data = (const uint8_t *)"\x03", .len = 1};

    (void)state;
    assert_int_equal(qlw_sqlite_store_open(&st, db_path, NULL, 0), QLW_OK);
    assert_int_equal(st->load(st->impl, &next_id, &next_seq, keep, &l), QLW_OK);
    assert_int_equal(next_id, 1); /* a new store */
    assert_int_equal(next_seq, 1);
    assert_int_equal(l.count, 0);
    assert_int_equal(st->add(st->impl, &a, 8, 1), QLW_OK);
    assert_int_equal(st->add(st->impl, &b, 9, 201), QLW_OK);
    assert_int_equal(st->add(st->impl, &c, 10, 201), QLW_OK);
    assert_int_equal(st->handed(st->impl, 7, 1), QLW_OK);
    assert_int_equal(st->report(st->impl, 9, count_call, &calls), QLW_OK);
    assert_int_equal(calls, 1);
    qlw_sqlite_store_close(st);

    /* what a new process finds */
    assert_int_equal(qlw_sqlite_store_open(&st, db_path, NULL, 0), QLW_OK);
    assert_int_equal(st->load(st->impl, &next_id, &next_seq, keep, &l), QLW_OK);
    assert_int_equal(next_id, 10);
    assert_int_equal(next_seq, 201);
    assert_int_equal(l.count, 2);
    assert_int_equal(l.items[0].id, 7);
    assert_true(l.items[0].handed);
    assert_int_equal(l.items[0].attempts, 1);
    assert_false(l.items[0].has_deadline);
    assert_memory_equal(l.items[0].data, "\x01\x02", 2);
    assert_int_equal(l.items[1].id, 8);
    assert_int_equal(l.items[1].mode, QLW_UPLINK_CON);
    assert_int_equal(l.items[1].seq, 200);
    assert_false(l.items[1].handed);
    assert_true(l.items[1].has_deadline);
    assert_true(l.items[1].deadline_ms > 500000 && l.items[1].deadline_ms <= 600000);
    qlw_sqlite_store_close(st);
    assert_intact();
}

static void store_is_wal_and_full_sync(void **state)
{
    qlw_store *st;
    sqlite3_stmt *q;

    (void)state;
    assert_int_equal(qlw_sqlite_store_open(&st, db_path, NULL, 0), QLW_OK);
    assert_int_equal(
        sqlite3_prepare_v2(qlw_sqlite_store_db(st), "PRAGMA journal_mode", -1, &q, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "wal");
    sqlite3_finalize(q);
    assert_int_equal(
        sqlite3_prepare_v2(qlw_sqlite_store_db(st), "PRAGMA synchronous", -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 2); /* FULL */
    sqlite3_finalize(q);
    qlw_sqlite_store_close(st);
}

static void store_open_errors_name_the_file(void **state)
{
    qlw_store *st = (qlw_store *)1;
    char msg[256];
    FILE *f;

    (void)state;
    assert_int_equal(qlw_sqlite_store_open(&st, "/nonexistent-dir/x.db", msg, sizeof(msg)),
                     QLW_ERR_STORE);
    assert_null(st);
    assert_non_null(strstr(msg, "/nonexistent-dir/x.db"));
    /* a file that is not a database */
    f = fopen(db_path, "w");
    assert_non_null(f);
    fputs("this is not a database, just text long enough to have a header...........", f);
    fclose(f);
    assert_int_equal(qlw_sqlite_store_open(&st, db_path, msg, sizeof(msg)), QLW_ERR_STORE);
    assert_non_null(strstr(msg, "not a database"));
    assert_int_equal(qlw_sqlite_store_open(NULL, db_path, msg, sizeof(msg)), QLW_ERR_ARG);
}

/* Writes fail (disk full), then syncs fail (I/O error): nothing changes. */
static void store_errors_change_nothing(void **state)
{
    qlw_store *st;
    loaded l = {0};
    uint32_t next_id;
    int next_seq, calls = 0;
    qlw_store_item a = {.id = 1, .mode = QLW_UPLINK_NON, .data = (const uint8_t *)"\x01", .len = 1};
    qlw_store_item b = {.id = 2, .mode = QLW_UPLINK_NON, .data = (const uint8_t *)"\x02", .len = 1};

    (void)state;
    assert_int_equal(qlw_sqlite_store_open_vfs(&st, db_path, FAIL_VFS_NAME, NULL, 0), QLW_OK);
    assert_int_equal(st->add(st->impl, &a, 2, 1), QLW_OK);

    fail_vfs.write_err = SQLITE_FULL;
    assert_int_equal(st->add(st->impl, &b, 3, 1), QLW_ERR_STORE);
    assert_non_null(strstr(st->errmsg(st->impl), "full"));
    assert_non_null(strstr(st->errmsg(st->impl), db_path));
    assert_int_equal(st->handed(st->impl, 1, 1), QLW_ERR_STORE);
    assert_int_equal(st->report(st->impl, 1, count_call, &calls), QLW_ERR_STORE);
    assert_int_equal(calls, 1); /* the report is made even when the disk is full */
    fail_vfs_reset();

    fail_vfs.sync_err = SQLITE_IOERR_FSYNC;
    assert_int_equal(st->add(st->impl, &b, 3, 1), QLW_ERR_STORE);
    assert_non_null(strstr(st->errmsg(st->impl), "I/O"));
    fail_vfs_reset();

    fail_vfs.write_err = SQLITE_READONLY; /* a file system remounted read-only */
    assert_int_equal(st->add(st->impl, &b, 3, 1), QLW_ERR_STORE);
    assert_non_null(strstr(st->errmsg(st->impl), "readonly"));
    fail_vfs_reset();
    qlw_sqlite_store_close(st);

    assert_intact();
    assert_int_equal(qlw_sqlite_store_open(&st, db_path, NULL, 0), QLW_OK);
    assert_int_equal(st->load(st->impl, &next_id, &next_seq, keep, &l), QLW_OK);
    assert_int_equal(l.count, 1); /* only the one that was added */
    assert_int_equal(l.items[0].id, 1);
    assert_false(l.items[0].handed);
    assert_int_equal(next_id, 2);
    /* and it works again once the disk does */
    assert_int_equal(st->add(st->impl, &b, 3, 1), QLW_OK);
    qlw_sqlite_store_close(st);
    assert_intact();
}

/* --------------------------------------------------- a scripted BC68 */

typedef struct modem {
    char line[1280];
    size_t len;
    int attached;
    bool mute_uplinks; /* take uplink commands, answer nothing (the process dies) */
    unsigned uplinks;
    int last_status, last_seq; /* of the last CON, for AT+QLWULDATASTATUS? */
    char payloads[16][64];     /* hex payload and seq of each uplink command */
} modem;

static void push(qlw_io *io, const char *text, uint32_t delay_ms)
{
    assert_int_equal(qlw_io_mem_push(io, text, strlen(text), delay_ms), QLW_OK);
}

static void answer_uplink(modem *m, qlw_io *io, const char *cmd)
{
    const char *args = strchr(cmd, '=') + 1;
    const char *comma = strchr(args, ',');
    char text[64];

    if (m->uplinks < 16)
        snprintf(m->payloads[m->uplinks], sizeof(m->payloads[0]), "%s", comma + 1);
    m->uplinks++;
    if (strncmp(cmd, "AT+QLWULDATAEX=", 15) == 0) {
        m->last_seq = atoi(strrchr(cmd, ',') + 1);
        m->last_status = 1; /* sent, waiting for the ACK */
    }
    if (m->mute_uplinks)
        return;
    push(io, "\r\nOK\r\n", 5);
    if (strncmp(cmd, "AT+QLWULDATAEX=", 15) == 0) {
        m->last_status = 4;
        snprintf(text, sizeof(text), "\r\n+QLWULDATASTATUS:4,%d\r\n", m->last_seq);
        push(io, text, 50);
    } else {
        push(io, "\r\n+NSMI:SENT\r\n", 20);
    }
}

static void answer(modem *m, qlw_io *io, const char *cmd)
{
    if (strcmp(cmd, "AT+CEREG?") == 0)
        push(io, m->attached ? "\r\n+CEREG:2,1\r\n\r\nOK\r\n" : "\r\n+CEREG:2,0\r\n\r\nOK\r\n", 5);
    else if (strcmp(cmd, "AT+CFUN?") == 0)
        push(io, "\r\n+CFUN:1\r\n\r\nOK\r\n", 5);
    else if (strcmp(cmd, "AT+CGATT=1") == 0) {
        m->attached = 1;
        push(io, "\r\nOK\r\n", 5);
        push(io, "\r\n+CEREG:1,213D,0318886E,9\r\n", 30);
    } else if (strcmp(cmd, "AT+QLWSREGIND=0") == 0) {
        push(io, "\r\nOK\r\n\r\n+QLWEVTIND:0\r\n", 5);
        push(io, "\r\n+QLWEVTIND:3\r\n", 20);
    } else if (strcmp(cmd, "AT+QLWULDATASTATUS?") == 0) {
        char text[64];
        snprintf(text, sizeof(text), "\r\n+QLWULDATASTATUS:%d,%d\r\n\r\nOK\r\n", m->last_status,
                 m->last_seq);
        push(io, text, 5);
    } else if (strncmp(cmd, "AT+QLWULDATA", 12) == 0 || strncmp(cmd, "AT+NMGS=", 8) == 0)
        answer_uplink(m, io, cmd);
    else if (strncmp(cmd, "AT+QLWCFG", 9) == 0)
        push(io, "\r\nERROR\r\n", 5); /* a BC68 */
    else
        push(io, "\r\nOK\r\n", 5);
}

static void hook(void *ctx, qlw_io *io, const uint8_t *data, size_t len)
{
    modem *m = ctx;

    for (size_t i = 0; i < len; i++) {
        if (data[i] == '\r') {
            m->line[m->len] = '\0';
            answer(m, io, m->line);
            m->len = 0;
        } else if (data[i] != '\n' && m->len + 1 < sizeof(m->line)) {
            m->line[m->len++] = (char)data[i];
        }
    }
}

/* ------------------------------------------------- a session on a store */

typedef struct app {
    qlw_uplink_report reps[16];
    unsigned reports;
    unsigned errors; /* QLW_NOTICE_ERROR */
} app;

static void on_uplink(void *ctx, const qlw_uplink_report *rep)
{
    app *a = ctx;

    if (a->reports < 16)
        a->reps[a->reports] = *rep;
    a->reports++;
}

static void on_notice(void *ctx, qlw_notice kind, int value, const char *text)
{
    (void)value;
    (void)text;
    if (kind == QLW_NOTICE_ERROR)
        ((app *)ctx)->errors++;
}

typedef struct rig {
    qlw_io *io;
    qlw_store *store;
    qlw_session *s;
    modem m;
    app a;
} rig;

static int rig_open(rig *r, qlw_delivery delivery, const char *vfs)
{
    qlw_session_config cfg;
    int rc;

    memset(r, 0, sizeof(*r));
    assert_int_equal(qlw_io_mem_open(&r->io, 16384, 0), QLW_OK);
    qlw_io_mem_set_write_hook(r->io, hook, &r->m);
    assert_int_equal(qlw_sqlite_store_open_vfs(&r->store, db_path, vfs, NULL, 0), QLW_OK);
    qlw_session_config_default(&cfg);
    cfg.store = r->store;
    cfg.delivery = delivery;
    cfg.dialect = QLW_DIALECT_NEUL;
    cfg.on_uplink = on_uplink;
    cfg.on_notice = on_notice;
    cfg.ctx = &r->a;
    rc = qlw_session_open(&r->s, &cfg, r->io);
    if (rc != QLW_OK) {
        qlw_sqlite_store_close(r->store);
        qlw_io_close(r->io);
    }
    return rc;
}

static void rig_close(rig *r)
{
    qlw_close(r->s);
    qlw_sqlite_store_close(r->store);
    qlw_io_close(r->io);
}

/* Runs until every uplink is reported or the modem took n uplink commands. */
static void run_until(rig *r, unsigned uplink_cmds)
{
    for (int i = 0; i < 2000; i++) {
        if (qlw_uplinks_pending(r->s) == 0 || r->m.uplinks >= uplink_cmds)
            return;
        assert_int_equal(qlw_poll(r->s, 100), QLW_OK);
    }
    fail_msg("uplinks still pending: %zu", qlw_uplinks_pending(r->s));
}

static const uint8_t p1[] = {0x11}, p2[] = {0x22}, p3[] = {0x33};

static void session_ids_and_seqs_go_on(void **state)
{
    rig r;
    uint32_t id;

    (void)state;
    assert_int_equal(rig_open(&r, QLW_DELIVERY_AT_LEAST_ONCE, NULL), QLW_OK);
    assert_int_equal(qlw_queue_uplink(r.s, p1, 1, QLW_UPLINK_CON, &id), QLW_OK);
    assert_int_equal(id, 1);
    assert_int_equal(qlw_queue_uplink(r.s, p2, 1, QLW_UPLINK_CON, &id), QLW_OK);
    assert_int_equal(id, 2);
    assert_int_equal(qlw_register(r.s, 60000), QLW_OK);
    run_until(&r, 99);
    assert_int_equal(r.a.reports, 2);
    assert_int_equal(r.a.reps[1].seq, 2);
    assert_string_equal(r.m.payloads[1], "22,0x0100,2");
    rig_close(&r);

    /* the next process: new ids and sequence numbers, not 1 again */
    assert_int_equal(rig_open(&r, QLW_DELIVERY_AT_LEAST_ONCE, NULL), QLW_OK);
    assert_int_equal(qlw_uplinks_pending(r.s), 0);
    assert_int_equal(qlw_queue_uplink(r.s, p3, 1, QLW_UPLINK_CON, &id), QLW_OK);
    assert_int_equal(id, 3);
    assert_int_equal(qlw_register(r.s, 60000), QLW_OK);
    run_until(&r, 99);
    assert_int_equal(r.a.reports, 1);
    assert_int_equal(r.a.reps[0].id, 3);
    assert_int_equal(r.a.reps[0].seq, 3);
    assert_int_equal(r.a.reps[0].outcome, QLW_OUTCOME_DELIVERED);
    assert_string_equal(r.m.payloads[0], "33,0x0100,3");
    rig_close(&r);
    assert_int_equal(sql_int("SELECT count(*) FROM qlw_outbox"), 0);
}

/* The process dies with the first reading (mode first) handed to the module
 * and the second queued; returns the module's memory of its last CON. */
static modem die_with_one_in_flight(qlw_uplink_mode first)
{
    rig r;

    assert_int_equal(rig_open(&r, QLW_DELIVERY_AT_LEAST_ONCE, NULL), QLW_OK);
    r.m.mute_uplinks = true;
    assert_int_equal(qlw_queue_uplink(r.s, p1, 1, first, NULL), QLW_OK);
    assert_int_equal(qlw_queue_uplink(r.s, p2, 1, QLW_UPLINK_NON, NULL), QLW_OK);
    assert_int_equal(qlw_request_register(r.s), QLW_OK);
    run_until(&r, 1);
    assert_int_equal(r.m.uplinks, 1);
    assert_int_equal(qlw_uplinks_in_flight(r.s), 1);
    assert_int_equal(qlw_uplinks_pending(r.s), 2);
    rig_close(&r); /* with a store, close leaves them there, as a kill would */
    assert_int_equal(r.a.reports, 0);
    assert_int_equal(sql_int("SELECT count(*) FROM qlw_outbox"), 2);
    assert_int_equal(sql_int("SELECT handed FROM qlw_outbox WHERE id = 1"), 1);
    return r.m;
}

/* The next process on the same module and store. */
static void reopen(rig *r, qlw_delivery delivery, const modem *module)
{
    assert_int_equal(rig_open(r, delivery, NULL), QLW_OK);
    r->m.last_status = module->last_status;
    r->m.last_seq = module->last_seq;
    assert_int_equal(qlw_uplinks_pending(r->s), 2);
}

static void at_least_once_resends_flagged(void **state)
{
    modem module = die_with_one_in_flight(QLW_UPLINK_NON);
    rig r;

    (void)state;
    reopen(&r, QLW_DELIVERY_AT_LEAST_ONCE, &module);
    assert_int_equal(qlw_uplinks_in_flight(r.s), 0); /* a NON's fate cannot be asked */
    assert_int_equal(qlw_register(r.s, 60000), QLW_OK);
    run_until(&r, 99);
    assert_int_equal(r.a.reports, 2);
    assert_int_equal(r.a.reps[0].id, 1);
    assert_int_equal(r.a.reps[0].outcome, QLW_OUTCOME_SENT);
    assert_true(r.a.reps[0].possible_duplicate);
    assert_int_equal(r.a.reps[0].attempts, 2);
    assert_string_equal(r.m.payloads[0], "11");
    assert_int_equal(r.a.reps[1].id, 2);
    assert_int_equal(r.a.reps[1].outcome, QLW_OUTCOME_SENT);
    assert_false(r.a.reps[1].possible_duplicate);
    rig_close(&r);
    assert_int_equal(sql_int("SELECT count(*) FROM qlw_outbox"), 0);
}

static void at_most_once_reports_unknown(void **state)
{
    modem module = die_with_one_in_flight(QLW_UPLINK_NON);
    rig r;

    (void)state;
    reopen(&r, QLW_DELIVERY_AT_MOST_ONCE, &module);
    assert_int_equal(r.a.reports, 0); /* not from inside open */
    assert_int_equal(qlw_process(r.s), QLW_OK);
    assert_int_equal(r.a.reports, 1); /* at once, READY or not */
    assert_int_equal(r.a.reps[0].id, 1);
    assert_int_equal(r.a.reps[0].outcome, QLW_OUTCOME_UNKNOWN);
    assert_false(r.a.reps[0].possible_duplicate);
    assert_int_equal(qlw_register(r.s, 60000), QLW_OK);
    run_until(&r, 99);
    assert_int_equal(r.a.reports, 2);
    assert_int_equal(r.m.uplinks, 1); /* only the one never handed over */
    assert_string_equal(r.m.payloads[0], "22");
    rig_close(&r);
    assert_int_equal(sql_int("SELECT count(*) FROM qlw_outbox"), 0);
}

/* A CON's fate may still be in the module: asked before anything is resent. */
static void con_in_flight_is_asked_first(void **state)
{
    static const struct {
        int status;            /* what the module says of seq 1 */
        int seq;               /* the seq it says it for */
        qlw_delivery delivery; /* the new process's policy */
        qlw_outcome outcome;   /* the report */
        bool resent, flagged;
    } cases[] = {
        {4, 1, QLW_DELIVERY_AT_MOST_ONCE, QLW_OUTCOME_DELIVERED, false, false}, /* it arrived */
        {3, 1, QLW_DELIVERY_AT_LEAST_ONCE, QLW_OUTCOME_DELIVERED, true, true},  /* no ACK */
        {3, 1, QLW_DELIVERY_AT_MOST_ONCE, QLW_OUTCOME_UNKNOWN, false, false},
        {2, 1, QLW_DELIVERY_AT_MOST_ONCE, QLW_OUTCOME_DELIVERED, true, false},  /* did not go */
        {4, 9, QLW_DELIVERY_AT_LEAST_ONCE, QLW_OUTCOME_DELIVERED, true, false}, /* never took it */
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        modem module;
        rig r;

        if (i > 0) { /* a new store for each case */
            remove_dir(NULL);
            assert_int_equal(make_dir(NULL), 0);
        }
        module = die_with_one_in_flight(QLW_UPLINK_CON);

        module.last_status = cases[i].status;
        module.last_seq = cases[i].seq;
        reopen(&r, cases[i].delivery, &module);
        assert_int_equal(qlw_uplinks_in_flight(r.s), 1); /* its fate is being asked */
        assert_int_equal(qlw_register(r.s, 60000), QLW_OK);
        run_until(&r, 99);
        assert_int_equal(r.a.reports, 2);
        assert_int_equal(r.a.reps[0].id, 1);
        assert_int_equal(r.a.reps[0].outcome, cases[i].outcome);
        assert_int_equal(r.a.reps[0].possible_duplicate, cases[i].flagged);
        /* the CON went to the module again only when the answer allowed it */
        assert_int_equal(strcmp(r.m.payloads[0], "11,0x0100,1") == 0, cases[i].resent);
        assert_string_equal(r.m.payloads[cases[i].resent ? 1 : 0], "22");
        assert_false(r.a.reps[1].possible_duplicate);
        rig_close(&r);
        assert_int_equal(sql_int("SELECT count(*) FROM qlw_outbox"), 0);
    }
}

static void store_larger_than_queue_is_refused(void **state)
{
    rig r;
    qlw_session_config cfg;
    qlw_session *s;

    (void)state;
    die_with_one_in_flight(QLW_UPLINK_NON);
    assert_int_equal(rig_open(&r, QLW_DELIVERY_AT_LEAST_ONCE, NULL), QLW_OK);
    qlw_session_config_default(&cfg);
    cfg.store = r.store;
    cfg.uplink_queue_len = 1;
    assert_int_equal(qlw_session_open(&s, &cfg, r.io), QLW_ERR_QUEUE_FULL);
    rig_close(&r);
}

/* A full disk refuses the new reading, holds a handover, and keeps a report. */
static void session_store_errors(void **state)
{
    rig r;
    uint32_t id = 0;

    (void)state;
    assert_int_equal(rig_open(&r, QLW_DELIVERY_AT_LEAST_ONCE, FAIL_VFS_NAME), QLW_OK);
    assert_int_equal(qlw_queue_uplink(r.s, p1, 1, QLW_UPLINK_NON, &id), QLW_OK);
    fail_vfs.write_err = SQLITE_FULL;
    assert_int_equal(qlw_queue_uplink(r.s, p2, 1, QLW_UPLINK_NON, &id), QLW_ERR_STORE);
    assert_int_equal(id, 1); /* untouched */
    assert_non_null(strstr(qlw_errmsg(r.s), "uplink not queued"));
    assert_non_null(strstr(qlw_errmsg(r.s), "full"));
    assert_int_equal(qlw_uplinks_pending(r.s), 1);

    /* the handover cannot be recorded: nothing goes to the module */
    assert_int_equal(qlw_register(r.s, 60000), QLW_OK);
    for (int i = 0; i < 20; i++)
        assert_int_equal(qlw_poll(r.s, 100), QLW_OK);
    assert_int_equal(r.m.uplinks, 0);
    assert_non_null(strstr(qlw_errmsg(r.s), "uplink held"));
    assert_int_equal(qlw_uplinks_pending(r.s), 1);
    fail_vfs_reset();

    /* the disk works again: it goes, and the next id is the one after 1 */
    run_until(&r, 99);
    assert_int_equal(r.a.reports, 1);
    assert_int_equal(r.a.reps[0].outcome, QLW_OUTCOME_SENT);
    assert_int_equal(qlw_queue_uplink(r.s, p2, 1, QLW_UPLINK_NON, &id), QLW_OK);
    assert_int_equal(id, 2);

    /* handed over with a working disk; then the removal of its report fails:
     * the report is still made, once */
    for (int i = 0; i < 200 && r.m.uplinks < 2; i++)
        assert_int_equal(qlw_poll(r.s, 10), QLW_OK);
    assert_int_equal(r.m.uplinks, 2);
    assert_int_equal(r.a.reports, 1);
    fail_vfs.sync_err = SQLITE_IOERR_FSYNC;
    run_until(&r, 99);
    fail_vfs_reset();
    assert_int_equal(r.a.reports, 2);
    assert_int_equal(r.a.reps[1].id, 2);
    assert_non_null(strstr(qlw_errmsg(r.s), "stays in the store"));
    rig_close(&r);
    assert_intact();
    /* it stays, handed over: the next open resolves it by the policy */
    assert_int_equal(sql_int("SELECT count(*) FROM qlw_outbox"), 1);
    assert_int_equal(sql_int("SELECT handed FROM qlw_outbox WHERE id = 2"), 1);
}

/* The application's own table written in the callback commits with the removal. */
static sqlite3 *app_db;

static void record_report(void *ctx, const qlw_uplink_report *rep)
{
    char sql[96];

    on_uplink(ctx, rep);
    snprintf(sql, sizeof(sql), "INSERT INTO reports VALUES (%u, %d)", (unsigned)rep->id,
             (int)rep->outcome);
    assert_int_equal(sqlite3_exec(app_db, sql, NULL, NULL, NULL), SQLITE_OK);
    /* inside the removal's transaction */
    assert_int_equal(sqlite3_get_autocommit(app_db), 0);
}

static void callback_writes_commit_with_the_removal(void **state)
{
    rig r;
    qlw_session_config cfg;

    (void)state;
    memset(&r, 0, sizeof(r));
    assert_int_equal(qlw_io_mem_open(&r.io, 16384, 0), QLW_OK);
    qlw_io_mem_set_write_hook(r.io, hook, &r.m);
    assert_int_equal(qlw_sqlite_store_open(&r.store, db_path, NULL, 0), QLW_OK);
    app_db = qlw_sqlite_store_db(r.store);
    assert_int_equal(sqlite3_exec(app_db, "CREATE TABLE reports(id, outcome)", NULL, NULL, NULL),
                     SQLITE_OK);
    qlw_session_config_default(&cfg);
    cfg.store = r.store;
    cfg.dialect = QLW_DIALECT_NEUL;
    cfg.on_uplink = record_report;
    cfg.ctx = &r.a;
    assert_int_equal(qlw_session_open(&r.s, &cfg, r.io), QLW_OK);
    assert_int_equal(qlw_queue_uplink(r.s, p1, 1, QLW_UPLINK_NON, NULL), QLW_OK);
    assert_int_equal(qlw_queue_uplink(r.s, p2, 1, QLW_UPLINK_CON, NULL), QLW_OK);
    assert_int_equal(qlw_register(r.s, 60000), QLW_OK);
    run_until(&r, 99);
    rig_close(&r);
    assert_int_equal(sql_int("SELECT count(*) FROM reports"), 2);
    assert_int_equal(sql_int("SELECT count(*) FROM qlw_outbox"), 0);
}

/* Deadlines: reported expired at their time, READY or not, never sent. */
static void deadline_expires_unsent_uplinks(void **state)
{
    rig r;
    uint32_t id1, id2, id3;
    qlw_uplink_opts soon = {.mode = QLW_UPLINK_NON, .deadline_ms = 1000};
    qlw_uplink_opts later = {.mode = QLW_UPLINK_NON, .deadline_ms = 3600000};
    qlw_uplink_opts bad = {.mode = QLW_UPLINK_NON, .deadline_ms = 0x80000000u};

    (void)state;
    assert_int_equal(rig_open(&r, QLW_DELIVERY_AT_LEAST_ONCE, NULL), QLW_OK);
    assert_int_equal(qlw_queue_uplink_opts(r.s, p1, 1, &later, &id1), QLW_OK);
    assert_int_equal(qlw_queue_uplink_opts(r.s, p2, 1, &soon, &id2), QLW_OK);
    assert_int_equal(qlw_queue_uplink_opts(r.s, p3, 1, NULL, &id3), QLW_OK);
    assert_int_equal(qlw_queue_uplink_opts(r.s, p3, 1, &bad, NULL), QLW_ERR_ARG);
    assert_int_equal(qlw_uplinks_pending(r.s), 3);
    /* not registered: nothing can go; the middle one's deadline passes */
    assert_true(qlw_next_timeout_ms(r.s) <= 1000);
    for (int i = 0; i < 30 && r.a.reports == 0; i++)
        assert_int_equal(qlw_poll(r.s, 100), QLW_OK);
    assert_int_equal(r.a.reports, 1);
    assert_int_equal(r.a.reps[0].id, id2);
    assert_int_equal(r.a.reps[0].outcome, QLW_OUTCOME_EXPIRED);
    assert_int_equal(r.a.reps[0].attempts, 0);
    assert_int_equal(qlw_uplinks_pending(r.s), 2);
    assert_int_equal(sql_int("SELECT count(*) FROM qlw_outbox"), 2);
    assert_int_equal(qlw_register(r.s, 60000), QLW_OK);
    run_until(&r, 99);
    assert_int_equal(r.a.reports, 3);
    assert_int_equal(r.m.uplinks, 2);
    assert_string_equal(r.m.payloads[0], "11");
    assert_string_equal(r.m.payloads[1], "33");
    rig_close(&r);
}

/* A gateway's queue: hundreds of readings, taken back whole after a restart. */
static void hundreds_survive_a_restart(void **state)
{
    qlw_session_config cfg;
    qlw_session *s;
    qlw_io *io;
    qlw_store *st;
    uint8_t data[8];
    uint32_t id;

    (void)state;
    assert_int_equal(qlw_io_mem_open(&io, 16384, 0), QLW_OK);
    assert_int_equal(qlw_sqlite_store_open(&st, db_path, NULL, 0), QLW_OK);
    qlw_session_config_default(&cfg);
    cfg.store = st;
    cfg.uplink_queue_len = 500;
    cfg.uplink_queue_bytes = 500 * 8;
    assert_int_equal(qlw_session_open(&s, &cfg, io), QLW_OK);
    for (unsigned i = 0; i < 500; i++) {
        memset(data, (int)(i & 0xFF), sizeof(data));
        assert_int_equal(qlw_queue_uplink(s, data, sizeof(data), QLW_UPLINK_CON, &id), QLW_OK);
    }
    assert_int_equal(qlw_queue_uplink(s, data, 1, QLW_UPLINK_NON, NULL), QLW_ERR_QUEUE_FULL);
    qlw_close(s);
    assert_int_equal(sql_int("SELECT count(*) FROM qlw_outbox"), 500);
    assert_int_equal(qlw_session_open(&s, &cfg, io), QLW_OK);
    assert_int_equal(qlw_uplinks_pending(s), 500);
    qlw_close(s);
    assert_int_equal(sql_int("SELECT max(seq) FROM qlw_outbox"), 255);
    assert_int_equal(sql_int("SELECT next_id FROM qlw_meta"), 501);
    assert_int_equal(sql_int("SELECT next_seq FROM qlw_meta"), 501 % 255);
    qlw_sqlite_store_close(st);
    qlw_io_close(io);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(store_keeps_order_counters_and_marks, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(store_is_wal_and_full_sync, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(store_open_errors_name_the_file, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(store_errors_change_nothing, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(session_ids_and_seqs_go_on, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(at_least_once_resends_flagged, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(at_most_once_reports_unknown, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(con_in_flight_is_asked_first, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(store_larger_than_queue_is_refused, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(session_store_errors, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(callback_writes_commit_with_the_removal, make_dir,
                                        remove_dir),
        cmocka_unit_test_setup_teardown(deadline_expires_unsent_uplinks, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(hundreds_survive_a_restart, make_dir, remove_dir),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
