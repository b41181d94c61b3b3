/* admin-api: the jobs' records on disk, so that a job can still be polled
 * after the daemon restarts (DATA_DIR/admin/jobs/<id>.json, one JSON
 * document per job: the document GET /api/v1/jobs/{id} answers).
 *
 * Every write is atomic (a temporary file in the same directory, fsync,
 * rename, fsync of the directory): a crash leaves the previous record or
 * the new one, never a torn file. */
#ifndef ADMIN_JOBS_FILE_H
#define ADMIN_JOBS_FILE_H

#include <stdint.h>
#include <jansson.h>
#include "x400ms/error.h"

/* Creates dir (and its parents, mode 0700) when missing and removes the
 * temporary files a crash left in it. */
int admin_jobs_dir_prepare(const char *dir, struct x400ms_error *err);

/* Writes doc as dir/<id>.json, atomically. */
int admin_jobs_file_write(const char *dir, uint64_t id, const json_t *doc,
                          struct x400ms_error *err);

/* Removes dir/<id>.json (a missing file is not an error). */
void admin_jobs_file_remove(const char *dir, uint64_t id);

/* Calls fn for each record dir/<id>.json that parses as a JSON object
 * (doc is borrowed: fn increfs what it keeps). A record that does not
 * parse is logged and left alone. Returns the number of records, or < 0
 * when dir cannot be read. */
typedef void admin_jobs_file_fn(void *arg, uint64_t id, json_t *doc);
int admin_jobs_file_foreach(const char *dir, admin_jobs_file_fn *fn, void *arg,
                            struct x400ms_error *err);

#endif
