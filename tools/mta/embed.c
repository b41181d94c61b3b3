/* tools/mta/embed.c: the OSI stack of x400ms-mta, an embedded core
 * (x400ms/embedded.h) with one loop thread and the rfc1006 (and, for
 * reliable contexts, rtse) modules. */
#define X400MS_LOG_MODULE "x400ms-mta"
#include <stdlib.h>

#include <jansson.h>

#include "tools/mta/mta.h"
#include "x400ms/assoc.h"
#include "x400ms/embedded.h"
#include "x400ms/log.h"

int mta_stack_start(bool rtse, struct x400ms_core **core_r, struct x400ms_error *err)
{
    struct mta_stack_opts o = { .rtse = rtse };
    return mta_stack_start_opts(&o, core_r, err);
}

/* The manifest of the stack, as JSON text (caller frees). */
static char *stack_manifest(const struct mta_stack_opts *o)
{
    json_t *mods = json_array();
    if (o->listen_host != NULL)
        /* `serve`: the responder side; the listener's transport user is "osi" */
        json_array_append_new(mods, json_pack("{s:s, s:{s:[{s:s, s:i}]}}", "name", "rfc1006",
                                              "config", "listen", "address", o->listen_host,
                                              "port", o->listen_port));
    else
        json_array_append_new(mods, json_pack("{s:s, s:{}}", "name", "rfc1006", "config"));
    if (o->rtse)
        json_array_append_new(mods, json_pack("{s:s}", "name", "rtse"));
    /* one loop thread (the embedded default); logging is the program's */
    json_t *root = json_pack("{s:o}", "modules", mods);
    char *text = root ? json_dumps(root, 0) : NULL;
    json_decref(root);
    return text;
}

int mta_stack_start_opts(const struct mta_stack_opts *o, struct x400ms_core **core_r,
                         struct x400ms_error *err)
{
    const char *module_path = getenv("X400MS_MODULE_PATH");
    if (module_path == NULL || module_path[0] == '\0')
        module_path = X400MS_PKGLIBDIR;
    char *manifest = stack_manifest(o);
    if (manifest == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    struct x400ms_core *core = x400ms_core_embedded_new(manifest, module_path, err);
    free(manifest);
    if (core == NULL)
        return err->code ? err->code : X400MS_ENOMEM;
    /* the responder's contexts, registered while registration is open (as
     * a module's init() would) */
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < o->n_contexts; i++)
        rc = x400ms_app_context_register(core, o->contexts[i], o->ctx, err);
    if (rc == 0)
        rc = x400ms_core_embedded_start(core, err);
    if (rc != 0) {
        x400ms_core_embedded_free(&core);
        return rc;
    }
    *core_r = core;
    return 0;
}

void mta_stack_stop(struct x400ms_core **core)
{
    x400ms_core_embedded_free(core);
}
