/* admin-api: long jobs (backup, restore, index check/rebuild).
 *
 * A job is created by a POST (202 + id), runs on the core's job thread
 * (x400ms_core_run_job: one job at a time, never on a loop thread or an
 * HTTP thread) mailbox by mailbox, and is polled by GET with its state,
 * progress, counts and errors. The last ADMIN_JOBS_KEEP finished jobs are
 * kept for polling, across restarts when admin_jobs_load() was called. */
#ifndef ADMIN_JOBS_H
#define ADMIN_JOBS_H

#include <jansson.h>
#include "admin-api/server.h"

#define ADMIN_JOBS_KEEP 64

enum admin_job_kind {
    ADMIN_JOB_BACKUP,
    ADMIN_JOB_RESTORE,
    ADMIN_JOB_INDEX_CHECK,
    ADMIN_JOB_INDEX_REBUILD,
};
#define ADMIN_JOB_KIND_COUNT 4

enum admin_job_state {
    ADMIN_JOB_QUEUED,
    ADMIN_JOB_RUNNING,
    ADMIN_JOB_DONE,      /* every mailbox succeeded */
    ADMIN_JOB_FAILED,    /* at least one mailbox failed: see errors */
    ADMIN_JOB_CANCELLED, /* the daemon stopped first */
};
#define ADMIN_JOB_STATE_COUNT 5

extern const char *const admin_job_kind_names[ADMIN_JOB_KIND_COUNT];
extern const char *const admin_job_state_names[ADMIN_JOB_STATE_COUNT];

/* What to run. mailboxes: NULL for every mailbox (backup/restore), else an
 * array of names (copied). dir: backup destination or restore source
 * (absolute). */
struct admin_job_spec {
    enum admin_job_kind kind;
    const json_t *mailboxes;
    const char *dir;
    enum x400ms_store_restore_mode mode;
};

struct admin_jobs *admin_jobs_new(struct admin_server *srv);
/* Cancels queued jobs, waits (bounded) for the running one. */
void admin_jobs_stop(struct admin_jobs *jobs);
void admin_jobs_free(struct admin_jobs *jobs);

/* From now on keeps each job's record in dir (DATA_DIR/admin/jobs, created
 * when missing) and loads the records of earlier runs, so that their jobs
 * can still be polled; a job that was queued or running when the daemon
 * died is reported "failed" with the error "interrupted by restart". Call
 * once, before the first submit. */
int admin_jobs_load(struct admin_jobs *jobs, const char *dir, struct x400ms_error *err);

/* Queues a job; *id_r gets its id. */
int admin_jobs_submit(struct admin_jobs *jobs, const struct admin_job_spec *spec, uint64_t *id_r,
                      struct x400ms_error *err);
/* The job's JSON document, or NULL when no such job (of that kind, when
 * kind >= 0). */
json_t *admin_jobs_get(struct admin_jobs *jobs, uint64_t id, int kind);
/* Every job kept, newest first. */
json_t *admin_jobs_list(struct admin_jobs *jobs);
/* Counts by kind and state, for metrics. */
void admin_jobs_counts(struct admin_jobs *jobs,
                       uint64_t counts[ADMIN_JOB_KIND_COUNT][ADMIN_JOB_STATE_COUNT]);

#endif
