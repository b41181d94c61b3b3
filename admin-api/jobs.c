/* admin-api: long jobs run on the core's job thread (see jobs.h). */
#define X400MS_LOG_MODULE "admin_api"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "admin-api/jobs.h"
#include "admin-api/util.h"
#include "x400ms/log.h"

const char *const admin_job_kind_names[ADMIN_JOB_KIND_COUNT] = {
    "backup", "restore", "index-check", "index-rebuild",
};
const char *const admin_job_state_names[ADMIN_JOB_STATE_COUNT] = {
    "queued", "running", "done", "failed", "cancelled",
};

struct admin_job {
    struct admin_jobs *owner;
    uint64_t id;
    enum admin_job_kind kind;
    enum admin_job_state state;
    char **mailboxes;        /* NULL: all */
    size_t n_mailboxes;
    char *dir;
    enum x400ms_store_restore_mode mode;
    int64_t created, started, finished;
    size_t done, total;      /* progress in mailboxes */
    uint64_t ok, failed;     /* mailboxes */
    uint64_t entries;        /* entries in the mailboxes handled (after restore / rebuild) */
    struct x400ms_store_check_report check; /* summed over mailboxes (index-check) */
    json_t *errors;          /* [{mailbox, code, message}] */
};

struct admin_jobs {
    struct admin_server *srv;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct admin_job **jobs; /* oldest first */
    size_t count, cap;
    uint64_t next_id;
    bool stopping;
    unsigned active;         /* queued or running */
};

struct admin_jobs *admin_jobs_new(struct admin_server *srv)
{
    struct admin_jobs *jobs = calloc(1, sizeof *jobs);
    if (jobs == NULL)
        return NULL;
    jobs->srv = srv;
    jobs->next_id = 1;
    pthread_mutex_init(&jobs->lock, NULL);
    pthread_cond_init(&jobs->changed, NULL);
    return jobs;
}

static void job_free(struct admin_job *job)
{
    for (size_t i = 0; i < job->n_mailboxes; i++)
        free(job->mailboxes[i]);
    free(job->mailboxes);
    free(job->dir);
    json_decref(job->errors);
    free(job);
}

void admin_jobs_stop(struct admin_jobs *jobs)
{
    if (jobs == NULL)
        return;
    pthread_mutex_lock(&jobs->lock);
    jobs->stopping = true;
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 30;
    /* Queued jobs see `stopping` when the job thread reaches them and end
     * as cancelled at once; a running one stops between two mailboxes. */
    while (jobs->active > 0) {
        bool running = false;
        for (size_t i = 0; i < jobs->count; i++)
            running |= jobs->jobs[i]->state == ADMIN_JOB_RUNNING;
        if (!running)
            break;
        if (pthread_cond_timedwait(&jobs->changed, &jobs->lock, &deadline) == ETIMEDOUT) {
            X400MS_LOG_W("a job is still running after 30 s; stopping without it");
            break;
        }
    }
    pthread_mutex_unlock(&jobs->lock);
}

void admin_jobs_free(struct admin_jobs *jobs)
{
    if (jobs == NULL)
        return;
    pthread_mutex_lock(&jobs->lock);
    unsigned active = jobs->active;
    pthread_mutex_unlock(&jobs->lock);
    if (active > 0) {
        /* The core's job thread may still call job_run for them: keep the
         * memory rather than risk a use after free. */
        X400MS_LOG_W("%u job(s) not finished at shutdown; their records are kept", active);
        return;
    }
    for (size_t i = 0; i < jobs->count; i++)
        job_free(jobs->jobs[i]);
    free(jobs->jobs);
    pthread_mutex_destroy(&jobs->lock);
    pthread_cond_destroy(&jobs->changed);
    free(jobs);
}

static void job_add_error(struct admin_job *job, const char *mailbox,
                          const struct x400ms_error *err)
{
    json_array_append_new(job->errors,
                          json_pack("{s:s?, s:s, s:s}", "mailbox", mailbox, "code",
                                    x400ms_strerror(err->code), "message", err->message));
}

/* Sum of the In Box and Out Box totals of a mailbox (0 if it cannot be read). */
static uint64_t mailbox_entry_count(struct admin_server *srv, const char *name)
{
    struct x400ms_store_mailbox *mb;
    struct x400ms_error err;
    uint64_t total = 0;
    if (srv->store->mailbox_open(srv->store_ctx, name, &mb, &err) < 0)
        return 0;
    for (int box = 0; box < X400MS_STORE_BOX_COUNT; box++) {
        struct x400ms_store_summary sum;
        if (srv->store->summary(mb, (enum x400ms_store_box)box, &sum, &err) == 0)
            total += sum.total;
    }
    srv->store->mailbox_close(mb);
    return total;
}

/* Runs the job's store call for one mailbox (NULL: all mailboxes at once). */
static int job_step(struct admin_job *job, const char *mailbox, uint64_t *entries,
                    struct x400ms_store_check_report *report, struct x400ms_error *err)
{
    struct admin_server *srv = job->owner->srv;
    const struct x400ms_store_ops *st = srv->store;
    int rc;
    *entries = 0;
    switch (job->kind) {
    case ADMIN_JOB_BACKUP:
        rc = st->backup(srv->store_ctx, mailbox, job->dir, err);
        if (rc == 0 && mailbox != NULL)
            *entries = mailbox_entry_count(srv, mailbox);
        return rc;
    case ADMIN_JOB_RESTORE:
        rc = st->restore(srv->store_ctx, mailbox, job->dir, job->mode, err);
        if (rc == 0 && mailbox != NULL)
            *entries = mailbox_entry_count(srv, mailbox);
        return rc;
    case ADMIN_JOB_INDEX_CHECK:
        rc = st->check(srv->store_ctx, mailbox, report, err);
        *entries = report->entries;
        return rc;
    case ADMIN_JOB_INDEX_REBUILD:
        rc = st->rebuild(srv->store_ctx, mailbox, err);
        if (rc == 0 && mailbox != NULL)
            *entries = mailbox_entry_count(srv, mailbox);
        return rc;
    }
    return x400ms_error_set(err, X400MS_EINVAL, "unknown job kind");
}

static int collect_name(void *arg, const struct x400ms_store_mailbox_info *info)
{
    return json_array_append_new(arg, json_string(info->name)) == 0 ? 0 : X400MS_ENOMEM;
}

static void job_run(struct admin_job *job)
{
    struct admin_jobs *jobs = job->owner;
    struct admin_server *srv = jobs->srv;

    pthread_mutex_lock(&jobs->lock);
    if (jobs->stopping) {
        job->state = ADMIN_JOB_CANCELLED;
        job->finished = admin_now();
        jobs->active--;
        pthread_cond_broadcast(&jobs->changed);
        pthread_mutex_unlock(&jobs->lock);
        return;
    }
    job->state = ADMIN_JOB_RUNNING;
    job->started = admin_now();
    job->total = job->mailboxes != NULL ? job->n_mailboxes : 1;
    pthread_mutex_unlock(&jobs->lock);
    X400MS_LOG_N("job %llu (%s) started", (unsigned long long)job->id,
                 admin_job_kind_names[job->kind]);

    /* "All mailboxes" as one store call: the backend then also copies or
     * restores what belongs to no single mailbox. For a backup the entry
     * count is taken over the mailboxes that exist when it starts. */
    json_t *all_names = NULL;
    if (job->mailboxes == NULL && job->kind == ADMIN_JOB_BACKUP) {
        struct x400ms_error err;
        all_names = json_array();
        if (srv->store->mailbox_list(srv->store_ctx, collect_name, all_names, &err) < 0)
            json_array_clear(all_names);
    }

    bool cancelled = false;
    for (size_t i = 0; i < job->total; i++) {
        const char *mailbox = job->mailboxes != NULL ? job->mailboxes[i] : NULL;
        struct x400ms_error err = { 0 };
        struct x400ms_store_check_report report = { 0 };
        uint64_t entries = 0;
        pthread_mutex_lock(&jobs->lock);
        cancelled = jobs->stopping;
        pthread_mutex_unlock(&jobs->lock);
        if (cancelled)
            break;
        int rc = job_step(job, mailbox, &entries, &report, &err);
        if (rc == 0 && all_names != NULL) {
            size_t k;
            json_t *n;
            json_array_foreach(all_names, k, n)
                entries += mailbox_entry_count(srv, json_string_value(n));
        }
        pthread_mutex_lock(&jobs->lock);
        job->done++;
        if (rc < 0) {
            job->failed++;
            job_add_error(job, mailbox, &err);
            X400MS_LOG_W("job %llu (%s) %s: %s", (unsigned long long)job->id,
                         admin_job_kind_names[job->kind], mailbox != NULL ? mailbox : "(all)",
                         err.message);
        } else {
            job->ok += all_names != NULL ? json_array_size(all_names) : 1;
            job->entries += entries;
            job->check.entries += report.entries;
            job->check.corrupt += report.corrupt;
            job->check.missing += report.missing;
            job->check.unindexed += report.unindexed;
            job->check.status_fixed += report.status_fixed;
            job->check.temp_removed += report.temp_removed;
            job->check.consistent = job->check.consistent && report.consistent;
        }
        pthread_cond_broadcast(&jobs->changed);
        pthread_mutex_unlock(&jobs->lock);
    }
    json_decref(all_names);

    pthread_mutex_lock(&jobs->lock);
    job->state = cancelled ? ADMIN_JOB_CANCELLED
                 : job->failed > 0 ? ADMIN_JOB_FAILED : ADMIN_JOB_DONE;
    job->finished = admin_now();
    jobs->active--;
    pthread_cond_broadcast(&jobs->changed);
    pthread_mutex_unlock(&jobs->lock);
    X400MS_LOG_N("job %llu (%s) %s", (unsigned long long)job->id,
                 admin_job_kind_names[job->kind], admin_job_state_names[job->state]);
}

static void job_run_cb(void *ctx)
{
    job_run(ctx);
}

/* Drops the oldest finished jobs beyond ADMIN_JOBS_KEEP. Lock held. */
static void prune(struct admin_jobs *jobs)
{
    size_t finished = 0;
    for (size_t i = 0; i < jobs->count; i++)
        finished += jobs->jobs[i]->state >= ADMIN_JOB_DONE;
    size_t w = 0;
    for (size_t i = 0; i < jobs->count; i++) {
        struct admin_job *job = jobs->jobs[i];
        if (finished > ADMIN_JOBS_KEEP && job->state >= ADMIN_JOB_DONE) {
            job_free(job);
            finished--;
            continue;
        }
        jobs->jobs[w++] = job;
    }
    jobs->count = w;
}

int admin_jobs_submit(struct admin_jobs *jobs, const struct admin_job_spec *spec, uint64_t *id_r,
                      struct x400ms_error *err)
{
    struct admin_job *job = calloc(1, sizeof *job);
    if (job == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    job->owner = jobs;
    job->kind = spec->kind;
    job->mode = spec->mode;
    job->created = admin_now();
    job->errors = json_array();
    job->check.consistent = true;
    if (spec->dir != NULL)
        job->dir = strdup(spec->dir);
    if (spec->mailboxes != NULL) {
        job->n_mailboxes = json_array_size(spec->mailboxes);
        job->mailboxes = calloc(job->n_mailboxes + 1, sizeof *job->mailboxes);
        for (size_t i = 0; job->mailboxes != NULL && i < job->n_mailboxes; i++)
            job->mailboxes[i] = strdup(json_string_value(json_array_get(spec->mailboxes, i)));
    }
    bool oom = job->errors == NULL || (spec->dir != NULL && job->dir == NULL) ||
               (spec->mailboxes != NULL && job->mailboxes == NULL);
    for (size_t i = 0; !oom && i < job->n_mailboxes; i++)
        oom = job->mailboxes[i] == NULL;
    if (oom) {
        job_free(job);
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    }

    pthread_mutex_lock(&jobs->lock);
    if (jobs->stopping) {
        pthread_mutex_unlock(&jobs->lock);
        job_free(job);
        return x400ms_error_set(err, X400MS_ESTATE, "the daemon is stopping");
    }
    if (jobs->count == jobs->cap) {
        size_t cap = jobs->cap != 0 ? jobs->cap * 2 : 16;
        struct admin_job **grown = realloc(jobs->jobs, cap * sizeof *grown);
        if (grown == NULL) {
            pthread_mutex_unlock(&jobs->lock);
            job_free(job);
            return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
        }
        jobs->jobs = grown;
        jobs->cap = cap;
    }
    job->id = jobs->next_id++;
    jobs->jobs[jobs->count++] = job;
    jobs->active++;
    prune(jobs);
    *id_r = job->id;
    pthread_mutex_unlock(&jobs->lock);
    /* Outside the lock: the job may start (and take it) at once. The job
     * cannot be pruned meanwhile: only finished jobs are. */
    int rc = x400ms_core_run_job(jobs->srv->core, job_run_cb, job, err);
    if (rc < 0) {
        pthread_mutex_lock(&jobs->lock);
        job->state = ADMIN_JOB_FAILED;
        job->finished = admin_now();
        job_add_error(job, NULL, err);
        jobs->active--;
        pthread_cond_broadcast(&jobs->changed);
        pthread_mutex_unlock(&jobs->lock);
    }
    return rc;
}

static json_t *job_json(const struct admin_job *job)
{
    json_t *mailboxes;
    if (job->mailboxes == NULL) {
        mailboxes = json_string("all");
    } else {
        mailboxes = json_array();
        for (size_t i = 0; i < job->n_mailboxes; i++)
            json_array_append_new(mailboxes, json_string(job->mailboxes[i]));
    }
    json_t *counts = json_pack("{s:I, s:I, s:I}", "mailboxes_ok", (json_int_t)job->ok,
                               "mailboxes_failed", (json_int_t)job->failed, "entries",
                               (json_int_t)job->entries);
    if (job->kind == ADMIN_JOB_INDEX_CHECK)
        json_object_update_new(counts,
                           json_pack("{s:I, s:I, s:I, s:I, s:I, s:b}", "corrupt",
                                     (json_int_t)job->check.corrupt, "missing",
                                     (json_int_t)job->check.missing, "unindexed",
                                     (json_int_t)job->check.unindexed, "status_fixed",
                                     (json_int_t)job->check.status_fixed, "temp_removed",
                                     (json_int_t)job->check.temp_removed, "consistent",
                                     job->state == ADMIN_JOB_DONE && job->check.consistent));
    unsigned percent = job->total > 0 ? (unsigned)(job->done * 100 / job->total)
                       : job->state >= ADMIN_JOB_DONE ? 100 : 0;
    json_t *doc = json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:{s:I, s:I, s:i}, s:o, s:O}",
                            "id", (json_int_t)job->id,
                            "kind", admin_job_kind_names[job->kind],
                            "state", admin_job_state_names[job->state],
                            "created", admin_time_json(job->created),
                            "started", admin_time_json(job->started),
                            "finished", admin_time_json(job->finished),
                            "mailboxes", mailboxes,
                            "progress", "done", (json_int_t)job->done, "total",
                            (json_int_t)job->total, "percent", (int)percent,
                            "counts", counts,
                            "errors", job->errors);
    if (doc != NULL && job->dir != NULL)
        json_object_set_new(doc, job->kind == ADMIN_JOB_RESTORE ? "source" : "destination",
                            json_string(job->dir));
    if (doc != NULL && job->kind == ADMIN_JOB_RESTORE)
        json_object_set_new(doc, "mode",
                            json_string(job->mode == X400MS_RESTORE_REPLACE ? "replace" : "merge"));
    return doc;
}

json_t *admin_jobs_get(struct admin_jobs *jobs, uint64_t id, int kind)
{
    json_t *doc = NULL;
    pthread_mutex_lock(&jobs->lock);
    for (size_t i = 0; i < jobs->count; i++) {
        const struct admin_job *job = jobs->jobs[i];
        if (job->id == id && (kind < 0 || (int)job->kind == kind)) {
            doc = job_json(job);
            break;
        }
    }
    pthread_mutex_unlock(&jobs->lock);
    return doc;
}

json_t *admin_jobs_list(struct admin_jobs *jobs)
{
    json_t *list = json_array();
    pthread_mutex_lock(&jobs->lock);
    for (size_t i = jobs->count; i-- > 0;)
        json_array_append_new(list, job_json(jobs->jobs[i]));
    pthread_mutex_unlock(&jobs->lock);
    return list;
}

void admin_jobs_counts(struct admin_jobs *jobs,
                       uint64_t counts[ADMIN_JOB_KIND_COUNT][ADMIN_JOB_STATE_COUNT])
{
    memset(counts, 0, sizeof(uint64_t) * ADMIN_JOB_KIND_COUNT * ADMIN_JOB_STATE_COUNT);
    pthread_mutex_lock(&jobs->lock);
    for (size_t i = 0; i < jobs->count; i++)
        counts[jobs->jobs[i]->kind][jobs->jobs[i]->state]++;
    pthread_mutex_unlock(&jobs->lock);
}
