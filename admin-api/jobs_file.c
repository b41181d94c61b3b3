/* admin-api: the jobs' records on disk (see jobs_file.h). */
#define X400MS_LOG_MODULE "admin_api"
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "admin-api/jobs_file.h"
#include "admin-api/util.h"
#include "x400ms/log.h"

int admin_jobs_dir_prepare(const char *dir, struct x400ms_error *err)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return x400ms_error_set(err, X400MS_ELIMIT, "%s: path too long", dir);
    /* mkdir -p: each prefix in turn */
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST)
            return x400ms_error_set(err, errno == ENOSPC ? X400MS_ENOSPC : X400MS_EIO,
                                    "%s: cannot create: %s", path, strerror(errno));
        *p = saved;
        if (saved == '\0')
            break;
    }
    /* a crash between write and rename leaves <id>.json.tmp behind */
    DIR *d = opendir(dir);
    if (d == NULL)
        return x400ms_error_set(err, X400MS_EIO, "%s: %s", dir, strerror(errno));
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len > 4 && strcmp(de->d_name + len - 4, ".tmp") == 0 && de->d_name[0] != '.')
            unlinkat(dirfd(d), de->d_name, 0);
    }
    closedir(d);
    return 0;
}

int admin_jobs_file_write(const char *dir, uint64_t id, const json_t *doc,
                          struct x400ms_error *err)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%" PRIu64 ".json", dir, id) >= (int)sizeof path)
        return x400ms_error_set(err, X400MS_ELIMIT, "%s: path too long", dir);
    char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    if (text == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    int rc = admin_write_file_atomic(path, text, err);
    free(text);
    return rc;
}

void admin_jobs_file_remove(const char *dir, uint64_t id)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%" PRIu64 ".json", dir, id) < (int)sizeof path &&
        unlink(path) != 0 && errno != ENOENT)
        X400MS_LOG_W("%s: cannot remove: %s", path, strerror(errno));
}

/* The id of a record's file name "<id>.json" (decimal, no sign, no leading
 * zero), or 0 when the name is not a record's. */
static uint64_t record_id(const char *name)
{
    const char *dot = strchr(name, '.');
    if (dot == NULL || strcmp(dot, ".json") != 0 || dot == name || name[0] == '0' ||
        dot - name > 19)
        return 0;
    uint64_t id = 0;
    for (const char *p = name; p < dot; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        id = id * 10 + (uint64_t)(*p - '0');
    }
    return id;
}

int admin_jobs_file_foreach(const char *dir, admin_jobs_file_fn *fn, void *arg,
                            struct x400ms_error *err)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return x400ms_error_set(err, errno == ENOENT ? X400MS_ENOENT : X400MS_EIO, "%s: %s", dir,
                                strerror(errno));
    int count = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        uint64_t id = record_id(de->d_name);
        if (id == 0)
            continue;
        char path[4096];
        if (snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= (int)sizeof path)
            continue;
        json_error_t jerr;
        json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
        if (!json_is_object(doc)) {
            X400MS_LOG_W("%s: not a job record (%s); ignored", path,
                         doc == NULL ? jerr.text : "not a JSON object");
            json_decref(doc);
            continue;
        }
        fn(arg, id, doc);
        json_decref(doc);
        count++;
    }
    closedir(d);
    return count;
}
