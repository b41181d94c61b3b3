/* The client library's private OSI stack: a core with one loop thread and
 * the transport modules (rfc1006, and tls / rtse when asked for), created
 * once per process on first use and kept until exit.
 *
 * There is no public API yet for a program to run the core's stack outside
 * the daemon, so this file uses the core's private interface (core_new,
 * the manifest loader and the module lifecycle). It is the only file of
 * the client that does; a public "embedded core" call would replace it. */
#define X400MS_LOG_MODULE "client"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "core/core-private.h"
#include "core/manifest.h"
#include "core/module-loader.h"
#include "tools/client/client-private.h"
#include "x400ms/assoc.h"
#include "x400ms/log.h"
#include "x400ms/transport.h"

static pthread_mutex_t env_lock = PTHREAD_MUTEX_INITIALIZER;
static struct x400ms_core *env_core;
static bool env_tls, env_rtse;

static int env_create(const char *module_path, bool tls, const char *ca, bool rtse,
                      struct x400ms_error *err)
{
    x400ms_log_set_level(X400MS_LOG_WARNING); /* a client's own program decides what to print */
    json_t *root = json_object();
    json_object_set_new(root, "threads", json_integer(1));
    json_object_set_new(root, "log", json_pack("{s:s}", "level", "warning"));
    if (module_path != NULL)
        json_object_set_new(root, "module_path", json_string(module_path));
    json_t *mods = json_array();
    json_t *r1 = json_object();
    json_object_set_new(r1, "name", json_string("rfc1006"));
    json_object_set_new(r1, "config", json_object());
    json_array_append_new(mods, r1);
    if (tls) {
        json_t *cfg = json_object();
        if (ca != NULL)
            json_object_set_new(cfg, "ca", json_string(ca));
        json_array_append_new(mods, json_pack("{s:s, s:o}", "name", "tls", "config", cfg));
    }
    if (rtse)
        json_array_append_new(mods, json_pack("{s:s}", "name", "rtse"));
    json_object_set_new(root, "modules", mods);

    char path[] = "/tmp/x400ms-client-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        json_decref(root);
        return x400ms_error_set(err, X400MS_EIO, "client: cannot create a temporary manifest");
    }
    close(fd);
    int rc = json_dump_file(root, path, 0);
    json_decref(root);
    struct core_manifest *m = NULL;
    if (rc == 0)
        rc = core_manifest_load(path, &m, err);
    else
        rc = x400ms_error_set(err, X400MS_EIO, "client: cannot write %s", path);
    unlink(path);
    if (rc != 0)
        return rc;

    struct x400ms_core *core = core_new(path, "", 1, false, err);
    if (core == NULL) {
        core_manifest_free(&m);
        return err ? err->code : X400MS_ENOMEM;
    }
    core->registration_open = true;
    core->registering = "core";
    rc = core_register_builtin_services(core, err);
    if (rc == 0 && x400ms_tuser_find(core, "osi", NULL) == NULL)
        rc = x400ms_osi_register(core, err);
    core->registration_open = false;
    core->registering = NULL;
    if (rc == 0)
        rc = core_modules_load(core, m, NULL, err);
    /* the modules' configs point into the manifest: it lives as long as the stack */
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
        core_manifest_free(&m);
        return rc;
    }
    env_core = core;
    env_tls = tls;
    env_rtse = rtse;
    return 0;
}

int client_env_get(const struct x400ms_client_params *p, struct x400ms_core **core_r,
                   struct x400ms_error *err)
{
    int rc = 0;
    pthread_mutex_lock(&env_lock);
    if (env_core == NULL) {
        rc = env_create(p->module_path, p->tls, p->tls_ca_file, p->reliable, err);
    } else if ((p->tls && !env_tls) || (p->reliable && !env_rtse)) {
        rc = x400ms_error_set(err, X400MS_ESTATE,
                              "client: the process's OSI stack was started without %s; bind the "
                              "first client of the process with it", p->tls ? "tls" : "rtse");
    }
    *core_r = env_core;
    pthread_mutex_unlock(&env_lock);
    return rc;
}
