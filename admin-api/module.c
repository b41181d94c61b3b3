/* admin-api: the module "admin_api" (issue 9): a JSON HTTP admin API on
 * libmicrohttpd threads.
 *
 * init() validates the config, loads the MTA accounts and registers the
 * "mta-accounts" service; it opens no socket (x400msd -t runs init). start()
 * finds the store, builds the route table (built-in routes plus those other
 * modules registered, include/x400ms/admin.h), reads or creates the token
 * file and binds. stop() stops the HTTP threads and the jobs; fini() frees. */
#define X400MS_LOG_MODULE "admin_api"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "admin-api/http.h"
#include "admin-api/jobs.h"
#include "admin-api/mta_accounts.h"
#include "admin-api/server.h"
#include "admin-api/token.h"
#include "admin-api/util.h"
#include "x400ms/config.h"
#include "x400ms/log.h"
#include "x400ms/module.h"

#define MAX_BODY_DEFAULT (1024 * 1024)

static const struct x400ms_cfg_spec admin_config_spec[] = {
    { "address", X400MS_CFG_STRING, X400MS_CFG_NONEMPTY, offsetof(struct admin_config, address),
      .def_str = "127.0.0.1", .help = "IPv4 or IPv6 address to listen on" },
    { "port", X400MS_CFG_INT, 0, offsetof(struct admin_config, port), .min = 0, .max = 65535,
      .def_int = 8102, .help = "TCP port (0: any free port, logged)" },
    { "token_file", X400MS_CFG_STRING, X400MS_CFG_NONEMPTY,
      offsetof(struct admin_config, token_file), .def_str = "admin-token",
      .help = "bearer token file, relative to data_dir; created (0600) when missing" },
    { "threads", X400MS_CFG_INT, 0, offsetof(struct admin_config, threads), .min = 1, .max = 64,
      .def_int = 2, .help = "HTTP threads" },
    { "max_body", X400MS_CFG_INT, 0, offsetof(struct admin_config, max_body), .min = 1024,
      .max = 64LL * 1024 * 1024, .def_int = MAX_BODY_DEFAULT,
      .help = "largest request body in bytes (413 beyond)" },
    { "max_connections", X400MS_CFG_INT, 0, offsetof(struct admin_config, max_connections),
      .min = 1, .max = 10000, .def_int = 256, .help = "concurrent HTTP connections" },
    { "timeout", X400MS_CFG_DURATION, 0, offsetof(struct admin_config, timeout), .min = 1,
      .max = 3600, .def_int = 30, .help = "idle connection timeout" },
    { "tls_cert", X400MS_CFG_STRING, X400MS_CFG_NONEMPTY, offsetof(struct admin_config, tls_cert),
      .help = "PEM certificate (chain) for HTTPS, relative to data_dir" },
    { "tls_key", X400MS_CFG_STRING, X400MS_CFG_NONEMPTY, offsetof(struct admin_config, tls_key),
      .help = "PEM private key for HTTPS, relative to data_dir" },
    { "store", X400MS_CFG_STRING, X400MS_CFG_NONEMPTY, offsetof(struct admin_config, store),
      .help = "store service to administer (default: the first registered)" },
    { "mta_accounts_file", X400MS_CFG_STRING, X400MS_CFG_NONEMPTY,
      offsetof(struct admin_config, mta_accounts_file), .def_str = "mta-accounts.json",
      .help = "MTA accounts file, relative to data_dir" },
    { "backup_root", X400MS_CFG_STRING, X400MS_CFG_NONEMPTY,
      offsetof(struct admin_config, backup_root), .def_str = "backups",
      .help = "directory relative backup destinations and restore sources resolve under, "
              "relative to data_dir" },
    X400MS_CFG_END
};

/* A PEM file read whole; errors name the config field (cfg_path.field). */
static char *read_pem(const char *path, const char *cfg_path, const char *field,
                      struct x400ms_error *err)
{
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        x400ms_error_set(err, X400MS_EINVAL, "%s.%s: cannot read %s: %s", cfg_path, field, path,
                         strerror(errno));
        return NULL;
    }
    char *data = malloc(256 * 1024 + 1);
    size_t len = data != NULL ? fread(data, 1, 256 * 1024, f) : 0;
    fclose(f);
    if (data == NULL || len == 0 || len == 256 * 1024) {
        free(data);
        x400ms_error_set(err, X400MS_EINVAL, "%s.%s: %s is empty or larger than 256 KiB",
                         cfg_path, field, path);
        return NULL;
    }
    data[len] = '\0';
    if (strstr(data, "-----BEGIN ") == NULL) {
        free(data);
        x400ms_error_set(err, X400MS_EINVAL, "%s.%s: %s is not a PEM file", cfg_path, field,
                         path);
        return NULL;
    }
    return data;
}

static void server_free(struct admin_server *srv)
{
    if (srv == NULL)
        return;
    admin_jobs_free(srv->jobs);
    admin_mta_accounts_free(srv->mtas);
    admin_router_free(&srv->router);
    pthread_mutex_destroy(&srv->mailbox_update_lock);
    free(srv->token_path);
    free(srv->backup_root);
    if (srv->tls_key_pem != NULL) {
        memset(srv->tls_key_pem, 0, strlen(srv->tls_key_pem));
        free(srv->tls_key_pem);
    }
    free(srv->tls_cert_pem);
    free(srv);
}

static int admin_init(struct x400ms_core *core, const json_t *config, void **state,
                      struct x400ms_error *err)
{
    struct admin_server *srv = calloc(1, sizeof *srv);
    if (srv == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    srv->core = core;
    pthread_mutex_init(&srv->mailbox_update_lock, NULL);
    admin_router_init(&srv->router);
    const char *path = x400ms_core_config_path(core);
    int rc = x400ms_config_parse(config, path, admin_config_spec, &srv->cfg, err);
    if (rc < 0)
        goto fail;
    if ((srv->cfg.tls_cert == NULL) != (srv->cfg.tls_key == NULL)) {
        rc = x400ms_error_set(err, X400MS_EINVAL, "%s.%s: tls_cert and tls_key go together",
                              path, srv->cfg.tls_cert == NULL ? "tls_cert" : "tls_key");
        goto fail;
    }
    const char *data_dir = x400ms_core_data_dir(core);
    srv->token_path = admin_path_join(data_dir, srv->cfg.token_file);
    srv->backup_root = admin_path_join(data_dir, srv->cfg.backup_root);
    char *mtas_path = admin_path_join(data_dir, srv->cfg.mta_accounts_file);
    if (srv->token_path == NULL || srv->backup_root == NULL || mtas_path == NULL) {
        free(mtas_path);
        rc = x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
        goto fail;
    }
    if (srv->cfg.tls_cert != NULL) {
        if (!admin_http_tls_supported()) {
            free(mtas_path);
            rc = x400ms_error_set(err, X400MS_ENOTSUP,
                                  "%s.tls_cert: this libmicrohttpd was built without TLS "
                                  "(GnuTLS); HTTPS is not available - remove tls_cert/tls_key "
                                  "or install a libmicrohttpd with HTTPS support", path);
            goto fail;
        }
        char *cert = admin_path_join(data_dir, srv->cfg.tls_cert);
        char *key = admin_path_join(data_dir, srv->cfg.tls_key);
        srv->tls_cert_pem = cert != NULL ? read_pem(cert, path, "tls_cert", err) : NULL;
        srv->tls_key_pem = key != NULL && srv->tls_cert_pem != NULL
                               ? read_pem(key, path, "tls_key", err) : NULL;
        free(cert);
        free(key);
        if (srv->tls_key_pem == NULL) {
            free(mtas_path);
            rc = err->code != 0 ? err->code : X400MS_ENOMEM;
            goto fail;
        }
    }
    rc = admin_mta_accounts_open(mtas_path, &srv->mtas, err);
    free(mtas_path);
    if (rc < 0)
        goto fail;
    srv->jobs = admin_jobs_new(srv);
    if (srv->jobs == NULL) {
        rc = x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
        goto fail;
    }
    rc = x400ms_service_register(core, X400MS_SERVICE_OTHER, X400MS_MTA_ACCOUNTS_SERVICE,
                                 &admin_mta_accounts_ops, srv->mtas, err);
    if (rc < 0)
        goto fail;
    *state = srv;
    return 0;
fail:
    server_free(srv);
    return rc;
}

static int admin_start(void *state)
{
    struct admin_server *srv = state;
    struct x400ms_error err = { 0 };
    srv->store = x400ms_store_find(srv->core, srv->cfg.store, &srv->store_ctx);
    if (srv->store == NULL && srv->cfg.store != NULL) {
        X400MS_LOG_E("store: no store service \"%s\" is registered", srv->cfg.store);
        return X400MS_EINVAL;
    }
    if (srv->store == NULL)
        X400MS_LOG_W("no store module loaded: mailbox, entry and backup routes answer 503");

    /* the jobs' records, so that jobs can be polled after a restart; without
     * them the API still works, with jobs in memory only */
    const char *data_dir = x400ms_core_data_dir(srv->core);
    char *jobs_dir = data_dir[0] != '\0' ? admin_path_join(data_dir, "admin/jobs") : NULL;
    if (jobs_dir != NULL && admin_jobs_load(srv->jobs, jobs_dir, &err) < 0)
        X400MS_LOG_E("job records: %s; jobs are kept in memory only", err.message);
    free(jobs_dir);
    x400ms_error_clear(&err);

    int rc = admin_routes_build(srv, &err);
    if (rc < 0) {
        X400MS_LOG_E("%s", err.message);
        return rc;
    }
    bool created = false;
    rc = admin_token_load(srv->token_path, srv->token_digest, &created, &err);
    if (rc < 0) {
        X400MS_LOG_E("%s", err.message);
        return rc;
    }
    if (created) {
        X400MS_LOG_N("created the admin API token file %s (mode 0600)", srv->token_path);
    } else {
        struct stat st;
        if (stat(srv->token_path, &st) == 0 && (st.st_mode & 0077) != 0)
            X400MS_LOG_W("token file %s is readable by group or others (chmod 600 it)",
                         srv->token_path);
    }
    rc = admin_http_start(srv, &err);
    if (rc < 0) {
        X400MS_LOG_E("%s", err.message);
        return rc;
    }
    X400MS_LOG_N("admin API listening on %s://%s%s%s:%u (%zu routes, token in %s)",
                 srv->tls_cert_pem != NULL ? "https" : "http",
                 strchr(srv->cfg.address, ':') != NULL ? "[" : "", srv->cfg.address,
                 strchr(srv->cfg.address, ':') != NULL ? "]" : "", srv->bound_port,
                 srv->router.count, srv->token_path);
    return 0;
}

static void admin_stop(void *state)
{
    struct admin_server *srv = state;
    admin_http_stop(srv);
    admin_jobs_stop(srv->jobs);
}

static void admin_fini(void *state)
{
    struct admin_server *srv = state;
    admin_http_stop(srv);
    server_free(srv);
}

X400MS_MODULE_EXPORT const struct x400ms_module X400MS_MODULE_ENTRY = {
    X400MS_MODULE_HEADER,
    .name = "admin_api",
    .version = "1.0",
    .init = admin_init,
    .start = admin_start,
    .stop = admin_stop,
    .fini = admin_fini,
};
