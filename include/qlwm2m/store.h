/**
 * @file store.h
 * @brief The durable outbox: where queued uplinks live when they must survive
 *        a crash, a kill or a power cut.
 *
 * @section st_model How a session uses a store
 * A session opened with @ref qlw_session_config::store writes through it at
 * four points, and only there:
 * - **queueing** (qlw_queue_uplink()): the reading is added, and the call
 *   returns QLW_OK only once the store said the reading is durable. When the
 *   store fails (disk full, read-only file system, I/O error) the call
 *   returns @ref QLW_ERR_STORE, qlw_errmsg() names the problem, and nothing
 *   is queued, in memory or on disk.
 * - **handover**: before an uplink's command is written to the module the
 *   store marks it handed over. After a crash this is how the next process
 *   knows that the reading may have left. When the mark cannot be written
 *   the uplink is not handed over (it is tried again after
 *   @ref qlw_session_config::backoff_min_ms, with a @ref QLW_NOTICE_ERROR).
 * - **report**: the reading is removed, and the uplink callback runs inside
 *   that removal (see @ref qlw_store::report).
 * - **open** (qlw_session_init()): what the store holds is queued again, in
 *   its order, with its ids; ids and CON sequence numbers go on from where
 *   the last process left them. A reading that was handed to the module
 *   before the crash is resolved by the delivery policy: under
 *   @ref QLW_DELIVERY_AT_LEAST_ONCE it is handed over again and its report
 *   carries `possible_duplicate`; under @ref QLW_DELIVERY_AT_MOST_ONCE it is
 *   reported @ref QLW_OUTCOME_UNKNOWN at the first qlw_process() (or
 *   blocking call). A reading that never was handed over goes out normally.
 *
 * qlw_close() leaves the readings not reported yet in the store: they are
 * the next open's (without a store they are reported failed or unknown).
 *
 * A store belongs to one session at a time; it is used from that session's
 * thread only.
 *
 * @section st_sqlite The SQLite store
 * qlw_sqlite_store_open() keeps the outbox in an SQLite database file, in
 * WAL mode with `synchronous=FULL`: every change is a transaction whose WAL
 * frames are flushed to the disk (fsync) before the call returns, so a
 * reading whose qlw_queue_uplink() returned QLW_OK is still there after a
 * power cut, not only after a crash of the process (`synchronous=NORMAL`
 * would keep it across a crash but may lose the last transactions to a power
 * cut). The cost is one flush per change: three per uplink (queued, handed
 * over, reported). The library is built with it when SQLite is found
 * (CMake option `QLWM2M_SQLITE`: AUTO, ON or OFF); without SQLite
 * qlw_sqlite_store_open() returns @ref QLW_ERR_UNSUPPORTED.
 */
#ifndef QLWM2M_STORE_H
#define QLWM2M_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qlwm2m/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief One reading as the store keeps it. */
typedef struct qlw_store_item {
    uint32_t id;          /**< The id qlw_queue_uplink() returned. */
    int mode;             /**< Its @ref qlw_uplink_mode. */
    int seq;              /**< CON sequence number (1..255), else 0. */
    unsigned attempts;    /**< Times it was handed to the module. */
    bool handed;          /**< It was handed to the module at least once: it may have left. */
    bool has_deadline;    /**< It has a deadline (see qlw_queue_uplink_opts()). */
    uint32_t deadline_ms; /**< With has_deadline: ms left until the deadline (0 when passed);
                               given to add() as the time from now, returned by load() as what
                               is left then. */
    const uint8_t *data;  /**< Payload (valid during the call only). */
    size_t len;           /**< Payload bytes. */
} qlw_store_item;

/** @brief Receives each reading a store holds, oldest first; returns QLW_OK to go on. */
typedef int (*qlw_store_item_fn)(void *ctx, const qlw_store_item *item);

/** @brief The call a store makes inside a removal (see @ref qlw_store::report). */
typedef void (*qlw_store_report_fn)(void *arg);

/**
 * @brief A store: the operations a session needs, over an implementation.
 *
 * Every operation returns QLW_OK, or @ref QLW_ERR_STORE (any other qlw_err
 * is passed on as it is) and leaves its text for errmsg(). An operation
 * that fails changes nothing in the store. Implement it to keep the outbox
 * elsewhere (a flash file system on a small target); qlw_sqlite_store_open()
 * gives one on SQLite.
 */
typedef struct qlw_store {
    void *impl; /**< The implementation's state, passed to every operation. */
    /** Calls @p fn for every reading held, oldest (lowest id) first, and sets
     *  @p next_id and @p next_seq to the values the last add() stored (1 and 1
     *  for a new store). */
    int (*load)(void *impl, uint32_t *next_id, int *next_seq, qlw_store_item_fn fn, void *ctx);
    /** Adds a reading, with the id and the CON sequence number the session
     *  will give next; durable when it returns QLW_OK. */
    int (*add)(void *impl, const qlw_store_item *item, uint32_t next_id, int next_seq);
    /** Marks a reading handed to the module (@p attempts times); durable on
     *  QLW_OK. Called before the command is written. */
    int (*handed)(void *impl, uint32_t id, unsigned attempts);
    /** Removes a reading and calls @p fn(@p arg) exactly once, whatever
     *  happens: the session's uplink callback runs there. A store that has
     *  transactions runs @p fn inside the one that removes the reading, so
     *  that what the callback writes to the same store commits with the
     *  removal, or not at all (see qlw_sqlite_store_db()). */
    int (*report)(void *impl, uint32_t id, qlw_store_report_fn fn, void *arg);
    /** Text of the last failure (names the file and the problem), or "". */
    const char *(*errmsg)(void *impl);
} qlw_store;

/**
 * @brief Opens (or creates) an SQLite outbox at @p path.
 *
 * Sets WAL mode and `synchronous=FULL`, creates its tables when missing,
 * and checks that the file can be written.
 * @param[out] store Receives the store (qlw_sqlite_store_close() frees it).
 * @param path Database file (its `-wal` and `-shm` files live beside it).
 * @param errmsg Receives a message naming the file and the problem (may be NULL).
 * @param errmsg_size Size of @p errmsg.
 * @return QLW_OK; QLW_ERR_ARG; QLW_ERR_NOMEM; QLW_ERR_STORE (cannot open,
 *         not a database, read-only, corrupt); QLW_ERR_UNSUPPORTED when the
 *         library was built without SQLite.
 */
QLW_API int qlw_sqlite_store_open(qlw_store **store, const char *path, char *errmsg,
                                  size_t errmsg_size);

/**
 * @brief Opens an SQLite outbox through a named SQLite VFS (NULL: the default).
 *
 * As qlw_sqlite_store_open(); a VFS registered with `sqlite3_vfs_register()`
 * can encrypt, log or, in tests, fail on purpose.
 * @param[out] store Receives the store.
 * @param path Database file.
 * @param vfs Name of the VFS, or NULL.
 * @param errmsg Receives a message naming the problem (may be NULL).
 * @param errmsg_size Size of @p errmsg.
 * @return as qlw_sqlite_store_open().
 */
QLW_API int qlw_sqlite_store_open_vfs(qlw_store **store, const char *path, const char *vfs,
                                      char *errmsg, size_t errmsg_size);

/** @brief Closes the database and frees the store. NULL is ignored. Close the
 *  session that uses it first. */
QLW_API void qlw_sqlite_store_close(qlw_store *store);

struct sqlite3;

/**
 * @brief The store's database connection, for the application's own tables.
 *
 * Statements run on it from inside the uplink callback belong to the
 * transaction that removes the reported reading: they commit with it or not
 * at all, which makes "report handled" exactly-once across crashes. Use
 * plain statements or SAVEPOINT there, not BEGIN. Do not touch the tables
 * whose names start with `qlw_`.
 * @return The connection, or NULL (NULL store, or built without SQLite).
 */
QLW_API struct sqlite3 *qlw_sqlite_store_db(qlw_store *store);

#ifdef __cplusplus
}
#endif
#endif /* QLWM2M_STORE_H */
