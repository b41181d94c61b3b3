/* admin-api: helpers handlers share to build replies and validate input. */
#include <string.h>
#include <microhttpd.h>
#include "admin-api/server.h"
#include "admin-api/util.h"

void admin_reply_field_error(struct x400ms_admin_reply *reply, const struct admin_field_error *fe)
{
    x400ms_admin_reply_error(reply, MHD_HTTP_BAD_REQUEST, "invalid_field", fe->field, "%s: %s",
                             fe->field, fe->message);
}

/* X400MS_E* -> HTTP status and the error document's code word. */
static const struct {
    int code;
    int status;
    const char *word;
} error_map[] = {
    { X400MS_EINVAL, MHD_HTTP_BAD_REQUEST, "invalid_field" },
    { X400MS_EPROTO, MHD_HTTP_BAD_REQUEST, "invalid_field" },
    { X400MS_ENOENT, MHD_HTTP_NOT_FOUND, "not_found" },
    { X400MS_EEXIST, MHD_HTTP_CONFLICT, "conflict" },
    { X400MS_EPERM, MHD_HTTP_FORBIDDEN, "forbidden" },
    { X400MS_EAUTH, MHD_HTTP_UNAUTHORIZED, "unauthorized" },
    { X400MS_ELIMIT, MHD_HTTP_CONTENT_TOO_LARGE, "too_large" },
    { X400MS_ENOSPC, MHD_HTTP_INSUFFICIENT_STORAGE, "no_space" },
    { X400MS_ESTATE, MHD_HTTP_SERVICE_UNAVAILABLE, "unavailable" },
    { X400MS_EAGAIN, MHD_HTTP_SERVICE_UNAVAILABLE, "unavailable" },
    { X400MS_ENOTSUP, MHD_HTTP_NOT_IMPLEMENTED, "not_supported" },
    { X400MS_ECORRUPT, MHD_HTTP_INTERNAL_SERVER_ERROR, "corrupt" },
};

void admin_reply_from_error(struct x400ms_admin_reply *reply, const struct x400ms_error *err,
                            const char *field)
{
    int status = MHD_HTTP_INTERNAL_SERVER_ERROR;
    const char *word = "internal";
    for (size_t i = 0; i < sizeof error_map / sizeof error_map[0]; i++)
        if (error_map[i].code == err->code) {
            status = error_map[i].status;
            word = error_map[i].word;
            break;
        }
    /* A field only makes sense for input errors. */
    if (status != MHD_HTTP_BAD_REQUEST && status != MHD_HTTP_CONFLICT)
        field = NULL;
    x400ms_admin_reply_error(reply, status, word, field, "%s",
                             err->message[0] != '\0' ? err->message : x400ms_strerror(err->code));
}

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    json_t *obj = cls;
    (void)kind;
    /* A repeated argument: the last one is not silently taken; mark it. */
    if (json_object_get(obj, key) != NULL)
        json_object_set_new(obj, key, json_null());
    else
        json_object_set_new(obj, key, json_string(value != NULL ? value : ""));
    return MHD_YES;
}

int admin_parse_query(const struct x400ms_admin_request *req, const struct admin_jspec *spec,
                      struct x400ms_admin_reply *reply)
{
    struct MHD_Connection *conn = req->impl;
    json_t *args = json_object();
    struct admin_field_error fe;
    int rc = 0;
    if (args == NULL) {
        x400ms_admin_reply_error(reply, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", NULL,
                                 "out of memory");
        return -1;
    }
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, args);
    const char *key;
    json_t *value;
    json_object_foreach(args, key, value) {
        if (json_is_null(value)) {
            snprintf(fe.field, sizeof fe.field, "query.%s", key);
            snprintf(fe.message, sizeof fe.message, "given more than once");
            rc = -1;
            break;
        }
    }
    if (rc == 0)
        rc = admin_jspec_parse(args, spec, "query.", true, &fe);
    if (rc < 0)
        admin_reply_field_error(reply, &fe);
    json_decref(args);
    return rc;
}

int admin_parse_no_query(const struct x400ms_admin_request *req, struct x400ms_admin_reply *reply)
{
    static const struct admin_jspec none[] = { ADMIN_JSPEC_END };
    return admin_parse_query(req, none, reply);
}

int admin_parse_body(const struct x400ms_admin_request *req, const struct admin_jspec *spec,
                     struct x400ms_admin_reply *reply)
{
    struct admin_field_error fe;
    if (admin_jspec_parse(req->body, spec, "", false, &fe) < 0) {
        admin_reply_field_error(reply, &fe);
        return -1;
    }
    return 0;
}

bool admin_need_store(struct admin_server *srv, struct x400ms_admin_reply *reply)
{
    if (srv->store != NULL)
        return true;
    x400ms_admin_reply_error(reply, MHD_HTTP_SERVICE_UNAVAILABLE, "no_store", NULL,
                             "no store module is loaded (add store_file to the manifest)");
    return false;
}

const char *admin_mailbox_name(const struct x400ms_admin_request *req,
                               struct x400ms_admin_reply *reply)
{
    const char *name = x400ms_admin_capture(req, "name"), *why;
    if (name == NULL || !admin_name_valid(name, &why)) {
        x400ms_admin_reply_error(reply, MHD_HTTP_NOT_FOUND, "not_found", NULL, "no mailbox %s",
                                 name != NULL ? name : "");
        return NULL;
    }
    return name;
}
