/* x400ms public API: running the core's OSI stack inside another program.
 *
 * A client program (the P7 client library, x400ms-mta) that speaks the
 * protocols through the same OSI stack as the daemon creates an "embedded"
 * core: the manifest is given as JSON text instead of a file, the core's
 * built-in services and the OSI provider are registered, the manifest's
 * modules (rfc1006, tls, rtse, ...) are loaded, initialised and started, and
 * the loops run on their own threads. The program then uses the core through
 * the ordinary public headers (core.h, transport.h, assoc.h, ...).
 *
 * Life cycle:
 *   core = x400ms_core_embedded_new(json, module_path, &err);
 *   ... x400ms_app_context_register(core, ...)  (optional: registration is
 *       open between _new and _start, as during a module's init())
 *   x400ms_core_embedded_start(core, &err);
 *   ... use the stack ...
 *   x400ms_core_embedded_free(&core);   (stops it when started)
 *
 * The manifest JSON has the daemon's format (DESIGN.md section 4);
 * "threads" defaults to 1 (not one per CPU) and "data_dir" to none.
 * The log settings of the manifest are not applied: the program decides
 * (x400ms_log_set_level). Not thread-safe: one thread creates, starts and
 * frees a given core. */
#ifndef X400MS_EMBEDDED_H
#define X400MS_EMBEDDED_H

#include "x400ms/core.h"
#include "x400ms/error.h"

/* A core built from `manifest_json` (a JSON object as text). When
 * `module_path` is not NULL it replaces the manifest's "module_path" (a
 * directory holding the loadable modules). The core's built-in services and
 * the OSI provider are registered; the modules are not loaded yet and no
 * loop runs. NULL on error (err says why: the JSON path of a bad manifest
 * member, or the module that failed). */
struct x400ms_core *x400ms_core_embedded_new(const char *manifest_json, const char *module_path,
                                             struct x400ms_error *err);

/* Loads, initialises and starts the manifest's modules, then runs the loops
 * on their own threads. Once only. On failure the core is left stopped and
 * must still be freed with x400ms_core_embedded_free. */
int x400ms_core_embedded_start(struct x400ms_core *core, struct x400ms_error *err);

/* Stops the modules and the loops (waiting at most 3 s for each loop
 * thread), finalises the modules and frees the core; *core becomes NULL.
 * Accepts a NULL *core. */
void x400ms_core_embedded_free(struct x400ms_core **core);

#endif
