/*
 * Test helpers: the `.at` fixtures under QLW_TRANSCRIPT_DIR, listed in name
 * order and loaded. Include after <cmocka.h>.
 */
#ifndef QLW_TS_FIXTURE_LIST_H
#define QLW_TS_FIXTURE_LIST_H

#include "qlwm2m/transcript.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TS_FIXTURES_MAX     256
#define TS_FIXTURE_NAME_MAX 256

typedef struct ts_fixture_list {
    size_t count;
    char names[TS_FIXTURES_MAX][TS_FIXTURE_NAME_MAX];
} ts_fixture_list;

static inline int ts_fixture_cmp(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static inline bool ts_has_at_suffix(const char *name)
{
    size_t len = strlen(name);
    return len > 3 && strcmp(name + len - 3, ".at") == 0;
}

/* Fills @p list with the fixture file names; fails the test when there are none. */
static inline void ts_list_fixtures(ts_fixture_list *list)
{
    DIR *dir = opendir(QLW_TRANSCRIPT_DIR);
    assert_non_null(dir);
    list->count = 0;
    for (struct dirent *e; (e = readdir(dir)) != NULL;) {
        if (ts_has_at_suffix(e->d_name) && strlen(e->d_name) < TS_FIXTURE_NAME_MAX) {
            assert_true(list->count < TS_FIXTURES_MAX);
            strcpy(list->names[list->count++], e->d_name);
        }
    }
    closedir(dir);
    assert_true(list->count > 0);
    qsort(list->names, list->count, sizeof list->names[0], ts_fixture_cmp);
}

/* Loads fixture @p name (a file name under QLW_TRANSCRIPT_DIR) or fails the test. */
static inline qlw_transcript *ts_load_fixture(const char *name)
{
    char path[1024];
    char err[256];
    qlw_transcript *ts = NULL;
    snprintf(path, sizeof path, "%s/%s", QLW_TRANSCRIPT_DIR, name);
    int rc = qlw_transcript_load(&ts, path, err, sizeof err);
    if (rc != QLW_OK) {
        fail_msg("%s: %s (%s)", name, err, qlw_err_str(rc));
    }
    return ts;
}

#endif /* QLW_TS_FIXTURE_LIST_H */
