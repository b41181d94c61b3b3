/* The core's own view of struct x400ms_core (modules see only core.h).
 * Used by core.c, registry.c, module.c, daemon.c and the core's unit tests. */
#ifndef X400MS_CORE_PRIVATE_H
#define X400MS_CORE_PRIVATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <ltdl.h>
#include "x400ms/core.h"
#include "x400ms/hooks.h"
#include "x400ms/module.h"

struct core_service {
    char *name;
    const char *module; /* the registering module's name, or "core" */
    const void *ops;
    void *ctx;
};

struct core_hook_entry {
    int priority;
    x400ms_hook_fn *fn;
    void *ctx;
    const char *module;
};

struct core_hook_chain {
    char *name;
    struct core_hook_entry *entries; /* sorted by priority, stable */
    size_t count, cap;
};

/* One module of the manifest, once opened and checked. */
struct core_module {
    const struct x400ms_module *desc;
    char *name;
    char *file;          /* the path opened, or "(built-in)" */
    size_t manifest_index; /* N in modules[N] */
    char *config_path;   /* "modules[N].config" */
    const json_t *config; /* the config object (an empty one when absent) */
    lt_dlhandle handle;  /* never closed: modules are not unloaded */
    void *state;
    bool initialised, started;
};

struct core_job {
    struct core_job *next;
    x400ms_job_fn *fn;
    void *ctx;
};

struct x400ms_core {
    char *manifest_file;
    char *data_dir;
    bool check_only;      /* x400msd -t: init and fini, never start */
    uint64_t started_ms;  /* CLOCK_MONOTONIC at creation */
    atomic_bool stopping;

    /* Registration is open while built-in services register and during
     * init(); `registering` names who registers, for the record. */
    bool registration_open;
    const char *registering;
    const char *config_path;

    struct core_service *services[X400MS_SERVICE_KIND_COUNT];
    size_t service_count[X400MS_SERVICE_KIND_COUNT], service_cap[X400MS_SERVICE_KIND_COUNT];
    struct core_hook_chain *hooks;
    size_t hook_count, hook_cap;

    struct x400ms_loop **loops;
    unsigned loop_count;
    pthread_t *loop_threads;
    bool loops_running;
    atomic_uint next_loop;

    pthread_t job_thread;
    bool job_thread_started;
    pthread_mutex_t job_lock;
    pthread_cond_t job_cond;
    struct core_job *job_head, **job_tail;
    bool job_quit;

    struct core_module *modules; /* in init order once loaded */
    size_t module_count;
};

/* core.c */
/* A core with `threads` loops (not yet running) and a running job thread. */
struct x400ms_core *core_new(const char *manifest_file, const char *data_dir, unsigned threads,
                             bool check_only, struct x400ms_error *err);
/* Stops and joins loop threads and the job thread, then frees everything.
 * Modules must have been finalised (core_modules_fini). */
void core_free(struct x400ms_core **core);
/* Runs each loop on its own thread. */
int core_start_loop_threads(struct x400ms_core *core, struct x400ms_error *err);
/* Stops the loop threads and joins them, waiting at most timeout_ms for each
 * (a loop stuck in a callback is left behind with a log line). */
void core_stop_loop_threads(struct x400ms_core *core, int timeout_ms);
/* Live watches + timers over all loops. */
size_t core_loops_active(const struct x400ms_core *core);
void core_set_stopping(struct x400ms_core *core);

/* registry.c */
void core_registry_free(struct x400ms_core *core);

/* builtin-services.c: services the core itself registers (as module
 * "core") before any module's init. */
int core_register_builtin_services(struct x400ms_core *core, struct x400ms_error *err);

#endif
