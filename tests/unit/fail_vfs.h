/*
 * An SQLite VFS that wraps the default one and fails writes or syncs on
 * demand with the error a full disk or a dying one gives: the store's error
 * paths meet real SQLite behaviour, on a real file. The crash test also uses
 * it to die (SIGKILL) at the N-th write or sync: in the middle of a commit.
 */
#ifndef QLW_TEST_FAIL_VFS_H
#define QLW_TEST_FAIL_VFS_H

#include <signal.h>
#include <string.h>

#include <sqlite3.h>

#define FAIL_VFS_NAME "qlw-fail"

typedef struct fail_vfs_state {
    int write_err;         /* SQLite code xWrite returns (0: pass through) */
    int sync_err;          /* SQLite code xSync returns (0: pass through) */
    unsigned writes_after; /* writes that still pass before write_err applies */
    unsigned failures;     /* how many calls were failed */
    unsigned kill_at;      /* die by SIGKILL at this write or sync (1 = the first; 0: never) */
} fail_vfs_state;

static fail_vfs_state fail_vfs;
static sqlite3_vfs fail_vfs_def;
static sqlite3_io_methods fail_io;

typedef struct fail_file {
    sqlite3_file base;
    sqlite3_file *real; /* the default VFS's file, right after this struct */
} fail_file;

#define REAL(f) (((fail_file *)(f))->real)

static int ff_close(sqlite3_file *f)
{
    return REAL(f)->pMethods->xClose(REAL(f));
}
static int ff_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
    return REAL(f)->pMethods->xRead(REAL(f), p, n, off);
}
/* Counts writes and syncs; the kill_at-th one never happens. */
static inline void maybe_die(void)
{
    if (fail_vfs.kill_at > 0 && --fail_vfs.kill_at == 0)
        raise(SIGKILL);
}

static int ff_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
    maybe_die();
    if (fail_vfs.write_err != 0) {
        if (fail_vfs.writes_after == 0) {
            fail_vfs.failures++;
            return fail_vfs.write_err;
        }
        fail_vfs.writes_after--;
    }
    return REAL(f)->pMethods->xWrite(REAL(f), p, n, off);
}
static int ff_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    return REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int ff_sync(sqlite3_file *f, int flags)
{
    maybe_die();
    if (fail_vfs.sync_err != 0) {
        fail_vfs.failures++;
        return fail_vfs.sync_err;
    }
    return REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int ff_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return REAL(f)->pMethods->xFileSize(REAL(f), size);
}
static int ff_lock(sqlite3_file *f, int l)
{
    return REAL(f)->pMethods->xLock(REAL(f), l);
}
static int ff_unlock(sqlite3_file *f, int l)
{
    return REAL(f)->pMethods->xUnlock(REAL(f), l);
}
static int ff_check(sqlite3_file *f, int *out)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}
static int ff_fcntl(sqlite3_file *f, int op, void *arg)
{
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}
static int ff_sector(sqlite3_file *f)
{
    return REAL(f)->pMethods->xSectorSize(REAL(f));
}
static int ff_caps(sqlite3_file *f)
{
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}
static int ff_shm_map(sqlite3_file *f, int pg, int sz, int ext, void volatile **pp)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, ext, pp);
}
static int ff_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
    return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}
static void ff_shm_barrier(sqlite3_file *f)
{
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}
static int ff_shm_unmap(sqlite3_file *f, int del)
{
    return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int fv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
    sqlite3_vfs *real = vfs->pAppData;
    fail_file *ff = (fail_file *)f;
    int rc;

    ff->real = (sqlite3_file *)(ff + 1);
    rc = real->xOpen(real, name, ff->real, flags, out);
    /* a failed open leaves no methods: SQLite then calls no xClose */
    f->pMethods = rc == SQLITE_OK && ff->real->pMethods != NULL ? &fail_io : NULL;
    if (f->pMethods != NULL)
        fail_io.iVersion = ff->real->pMethods->iVersion < 2 ? ff->real->pMethods->iVersion : 2;
    return rc;
}

/* Registers the VFS once (not as the default). */
static inline void fail_vfs_register(void)
{
    sqlite3_vfs *real = sqlite3_vfs_find(NULL);

    if (sqlite3_vfs_find(FAIL_VFS_NAME) != NULL)
        return;
    fail_io = (sqlite3_io_methods){
        2,           ff_close,       ff_read,      ff_write, ff_truncate, ff_sync, ff_size,
        ff_lock,     ff_unlock,      ff_check,     ff_fcntl, ff_sector,   ff_caps, ff_shm_map,
        ff_shm_lock, ff_shm_barrier, ff_shm_unmap, NULL,     NULL};
    fail_vfs_def = *real;
    fail_vfs_def.zName = FAIL_VFS_NAME;
    fail_vfs_def.szOsFile = (int)sizeof(fail_file) + real->szOsFile;
    fail_vfs_def.pAppData = real;
    fail_vfs_def.xOpen = fv_open;
    sqlite3_vfs_register(&fail_vfs_def, 0);
}

static inline void fail_vfs_reset(void)
{
    memset(&fail_vfs, 0, sizeof(fail_vfs));
}

#endif
