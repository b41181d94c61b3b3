/* The client library's private OSI stack: an embedded core (x400ms/embedded.h)
 * with one loop thread and the transport modules (rfc1006, and tls / rtse
 * when asked for), created once per process on first use and kept until
 * exit. */
#define X400MS_LOG_MODULE "client"
#include <pthread.h>
#include <stdlib.h>

#include <jansson.h>

#include "tools/client/client-private.h"
#include "x400ms/embedded.h"
#include "x400ms/log.h"

static pthread_mutex_t env_lock = PTHREAD_MUTEX_INITIALIZER;
static struct x400ms_core *env_core;
static bool env_tls, env_rtse;

/* The manifest of the client's stack, as JSON text (caller frees). */
static char *env_manifest(bool tls, const char *ca, bool rtse)
{
    json_t *mods = json_array();
    json_array_append_new(mods, json_pack("{s:s, s:{}}", "name", "rfc1006", "config"));
    if (tls) {
        json_t *cfg = json_object();
        if (ca != NULL)
            json_object_set_new(cfg, "ca", json_string(ca));
        json_array_append_new(mods, json_pack("{s:s, s:o}", "name", "tls", "config", cfg));
    }
    if (rtse)
        json_array_append_new(mods, json_pack("{s:s}", "name", "rtse"));
    /* one loop thread (the embedded default); logging is the program's */
    json_t *root = json_pack("{s:o}", "modules", mods);
    char *text = root ? json_dumps(root, 0) : NULL;
    json_decref(root);
    return text;
}

static int env_create(const char *module_path, bool tls, const char *ca, bool rtse,
                      struct x400ms_error *err)
{
    x400ms_log_set_level(X400MS_LOG_WARNING); /* a client's own program decides what to print */
    char *manifest = env_manifest(tls, ca, rtse);
    if (manifest == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "client: out of memory");
    struct x400ms_core *core = x400ms_core_embedded_new(manifest, module_path, err);
    free(manifest);
    if (core == NULL)
        return err && err->code ? err->code : X400MS_ENOMEM;
    int rc = x400ms_core_embedded_start(core, err);
    if (rc != 0) {
        x400ms_core_embedded_free(&core);
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
