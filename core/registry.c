/* Service and hook registries (include/x400ms/core.h, hooks.h). Written only
 * while registration is open (built-in services, then module init on the
 * main thread); read without locks from any thread afterwards. */
#include <stdlib.h>
#include <string.h>
#include "core/core-private.h"

static const char *const kind_names[X400MS_SERVICE_KIND_COUNT] = {
    [X400MS_SERVICE_TRANSPORT] = "transport",
    [X400MS_SERVICE_APP_CONTEXT] = "application context",
    [X400MS_SERVICE_STORE] = "store",
    [X400MS_SERVICE_AUTOACTION] = "auto-action",
    [X400MS_SERVICE_MTS] = "MTS provider",
    [X400MS_SERVICE_ADMIN_ROUTE] = "admin route",
    [X400MS_SERVICE_OTHER] = "service",
};

static bool kind_valid(enum x400ms_service_kind kind)
{
    return kind > 0 && kind < X400MS_SERVICE_KIND_COUNT;
}

static const struct core_service *service_lookup(const struct x400ms_core *core,
                                                 enum x400ms_service_kind kind, const char *name)
{
    for (size_t i = 0; i < core->service_count[kind]; i++)
        if (!name || strcmp(core->services[kind][i].name, name) == 0)
            return &core->services[kind][i];
    return NULL;
}

int x400ms_service_register(struct x400ms_core *core, enum x400ms_service_kind kind,
                            const char *name, const void *ops, void *ctx,
                            struct x400ms_error *err)
{
    if (!core || !kind_valid(kind) || !name || !*name || !ops)
        return x400ms_error_set(err, X400MS_EINVAL, "service registration: bad arguments");
    if (!core->registration_open)
        return x400ms_error_set(err, X400MS_ESTATE,
                                "%s \"%s\": services can be registered only during init()",
                                kind_names[kind], name);
    const struct core_service *old = service_lookup(core, kind, name);
    if (old)
        return x400ms_error_set(err, X400MS_EEXIST,
                                "%s \"%s\" is already registered by module %s: remove one of "
                                "the two modules from the manifest",
                                kind_names[kind], name, old->module);
    if (core->service_count[kind] == core->service_cap[kind]) {
        size_t cap = core->service_cap[kind] ? core->service_cap[kind] * 2 : 8;
        struct core_service *bigger = realloc(core->services[kind], cap * sizeof *bigger);
        if (!bigger)
            return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
        core->services[kind] = bigger;
        core->service_cap[kind] = cap;
    }
    char *copy = strdup(name);
    if (!copy)
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    core->services[kind][core->service_count[kind]++] = (struct core_service){
        .name = copy, .module = core->registering ? core->registering : "core", .ops = ops, .ctx = ctx
    };
    return 0;
}

const void *x400ms_service_find(const struct x400ms_core *core, enum x400ms_service_kind kind,
                                const char *name, void **ctx_r)
{
    if (!core || !kind_valid(kind))
        return NULL;
    const struct core_service *s = service_lookup(core, kind, name);
    if (!s)
        return NULL;
    if (ctx_r)
        *ctx_r = s->ctx;
    return s->ops;
}

int x400ms_service_foreach(const struct x400ms_core *core, enum x400ms_service_kind kind,
                           x400ms_service_visit_fn *fn, void *arg)
{
    if (!core || !kind_valid(kind))
        return 0;
    for (size_t i = 0; i < core->service_count[kind]; i++) {
        const struct core_service *s = &core->services[kind][i];
        int rc = fn(arg, s->name, s->module, s->ops, s->ctx);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* ---- hooks ---- */

static struct core_hook_chain *hook_chain(const struct x400ms_core *core, const char *hook)
{
    for (size_t i = 0; i < core->hook_count; i++)
        if (strcmp(core->hooks[i].name, hook) == 0)
            return &core->hooks[i];
    return NULL;
}

int x400ms_hook_add(struct x400ms_core *core, const char *hook, int priority,
                    x400ms_hook_fn *fn, void *ctx, struct x400ms_error *err)
{
    if (!core || !hook || !*hook || !fn)
        return x400ms_error_set(err, X400MS_EINVAL, "hook registration: bad arguments");
    if (!core->registration_open)
        return x400ms_error_set(err, X400MS_ESTATE,
                                "hook \"%s\": hooks can be added only during init()", hook);
    struct core_hook_chain *chain = hook_chain(core, hook);
    if (!chain) {
        if (core->hook_count == core->hook_cap) {
            size_t cap = core->hook_cap ? core->hook_cap * 2 : 8;
            struct core_hook_chain *bigger = realloc(core->hooks, cap * sizeof *bigger);
            if (!bigger)
                return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
            core->hooks = bigger;
            core->hook_cap = cap;
        }
        char *name = strdup(hook);
        if (!name)
            return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
        chain = &core->hooks[core->hook_count++];
        *chain = (struct core_hook_chain){ .name = name };
    }
    if (chain->count == chain->cap) {
        size_t cap = chain->cap ? chain->cap * 2 : 4;
        struct core_hook_entry *bigger = realloc(chain->entries, cap * sizeof *bigger);
        if (!bigger)
            return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
        chain->entries = bigger;
        chain->cap = cap;
    }
    /* After every entry of lower or equal priority: registration order
     * breaks ties. */
    size_t at = chain->count;
    while (at > 0 && chain->entries[at - 1].priority > priority) {
        chain->entries[at] = chain->entries[at - 1];
        at--;
    }
    chain->entries[at] = (struct core_hook_entry){
        .priority = priority, .fn = fn, .ctx = ctx,
        .module = core->registering ? core->registering : "core"
    };
    chain->count++;
    return 0;
}

int x400ms_hook_run(struct x400ms_core *core, const char *hook, void *event)
{
    const struct core_hook_chain *chain = core && hook ? hook_chain(core, hook) : NULL;
    if (!chain)
        return X400MS_HOOK_CONTINUE;
    for (size_t i = 0; i < chain->count; i++) {
        int rc = chain->entries[i].fn(chain->entries[i].ctx, hook, event);
        if (rc != X400MS_HOOK_CONTINUE)
            return rc < 0 ? rc : X400MS_HOOK_STOP;
    }
    return X400MS_HOOK_CONTINUE;
}

void core_registry_free(struct x400ms_core *core)
{
    for (int k = 0; k < X400MS_SERVICE_KIND_COUNT; k++) {
        for (size_t i = 0; i < core->service_count[k]; i++)
            free(core->services[k][i].name);
        free(core->services[k]);
        core->services[k] = NULL;
        core->service_count[k] = core->service_cap[k] = 0;
    }
    for (size_t i = 0; i < core->hook_count; i++) {
        free(core->hooks[i].name);
        free(core->hooks[i].entries);
    }
    free(core->hooks);
    core->hooks = NULL;
    core->hook_count = core->hook_cap = 0;
}
