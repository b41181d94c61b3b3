/* The module manifest (DESIGN.md section 4): loading and checking it. */
#ifndef X400MS_CORE_MANIFEST_H
#define X400MS_CORE_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "x400ms/error.h"

struct core_manifest_module {
    const char *name;
    const char *file;     /* NULL: the module's name */
    const json_t *config; /* never NULL: an empty object when absent */
    bool enabled;
    size_t index;         /* N in modules[N] */
};

struct core_manifest {
    char *file;           /* as given (for messages) */
    char *dir;            /* absolute directory of the file: base of relative paths */
    json_t *root;
    char **module_path;   /* absolute directories, in order */
    size_t module_path_count;
    char *data_dir;       /* absolute, or NULL when the manifest has none */
    char *log_target;     /* "stderr", "syslog" or an absolute file path */
    int log_level;        /* enum x400ms_log_level */
    unsigned threads;     /* 0: one per online CPU */
    char *pid_file;       /* absolute, or NULL */
    const char *user, *group; /* NULL when absent */
    bool allow_root;      /* "allow_root": run as root without "user" (as --allow-root) */
    struct core_manifest_module *modules; /* every entry, enabled or not */
    size_t module_count;
};

/* Loads and checks `file`. Every error names the file and the JSON path
 * ("x400ms.json: modules[2].name: expected a non-empty string, got 3"), a
 * syntax error names file:line:column. */
int core_manifest_load(const char *file, struct core_manifest **out, struct x400ms_error *err);
void core_manifest_free(struct core_manifest **m);

/* `path` made absolute against `base` (a directory); caller frees. */
char *core_path_resolve(const char *base, const char *path);

#endif
