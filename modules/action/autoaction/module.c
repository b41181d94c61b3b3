/* Module "autoaction": the auto-action dispatcher and registry
 * (include/x400ms/autoaction.h, docs/auto-actions.md).
 *
 *   { "name": "autoaction", "config": {
 *       "workers": 2,              worker threads running handlers
 *       "max_registrations": 64 }} per mailbox */
#define X400MS_LOG_MODULE "autoaction"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "modules/action/autoaction/aa.h"
#include "x400ms/config.h"
#include "x400ms/hooks.h"
#include "x400ms/log.h"
#include "x400ms/module.h"

struct aa_config {
    long long workers, max_registrations;
};

static const struct x400ms_cfg_spec aa_spec[] = {
    { "workers", X400MS_CFG_INT, 0, offsetof(struct aa_config, workers), .min = 1,
      .max = AA_MAX_WORKERS, .def_int = 2, .help = "worker threads running auto-action handlers" },
    { "max_registrations", X400MS_CFG_INT, 0, offsetof(struct aa_config, max_registrations),
      .min = 1, .max = 4096, .def_int = 64, .help = "registrations per mailbox" },
    X400MS_CFG_END
};

static int aa_init(struct x400ms_core *core, const json_t *config, void **state,
                   struct x400ms_error *err)
{
    struct aa_config cfg;
    int rc = x400ms_config_parse(config, x400ms_core_config_path(core), aa_spec, &cfg, err);
    if (rc < 0)
        return rc;
    struct aa *aa = calloc(1, sizeof *aa);
    if (aa == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    aa->core = core;
    aa->n_workers = cfg.workers;
    aa->max_registrations = cfg.max_registrations;
    pthread_mutex_init(&aa->lock, NULL);
    pthread_cond_init(&aa->wake, NULL);
    pthread_cond_init(&aa->tick, NULL);
    if ((rc = x400ms_service_register(core, X400MS_SERVICE_OTHER, X400MS_AUTOACTION_REGISTRY,
                                      &aa_registry_ops, aa, err)) < 0 ||
        (rc = x400ms_hook_add(core, X400MS_HOOK_ENTRY_DELIVERED, 100, aa_on_entry_event, aa, err)) < 0 ||
        (rc = x400ms_hook_add(core, X400MS_HOOK_ENTRY_SUBMITTED, 100, aa_on_entry_event, aa, err)) < 0 ||
        (rc = aa_admin_register(aa, err)) < 0 || (rc = aa_metrics_register(aa, err)) < 0) {
        free(aa);
        return rc;
    }
    *state = aa;
    return 0;
}

static int aa_start(void *state)
{
    struct aa *aa = state;
    struct x400ms_error err = { 0 };
    aa->store = x400ms_store_find(aa->core, NULL, &aa->store_ctx);
    if (aa->store == NULL) {
        X400MS_LOG_E("no store module is loaded: list \"store_file\" before \"autoaction\"");
        return X400MS_EDEP;
    }
    snprintf(aa->dir, sizeof aa->dir, "%s/autoaction", x400ms_core_data_dir(aa->core));
    if (mkdir(aa->dir, 0700) < 0 && errno != EEXIST) {
        X400MS_LOG_E("cannot create %s: %s", aa->dir, strerror(errno));
        return X400MS_EIO;
    }
    pthread_mutex_lock(&aa->lock);
    int rc = aa_registry_load_all(aa, &err);
    pthread_mutex_unlock(&aa->lock);
    if (rc < 0 || (rc = aa_dispatch_start(aa, &err)) < 0) {
        X400MS_LOG_E("%s", err.message);
        return rc;
    }
    unsigned n = 0;
    for (struct aa_mailbox *m = aa->mailboxes; m != NULL; m = m->next)
        n += (unsigned)json_array_size(json_object_get(m->doc, "registrations"));
    X400MS_LOG_I("%u registrations loaded, %lld workers", n, aa->n_workers);
    return 0;
}

static void aa_stop(void *state)
{
    aa_dispatch_stop(state);
}

/* aa of a module finalised while an abandoned handler still ran (aa_fini). */
static struct aa *volatile kept_for_abandoned; /* volatile: the store is kept */

static void aa_fini(void *state)
{
    struct aa *aa = state;
    if (aa->started)
        aa_dispatch_stop(aa);
    while (aa->head != NULL) {
        struct aa_job *j = aa->head;
        aa->head = j->next;
        aa_job_free(j);
    }
    aa_registry_free(aa);
    if (aa->n_abandoned > 0) {
        /* An abandoned handler may still use aa: leave it to the exit, kept
         * reachable on purpose (not a leak). */
        kept_for_abandoned = aa;
        return;
    }
    pthread_cond_destroy(&aa->wake);
    pthread_cond_destroy(&aa->tick);
    pthread_mutex_destroy(&aa->lock);
    free(aa);
}

X400MS_MODULE_EXPORT const struct x400ms_module X400MS_MODULE_ENTRY = {
    X400MS_MODULE_HEADER,
    .name = "autoaction",
    .version = "1.0",
    .init = aa_init,
    .start = aa_start,
    .stop = aa_stop,
    .fini = aa_fini,
};
