/* admin-api: backups, restores and index jobs (202 + id, then GET to poll). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <microhttpd.h>
#include "admin-api/jobs.h"
#include "admin-api/server.h"
#include "admin-api/util.h"

static const char *const mode_values[] = { "merge", "replace", NULL };

/* Checks every name of a "mailboxes" array; 400 naming the item otherwise. */
static bool check_mailbox_names(const json_t *mailboxes, struct x400ms_admin_reply *reply)
{
    size_t i;
    const json_t *n;
    json_array_foreach(mailboxes, i, n) {
        const char *why;
        if (!admin_name_valid(json_string_value(n), &why)) {
            char field[32];
            snprintf(field, sizeof field, "mailboxes[%zu]", i);
            x400ms_admin_reply_error(reply, MHD_HTTP_BAD_REQUEST, "invalid_field", field,
                                     "%s: %s", field, why);
            return false;
        }
    }
    return true;
}

static void reply_job_created(struct admin_server *srv, const char *collection, uint64_t id,
                              struct x400ms_admin_reply *reply)
{
    reply->status = MHD_HTTP_ACCEPTED;
    reply->body = admin_jobs_get(srv->jobs, id, -1);
    if (reply->body == NULL)
        reply->body = json_pack("{s:I}", "id", (json_int_t)id);
    snprintf(reply->location, sizeof reply->location, "/api/v1/%s/%llu", collection,
             (unsigned long long)id);
}

static void submit(struct admin_server *srv, const struct admin_job_spec *spec,
                   const char *collection, struct x400ms_admin_reply *reply)
{
    struct x400ms_error err = { 0 };
    uint64_t id = 0;
    if (admin_jobs_submit(srv->jobs, spec, &id, &err) < 0 && id == 0) {
        admin_reply_from_error(reply, &err, NULL);
        return;
    }
    reply_job_created(srv, collection, id, reply);
}

void admin_h_backup_start(void *ctx, const struct x400ms_admin_request *req,
                          struct x400ms_admin_reply *reply)
{
    struct admin_server *srv = ctx;
    const json_t *mailboxes = NULL;
    const char *destination = NULL;
    const struct admin_jspec spec[] = {
        ADMIN_JSPEC_STRING_ARRAY("mailboxes", &mailboxes, 0, X400MS_STORE_NAME_MAX),
        ADMIN_JSPEC_STRING("destination", &destination, ADMIN_J_NONEMPTY, 4096),
        ADMIN_JSPEC_END,
    };
    if (!admin_need_store(srv, reply) || admin_parse_body(req, spec, reply) < 0)
        return;
    if (mailboxes != NULL && !check_mailbox_names(mailboxes, reply))
        return;
    char *dir;
    if (destination != NULL) {
        dir = admin_path_join(srv->backup_root, destination);
    } else {
        /* A fresh directory per backup under backup_root. */
        char leaf[64];
        json_t *t = admin_time_json(admin_now());
        snprintf(leaf, sizeof leaf, "backup-%s", json_string_value(t));
        json_decref(t);
        for (char *p = leaf; *p != '\0'; p++)
            if (*p == ':')
                *p = '-';
        dir = admin_path_join(srv->backup_root, leaf);
    }
    if (dir == NULL) {
        x400ms_admin_reply_error(reply, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", NULL,
                                 "out of memory");
        return;
    }
    struct admin_job_spec job = { .kind = ADMIN_JOB_BACKUP, .mailboxes = mailboxes, .dir = dir };
    submit(srv, &job, "backups", reply);
    free(dir);
}

void admin_h_restore_start(void *ctx, const struct x400ms_admin_request *req,
                           struct x400ms_admin_reply *reply)
{
    struct admin_server *srv = ctx;
    const json_t *mailboxes = NULL;
    const char *source = NULL;
    int mode = X400MS_RESTORE_MERGE;
    const struct admin_jspec spec[] = {
        ADMIN_JSPEC_STRING("source", &source, ADMIN_J_REQUIRED | ADMIN_J_NONEMPTY, 4096),
        ADMIN_JSPEC_STRING_ARRAY("mailboxes", &mailboxes, 0, X400MS_STORE_NAME_MAX),
        ADMIN_JSPEC_ENUM("mode", &mode, 0, mode_values),
        ADMIN_JSPEC_END,
    };
    if (!admin_need_store(srv, reply) || admin_parse_body(req, spec, reply) < 0)
        return;
    if (mailboxes != NULL && !check_mailbox_names(mailboxes, reply))
        return;
    char *dir = admin_path_join(srv->backup_root, source);
    if (dir == NULL) {
        x400ms_admin_reply_error(reply, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", NULL,
                                 "out of memory");
        return;
    }
    if (access(dir, R_OK | X_OK) != 0) {
        x400ms_admin_reply_error(reply, MHD_HTTP_BAD_REQUEST, "invalid_field", "source",
                                 "source: %s: %s", dir, strerror(errno));
        free(dir);
        return;
    }
    struct admin_job_spec job = {
        .kind = ADMIN_JOB_RESTORE, .mailboxes = mailboxes, .dir = dir,
        .mode = mode == 1 ? X400MS_RESTORE_REPLACE : X400MS_RESTORE_MERGE,
    };
    submit(srv, &job, "restores", reply);
    free(dir);
}

static void index_job(struct admin_server *srv, const struct x400ms_admin_request *req,
                      struct x400ms_admin_reply *reply, enum admin_job_kind kind)
{
    static const struct admin_jspec nothing[] = { ADMIN_JSPEC_END };
    if (!admin_need_store(srv, reply) || admin_parse_body(req, nothing, reply) < 0)
        return;
    const char *name = admin_mailbox_name(req, reply);
    if (name == NULL)
        return;
    /* Refuse an unknown mailbox now rather than in a failed job. */
    struct x400ms_store_mailbox *mb;
    struct x400ms_error err = { 0 };
    if (srv->store->mailbox_open(srv->store_ctx, name, &mb, &err) < 0) {
        admin_reply_from_error(reply, &err, NULL);
        return;
    }
    srv->store->mailbox_close(mb);
    json_t *one = json_pack("[s]", name);
    struct admin_job_spec job = { .kind = kind, .mailboxes = one };
    submit(srv, &job, "jobs", reply);
    json_decref(one);
}

void admin_h_index_check(void *ctx, const struct x400ms_admin_request *req,
                         struct x400ms_admin_reply *reply)
{
    index_job(ctx, req, reply, ADMIN_JOB_INDEX_CHECK);
}

void admin_h_index_rebuild(void *ctx, const struct x400ms_admin_request *req,
                           struct x400ms_admin_reply *reply)
{
    index_job(ctx, req, reply, ADMIN_JOB_INDEX_REBUILD);
}

/* The {id} capture as a job id; 404 when it cannot be one. */
static bool job_id(const struct x400ms_admin_request *req, uint64_t *id,
                   struct x400ms_admin_reply *reply)
{
    const char *text = x400ms_admin_capture(req, "id");
    char *end;
    errno = 0;
    unsigned long long n = text != NULL && text[0] >= '0' && text[0] <= '9'
                               ? strtoull(text, &end, 10) : 0;
    if (n == 0 || errno != 0 || *end != '\0') {
        x400ms_admin_reply_error(reply, MHD_HTTP_NOT_FOUND, "not_found", NULL, "no job %s",
                                 text != NULL ? text : "");
        return false;
    }
    *id = n;
    return true;
}

static void get_job(struct admin_server *srv, const struct x400ms_admin_request *req,
                    struct x400ms_admin_reply *reply, int kind)
{
    uint64_t id;
    if (admin_parse_no_query(req, reply) < 0 || !job_id(req, &id, reply))
        return;
    json_t *doc = admin_jobs_get(srv->jobs, id, kind);
    if (doc == NULL) {
        x400ms_admin_reply_error(reply, MHD_HTTP_NOT_FOUND, "not_found", NULL,
                                 "no %s job %llu", kind >= 0 ? admin_job_kind_names[kind] : "",
                                 (unsigned long long)id);
        return;
    }
    reply->status = MHD_HTTP_OK;
    reply->body = doc;
}

void admin_h_backup_get(void *ctx, const struct x400ms_admin_request *req,
                        struct x400ms_admin_reply *reply)
{
    get_job(ctx, req, reply, ADMIN_JOB_BACKUP);
}

void admin_h_restore_get(void *ctx, const struct x400ms_admin_request *req,
                         struct x400ms_admin_reply *reply)
{
    get_job(ctx, req, reply, ADMIN_JOB_RESTORE);
}

void admin_h_job_get(void *ctx, const struct x400ms_admin_request *req,
                     struct x400ms_admin_reply *reply)
{
    get_job(ctx, req, reply, -1);
}

void admin_h_job_list(void *ctx, const struct x400ms_admin_request *req,
                      struct x400ms_admin_reply *reply)
{
    struct admin_server *srv = ctx;
    if (admin_parse_no_query(req, reply) < 0)
        return;
    reply->status = MHD_HTTP_OK;
    reply->body = json_pack("{s:o}", "jobs", admin_jobs_list(srv->jobs));
}
