/* admin-api: the built-in route table (v1). admin-api/openapi.yaml documents
 * exactly these routes; test_admin_openapi checks both directions. */
#define X400MS_LOG_MODULE "admin_api"
#include <string.h>
#include "admin-api/server.h"
#include "x400ms/log.h"

const struct admin_route_def admin_builtin_routes[] = {
    { "GET", "/api/v1/health", admin_h_health, "liveness, version and uptime" },
    { "GET", "/api/v1/modules", admin_h_modules, "loaded modules and what each registered" },
    { "GET", "/api/v1/metrics", admin_h_metrics, "Prometheus text exposition" },
    { "GET", "/api/v1/mailboxes", admin_h_mailbox_list, "list mailboxes" },
    { "POST", "/api/v1/mailboxes", admin_h_mailbox_create, "create a mailbox" },
    { "GET", "/api/v1/mailboxes/{name}", admin_h_mailbox_get, "one mailbox with box summaries" },
    { "PATCH", "/api/v1/mailboxes/{name}", admin_h_mailbox_patch,
      "change password, O/R address or settings" },
    { "DELETE", "/api/v1/mailboxes/{name}", admin_h_mailbox_delete,
      "delete a mailbox and its entries" },
    { "GET", "/api/v1/mailboxes/{name}/entries", admin_h_entries, "list entries of a box" },
    { "POST", "/api/v1/mailboxes/{name}/index/check", admin_h_index_check,
      "job: check the index against the entry files" },
    { "POST", "/api/v1/mailboxes/{name}/index/rebuild", admin_h_index_rebuild,
      "job: rebuild the index from the entry files" },
    { "GET", "/api/v1/unread", admin_h_unread, "entries still new after an age" },
    { "GET", "/api/v1/mtas", admin_h_mta_list, "list MTA accounts" },
    { "POST", "/api/v1/mtas", admin_h_mta_create, "create an MTA account" },
    { "DELETE", "/api/v1/mtas/{name}", admin_h_mta_delete, "delete an MTA account" },
    { "POST", "/api/v1/backups", admin_h_backup_start, "job: back up mailboxes" },
    { "GET", "/api/v1/backups/{id}", admin_h_backup_get, "state of a backup job" },
    { "POST", "/api/v1/restores", admin_h_restore_start, "job: restore mailboxes" },
    { "GET", "/api/v1/restores/{id}", admin_h_restore_get, "state of a restore job" },
    { "GET", "/api/v1/jobs", admin_h_job_list, "every job kept, newest first" },
    { "GET", "/api/v1/jobs/{id}", admin_h_job_get, "state of any job" },
    { NULL, NULL, NULL, NULL },
};

struct add_ctx {
    struct admin_server *srv;
};

static int add_external(void *arg, const char *name, const char *module, const void *ops,
                        void *ctx)
{
    struct add_ctx *ac = arg;
    const struct x400ms_admin_route_ops *r = ops;
    struct x400ms_error err = { 0 };
    if (r->size < offsetof(struct x400ms_admin_route_ops, summary)) {
        X400MS_LOG_E("admin route %s of module %s: ops struct too small (built against an "
                     "older admin.h?); skipped", name, module);
        return 0;
    }
    struct admin_route route = {
        .method = r->method, .pattern = r->pattern, .handler = r->handler, .ctx = ctx,
        .summary = r->size >= sizeof *r ? r->summary : NULL, .module = module,
    };
    if (admin_router_add(&ac->srv->router, &route, &err) < 0)
        X400MS_LOG_E("admin route %s of module %s skipped: %s", name, module, err.message);
    else
        X400MS_LOG_I("admin route %s %s added by module %s", r->method, r->pattern, module);
    return 0;
}

int admin_routes_build(struct admin_server *srv, struct x400ms_error *err)
{
    for (const struct admin_route_def *d = admin_builtin_routes; d->method != NULL; d++) {
        struct admin_route route = {
            .method = d->method, .pattern = d->pattern, .handler = d->handler, .ctx = srv,
            .summary = d->summary, .module = "admin_api",
        };
        int rc = admin_router_add(&srv->router, &route, err);
        if (rc < 0)
            return rc;
    }
    struct add_ctx ac = { srv };
    x400ms_service_foreach(srv->core, X400MS_SERVICE_ADMIN_ROUTE, add_external, &ac);
    return 0;
}
