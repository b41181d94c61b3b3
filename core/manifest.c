/* The module manifest: one JSON document (jansson) with the global settings
 * and an ordered list of modules (DESIGN.md section 4). Relative paths in it
 * are relative to the manifest's own directory, so that a manifest and its
 * data can move together. */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/manifest.h"
#include "x400ms/config.h"
#include "x400ms/log.h"

char *core_path_resolve(const char *base, const char *path)
{
    char *out = NULL;
    if (path[0] == '/' || !base || !*base)
        return strdup(path);
    if (asprintf(&out, "%s/%s", base, path) < 0)
        return NULL;
    return out;
}

struct manifest_globals {
    const json_t *module_path;
    const char *data_dir;
    const json_t *log;
    long long threads;
    const char *pid_file, *user, *group;
    bool allow_root;
    const json_t *modules;
};

static const struct x400ms_cfg_spec globals_spec[] = {
    { "module_path", X400MS_CFG_ANY, 0, offsetof(struct manifest_globals, module_path),
      .help = "a directory or an array of directories" },
    { "data_dir", X400MS_CFG_STRING, X400MS_CFG_NONEMPTY, offsetof(struct manifest_globals, data_dir),
      .help = "a directory, relative to the manifest's directory" },
    { "log", X400MS_CFG_OBJECT, 0, offsetof(struct manifest_globals, log),
      .help = "{\"target\": ..., \"level\": ...}" },
    { "threads", X400MS_CFG_INT, 0, offsetof(struct manifest_globals, threads), .min = 1, .max = 256,
      .def_int = 0, .help = "event-loop threads; default: the number of CPUs" },
    { "pid_file", X400MS_CFG_STRING, X400MS_CFG_NONEMPTY, offsetof(struct manifest_globals, pid_file),
      .help = "a file path, relative to the manifest's directory" },
    { "user", X400MS_CFG_STRING, X400MS_CFG_NONEMPTY, offsetof(struct manifest_globals, user),
      .help = "a user name known to the system" },
    { "group", X400MS_CFG_STRING, X400MS_CFG_NONEMPTY, offsetof(struct manifest_globals, group),
      .help = "a group name known to the system" },
    { "allow_root", X400MS_CFG_BOOL, 0, offsetof(struct manifest_globals, allow_root), .def_int = 0,
      .help = "run as root when there is no \"user\" (as --allow-root)" },
    { "modules", X400MS_CFG_ARRAY, X400MS_CFG_REQUIRED, offsetof(struct manifest_globals, modules),
      .help = "the list of modules to load, [] for none" },
    X400MS_CFG_END
};

struct manifest_log {
    const char *target;
    int level;
};

static const char *const level_names[] = { "error", "warning", "notice", "info", "debug", NULL };

static const struct x400ms_cfg_spec log_spec[] = {
    { "target", X400MS_CFG_STRING, X400MS_CFG_NONEMPTY, offsetof(struct manifest_log, target),
      .def_str = "stderr", .help = "\"stderr\", \"syslog\" or a file path" },
    { "level", X400MS_CFG_ENUM, 0, offsetof(struct manifest_log, level), .def_int = 3,
      .enum_values = level_names },
    X400MS_CFG_END
};

struct manifest_entry {
    const char *name, *file;
    const json_t *config;
    bool enabled;
};

static const struct x400ms_cfg_spec module_spec[] = {
    { "name", X400MS_CFG_STRING, X400MS_CFG_REQUIRED | X400MS_CFG_NONEMPTY,
      offsetof(struct manifest_entry, name), .help = "the module's name, [a-z0-9_]+" },
    { "file", X400MS_CFG_STRING, X400MS_CFG_NONEMPTY, offsetof(struct manifest_entry, file),
      .help = "module file name or path; default: the module's name" },
    { "config", X400MS_CFG_OBJECT, 0, offsetof(struct manifest_entry, config),
      .help = "the module's configuration" },
    { "enabled", X400MS_CFG_BOOL, 0, offsetof(struct manifest_entry, enabled), .def_int = 1 },
    X400MS_CFG_END
};

static bool module_name_valid(const char *name)
{
    if (!*name)
        return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return false;
    return true;
}

static int oom(struct x400ms_error *err)
{
    return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
}

static int load_module_path(struct core_manifest *m, const json_t *v, struct x400ms_error *err)
{
    if (!v)
        return 0;
    size_t count = json_is_array(v) ? json_array_size(v) : 1;
    if (!json_is_string(v) && !json_is_array(v))
        return x400ms_error_set(err, X400MS_EINVAL,
                                "module_path: expected a directory or an array of directories");
    m->module_path = calloc(count ? count : 1, sizeof *m->module_path);
    if (!m->module_path)
        return oom(err);
    for (size_t i = 0; i < count; i++) {
        const json_t *item = json_is_array(v) ? json_array_get(v, i) : v;
        if (!json_is_string(item) || json_string_length(item) == 0) {
            if (json_is_array(v))
                return x400ms_error_set(err, X400MS_EINVAL,
                                        "module_path[%zu]: expected a non-empty string (a directory)", i);
            return x400ms_error_set(err, X400MS_EINVAL, "module_path: expected a non-empty string");
        }
        m->module_path[i] = core_path_resolve(m->dir, json_string_value(item));
        if (!m->module_path[i])
            return oom(err);
        m->module_path_count++;
    }
    return 0;
}

static int load_log(struct core_manifest *m, const json_t *v, struct x400ms_error *err)
{
    struct manifest_log log;
    int rc = x400ms_config_parse(v, "log", log_spec, &log, err);
    if (rc != 0)
        return rc;
    m->log_level = log.level;
    if (strcmp(log.target, "stderr") == 0 || strcmp(log.target, "syslog") == 0)
        m->log_target = strdup(log.target);
    else
        m->log_target = core_path_resolve(m->dir, log.target);
    return m->log_target ? 0 : oom(err);
}

/* user/group are checked now; dropping privileges comes later. */
static int check_user_group(const struct manifest_globals *g, struct x400ms_error *err)
{
    if (g->user && !getpwnam(g->user))
        return x400ms_error_set(err, X400MS_EINVAL,
                                "user: expected a user name known to the system, got \"%s\"", g->user);
    if (g->group && !getgrnam(g->group))
        return x400ms_error_set(err, X400MS_EINVAL,
                                "group: expected a group name known to the system, got \"%s\"", g->group);
    return 0;
}

static int load_modules(struct core_manifest *m, const json_t *modules, struct x400ms_error *err)
{
    size_t count = json_array_size(modules);
    m->modules = calloc(count ? count : 1, sizeof *m->modules);
    if (!m->modules)
        return oom(err);
    for (size_t i = 0; i < count; i++) {
        char path[64];
        struct manifest_entry e;
        snprintf(path, sizeof path, "modules[%zu]", i);
        int rc = x400ms_config_parse(json_array_get(modules, i), path, module_spec, &e, err);
        if (rc != 0)
            return rc;
        if (!module_name_valid(e.name))
            return x400ms_error_set(err, X400MS_EINVAL,
                                    "%s.name: expected a module name of [a-z0-9_]+, got \"%s\"", path, e.name);
        if (!e.config) {
            /* Modules always get an object: keep an empty one in the tree. */
            json_t *empty = json_object();
            if (!empty || json_object_set_new(json_array_get(modules, i), "config", empty) != 0)
                return oom(err);
            e.config = empty;
        }
        m->modules[i] = (struct core_manifest_module){
            .name = e.name, .file = e.file, .config = e.config, .enabled = e.enabled, .index = i
        };
        m->module_count++;
    }
    return 0;
}

static int manifest_check(struct core_manifest *m, struct x400ms_error *err)
{
    struct manifest_globals g;
    int rc = x400ms_config_parse(m->root, "", globals_spec, &g, err);
    if (rc == 0)
        rc = load_module_path(m, g.module_path, err);
    if (rc == 0 && g.data_dir && !(m->data_dir = core_path_resolve(m->dir, g.data_dir)))
        rc = oom(err);
    if (rc == 0 && g.pid_file && !(m->pid_file = core_path_resolve(m->dir, g.pid_file)))
        rc = oom(err);
    if (rc == 0)
        rc = load_log(m, g.log, err);
    if (rc == 0)
        rc = check_user_group(&g, err);
    if (rc == 0)
        rc = load_modules(m, g.modules, err);
    m->threads = (unsigned)g.threads;
    m->user = g.user;
    m->group = g.group;
    m->allow_root = rc == 0 && g.allow_root;
    return rc;
}

/* The directory of `file`, absolute. */
static char *manifest_dir(const char *file)
{
    char *copy = strdup(file), *dir = NULL;
    if (!copy)
        return NULL;
    const char *d = dirname(copy);
    if (d[0] == '/') {
        dir = strdup(d);
    } else {
        char cwd[PATH_MAX];
        if (getcwd(cwd, sizeof cwd)) {
            if (strcmp(d, ".") == 0)
                dir = strdup(cwd);
            else if (asprintf(&dir, "%s/%s", cwd, d) < 0)
                dir = NULL;
        }
    }
    free(copy);
    return dir;
}

int core_manifest_load(const char *file, struct core_manifest **out, struct x400ms_error *err)
{
    *out = NULL;
    struct core_manifest *m = calloc(1, sizeof *m);
    if (!m)
        return oom(err);
    m->file = strdup(file);
    m->dir = manifest_dir(file);
    if (!m->file || !m->dir) {
        core_manifest_free(&m);
        return oom(err);
    }

    json_error_t jerr;
    m->root = json_load_file(file, JSON_REJECT_DUPLICATES, &jerr);
    if (!m->root) {
        int rc;
        if (json_error_code(&jerr) == json_error_cannot_open_file)
            rc = x400ms_error_set(err, X400MS_ENOENT, "%s: cannot read the manifest: %s", file,
                                  jerr.text);
        else
            rc = x400ms_error_set(err, X400MS_EINVAL, "%s:%d:%d: JSON syntax error: %s", file,
                                  jerr.line, jerr.column, jerr.text);
        core_manifest_free(&m);
        return rc;
    }
    int rc = manifest_check(m, err);
    if (rc != 0) {
        x400ms_error_prefix(err, "%s", file);
        core_manifest_free(&m);
        return rc;
    }
    *out = m;
    return 0;
}

void core_manifest_free(struct core_manifest **mp)
{
    struct core_manifest *m = mp ? *mp : NULL;
    if (!m)
        return;
    *mp = NULL;
    for (size_t i = 0; i < m->module_path_count; i++)
        free(m->module_path[i]);
    free(m->module_path);
    free(m->modules);
    free(m->data_dir);
    free(m->log_target);
    free(m->pid_file);
    json_decref(m->root);
    free(m->file);
    free(m->dir);
    free(m);
}
