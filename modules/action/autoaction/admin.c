/* Admin API routes of the dispatcher (include/x400ms/admin.h):
 *   GET    /api/v1/auto-actions                              types and counters
 *   GET    /api/v1/mailboxes/{name}/auto-actions             registrations
 *   POST   /api/v1/mailboxes/{name}/auto-actions             {"type", "id", "parameter"}
 *   DELETE /api/v1/mailboxes/{name}/auto-actions/{type}/{id} */
#define X400MS_LOG_MODULE "autoaction"
#include <stdlib.h>
#include <string.h>

#include "modules/action/autoaction/aa.h"
#include "x400ms/admin.h"

static int status_of(int rc)
{
    switch (rc) {
    case X400MS_ENOENT: return 404;
    case X400MS_EINVAL: case X400MS_ENOTSUP: return 400;
    case X400MS_ELIMIT: return 409;
    default: return 500;
    }
}

static const char *code_of(int rc)
{
    switch (rc) {
    case X400MS_ENOENT: return "not_found";
    case X400MS_EINVAL: case X400MS_ENOTSUP: return "invalid_field";
    case X400MS_ELIMIT: return "conflict";
    default: return "internal";
    }
}

static int type_visit(void *arg, const char *name, const char *module, const void *ops, void *ctx)
{
    (void)ops;
    (void)ctx;
    json_array_append_new(arg, json_pack("{s:s, s:s}", "type", name, "module", module));
    return 0;
}

static void stats_get(void *ctx, const struct x400ms_admin_request *req,
                      struct x400ms_admin_reply *reply)
{
    (void)req;
    struct aa *aa = ctx;
    json_t *types = json_array();
    x400ms_service_foreach(aa->core, X400MS_SERVICE_AUTOACTION, type_visit, types);
    pthread_mutex_lock(&aa->lock);
    reply->body = json_pack("{s:o, s:I, s:I, s:I, s:i}", "types", types, "runs", (json_int_t)aa->runs,
                            "failures", (json_int_t)aa->failures, "timeouts",
                            (json_int_t)aa->timeouts, "abandoned_workers", (int)aa->n_abandoned);
    pthread_mutex_unlock(&aa->lock);
    reply->status = 200;
}

static void regs_get(void *ctx, const struct x400ms_admin_request *req,
                     struct x400ms_admin_reply *reply)
{
    struct aa *aa = ctx;
    reply->status = 200;
    reply->body = json_pack("{s:o}", "auto_actions",
                            aa_registry_ops.list(aa, x400ms_admin_capture(req, "name")));
}

static void regs_post(void *ctx, const struct x400ms_admin_request *req,
                      struct x400ms_admin_reply *reply)
{
    struct aa *aa = ctx;
    const char *mailbox = x400ms_admin_capture(req, "name");
    const json_t *body = req->body;
    const json_t *type = json_object_get(body, "type"), *id = json_object_get(body, "id");
    if (!json_is_string(type)) {
        x400ms_admin_reply_error(reply, 400, "invalid_field", "type", "type: expected an OID text");
        return;
    }
    if (id != NULL && (!json_is_integer(id) || json_integer_value(id) < 0)) {
        x400ms_admin_reply_error(reply, 400, "invalid_field", "id",
                                 "id: expected a registration identifier (integer >= 0)");
        return;
    }
    int64_t reg_id = id ? json_integer_value(id) : 1; /* X.413: DEFAULT 1 */
    struct x400ms_error err = { 0 };
    int rc = aa_registry_ops.register_json(aa, mailbox, json_string_value(type), reg_id,
                                           json_object_get(body, "parameter"), &err);
    if (rc < 0) {
        x400ms_admin_reply_error(reply, status_of(rc), code_of(rc),
                                 rc == X400MS_EINVAL || rc == X400MS_ENOTSUP ? "parameter" : NULL,
                                 "%s", err.message);
        return;
    }
    reply->status = 201;
    reply->body = json_pack("{s:s, s:s, s:I}", "mailbox", mailbox, "type", json_string_value(type),
                            "id", (json_int_t)reg_id);
}

static void regs_delete(void *ctx, const struct x400ms_admin_request *req,
                        struct x400ms_admin_reply *reply)
{
    struct aa *aa = ctx;
    const char *id = x400ms_admin_capture(req, "id");
    char *end;
    long long v = strtoll(id, &end, 10);
    if (*end != '\0') {
        x400ms_admin_reply_error(reply, 400, "invalid_field", "id", "id: expected an integer");
        return;
    }
    struct x400ms_error err = { 0 };
    int rc = aa_registry_ops.deregister(aa, x400ms_admin_capture(req, "name"),
                                        x400ms_admin_capture(req, "type"), v, &err);
    if (rc < 0) {
        x400ms_admin_reply_error(reply, status_of(rc), code_of(rc), NULL, "%s", err.message);
        return;
    }
    reply->status = 204;
}

static const struct x400ms_admin_route_ops routes[] = {
    { .size = sizeof(struct x400ms_admin_route_ops), .method = "GET",
      .pattern = "/api/v1/auto-actions", .handler = stats_get,
      .summary = "auto-action types and dispatcher counters" },
    { .size = sizeof(struct x400ms_admin_route_ops), .method = "GET",
      .pattern = "/api/v1/mailboxes/{name}/auto-actions", .handler = regs_get,
      .summary = "auto-action registrations of a mailbox" },
    { .size = sizeof(struct x400ms_admin_route_ops), .method = "POST",
      .pattern = "/api/v1/mailboxes/{name}/auto-actions", .handler = regs_post,
      .summary = "register an auto-action for a mailbox" },
    { .size = sizeof(struct x400ms_admin_route_ops), .method = "DELETE",
      .pattern = "/api/v1/mailboxes/{name}/auto-actions/{type}/{id}", .handler = regs_delete,
      .summary = "deregister an auto-action" },
};
static const char *const route_names[] = { "autoaction.stats", "autoaction.list",
                                           "autoaction.register", "autoaction.deregister" };

int aa_admin_register(struct aa *aa, struct x400ms_error *err)
{
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        int rc = x400ms_admin_route_register(aa->core, route_names[i], &routes[i], aa, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}
