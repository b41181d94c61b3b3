/* x400ms public API: the module descriptor (DESIGN.md section 3).
 *
 * Every module, in tree or third-party, exports exactly one symbol:
 *
 *   X400MS_MODULE_EXPORT const struct x400ms_module X400MS_MODULE_ENTRY = {
 *       X400MS_MODULE_HEADER,
 *       .name = "example", .version = "1.0",
 *       .requires = (const char *const[]){ "store_file", NULL },
 *       .init = example_init, .start = example_start,
 *       .stop = example_stop, .fini = example_fini,
 *   };
 *
 * Lifecycle, run by the core's loader (core/module.c):
 *   1. every module is opened and its descriptor checked (ABI, size, name);
 *   2. modules are ordered so that each comes after the modules it requires
 *      (otherwise manifest order);
 *   3. init() runs for every module, in that order. init validates the
 *      module's config object (see config.h), allocates its state and
 *      registers its services (core.h) and hooks (hooks.h). If any init fails,
 *      fini() runs for the modules already initialised, in reverse order, and
 *      the daemon exits with the error. `x400msd -t` runs init() and fini()
 *      but never start(): init must bind nothing and create no files
 *      (x400ms_core_check_only tells the two apart);
 *   4. start() runs for every module, in order, once all are initialised: a
 *      module may now use services that other modules registered, open
 *      listeners and start timers. The loop threads are not running yet, so
 *      start() may add fd watches and timers to any loop directly;
 *   5. the loop threads start; the daemon logs "x400msd ready";
 *   6. on shutdown (SIGTERM/SIGINT, or a failed start) stop() runs in reverse
 *      order for the modules that started, while the loops still run: stop
 *      accepting and finish or cancel in-flight work by posting to the loops
 *      (x400ms_loop_post), never touching a loop's watches from stop() itself.
 *      The core lets the loops run until none has a watch or timer left, for
 *      at most 3 s, then stops the loop threads;
 *   7. fini() runs in reverse order, with no loop running: remove what is
 *      left on the loops and free everything.
 * init, start, stop and fini all run on the daemon's main thread.
 * Modules are never unloaded while the daemon runs. */
#ifndef X400MS_MODULE_H
#define X400MS_MODULE_H

#include <stdint.h>
#include <jansson.h>
#include "x400ms/error.h"

/* Bump on any change of a public struct or function signature. */
#define X400MS_ABI_VERSION 1

struct x400ms_core;

struct x400ms_module {
    uint32_t abi;  /* X400MS_ABI_VERSION the module was built against */
    uint32_t size; /* sizeof(struct x400ms_module) the module was built with */
    const char *name;    /* unique, [a-z0-9_]+, the name manifests use */
    const char *version; /* free text, shown by the admin API */
    /* NULL-terminated names of modules that must be loaded and initialised
     * first, or NULL. */
    const char *const *requires;

    /* config is the module's "config" object from the manifest (an empty
     * object when absent), valid for the daemon's life. On success set *state
     * (passed to every later call) and return 0; on failure fill err (naming
     * the bad field through x400ms_config_parse) and return a negative code. */
    int (*init)(struct x400ms_core *core, const json_t *config, void **state,
                struct x400ms_error *err);
    /* Optional. Returns 0 or a negative code (logged; the daemon stops). */
    int (*start)(void *state);
    /* Optional. Stop accepting work; finish or cancel in-flight work. */
    void (*stop)(void *state);
    /* Optional. Free everything; state is not used again. */
    void (*fini)(void *state);

    void *reserved[6]; /* zero: room to grow without an ABI break */
};

#define X400MS_MODULE_HEADER .abi = X400MS_ABI_VERSION, .size = sizeof(struct x400ms_module)

#define X400MS_MODULE_CAT2_(a, b) a##b
#define X400MS_MODULE_CAT_(a, b) X400MS_MODULE_CAT2_(a, b)
/* A module built into the daemon (--enable-NAME=static) is compiled with
 * -DX400MS_BUILTIN_MODULE=NAME, which renames its entry so that several can
 * be linked into one program; core/builtin-modules.c lists them. */
#ifdef X400MS_BUILTIN_MODULE
#define X400MS_MODULE_ENTRY X400MS_MODULE_CAT_(x400ms_module_entry_, X400MS_BUILTIN_MODULE)
#else
#define X400MS_MODULE_ENTRY x400ms_module_entry
#endif
#define X400MS_MODULE_ENTRY_SYMBOL "x400ms_module_entry"
#define X400MS_MODULE_EXPORT __attribute__((visibility("default")))

#endif
