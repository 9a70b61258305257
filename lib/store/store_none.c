/* Built without SQLite: the store API is there and says so. A session with
 * no store works as it always did. */
#include <stdio.h>

#include "qlwm2m/store.h"

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
