/* admin-api: the module's state, shared by its source files. */
#ifndef ADMIN_SERVER_H
#define ADMIN_SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include "admin-api/jspec.h"
#include "admin-api/router.h"
#include "x400ms/admin.h"
#include "x400ms/core.h"
#include "x400ms/store.h"

struct MHD_Daemon;
struct admin_jobs;
struct admin_mta_accounts;

/* The module's manifest config (admin-api/module.c validates it). */
struct admin_config {
    const char *address;       /* "127.0.0.1" */
    long long port;            /* 8102 */
    const char *token_file;    /* relative to data_dir */
    long long threads;         /* libmicrohttpd thread pool size */
    long long max_body;        /* bytes; larger bodies get 413 */
    long long max_connections;
    long long timeout;         /* seconds of idle before a connection is closed */
    const char *tls_cert;      /* PEM files, relative to data_dir; both or neither */
    const char *tls_key;
    const char *store;         /* store service name; NULL: the first one */
    const char *mta_accounts_file; /* relative to data_dir */
    const char *backup_root;   /* relative destinations/sources resolve under it */
};

/* HTTP status classes counted for x400ms_admin_requests_total. */
#define ADMIN_STATUS_SLOTS 600

struct admin_server {
    struct x400ms_core *core;
    struct admin_config cfg;
    char *token_path;
    unsigned char token_digest[32]; /* SHA-256 of the token: compared in constant time */
    bool token_loaded;
    char *tls_cert_pem, *tls_key_pem;
    char *backup_root;         /* absolute */

    struct admin_router router;
    struct MHD_Daemon *mhd;
    unsigned bound_port;

    /* the store (found in start()); NULL when no store module is loaded */
    const struct x400ms_store_ops *store;
    void *store_ctx;
    pthread_mutex_t mailbox_update_lock; /* PATCH is read-modify-write */

    struct admin_jobs *jobs;
    struct admin_mta_accounts *mtas;

    atomic_uint_fast64_t requests_by_status[ADMIN_STATUS_SLOTS];
};

/* ---- admin-api/routes.c: the built-in route table ---- */
struct admin_route_def {
    const char *method;
    const char *pattern;
    x400ms_admin_handler_fn *handler;
    const char *summary;
};
extern const struct admin_route_def admin_builtin_routes[];
/* Adds the built-in routes, then every admin-route service of other modules. */
int admin_routes_build(struct admin_server *srv, struct x400ms_error *err);

/* ---- helpers for handlers (admin-api/reply.c) ---- */
/* 400 naming the field of a spec failure. */
void admin_reply_field_error(struct x400ms_admin_reply *reply, const struct admin_field_error *fe);
/* Maps a store/core error code to an HTTP status and error document. */
void admin_reply_from_error(struct x400ms_admin_reply *reply, const struct x400ms_error *err,
                            const char *field);
/* Validates the request's query string against spec ("query." prefixed
 * fields). Returns 0 or -1 with the 400 already in reply. */
int admin_parse_query(const struct x400ms_admin_request *req, const struct admin_jspec *spec,
                      struct x400ms_admin_reply *reply);
/* The same for a route that takes no query argument. */
int admin_parse_no_query(const struct x400ms_admin_request *req, struct x400ms_admin_reply *reply);
/* Validates the request body against spec (a missing body counts as {}).
 * Returns 0 or -1 with the 400 already in reply. */
int admin_parse_body(const struct x400ms_admin_request *req, const struct admin_jspec *spec,
                     struct x400ms_admin_reply *reply);
/* The {name} capture when it can name a mailbox, else NULL with a 404 in
 * reply (a name the store could never hold never reaches it). */
const char *admin_mailbox_name(const struct x400ms_admin_request *req,
                               struct x400ms_admin_reply *reply);
/* 503 when no store is loaded; returns false then. */
bool admin_need_store(struct admin_server *srv, struct x400ms_admin_reply *reply);

/* ---- route handlers (ctx is the struct admin_server) ---- */
x400ms_admin_handler_fn admin_h_health, admin_h_modules, admin_h_metrics;
x400ms_admin_handler_fn admin_h_mailbox_list, admin_h_mailbox_create, admin_h_mailbox_get,
    admin_h_mailbox_patch, admin_h_mailbox_delete;
x400ms_admin_handler_fn admin_h_entries, admin_h_unread;
x400ms_admin_handler_fn admin_h_mta_list, admin_h_mta_create, admin_h_mta_delete;
x400ms_admin_handler_fn admin_h_backup_start, admin_h_backup_get, admin_h_restore_start,
    admin_h_restore_get, admin_h_index_check, admin_h_index_rebuild, admin_h_job_get,
    admin_h_job_list;

#endif
