/* struct x400ms_core: the accessors of core.h, the loop threads and the job
 * thread. */
#define _GNU_SOURCE
#include "config.h"
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/core-private.h"
#include "core/loop-private.h"
#include "x400ms/log.h"

static uint64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- the job thread: long jobs, one after another ---- */

static void *job_thread_main(void *arg)
{
    struct x400ms_core *core = arg;
    pthread_mutex_lock(&core->job_lock);
    for (;;) {
        while (!core->job_head && !core->job_quit)
            pthread_cond_wait(&core->job_cond, &core->job_lock);
        if (core->job_quit)
            break;
        struct core_job *job = core->job_head;
        core->job_head = job->next;
        if (!core->job_head)
            core->job_tail = &core->job_head;
        pthread_mutex_unlock(&core->job_lock);
        job->fn(job->ctx);
        free(job);
        pthread_mutex_lock(&core->job_lock);
    }
    pthread_mutex_unlock(&core->job_lock);
    return NULL;
}

int x400ms_core_run_job(struct x400ms_core *core, x400ms_job_fn *fn, void *ctx,
                        struct x400ms_error *err)
{
    struct core_job *job = malloc(sizeof *job);
    if (!job)
        return x400ms_error_set(err, X400MS_ENOMEM, "job: out of memory");
    *job = (struct core_job){ .fn = fn, .ctx = ctx };
    pthread_mutex_lock(&core->job_lock);
    if (core->job_quit || !core->job_thread_started) {
        pthread_mutex_unlock(&core->job_lock);
        free(job);
        return x400ms_error_set(err, X400MS_ESTATE, "job: the daemon is shutting down");
    }
    *core->job_tail = job;
    core->job_tail = &job->next;
    pthread_cond_signal(&core->job_cond);
    pthread_mutex_unlock(&core->job_lock);
    return 0;
}

static void stop_job_thread(struct x400ms_core *core)
{
    if (!core->job_thread_started)
        return;
    pthread_mutex_lock(&core->job_lock);
    core->job_quit = true;
    size_t dropped = 0;
    while (core->job_head) {
        struct core_job *job = core->job_head;
        core->job_head = job->next;
        free(job);
        dropped++;
    }
    core->job_tail = &core->job_head;
    pthread_cond_signal(&core->job_cond);
    pthread_mutex_unlock(&core->job_lock);
    if (dropped)
        X400MS_LOG_N("shutdown: %zu queued jobs dropped before they started", dropped);

    /* A running job is expected to watch x400ms_core_stopping(); do not hang
     * the shutdown on one that does not. */
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 10;
    if (pthread_timedjoin_np(core->job_thread, NULL, &deadline) != 0) {
        X400MS_LOG_W("shutdown: the running job did not finish within 10 s; leaving it behind");
        pthread_detach(core->job_thread);
    }
    core->job_thread_started = false;
}

/* ---- creation ---- */

struct x400ms_core *core_new(const char *manifest_file, const char *data_dir, unsigned threads,
                             bool check_only, struct x400ms_error *err)
{
    struct x400ms_core *core = calloc(1, sizeof *core);
    if (!core) {
        x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
        return NULL;
    }
    core->manifest_file = strdup(manifest_file ? manifest_file : "");
    core->data_dir = strdup(data_dir ? data_dir : "");
    core->check_only = check_only;
    core->started_ms = monotonic_ms();
    core->job_tail = &core->job_head;
    pthread_mutex_init(&core->job_lock, NULL);
    pthread_cond_init(&core->job_cond, NULL);
    if (threads == 0)
        threads = 1;
    core->loops = calloc(threads, sizeof *core->loops);
    core->loop_threads = calloc(threads, sizeof *core->loop_threads);
    if (!core->manifest_file || !core->data_dir || !core->loops || !core->loop_threads) {
        x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
        core_free(&core);
        return NULL;
    }
    for (unsigned i = 0; i < threads; i++) {
        core->loops[i] = x400ms_loop_new(err);
        if (!core->loops[i]) {
            core_free(&core);
            return NULL;
        }
        core->loop_count++;
    }
    int rc = pthread_create(&core->job_thread, NULL, job_thread_main, core);
    if (rc != 0) {
        x400ms_error_set(err, X400MS_EIO, "cannot start the job thread: %s", strerror(rc));
        core_free(&core);
        return NULL;
    }
    pthread_setname_np(core->job_thread, "x400ms-job");
    core->job_thread_started = true;
    return core;
}

static void free_modules(struct x400ms_core *core)
{
    for (size_t i = 0; i < core->module_count; i++) {
        free(core->modules[i].name);
        free(core->modules[i].file);
        free(core->modules[i].config_path);
    }
    free(core->modules);
    core->modules = NULL;
    core->module_count = 0;
}

void core_free(struct x400ms_core **core_p)
{
    struct x400ms_core *core = core_p ? *core_p : NULL;
    if (!core)
        return;
    *core_p = NULL;
    core_set_stopping(core);
    core_stop_loop_threads(core, 5000);
    stop_job_thread(core);
    for (unsigned i = 0; i < core->loop_count; i++)
        x400ms_loop_free(&core->loops[i]);
    free(core->loops);
    free(core->loop_threads);
    free_modules(core);
    core_registry_free(core);
    pthread_mutex_destroy(&core->job_lock);
    pthread_cond_destroy(&core->job_cond);
    free(core->manifest_file);
    free(core->data_dir);
    free(core);
}

/* ---- loop threads ---- */

static void *loop_thread_main(void *arg)
{
    x400ms_loop_run(arg);
    /* Stopping: what the modules posted while they stopped still runs. */
    core_loop_run_leftover(arg, 16);
    return NULL;
}

int core_start_loop_threads(struct x400ms_core *core, struct x400ms_error *err)
{
    for (unsigned i = 0; i < core->loop_count; i++) {
        int rc = pthread_create(&core->loop_threads[i], NULL, loop_thread_main, core->loops[i]);
        if (rc != 0) {
            /* Keep those that run: shutdown stops them. */
            core->loop_count = i;
            return x400ms_error_set(err, X400MS_EIO, "cannot start loop thread %u: %s", i, strerror(rc));
        }
        char name[32];
        snprintf(name, sizeof name, "x400ms-loop%u", i % 1000u);
        name[15] = '\0'; /* the kernel's limit */
        pthread_setname_np(core->loop_threads[i], name);
        core->loops_running = true;
    }
    return 0;
}

void core_stop_loop_threads(struct x400ms_core *core, int timeout_ms)
{
    if (!core->loops_running)
        return;
    for (unsigned i = 0; i < core->loop_count; i++)
        x400ms_loop_stop(core->loops[i]);
    for (unsigned i = 0; i < core->loop_count; i++) {
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += timeout_ms / 1000;
        deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
        if (pthread_timedjoin_np(core->loop_threads[i], NULL, &deadline) != 0) {
            /* Stuck in a callback: freeing its loop would crash it. */
            X400MS_LOG_E("shutdown: loop thread %u did not stop within %d ms; leaving it behind", i,
                         timeout_ms);
            pthread_detach(core->loop_threads[i]);
            core->loops[i] = NULL;
        }
    }
    core->loops_running = false;
}

size_t core_loops_active(const struct x400ms_core *core)
{
    size_t n = 0;
    for (unsigned i = 0; i < core->loop_count; i++)
        if (core->loops[i])
            n += core_loop_active(core->loops[i]);
    return n;
}

void core_set_stopping(struct x400ms_core *core)
{
    atomic_store(&core->stopping, true);
}

/* ---- accessors (core.h) ---- */

const char *x400ms_core_data_dir(const struct x400ms_core *core) { return core->data_dir; }
const char *x400ms_core_manifest_file(const struct x400ms_core *core) { return core->manifest_file; }
const char *x400ms_core_config_path(const struct x400ms_core *core)
{
    return core->config_path ? core->config_path : "";
}
const char *x400ms_core_version(void) { return PACKAGE_VERSION; }
bool x400ms_core_check_only(const struct x400ms_core *core) { return core->check_only; }

uint64_t x400ms_core_uptime_s(const struct x400ms_core *core)
{
    return (monotonic_ms() - core->started_ms) / 1000u;
}

bool x400ms_core_stopping(const struct x400ms_core *core)
{
    return atomic_load(&core->stopping);
}

unsigned x400ms_core_loop_count(const struct x400ms_core *core) { return core->loop_count; }

struct x400ms_loop *x400ms_core_loop(const struct x400ms_core *core, unsigned index)
{
    return index < core->loop_count ? core->loops[index] : NULL;
}

struct x400ms_loop *x400ms_core_next_loop(struct x400ms_core *core)
{
    unsigned n = atomic_fetch_add_explicit(&core->next_loop, 1, memory_order_relaxed);
    return core->loops[n % core->loop_count];
}

int x400ms_core_foreach_module(const struct x400ms_core *core, x400ms_module_visit_fn *fn, void *arg)
{
    for (size_t i = 0; i < core->module_count; i++) {
        const struct core_module *m = &core->modules[i];
        struct x400ms_module_info info = { .name = m->name, .version = m->desc->version, .file = m->file };
        int rc = fn(arg, &info);
        if (rc != 0)
            return rc;
    }
    return 0;
}
