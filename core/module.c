/* The module loader (DESIGN.md section 3): libltdl with local symbols; every
 * refusal says which file, which module, which manifest line, and what to
 * do. Modules are ordered by `requires`, all init() before any start(), and
 * never unloaded while the daemon runs. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/module-loader.h"
#include "x400ms/log.h"

#ifndef X400MS_PKGLIBDIR
#define X400MS_PKGLIBDIR "/usr/local/lib/x400ms"
#endif

#define BUILTIN_FILE "(built-in)"

struct search_path {
    char **dirs;
    size_t count;
};

static int oom(struct x400ms_error *err)
{
    return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
}

static void search_path_free(struct search_path *sp)
{
    for (size_t i = 0; i < sp->count; i++)
        free(sp->dirs[i]);
    free(sp->dirs);
}

static int search_path_add(struct search_path *sp, const char *dir, size_t len)
{
    if (len == 0)
        return 0;
    char **bigger = realloc(sp->dirs, (sp->count + 1) * sizeof *bigger);
    if (!bigger)
        return X400MS_ENOMEM;
    sp->dirs = bigger;
    if (!(sp->dirs[sp->count] = strndup(dir, len)))
        return X400MS_ENOMEM;
    sp->count++;
    return 0;
}

/* $X400MS_MODULE_PATH (so a build tree or test wins), the manifest's
 * module_path, then the install directory. */
static int search_path_build(struct search_path *sp, const struct core_manifest *m)
{
    const char *env = getenv("X400MS_MODULE_PATH");
    for (const char *p = env; p && *p;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        if (search_path_add(sp, p, len) != 0)
            return X400MS_ENOMEM;
        p += len + (colon ? 1 : 0);
    }
    for (size_t i = 0; i < m->module_path_count; i++)
        if (search_path_add(sp, m->module_path[i], strlen(m->module_path[i])) != 0)
            return X400MS_ENOMEM;
    return search_path_add(sp, X400MS_PKGLIBDIR, strlen(X400MS_PKGLIBDIR));
}

/* The file lt_dlopenadvise would open for `base` (it adds .la, then .so). */
static char *existing_file(const char *base)
{
    static const char *const exts[] = { "", ".la", ".so" };
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        char *path;
        if (asprintf(&path, "%s%s", base, exts[i]) < 0)
            return NULL;
        if (access(path, F_OK) == 0)
            return path;
        free(path);
    }
    return NULL;
}

/* Opens the file of manifest entry `e`: *path_r gets the file opened. */
static int module_open(const struct core_manifest *m, const struct search_path *sp,
                       const struct core_manifest_module *e, lt_dlhandle *handle_r, char **path_r,
                       struct x400ms_error *err)
{
    const char *file = e->file ? e->file : e->name;
    char *found = NULL, *base = NULL;

    if (strchr(file, '/')) {
        base = core_path_resolve(m->dir, file);
        if (!base)
            return oom(err);
        found = existing_file(base);
    } else {
        for (size_t i = 0; i < sp->count && !found; i++) {
            free(base);
            if (asprintf(&base, "%s/%s", sp->dirs[i], file) < 0)
                return oom(err);
            found = existing_file(base);
        }
    }
    if (!found) {
        char dirs[300];
        size_t n = 0;
        dirs[0] = '\0';
        for (size_t i = 0; i < sp->count && n < sizeof dirs && !strchr(file, '/'); i++)
            n += (size_t)snprintf(dirs + n, sizeof dirs - n, "%s%s", i ? ", " : "", sp->dirs[i]);
        int rc = x400ms_error_set(err, X400MS_ENOENT,
                                  "modules[%zu] (%s): module file \"%s\" not found%s%s: build and "
                                  "install the module, or set module_path in the manifest (or "
                                  "X400MS_MODULE_PATH), or fix modules[%zu].file",
                                  e->index, e->name, strchr(file, '/') ? base : file,
                                  n ? " in " : "", dirs, e->index);
        free(base);
        return rc;
    }

    lt_dladvise advise;
    lt_dladvise_init(&advise);
    lt_dladvise_ext(&advise);   /* "rfc1006" finds rfc1006.la or rfc1006.so */
    lt_dladvise_local(&advise); /* modules see the core, not each other's symbols */
    lt_dlhandle handle = lt_dlopenadvise(base, advise);
    lt_dladvise_destroy(&advise);
    free(base);
    if (!handle) {
        const char *why = lt_dlerror();
        int rc = x400ms_error_set(err, X400MS_EINVAL,
                                  "modules[%zu] (%s): cannot load %s: %s: rebuild the module "
                                  "against this x400ms (pkg-config x400ms)",
                                  e->index, e->name, found, why ? why : "unknown error");
        free(found);
        return rc;
    }
    *handle_r = handle;
    *path_r = found;
    return 0;
}

/* The descriptor checks: ABI, size, name, init. */
static int module_check(const struct x400ms_module *d, const struct core_manifest_module *e,
                        const char *file, struct x400ms_error *err)
{
    if (d->abi != X400MS_ABI_VERSION)
        return x400ms_error_set(err, X400MS_EABI,
                                "modules[%zu] (%s): %s was built for module ABI %u, but this "
                                "x400msd has ABI %u: rebuild the module against the installed "
                                "x400ms headers (pkg-config x400ms)",
                                e->index, e->name, file, (unsigned)d->abi, X400MS_ABI_VERSION);
    if (d->size < sizeof(struct x400ms_module))
        return x400ms_error_set(err, X400MS_EABI,
                                "modules[%zu] (%s): %s has a descriptor of %u bytes, smaller than "
                                "the %zu bytes of this x400msd's struct x400ms_module: rebuild the "
                                "module against the installed x400ms headers",
                                e->index, e->name, file, (unsigned)d->size,
                                sizeof(struct x400ms_module));
    if (!d->name || strcmp(d->name, e->name) != 0)
        return x400ms_error_set(err, X400MS_EINVAL,
                                "modules[%zu] (%s): %s holds module \"%s\", not \"%s\": fix "
                                "modules[%zu].name or modules[%zu].file",
                                e->index, e->name, file, d->name ? d->name : "(no name)", e->name,
                                e->index, e->index);
    if (!d->init)
        return x400ms_error_set(err, X400MS_EINVAL,
                                "modules[%zu] (%s): %s has no init function: fix the module",
                                e->index, e->name, file);
    return 0;
}

static const struct x400ms_module *builtin_find(const struct x400ms_module *const *builtins,
                                                const struct core_manifest_module *e)
{
    if (e->file && strcmp(e->file, e->name) != 0)
        return NULL; /* an explicit file wins over the built-in copy */
    for (size_t i = 0; builtins && builtins[i]; i++)
        if (builtins[i]->name && strcmp(builtins[i]->name, e->name) == 0)
            return builtins[i];
    return NULL;
}

static const struct core_manifest_module *manifest_entry(const struct core_manifest *m, const char *name)
{
    for (size_t i = 0; i < m->module_count; i++)
        if (strcmp(m->modules[i].name, name) == 0)
            return &m->modules[i];
    return NULL;
}

/* Index in `mods` of the module named `name`, or -1. */
static long module_index(const struct core_module *mods, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(mods[i].name, name) == 0)
            return (long)i;
    return -1;
}

static int check_dependencies(const struct core_manifest *m, const struct core_module *mods,
                              size_t count, struct x400ms_error *err)
{
    for (size_t i = 0; i < count; i++) {
        const char *const *req = mods[i].desc->requires;
        for (size_t r = 0; req && req[r]; r++) {
            if (module_index(mods, count, req[r]) >= 0)
                continue;
            const struct core_manifest_module *dep = manifest_entry(m, req[r]);
            if (dep)
                return x400ms_error_set(err, X400MS_EDEP,
                                        "modules[%zu] (%s) requires module \"%s\", which "
                                        "modules[%zu] disables: set modules[%zu].enabled to true",
                                        mods[i].manifest_index, mods[i].name, req[r], dep->index,
                                        dep->index);
            return x400ms_error_set(err, X400MS_EDEP,
                                    "modules[%zu] (%s) requires module \"%s\", which the manifest "
                                    "does not load: add {\"name\": \"%s\"} to modules",
                                    mods[i].manifest_index, mods[i].name, req[r], req[r]);
        }
    }
    return 0;
}

/* Describes a cycle among the unplaced modules, for the error. */
static void describe_cycle(const struct core_module *mods, size_t count, const bool *placed,
                           char *buf, size_t len)
{
    size_t start = 0;
    while (start < count && placed[start])
        start++;
    /* Walk unplaced dependencies from `start`: with no placeable module left,
     * every unplaced module has an unplaced dependency, so the walk cycles. */
    size_t *seen_at = calloc(count, sizeof *seen_at);
    size_t *walk = calloc(count + 1, sizeof *walk);
    if (!seen_at || !walk) {
        snprintf(buf, len, "(out of memory describing it)");
        free(seen_at);
        free(walk);
        return;
    }
    size_t steps = 0, cur = start;
    while (!seen_at[cur] && steps < count) {
        walk[steps++] = cur;
        seen_at[cur] = steps;
        const char *const *req = mods[cur].desc->requires;
        for (size_t r = 0; req && req[r]; r++) {
            long j = module_index(mods, count, req[r]);
            if (j >= 0 && !placed[j]) {
                cur = (size_t)j;
                break;
            }
        }
    }
    size_t n = 0;
    buf[0] = '\0';
    for (size_t s = seen_at[cur] ? seen_at[cur] - 1 : 0; s < steps && n < len; s++)
        n += (size_t)snprintf(buf + n, len - n, "modules[%zu] (%s) requires ",
                              mods[walk[s]].manifest_index, mods[walk[s]].name);
    if (n < len)
        snprintf(buf + n, len - n, "modules[%zu] (%s)", mods[cur].manifest_index, mods[cur].name);
    free(seen_at);
    free(walk);
}

/* Orders mods so that each comes after what it requires; among the modules
 * ready to go, manifest order decides (a stable topological sort). */
static int order_modules(struct core_module *mods, size_t count, struct x400ms_error *err)
{
    struct core_module *ordered = calloc(count ? count : 1, sizeof *ordered);
    bool *placed = calloc(count ? count : 1, sizeof *placed);
    if (!ordered || !placed) {
        free(ordered);
        free(placed);
        return oom(err);
    }
    for (size_t n = 0; n < count; n++) {
        size_t pick = count;
        for (size_t i = 0; i < count && pick == count; i++) {
            if (placed[i])
                continue;
            bool ready = true;
            const char *const *req = mods[i].desc->requires;
            for (size_t r = 0; req && req[r] && ready; r++)
                ready = placed[module_index(mods, count, req[r])];
            if (ready)
                pick = i;
        }
        if (pick == count) {
            char cycle[300];
            describe_cycle(mods, count, placed, cycle, sizeof cycle);
            free(ordered);
            free(placed);
            return x400ms_error_set(err, X400MS_EDEP,
                                    "dependency cycle: %s: remove one of these modules or "
                                    "break the cycle in their requires", cycle);
        }
        placed[pick] = true;
        ordered[n] = mods[pick];
    }
    memcpy(mods, ordered, count * sizeof *mods);
    free(ordered);
    free(placed);
    return 0;
}

static void modules_free(struct core_module *mods, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(mods[i].name);
        free(mods[i].file);
        free(mods[i].config_path);
    }
    free(mods);
}

int core_modules_load(struct x400ms_core *core, const struct core_manifest *m,
                      const struct x400ms_module *const *builtins, struct x400ms_error *err)
{
    struct search_path sp = { 0 };
    struct core_module *mods = calloc(m->module_count ? m->module_count : 1, sizeof *mods);
    size_t count = 0;
    int rc = 0;

    if (lt_dlinit() != 0) {
        rc = x400ms_error_set(err, X400MS_EIO, "libltdl: %s", lt_dlerror());
        goto out;
    }
    if (!mods || search_path_build(&sp, m) != 0) {
        rc = oom(err);
        goto out;
    }
    for (size_t i = 0; i < m->module_count && rc == 0; i++) {
        const struct core_manifest_module *e = &m->modules[i];
        if (!e->enabled) {
            X400MS_LOG_I("modules[%zu] (%s) is disabled", e->index, e->name);
            continue;
        }
        long dup = module_index(mods, count, e->name);
        if (dup >= 0) {
            rc = x400ms_error_set(err, X400MS_EEXIST,
                                  "modules[%zu] (%s): duplicate: modules[%zu] already loads "
                                  "module %s: remove one of the two entries",
                                  e->index, e->name, mods[dup].manifest_index, e->name);
            break;
        }
        struct core_module *mod = &mods[count];
        const struct x400ms_module *desc = builtin_find(builtins, e);
        if (desc) {
            mod->file = strdup(BUILTIN_FILE);
        } else {
            rc = module_open(m, &sp, e, &mod->handle, &mod->file, err);
            if (rc != 0)
                break;
            desc = lt_dlsym(mod->handle, X400MS_MODULE_ENTRY_SYMBOL);
            if (!desc) {
                rc = x400ms_error_set(err, X400MS_EINVAL,
                                      "modules[%zu] (%s): %s is not an x400ms module: it exports "
                                      "no symbol %s: fix modules[%zu].file",
                                      e->index, e->name, mod->file, X400MS_MODULE_ENTRY_SYMBOL, e->index);
                free(mod->file);
                mod->file = NULL;
                break;
            }
        }
        mod->desc = desc;
        mod->manifest_index = e->index;
        mod->config = e->config;
        mod->name = strdup(e->name);
        if (asprintf(&mod->config_path, "modules[%zu].config", e->index) < 0)
            mod->config_path = NULL;
        count++;
        if (!mod->file || !mod->name || !mod->config_path) {
            rc = oom(err);
            break;
        }
        rc = module_check(desc, e, mod->file, err);
    }
    if (rc == 0)
        rc = check_dependencies(m, mods, count, err);
    if (rc == 0)
        rc = order_modules(mods, count, err);
out:
    search_path_free(&sp);
    if (rc != 0) {
        /* Opened handles stay open: a module's constructors may have run. */
        modules_free(mods, count);
        x400ms_error_prefix(err, "%s", m->file);
        return rc;
    }
    core->modules = mods;
    core->module_count = count;
    for (size_t i = 0; i < count; i++)
        X400MS_LOG_I("module %s %s from %s", mods[i].name,
                     mods[i].desc->version ? mods[i].desc->version : "", mods[i].file);
    return 0;
}

int core_modules_init(struct x400ms_core *core, struct x400ms_error *err)
{
    int rc = 0;
    core->registration_open = true;
    for (size_t i = 0; i < core->module_count; i++) {
        struct core_module *mod = &core->modules[i];
        core->registering = mod->name;
        core->config_path = mod->config_path;
        x400ms_error_clear(err);
        rc = mod->desc->init(core, mod->config, &mod->state, err);
        if (rc == 0) {
            mod->initialised = true;
            continue;
        }
        if (rc > 0)
            rc = X400MS_EINVAL; /* a module that got the convention wrong */
        if (err && !err->message[0])
            x400ms_error_set(err, rc, "init failed: %s", x400ms_strerror(rc));
        if (err)
            err->code = rc;
        x400ms_error_prefix(err, "%s: module %s", core->manifest_file, mod->name);
        break;
    }
    core->registration_open = false;
    core->registering = NULL;
    core->config_path = NULL;
    if (rc != 0)
        core_modules_fini(core);
    return rc;
}

int core_modules_start(struct x400ms_core *core, struct x400ms_error *err)
{
    for (size_t i = 0; i < core->module_count; i++) {
        struct core_module *mod = &core->modules[i];
        int rc = mod->desc->start ? mod->desc->start(mod->state) : 0;
        if (rc != 0) {
            if (rc > 0)
                rc = X400MS_EINVAL;
            return x400ms_error_set(err, rc, "module %s: start failed: %s (see its log lines above)",
                                    mod->name, x400ms_strerror(rc));
        }
        mod->started = true;
    }
    return 0;
}

void core_modules_stop(struct x400ms_core *core)
{
    for (size_t i = core->module_count; i-- > 0;) {
        struct core_module *mod = &core->modules[i];
        if (!mod->started)
            continue;
        mod->started = false;
        if (mod->desc->stop)
            mod->desc->stop(mod->state);
    }
}

void core_modules_fini(struct x400ms_core *core)
{
    for (size_t i = core->module_count; i-- > 0;) {
        struct core_module *mod = &core->modules[i];
        if (!mod->initialised)
            continue;
        mod->initialised = false;
        if (mod->desc->fini)
            mod->desc->fini(mod->state);
        mod->state = NULL;
    }
}
