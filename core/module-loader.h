/* The module loader (core/module.c): opens the manifest's modules, checks
 * and orders them, and runs their lifecycle (include/x400ms/module.h). */
#ifndef X400MS_CORE_MODULE_LOADER_H
#define X400MS_CORE_MODULE_LOADER_H

#include "core/core-private.h"
#include "core/manifest.h"

/* Opens every enabled module of the manifest into core->modules, in init
 * order. A module whose name matches an entry of `builtins` (NULL-terminated,
 * may be NULL) and whose manifest entry names no "file" is the built-in one.
 * Otherwise the file is searched in: $X400MS_MODULE_PATH (a colon list), the
 * manifest's module_path, then X400MS_PKGLIBDIR. */
int core_modules_load(struct x400ms_core *core, const struct core_manifest *m,
                      const struct x400ms_module *const *builtins, struct x400ms_error *err);
/* init() for every module in order; on a failure fini() of those already
 * initialised, in reverse, and the error. */
int core_modules_init(struct x400ms_core *core, struct x400ms_error *err);
/* start() for every module in order; stops at the first failure (the caller
 * then shuts down: core_modules_stop, core_modules_fini). */
int core_modules_start(struct x400ms_core *core, struct x400ms_error *err);
/* stop() of every started module, in reverse order. */
void core_modules_stop(struct x400ms_core *core);
/* fini() of every initialised module, in reverse order. */
void core_modules_fini(struct x400ms_core *core);

#endif
