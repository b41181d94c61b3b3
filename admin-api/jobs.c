/* admin-api: long jobs run on the core's job thread (see jobs.h). */
#define X400MS_LOG_MODULE "admin_api"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "admin-api/jobs.h"
#include "admin-api/jobs_file.h"
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
    json_t *record;          /* a job of an earlier run, loaded from disk: its document */
    bool settled;            /* finished and its last record written: may be pruned */
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
    char *dir;               /* where the records are kept; NULL: memory only */
    pthread_mutex_t file_lock; /* orders the writes of records (taken before lock) */
    bool write_failed;       /* logged once */
};

static json_t *job_json(const struct admin_job *job);

struct admin_jobs *admin_jobs_new(struct admin_server *srv)
{
    struct admin_jobs *jobs = calloc(1, sizeof *jobs);
    if (jobs == NULL)
        return NULL;
    jobs->srv = srv;
    jobs->next_id = 1;
    pthread_mutex_init(&jobs->lock, NULL);
    pthread_cond_init(&jobs->changed, NULL);
    pthread_mutex_init(&jobs->file_lock, NULL);
    return jobs;
}

static void job_free(struct admin_job *job)
{
    for (size_t i = 0; i < job->n_mailboxes; i++)
        free(job->mailboxes[i]);
    free(job->mailboxes);
    free(job->dir);
    json_decref(job->errors);
    json_decref(job->record);
    free(job);
}

/* Writes the job's record as it is now. The document is taken under
 * file_lock, so records reach the disk in the order of the states they
 * show: the last one written is the newest. */
static void job_persist(struct admin_job *job)
{
    struct admin_jobs *jobs = job->owner;
    if (jobs->dir == NULL)
        return;
    pthread_mutex_lock(&jobs->file_lock);
    pthread_mutex_lock(&jobs->lock);
    json_t *doc = job_json(job);
    uint64_t id = job->id;
    pthread_mutex_unlock(&jobs->lock);
    struct x400ms_error err = { 0 };
    int rc = doc != NULL ? admin_jobs_file_write(jobs->dir, id, doc, &err)
                         : x400ms_error_set(&err, X400MS_ENOMEM, "out of memory");
    json_decref(doc);
    if (rc < 0 && !jobs->write_failed) {
        /* the job goes on: only its record after a restart is at stake */
        X400MS_LOG_W("job %llu: cannot write its record: %s (further failures not logged)",
                     (unsigned long long)id, err.message);
        jobs->write_failed = true;
    }
    pthread_mutex_unlock(&jobs->file_lock);
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
            running |= jobs->jobs[i]->started != 0 && !jobs->jobs[i]->settled;
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
    free(jobs->dir);
    pthread_mutex_destroy(&jobs->lock);
    pthread_cond_destroy(&jobs->changed);
    pthread_mutex_destroy(&jobs->file_lock);
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

/* After the job's final state is set: writes its last record, then lets it
 * count as finished (a stop waiting for it then finds the record complete,
 * and prune() cannot free it while it is being written). */
static void job_settle(struct admin_job *job)
{
    struct admin_jobs *jobs = job->owner;
    job_persist(job);
    pthread_mutex_lock(&jobs->lock);
    job->settled = true;
    jobs->active--;
    pthread_cond_broadcast(&jobs->changed);
    pthread_mutex_unlock(&jobs->lock);
}

/* The mailbox of step i: the job's list, the names a backup of all
 * mailboxes listed, or NULL (one store call for all). */
static const char *step_mailbox(const struct admin_job *job, const json_t *all_names, size_t i)
{
    if (job->mailboxes != NULL)
        return job->mailboxes[i];
    if (all_names != NULL)
        return json_string_value(json_array_get(all_names, i));
    return NULL;
}

static void job_run(struct admin_job *job)
{
    struct admin_jobs *jobs = job->owner;
    struct admin_server *srv = jobs->srv;

    pthread_mutex_lock(&jobs->lock);
    if (jobs->stopping) {
        job->state = ADMIN_JOB_CANCELLED;
        job->finished = admin_now();
        pthread_mutex_unlock(&jobs->lock);
        job_settle(job);
        return;
    }
    job->state = ADMIN_JOB_RUNNING;
    job->started = admin_now();
    job->total = job->mailboxes != NULL ? job->n_mailboxes : 1;
    pthread_mutex_unlock(&jobs->lock);
    X400MS_LOG_N("job %llu (%s) started", (unsigned long long)job->id,
                 admin_job_kind_names[job->kind]);

    /* A backup of all mailboxes runs mailbox by mailbox over those that
     * exist when it starts, so that its progress counts them (a restore of
     * all stays one store call: the mailboxes are those of the backup). */
    json_t *all_names = NULL;
    if (job->mailboxes == NULL && job->kind == ADMIN_JOB_BACKUP) {
        struct x400ms_error err = { 0 };
        all_names = json_array();
        int rc = all_names != NULL
                     ? srv->store->mailbox_list(srv->store_ctx, collect_name, all_names, &err)
                     : x400ms_error_set(&err, X400MS_ENOMEM, "out of memory");
        pthread_mutex_lock(&jobs->lock);
        if (rc < 0) {
            json_decref(all_names);
            all_names = NULL;
            job->failed++;
            job_add_error(job, NULL, &err);
            job->total = 0;
        } else {
            job->total = json_array_size(all_names);
        }
        pthread_mutex_unlock(&jobs->lock);
    }
    job_persist(job);

    bool cancelled = false;
    for (size_t i = 0; i < job->total; i++) {
        const char *mailbox = step_mailbox(job, all_names, i);
        struct x400ms_error err = { 0 };
        struct x400ms_store_check_report report = { 0 };
        uint64_t entries = 0;
        pthread_mutex_lock(&jobs->lock);
        cancelled = jobs->stopping;
        pthread_mutex_unlock(&jobs->lock);
        if (cancelled)
            break;
        int rc = job_step(job, mailbox, &entries, &report, &err);
        pthread_mutex_lock(&jobs->lock);
        job->done++;
        if (rc == X400MS_ENOENT && all_names != NULL) {
            /* deleted since the list was taken: nothing to copy */
        } else if (rc < 0) {
            job->failed++;
            job_add_error(job, mailbox, &err);
            X400MS_LOG_W("job %llu (%s) %s: %s", (unsigned long long)job->id,
                         admin_job_kind_names[job->kind], mailbox != NULL ? mailbox : "(all)",
                         err.message);
        } else {
            job->ok++;
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
        job_persist(job);
    }
    json_decref(all_names);

    pthread_mutex_lock(&jobs->lock);
    job->state = cancelled ? ADMIN_JOB_CANCELLED
                 : job->failed > 0 ? ADMIN_JOB_FAILED : ADMIN_JOB_DONE;
    job->finished = admin_now();
    pthread_mutex_unlock(&jobs->lock);
    job_settle(job);
    X400MS_LOG_N("job %llu (%s) %s", (unsigned long long)job->id,
                 admin_job_kind_names[job->kind], admin_job_state_names[job->state]);
}

static void job_run_cb(void *ctx)
{
    job_run(ctx);
}

/* Room for one more job. Lock held. */
static int grow(struct admin_jobs *jobs)
{
    size_t cap = jobs->cap != 0 ? jobs->cap * 2 : 16;
    struct admin_job **grown = realloc(jobs->jobs, cap * sizeof *grown);
    if (grown == NULL)
        return X400MS_ENOMEM;
    jobs->jobs = grown;
    jobs->cap = cap;
    return 0;
}

/* Drops the oldest finished jobs beyond ADMIN_JOBS_KEEP. Lock held. */
static void prune(struct admin_jobs *jobs)
{
    size_t finished = 0;
    for (size_t i = 0; i < jobs->count; i++)
        finished += jobs->jobs[i]->settled;
    size_t w = 0;
    for (size_t i = 0; i < jobs->count; i++) {
        struct admin_job *job = jobs->jobs[i];
        if (finished > ADMIN_JOBS_KEEP && job->settled) {
            if (jobs->dir != NULL)
                admin_jobs_file_remove(jobs->dir, job->id);
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
    if (jobs->count == jobs->cap && grow(jobs) != 0) {
        pthread_mutex_unlock(&jobs->lock);
        job_free(job);
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    }
    job->id = jobs->next_id++;
    jobs->jobs[jobs->count++] = job;
    jobs->active++;
    prune(jobs);
    *id_r = job->id;
    pthread_mutex_unlock(&jobs->lock);
    job_persist(job);
    /* Outside the lock: the job may start (and take it) at once. The job
     * cannot be pruned meanwhile: only finished jobs are. */
    int rc = x400ms_core_run_job(jobs->srv->core, job_run_cb, job, err);
    if (rc < 0) {
        pthread_mutex_lock(&jobs->lock);
        job->state = ADMIN_JOB_FAILED;
        job->finished = admin_now();
        job_add_error(job, NULL, err);
        pthread_mutex_unlock(&jobs->lock);
        job_settle(job);
    }
    return rc;
}

static json_t *job_json(const struct admin_job *job)
{
    if (job->record != NULL)
        return json_deep_copy(job->record);
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

/* ---- records of earlier runs ---- */

struct load_ctx {
    struct admin_jobs *jobs;
    int64_t now;
    size_t interrupted;
};

static int name_index(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; name != NULL && i < n; i++)
        if (strcmp(names[i], name) == 0)
            return (int)i;
    return -1;
}

static int cmp_job_id(const void *a, const void *b)
{
    uint64_t x = (*(struct admin_job *const *)a)->id, y = (*(struct admin_job *const *)b)->id;
    return x < y ? -1 : x > y;
}

/* One record: kept as the job's document. A job that was queued or running
 * when the daemon died never finishes: it is reported failed. */
static void load_one(void *arg, uint64_t id, json_t *doc)
{
    struct load_ctx *lc = arg;
    struct admin_jobs *jobs = lc->jobs;
    int kind = name_index(admin_job_kind_names, ADMIN_JOB_KIND_COUNT,
                          json_string_value(json_object_get(doc, "kind")));
    int state = name_index(admin_job_state_names, ADMIN_JOB_STATE_COUNT,
                           json_string_value(json_object_get(doc, "state")));
    json_t *errors = json_object_get(doc, "errors");
    if (kind < 0 || state < 0 || !json_is_array(errors) ||
        (uint64_t)json_integer_value(json_object_get(doc, "id")) != id) {
        X400MS_LOG_W("%s/%llu.json: not a job record (id, kind, state or errors); ignored",
                     jobs->dir, (unsigned long long)id);
        return;
    }
    struct admin_job *job = calloc(1, sizeof *job);
    json_t *record = json_deep_copy(doc);
    if (job == NULL || record == NULL || (jobs->count == jobs->cap && grow(jobs) != 0)) {
        free(job);
        json_decref(record);
        X400MS_LOG_W("job %llu: out of memory while loading its record", (unsigned long long)id);
        return;
    }
    if (state == ADMIN_JOB_QUEUED || state == ADMIN_JOB_RUNNING) {
        state = ADMIN_JOB_FAILED;
        json_object_set_new(record, "state", json_string(admin_job_state_names[state]));
        json_object_set_new(record, "finished", admin_time_json(lc->now));
        json_array_append_new(json_object_get(record, "errors"),
                              json_pack("{s:n, s:s, s:s}", "mailbox", "code",
                                        x400ms_strerror(X400MS_ESTATE), "message",
                                        "interrupted by restart"));
        struct x400ms_error err = { 0 };
        if (admin_jobs_file_write(jobs->dir, id, record, &err) < 0)
            X400MS_LOG_W("job %llu: %s", (unsigned long long)id, err.message);
        lc->interrupted++;
    }
    job->owner = jobs;
    job->id = id;
    job->kind = (enum admin_job_kind)kind;
    job->state = (enum admin_job_state)state;
    job->record = record;
    job->settled = true;
    jobs->jobs[jobs->count++] = job;
    if (id >= jobs->next_id)
        jobs->next_id = id + 1;
}

int admin_jobs_load(struct admin_jobs *jobs, const char *dir, struct x400ms_error *err)
{
    char *copy = strdup(dir);
    if (copy == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    int rc = admin_jobs_dir_prepare(copy, err);
    if (rc < 0) {
        free(copy);
        return rc;
    }
    pthread_mutex_lock(&jobs->lock);
    jobs->dir = copy;
    struct load_ctx lc = { .jobs = jobs, .now = admin_now() };
    rc = admin_jobs_file_foreach(copy, load_one, &lc, err);
    if (rc >= 0) {
        if (jobs->count > 1) /* jobs is NULL when there are none */
            qsort(jobs->jobs, jobs->count, sizeof *jobs->jobs, cmp_job_id);
        prune(jobs);
        if (jobs->count > 0)
            X400MS_LOG_N("%zu job record(s) of earlier runs in %s (%zu interrupted by the "
                         "restart)", jobs->count, copy, lc.interrupted);
        rc = 0;
    }
    pthread_mutex_unlock(&jobs->lock);
    return rc;
}
