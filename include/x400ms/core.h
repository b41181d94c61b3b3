/* x400ms public API: what the core offers to modules.
 *
 * Services. A module registers typed services during init(); other modules
 * find them from start() on. Each kind has its own ops struct, declared in
 * that kind's header (transport.h, store.h, mts.h, autoaction.h, ...), whose
 * first member is `size_t size` (sizeof the struct the provider was built
 * with) so the struct can grow. The typed headers wrap the generic calls
 * below; modules should use those wrappers.
 *
 * Threading: registration happens only during init() on the main thread;
 * lookups are lock-free and valid from any thread afterwards. */
#ifndef X400MS_CORE_H
#define X400MS_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "x400ms/error.h"
#include "x400ms/loop.h"

struct x400ms_core;

enum x400ms_service_kind {
    X400MS_SERVICE_TRANSPORT = 1,   /* transport.h: rfc1006, tls */
    X400MS_SERVICE_APP_CONTEXT = 2, /* an ACSE application context served by a protocol module */
    X400MS_SERVICE_STORE = 3,       /* store.h: a store backend */
    X400MS_SERVICE_AUTOACTION = 4,  /* autoaction.h: an auto-action type, by OID text */
    X400MS_SERVICE_MTS = 5,         /* mts.h: an MTS (submission) provider */
    X400MS_SERVICE_ADMIN_ROUTE = 6, /* admin.h: routes of the admin API */
    X400MS_SERVICE_OTHER = 7,       /* anything else modules agree on by name */
};
#define X400MS_SERVICE_KIND_COUNT 8

/* Registers `ops` (whose first member is its size) under (kind, name).
 * Fails with X400MS_EEXIST for a duplicate (kind, name), X400MS_ESTATE
 * outside init(). The core records which module registered it. ops and ctx
 * must stay valid until the module's fini(). */
int x400ms_service_register(struct x400ms_core *core, enum x400ms_service_kind kind,
                            const char *name, const void *ops, void *ctx,
                            struct x400ms_error *err);

/* The ops registered under (kind, name), or, when name is NULL, the first
 * registered of that kind; NULL if none. *ctx_r (when not NULL) gets its ctx. */
const void *x400ms_service_find(const struct x400ms_core *core, enum x400ms_service_kind kind,
                                const char *name, void **ctx_r);

/* Calls fn for each service of `kind`, in registration order; stops early and
 * returns fn's value when it is not 0. */
typedef int x400ms_service_visit_fn(void *arg, const char *name, const char *module,
                                    const void *ops, void *ctx);
int x400ms_service_foreach(const struct x400ms_core *core, enum x400ms_service_kind kind,
                           x400ms_service_visit_fn *fn, void *arg);

/* The data directory (manifest `data_dir`, or -d). Exists, mode 0700. */
const char *x400ms_core_data_dir(const struct x400ms_core *core);
/* The manifest file the daemon was started with. */
const char *x400ms_core_manifest_file(const struct x400ms_core *core);
/* During init(): the JSON path of the module's config, e.g. "modules[3].config",
 * for error messages (x400ms_config_parse uses it). */
const char *x400ms_core_config_path(const struct x400ms_core *core);
const char *x400ms_core_version(void);
/* Seconds since the daemon started. */
uint64_t x400ms_core_uptime_s(const struct x400ms_core *core);
/* True once shutdown has begun. */
bool x400ms_core_stopping(const struct x400ms_core *core);
/* True under `x400msd -t`: init() and fini() run (so every config is
 * checked) but start() never does; init() must then create no files (the
 * data directory may not exist) and bind nothing. */
bool x400ms_core_check_only(const struct x400ms_core *core);

/* The loop threads. x400ms_core_next_loop picks one round-robin, for a new
 * association (thread-safe). */
unsigned x400ms_core_loop_count(const struct x400ms_core *core);
struct x400ms_loop *x400ms_core_loop(const struct x400ms_core *core, unsigned index);
struct x400ms_loop *x400ms_core_next_loop(struct x400ms_core *core);

/* Long jobs (backup, restore, index rebuild) run on the core's job thread,
 * one after another, never on a loop thread. Thread-safe. */
typedef void x400ms_job_fn(void *ctx);
int x400ms_core_run_job(struct x400ms_core *core, x400ms_job_fn *fn, void *ctx,
                        struct x400ms_error *err);

/* A loaded module, as the admin API lists it. */
struct x400ms_module_info {
    const char *name, *version, *file; /* file: "(built-in)" for static modules */
};
typedef int x400ms_module_visit_fn(void *arg, const struct x400ms_module_info *info);
int x400ms_core_foreach_module(const struct x400ms_core *core, x400ms_module_visit_fn *fn, void *arg);

#endif
