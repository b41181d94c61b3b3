/* admin-api: /api/v1/mtas - the MTA accounts allowed to deliver over P3. */
#define X400MS_LOG_MODULE "admin_api"
#include <string.h>
#include <microhttpd.h>
#include "admin-api/mta_accounts.h"
#include "admin-api/server.h"
#include "admin-api/util.h"
#include "x400ms/log.h"

static int append_mta(void *arg, const struct x400ms_mta_account_info *info)
{
    return json_array_append_new(arg, json_pack("{s:s, s:o}", "name", info->name, "created",
                                                admin_time_json(info->created))) == 0
               ? 0 : X400MS_ENOMEM;
}

void admin_h_mta_list(void *ctx, const struct x400ms_admin_request *req,
                      struct x400ms_admin_reply *reply)
{
    struct admin_server *srv = ctx;
    struct x400ms_error err = { 0 };
    if (admin_parse_no_query(req, reply) < 0)
        return;
    json_t *list = json_array();
    if (admin_mta_accounts_ops.list(srv->mtas, append_mta, list, &err) < 0) {
        json_decref(list);
        admin_reply_from_error(reply, &err, NULL);
        return;
    }
    reply->status = MHD_HTTP_OK;
    reply->body = json_pack("{s:o}", "mtas", list);
}

void admin_h_mta_create(void *ctx, const struct x400ms_admin_request *req,
                        struct x400ms_admin_reply *reply)
{
    struct admin_server *srv = ctx;
    const char *name, *password, *why;
    const struct admin_jspec spec[] = {
        ADMIN_JSPEC_STRING("name", &name, ADMIN_J_REQUIRED, X400MS_MTA_NAME_MAX),
        ADMIN_JSPEC_STRING("password", &password, ADMIN_J_REQUIRED | ADMIN_J_NONEMPTY, 1024),
        ADMIN_JSPEC_END,
    };
    if (admin_parse_body(req, spec, reply) < 0)
        return;
    if (!admin_name_valid(name, &why)) {
        x400ms_admin_reply_error(reply, MHD_HTTP_BAD_REQUEST, "invalid_field", "name",
                                 "name: %s", why);
        return;
    }
    struct x400ms_error err = { 0 };
    if (admin_mta_accounts_ops.add(srv->mtas, name, password, strlen(password), &err) < 0) {
        admin_reply_from_error(reply, &err, err.code == X400MS_EEXIST ? "name" : NULL);
        return;
    }
    X400MS_LOG_N("MTA account %s created", name);
    reply->status = MHD_HTTP_CREATED;
    reply->body = json_pack("{s:s}", "name", name);
    snprintf(reply->location, sizeof reply->location, "/api/v1/mtas/%s", name);
}

void admin_h_mta_delete(void *ctx, const struct x400ms_admin_request *req,
                        struct x400ms_admin_reply *reply)
{
    struct admin_server *srv = ctx;
    struct x400ms_error err = { 0 };
    const char *name = x400ms_admin_capture(req, "name");
    if (admin_mta_accounts_ops.remove(srv->mtas, name, &err) < 0) {
        admin_reply_from_error(reply, &err, NULL);
        return;
    }
    X400MS_LOG_N("MTA account %s deleted", name);
    reply->status = MHD_HTTP_NO_CONTENT;
}
