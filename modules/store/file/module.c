/* The store_file module: configuration, registration of the store service
 * "file" and the entry hooks (DESIGN.md sections 3 and 8).
 *
 * Manifest config (every key optional):
 *   { "root": "store",            relative to data_dir
 *     "flush_interval": "30s",    index flush period (0: only at shutdown)
 *     "ageing_interval": "60s",   how often max_age is applied (0: never)
 *     "default_max_age": { "inbox": "2d", "outbox": "30d" },
 *                                 max_age of the mailboxes that set none (0: never)
 *     "delete_prohibited": false, deployment-wide deletion prohibition
 *     "sync": "journal",          group commit flush: "journal" (one fdatasync of the
 *                                 store journal per batch), "syncfs" or "fdatasync"
 *     "background_check": true }  check each mailbox against its files after loading */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "metrics.h"
#include "store_file.h"
#define X400MS_LOG_MODULE "store_file"
#include "x400ms/config.h"
#include "x400ms/core.h"
#include "x400ms/hooks.h"
#include "x400ms/log.h"
#include "x400ms/module.h"

struct store_file_config {
    const char *root;
    long long flush_interval, ageing_interval;
    bool delete_prohibited, background_check;
    int sync;
    const json_t *default_max_age;
};

/* The deployment's ageing policy (e.g. ICAO: 2-day In Box, 30-day Out Box,
 * etc/examples/icao-ageing.json), for mailboxes without a max_age of their own. */
struct store_file_default_max_age {
    long long inbox, outbox;
};

static const char *const sync_modes[] = { "journal", "syncfs", "fdatasync", NULL }; /* enum sf_sync_mode */

static const struct x400ms_cfg_spec store_file_spec[] = {
    { "root", X400MS_CFG_STRING, X400MS_CFG_NONEMPTY, offsetof(struct store_file_config, root),
      .def_str = "store", .help = "directory of the store, relative to data_dir" },
    { "flush_interval", X400MS_CFG_DURATION, 0, offsetof(struct store_file_config, flush_interval),
      .min = 0, .max = 86400, .def_int = 30, .help = "index flush period" },
    { "ageing_interval", X400MS_CFG_DURATION, 0, offsetof(struct store_file_config, ageing_interval),
      .min = 0, .max = 86400, .def_int = 60, .help = "ageing timer period" },
    { "delete_prohibited", X400MS_CFG_BOOL, 0, offsetof(struct store_file_config, delete_prohibited),
      .def_int = 0, .help = "refuse every delete in this deployment" },
    { "sync", X400MS_CFG_ENUM, 0, offsetof(struct store_file_config, sync), .def_int = 0,
      .enum_values = sync_modes, .help = "how a group commit is made durable" },
    { "background_check", X400MS_CFG_BOOL, 0, offsetof(struct store_file_config, background_check),
      .def_int = 1, .help = "check each mailbox's index against its files after loading" },
    { "default_max_age", X400MS_CFG_OBJECT, 0, offsetof(struct store_file_config, default_max_age),
      .help = "{\"inbox\": DURATION, \"outbox\": DURATION}: max_age of mailboxes that set none" },
    X400MS_CFG_END
};

/* Up to ten years: enough for any retention policy, far from overflowing
 * creation_time arithmetic. */
#define STORE_FILE_MAX_AGE_LIMIT (3650LL * 86400)

static const struct x400ms_cfg_spec default_max_age_spec[] = {
    { "inbox", X400MS_CFG_DURATION, 0, offsetof(struct store_file_default_max_age, inbox),
      .min = 0, .max = STORE_FILE_MAX_AGE_LIMIT, .def_int = 0, .help = "In Box entries older than this are aged out" },
    { "outbox", X400MS_CFG_DURATION, 0, offsetof(struct store_file_default_max_age, outbox),
      .min = 0, .max = STORE_FILE_MAX_AGE_LIMIT, .def_int = 0, .help = "Out Box entries older than this are aged out" },
    X400MS_CFG_END
};

struct store_file_module {
    struct x400ms_core *core;
    struct sf_store *store;
};

static void run_hook(void *ctx, const char *hook, struct x400ms_store_event *ev)
{
    struct store_file_module *m = ctx;
    int rc = x400ms_hook_run(m->core, hook, ev);
    if (rc < 0)
        X400MS_LOG_W("mailbox %s: hook %s on entry %u failed: %s", ev->mailbox, hook, ev->seq,
                     x400ms_strerror(rc));
}

static int store_file_init(struct x400ms_core *core, const json_t *config, void **state,
                           struct x400ms_error *err)
{
    struct store_file_config cfg;
    struct store_file_default_max_age max_age;
    struct store_file_module *m;
    char root[4096], path[512];
    int rc;

    if ((rc = x400ms_config_parse(config, x400ms_core_config_path(core), store_file_spec, &cfg, err)) != 0)
        return rc;
    snprintf(path, sizeof path, "%s.default_max_age", x400ms_core_config_path(core));
    if ((rc = x400ms_config_parse(cfg.default_max_age, path, default_max_age_spec, &max_age, err)) != 0)
        return rc;
    if (cfg.root[0] == '/')
        snprintf(root, sizeof root, "%s", cfg.root);
    else if ((size_t)snprintf(root, sizeof root, "%s/%s", x400ms_core_data_dir(core), cfg.root) >= sizeof root)
        return x400ms_error_set(err, X400MS_EINVAL, "%s.root: path too long", x400ms_core_config_path(core));
    if (!(m = calloc(1, sizeof *m)))
        return x400ms_error_set(err, X400MS_ENOMEM, "store_file: out of memory");
    m->core = core;
    struct sf_options opt = {
        .root = root, .flush_interval_s = cfg.flush_interval, .ageing_interval_s = cfg.ageing_interval,
        .delete_prohibited = cfg.delete_prohibited, .sync_mode = (enum sf_sync_mode)cfg.sync,
        .background_check = cfg.background_check, .on_event = run_hook, .event_ctx = m,
        .default_max_age_s = { [X400MS_STORE_INBOX] = max_age.inbox, [X400MS_STORE_OUTBOX] = max_age.outbox },
    };
    if ((rc = sf_store_new(&opt, &m->store, err)) != 0 ||
        (rc = x400ms_store_register(core, "file", &sf_store_ops, m->store, err)) != 0 ||
        (rc = sf_metrics_register(core, err)) != 0) {
        sf_store_close(m->store);
        free(m);
        return rc;
    }
    *state = m;
    return 0;
}

static int store_file_start(void *state)
{
    struct store_file_module *m = state;
    struct x400ms_error err = { 0 };
    int rc = sf_store_start(m->store, &err);
    if (rc)
        X400MS_LOG_E("cannot start the file store: %s", err.message);
    return rc;
}

static void store_file_stop(void *state)
{
    struct store_file_module *m = state;
    sf_store_stop(m->store);
}

static void store_file_fini(void *state)
{
    struct store_file_module *m = state;
    sf_store_close(m->store);
    free(m);
}

X400MS_MODULE_EXPORT const struct x400ms_module X400MS_MODULE_ENTRY = {
    X400MS_MODULE_HEADER,
    .name = "store_file",
    .version = "0.1",
    .init = store_file_init,
    .start = store_file_start,
    .stop = store_file_stop,
    .fini = store_file_fini,
};
