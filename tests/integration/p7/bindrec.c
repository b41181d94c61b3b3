/* A tests-only module "bindrec": listens on the hooks X400MS_HOOK_BIND and
 * X400MS_HOOK_UNBIND (bind_event.h) and appends one line per event to the
 * file named by its config member "log":
 *
 *   bind|unbind <mailbox or -> <ok|fail> <protocol> <context OID>
 *
 * so an integration test can check what the protocol modules reported. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "x400ms/bind_event.h"
#include "x400ms/core.h"
#include "x400ms/hooks.h"
#include "x400ms/module.h"

struct bindrec {
    char *path;
};

static int record(void *ctx, const char *hook, void *event)
{
    struct bindrec *r = ctx;
    const struct x400ms_bind_event *ev = event;
    if (ev == NULL || ev->size < sizeof *ev)
        return X400MS_HOOK_CONTINUE;
    FILE *f = fopen(r->path, "a");
    if (f == NULL)
        return X400MS_HOOK_CONTINUE;
    fprintf(f, "%s %s %s %s %s\n", hook, ev->mailbox ? ev->mailbox : "-",
            ev->success ? "ok" : "fail", ev->protocol ? ev->protocol : "-",
            ev->context ? ev->context : "-");
    fclose(f);
    return X400MS_HOOK_CONTINUE;
}

static int bindrec_init(struct x400ms_core *core, const json_t *config, void **state,
                        struct x400ms_error *err)
{
    const char *path = json_string_value(json_object_get(config, "log"));
    if (path == NULL)
        return x400ms_error_set(err, X400MS_EINVAL, "bindrec: config member \"log\" missing");
    struct bindrec *r = calloc(1, sizeof *r);
    if (r == NULL || (r->path = strdup(path)) == NULL) {
        free(r);
        return x400ms_error_set(err, X400MS_ENOMEM, "bindrec: out of memory");
    }
    int rc = x400ms_hook_add(core, X400MS_HOOK_BIND, 0, record, r, err);
    if (rc == 0)
        rc = x400ms_hook_add(core, X400MS_HOOK_UNBIND, 0, record, r, err);
    if (rc < 0) {
        free(r->path);
        free(r);
        return rc;
    }
    *state = r;
    return 0;
}

static void bindrec_fini(void *state)
{
    struct bindrec *r = state;
    if (r != NULL)
        free(r->path);
    free(r);
}

X400MS_MODULE_EXPORT const struct x400ms_module X400MS_MODULE_ENTRY = {
    X400MS_MODULE_HEADER,
    .name = "bindrec",
    .version = "test",
    .init = bindrec_init,
    .fini = bindrec_fini,
};
