/* The embedded core (include/x400ms/embedded.h): the daemon's start-up and
 * shut-down sequence (core/daemon.c) for a program that runs the OSI stack
 * in its own process, with the manifest given as JSON text.
 *
 * The manifest loader reads files (relative paths in a manifest are
 * resolved against its directory), so the text goes through a private
 * temporary file that is removed as soon as it is read. The loaded
 * manifest must outlive the core: the modules' config objects point into
 * it. struct x400ms_core has no slot for it, so each embedded core's extra
 * state lives in a small list here, keyed by the core. */
#define X400MS_LOG_MODULE "embedded"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "core/core-private.h"
#include "core/manifest.h"
#include "core/module-loader.h"
#include "x400ms/assoc.h"
#include "x400ms/embedded.h"
#include "x400ms/log.h"
#include "x400ms/transport.h"

struct embedded {
    struct embedded *next;
    struct x400ms_core *core;
    struct core_manifest *manifest;
    bool start_tried;
};

static pthread_mutex_t embedded_lock = PTHREAD_MUTEX_INITIALIZER;
static struct embedded *embedded_list;

static struct embedded *embedded_find(const struct x400ms_core *core)
{
    pthread_mutex_lock(&embedded_lock);
    struct embedded *e = embedded_list;
    while (e != NULL && e->core != core)
        e = e->next;
    pthread_mutex_unlock(&embedded_lock);
    return e;
}

static void embedded_unlink(struct embedded *gone)
{
    pthread_mutex_lock(&embedded_lock);
    for (struct embedded **pp = &embedded_list; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == gone) {
            *pp = gone->next;
            break;
        }
    }
    pthread_mutex_unlock(&embedded_lock);
}

/* The manifest text, with module_path replaced when given, loaded through a
 * temporary file. */
static int manifest_from_text(const char *text, const char *module_path,
                              struct core_manifest **out, struct x400ms_error *err)
{
    json_error_t jerr;
    json_t *root = json_loads(text ? text : "", JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL)
        return x400ms_error_set(err, X400MS_EINVAL, "embedded manifest: %d:%d: %s", jerr.line,
                                jerr.column, jerr.text);
    if (!json_is_object(root)) {
        json_decref(root);
        return x400ms_error_set(err, X400MS_EINVAL, "embedded manifest: expected a JSON object");
    }
    if (module_path != NULL)
        json_object_set_new(root, "module_path", json_string(module_path));

    const char *tmpdir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/x400ms-embedded-XXXXXX",
             tmpdir != NULL && tmpdir[0] == '/' ? tmpdir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        json_decref(root);
        return x400ms_error_set(err, X400MS_EIO, "embedded manifest: cannot create %s", path);
    }
    int rc = json_dumpfd(root, fd, 0) == 0 ? 0 : X400MS_EIO;
    json_decref(root);
    if (close(fd) != 0)
        rc = X400MS_EIO;
    if (rc == 0)
        rc = core_manifest_load(path, out, err);
    else
        rc = x400ms_error_set(err, X400MS_EIO, "embedded manifest: cannot write %s", path);
    unlink(path);
    return rc;
}

struct x400ms_core *x400ms_core_embedded_new(const char *manifest_json, const char *module_path,
                                             struct x400ms_error *err)
{
    struct embedded *e = calloc(1, sizeof *e);
    if (e == NULL) {
        x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
        return NULL;
    }
    if (manifest_from_text(manifest_json, module_path, &e->manifest, err) != 0) {
        free(e);
        return NULL;
    }
    /* "threads" absent means 1 here: a client process needs one loop */
    unsigned threads = e->manifest->threads ? e->manifest->threads : 1;
    const char *data_dir = e->manifest->data_dir ? e->manifest->data_dir : "";
    e->core = core_new(e->manifest->file, data_dir, threads, false, err);
    if (e->core == NULL) {
        core_manifest_free(&e->manifest);
        free(e);
        return NULL;
    }
    struct x400ms_core *core = e->core;
    core->registration_open = true;
    core->registering = "core";
    int rc = core_register_builtin_services(core, err);
    if (rc == 0 && x400ms_tuser_find(core, "osi", NULL) == NULL)
        rc = x400ms_osi_register(core, err);
    if (rc != 0) {
        core_free(&e->core);
        core_manifest_free(&e->manifest);
        free(e);
        return NULL;
    }
    /* left open for the program's own registrations (application contexts
     * of a responder), as during a module's init() */
    core->registering = "embedded";
    pthread_mutex_lock(&embedded_lock);
    e->next = embedded_list;
    embedded_list = e;
    pthread_mutex_unlock(&embedded_lock);
    return core;
}

int x400ms_core_embedded_start(struct x400ms_core *core, struct x400ms_error *err)
{
    struct embedded *e = embedded_find(core);
    if (e == NULL)
        return x400ms_error_set(err, X400MS_EINVAL, "not an embedded core");
    if (e->start_tried)
        return x400ms_error_set(err, X400MS_ESTATE, "embedded core: already started");
    e->start_tried = true;
    core->registration_open = false;
    core->registering = NULL;
    int rc = core_modules_load(core, e->manifest, NULL, err);
    if (rc == 0)
        rc = core_modules_init(core, err);
    if (rc == 0 && (rc = core_modules_start(core, err)) != 0) {
        core_modules_stop(core);
        core_modules_fini(core);
    }
    if (rc == 0 && (rc = core_start_loop_threads(core, err)) != 0) {
        core_modules_stop(core);
        core_modules_fini(core);
    }
    return rc;
}

void x400ms_core_embedded_free(struct x400ms_core **core)
{
    if (core == NULL || *core == NULL)
        return;
    struct embedded *e = embedded_find(*core);
    if (e != NULL)
        embedded_unlink(e);
    /* the daemon's order (core/daemon.c): modules wind down their work,
     * then the loops stop, then the modules free their state */
    core_set_stopping(*core);
    core_modules_stop(*core);
    core_stop_loop_threads(*core, 3000);
    core_modules_fini(*core);
    core_free(core);
    if (e != NULL) {
        core_manifest_free(&e->manifest);
        free(e);
    }
}
