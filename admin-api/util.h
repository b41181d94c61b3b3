/* admin-api: small helpers (time as JSON, mailbox names, paths). */
#ifndef ADMIN_UTIL_H
#define ADMIN_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "x400ms/error.h"

/* Seconds since 1970 UTC. */
int64_t admin_now(void);
/* "2026-11-22T08:30:01Z", or JSON null for 0. */
json_t *admin_time_json(int64_t t);
/* A mailbox or MTA name as the store accepts it: 1..64 of [A-Za-z0-9._-],
 * not starting with '.'. On false, *why says what is wrong. */
bool admin_name_valid(const char *name, const char **why);
/* path if absolute, else base/path; caller frees. NULL on out of memory. */
char *admin_path_join(const char *base, const char *path);

/* Replaces the file path with text and a final newline, atomically: a
 * temporary path.tmp (mode 0600) written and fsynced, renamed over path,
 * then the directory fsynced. A crash leaves the old file or the new one. */
int admin_write_file_atomic(const char *path, const char *text, struct x400ms_error *err);

#endif
