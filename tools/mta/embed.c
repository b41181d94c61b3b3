/* tools/mta/embed.c: the OSI stack of x400ms-mta, a core with one loop
 * thread and the rfc1006 (and, for reliable contexts, rtse) modules.
 *
 * There is no public "embedded core" call yet, so this file (like the P7
 * client library's tools/client/embed.c) uses the core's private interface:
 * the manifest loader and the module lifecycle. */
#define X400MS_LOG_MODULE "x400ms-mta"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "core/core-private.h"
#include "core/manifest.h"
#include "core/module-loader.h"
#include "tools/mta/mta.h"
#include "x400ms/assoc.h"
#include "x400ms/log.h"
#include "x400ms/transport.h"

static struct core_manifest *stack_manifest;

int mta_stack_start(bool rtse, struct x400ms_core **core_r, struct x400ms_error *err)
{
    struct mta_stack_opts o = { .rtse = rtse };
    return mta_stack_start_opts(&o, core_r, err);
}

int mta_stack_start_opts(const struct mta_stack_opts *o, struct x400ms_core **core_r,
                         struct x400ms_error *err)
{
    bool rtse = o->rtse;
    const char *module_path = getenv("X400MS_MODULE_PATH");
    if (module_path == NULL || module_path[0] == '\0')
        module_path = X400MS_PKGLIBDIR;
    json_t *root = json_object();
    json_object_set_new(root, "threads", json_integer(1));
    json_object_set_new(root, "log", json_pack("{s:s}", "level", "warning"));
    json_object_set_new(root, "module_path", json_string(module_path));
    json_t *mods = json_array();
    if (o->listen_host != NULL)
        /* `serve`: the responder side; the listener's transport user is "osi" */
        json_array_append_new(mods, json_pack("{s:s, s:{s:[{s:s, s:i}]}}", "name", "rfc1006",
                                              "config", "listen", "address", o->listen_host,
                                              "port", o->listen_port));
    else
        json_array_append_new(mods, json_pack("{s:s, s:{}}", "name", "rfc1006", "config"));
    if (rtse)
        json_array_append_new(mods, json_pack("{s:s}", "name", "rtse"));
    json_object_set_new(root, "modules", mods);

    char path[] = "/tmp/x400ms-mta-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        json_decref(root);
        return x400ms_error_set(err, X400MS_EIO, "cannot create a temporary manifest");
    }
    close(fd);
    int rc = json_dump_file(root, path, 0);
    json_decref(root);
    if (rc == 0)
        rc = core_manifest_load(path, &stack_manifest, err);
    else
        rc = x400ms_error_set(err, X400MS_EIO, "cannot write %s", path);
    unlink(path);
    if (rc != 0)
        return rc;
    struct x400ms_core *core = core_new(path, "", 1, false, err);
    if (core == NULL)
        return err->code ? err->code : X400MS_ENOMEM;
    core->registration_open = true;
    core->registering = "core";
    rc = core_register_builtin_services(core, err);
    if (rc == 0 && x400ms_tuser_find(core, "osi", NULL) == NULL)
        rc = x400ms_osi_register(core, err);
    /* the responder's contexts, registered while registration is open (as
     * a module's init() would) */
    for (size_t i = 0; rc == 0 && i < o->n_contexts; i++)
        rc = x400ms_app_context_register(core, o->contexts[i], o->ctx, err);
    core->registration_open = false;
    core->registering = NULL;
    if (rc == 0)
        rc = core_modules_load(core, stack_manifest, NULL, err);
    if (rc == 0)
        rc = core_modules_init(core, err);
    if (rc == 0 && (rc = core_modules_start(core, err)) != 0)
        core_modules_fini(core);
    if (rc == 0 && (rc = core_start_loop_threads(core, err)) != 0) {
        core_modules_stop(core);
        core_modules_fini(core);
    }
    if (rc != 0) {
        core_free(&core);
        return rc;
    }
    *core_r = core;
    return 0;
}

void mta_stack_stop(struct x400ms_core **core)
{
    if (*core == NULL)
        return;
    core_set_stopping(*core);
    core_modules_stop(*core);
    core_stop_loop_threads(*core, 3000);
    core_modules_fini(*core);
    core_free(core);
    core_manifest_free(&stack_manifest);
}
