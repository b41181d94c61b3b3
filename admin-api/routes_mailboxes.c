/* admin-api: /api/v1/mailboxes and /api/v1/mailboxes/{name}. */
#define X400MS_LOG_MODULE "admin_api"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <microhttpd.h>
#include "admin-api/oraddr.h"
#include "admin-api/server.h"
#include "admin-api/util.h"
#include "x400ms/log.h"

#define PASSWORD_MAX 1024
#define MAX_AGE_LIMIT (100LL * 365 * 86400) /* a century */

/* A max_age as the API shows it: seconds, or "never" for a box opted out of ageing. */
static json_t *max_age_json(int64_t max_age)
{
    return max_age == X400MS_STORE_MAX_AGE_NEVER ? json_string("never") : json_integer((json_int_t)max_age);
}

static json_t *mailbox_json(const struct x400ms_store_mailbox_info *info)
{
    const struct x400ms_store_settings *s = &info->settings;
    return json_pack("{s:s, s:s, s:b, s:b, s:b, s:b, s:o, s:o, s:I}",
                     "name", info->name,
                     "or_address", info->or_address != NULL ? info->or_address : "",
                     "has_password", info->password_hash != NULL && info->password_hash[0] != '\0',
                     "deletion_prohibited", s->deletion_prohibited,
                     "delete_new_prohibited", s->delete_new_prohibited,
                     "outbox", s->outbox_enabled,
                     "inbox_max_age", max_age_json(s->max_age[X400MS_STORE_INBOX]),
                     "outbox_max_age", max_age_json(s->max_age[X400MS_STORE_OUTBOX]),
                     "next_seq", (json_int_t)info->next_seq);
}

static int append_mailbox(void *arg, const struct x400ms_store_mailbox_info *info)
{
    return json_array_append_new(arg, mailbox_json(info)) == 0 ? 0 : X400MS_ENOMEM;
}

void admin_h_mailbox_list(void *ctx, const struct x400ms_admin_request *req,
                          struct x400ms_admin_reply *reply)
{
    struct admin_server *srv = ctx;
    struct x400ms_error err = { 0 };
    if (!admin_need_store(srv, reply) || admin_parse_no_query(req, reply) < 0)
        return;
    json_t *list = json_array();
    if (srv->store->mailbox_list(srv->store_ctx, append_mailbox, list, &err) < 0) {
        json_decref(list);
        admin_reply_from_error(reply, &err, NULL);
        return;
    }
    reply->status = MHD_HTTP_OK;
    reply->body = json_pack("{s:o}", "mailboxes", list);
}

/* A copy of one mailbox's info (the store's strings are valid only during
 * its callback). */
struct mailbox_copy {
    struct x400ms_store_mailbox_info info;
    char name[X400MS_STORE_NAME_MAX + 1];
    char or_address[X400MS_STORE_ADDRESS_MAX + 1];
    char password_hash[X400MS_STORE_PASSWORD_HASH_MAX];
};

static int copy_mailbox(void *arg, const struct x400ms_store_mailbox_info *info)
{
    struct mailbox_copy *c = arg;
    c->info = *info;
    snprintf(c->name, sizeof c->name, "%s", info->name);
    snprintf(c->or_address, sizeof c->or_address, "%s",
             info->or_address != NULL ? info->or_address : "");
    snprintf(c->password_hash, sizeof c->password_hash, "%s",
             info->password_hash != NULL ? info->password_hash : "");
    c->info.name = c->name;
    c->info.or_address = c->or_address;
    c->info.password_hash = c->password_hash;
    return 0;
}

static int get_mailbox(struct admin_server *srv, const char *name, struct mailbox_copy *c,
                       struct x400ms_error *err)
{
    return srv->store->mailbox_get(srv->store_ctx, name, NULL, copy_mailbox, c, err);
}

static json_t *summary_json(const struct x400ms_store_summary *s)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:{s:I, s:I, s:I}, s:I, s:I}",
                     "total", (json_int_t)s->total,
                     "new", (json_int_t)s->by_status[X400MS_STATUS_NEW],
                     "listed", (json_int_t)s->by_status[X400MS_STATUS_LISTED],
                     "processed", (json_int_t)s->by_status[X400MS_STATUS_PROCESSED],
                     "by_priority", "normal", (json_int_t)s->by_priority[X400MS_PRIORITY_NORMAL],
                     "non_urgent", (json_int_t)s->by_priority[X400MS_PRIORITY_NON_URGENT],
                     "urgent", (json_int_t)s->by_priority[X400MS_PRIORITY_URGENT],
                     "lowest_seq", (json_int_t)s->lowest_seq,
                     "highest_seq", (json_int_t)s->highest_seq);
}

/* The mailbox document with its box summaries, or NULL with err set. */
static json_t *mailbox_doc(struct admin_server *srv, const char *name, struct x400ms_error *err)
{
    struct mailbox_copy c;
    if (get_mailbox(srv, name, &c, err) < 0)
        return NULL;
    json_t *doc = mailbox_json(&c.info);
    struct x400ms_store_mailbox *mb;
    if (srv->store->mailbox_open(srv->store_ctx, name, &mb, err) < 0) {
        json_decref(doc);
        return NULL;
    }
    static const char *const box_names[X400MS_STORE_BOX_COUNT] = { "inbox_summary",
                                                                    "outbox_summary" };
    for (int box = 0; box < X400MS_STORE_BOX_COUNT; box++) {
        struct x400ms_store_summary sum;
        if (srv->store->summary(mb, (enum x400ms_store_box)box, &sum, err) < 0) {
            srv->store->mailbox_close(mb);
            json_decref(doc);
            return NULL;
        }
        json_object_set_new(doc, box_names[box], summary_json(&sum));
    }
    srv->store->mailbox_close(mb);
    return doc;
}

void admin_h_mailbox_get(void *ctx, const struct x400ms_admin_request *req,
                         struct x400ms_admin_reply *reply)
{
    struct admin_server *srv = ctx;
    struct x400ms_error err = { 0 };
    if (!admin_need_store(srv, reply) || admin_parse_no_query(req, reply) < 0)
        return;
    const char *name = admin_mailbox_name(req, reply);
    if (name == NULL)
        return;
    json_t *doc = mailbox_doc(srv, name, &err);
    if (doc == NULL) {
        admin_reply_from_error(reply, &err, NULL);
        return;
    }
    reply->status = MHD_HTTP_OK;
    reply->body = doc;
}

/* Settings members shared by POST and PATCH. */
struct mailbox_input {
    const char *name, *or_address, *password;
    bool deletion_prohibited, delete_new_prohibited, outbox;
    long long inbox_max_age, outbox_max_age;
    bool has_or_address, has_password, has_deletion_prohibited, has_delete_new_prohibited,
        has_outbox, has_inbox_max_age, has_outbox_max_age;
};

#define SETTINGS_SPEC(in)                                                                     \
    { .name = "deletion_prohibited", .type = ADMIN_J_BOOL, .out = &(in)->deletion_prohibited,  \
      .present = &(in)->has_deletion_prohibited },                                             \
    { .name = "delete_new_prohibited", .type = ADMIN_J_BOOL,                                   \
      .out = &(in)->delete_new_prohibited, .present = &(in)->has_delete_new_prohibited },      \
    { .name = "outbox", .type = ADMIN_J_BOOL, .out = &(in)->outbox,                            \
      .present = &(in)->has_outbox },                                                          \
    { .name = "inbox_max_age", .type = ADMIN_J_DURATION, .out = &(in)->inbox_max_age,          \
      .present = &(in)->has_inbox_max_age, .min = X400MS_STORE_MAX_AGE_NEVER, .max = MAX_AGE_LIMIT },                   \
    { .name = "outbox_max_age", .type = ADMIN_J_DURATION, .out = &(in)->outbox_max_age,        \
      .present = &(in)->has_outbox_max_age, .min = X400MS_STORE_MAX_AGE_NEVER, .max = MAX_AGE_LIMIT }

static void apply_settings(const struct mailbox_input *in, struct x400ms_store_settings *s)
{
    if (in->has_deletion_prohibited)
        s->deletion_prohibited = in->deletion_prohibited;
    if (in->has_delete_new_prohibited)
        s->delete_new_prohibited = in->delete_new_prohibited;
    if (in->has_outbox)
        s->outbox_enabled = in->outbox;
    if (in->has_inbox_max_age)
        s->max_age[X400MS_STORE_INBOX] = in->inbox_max_age;
    if (in->has_outbox_max_age)
        s->max_age[X400MS_STORE_OUTBOX] = in->outbox_max_age;
}

/* Canonicalises the or_address member into out; a 400 naming it otherwise. */
static bool check_or_address(const char *text, char *out, size_t out_len,
                             struct x400ms_admin_reply *reply)
{
    char why[300];
    if (admin_oraddr_canonical(text, out, out_len, why, sizeof why))
        return true;
    x400ms_admin_reply_error(reply, MHD_HTTP_BAD_REQUEST, "invalid_field", "or_address",
                             "or_address: %s", why);
    return false;
}

struct same_address {
    const char *address, *except, *new_name;
    bool name_taken;
    char owner[X400MS_STORE_NAME_MAX + 1];
};

static int find_same_address(void *arg, const struct x400ms_store_mailbox_info *info)
{
    struct same_address *sa = arg;
    if (sa->new_name != NULL && strcmp(info->name, sa->new_name) == 0)
        sa->name_taken = true;
    if (sa->owner[0] == '\0' && (sa->except == NULL || strcmp(info->name, sa->except) != 0) &&
        info->or_address != NULL && admin_oraddr_same(info->or_address, sa->address))
        snprintf(sa->owner, sizeof sa->owner, "%s", info->name);
    return 0;
}

/* 409 when another mailbox (not `except`) has an address that matches
 * under the X.411 rules (the store only compares the text), or, for a new
 * mailbox, when new_name is taken (reported first). */
static bool address_free(struct admin_server *srv, const char *address, const char *except,
                         const char *new_name, struct x400ms_admin_reply *reply)
{
    struct same_address sa = { .address = address, .except = except, .new_name = new_name };
    struct x400ms_error err = { 0 };
    if (srv->store->mailbox_list(srv->store_ctx, find_same_address, &sa, &err) < 0) {
        admin_reply_from_error(reply, &err, NULL);
        return false;
    }
    if (sa.name_taken) {
        x400ms_admin_reply_error(reply, MHD_HTTP_CONFLICT, "conflict", "name",
                                 "name: mailbox %s already exists", new_name);
        return false;
    }
    if (sa.owner[0] == '\0')
        return true;
    x400ms_admin_reply_error(reply, MHD_HTTP_CONFLICT, "conflict", "or_address",
                             "or_address: mailbox %s already has this O/R address", sa.owner);
    return false;
}

static bool hash_password(struct admin_server *srv, const char *password, char *hash,
                          size_t hash_len, struct x400ms_admin_reply *reply)
{
    struct x400ms_error err = { 0 };
    (void)srv;
    if (x400ms_password_hash(password, strlen(password), 0, hash, hash_len, &err) < 0) {
        admin_reply_from_error(reply, &err, "password");
        return false;
    }
    return true;
}

void admin_h_mailbox_create(void *ctx, const struct x400ms_admin_request *req,
                            struct x400ms_admin_reply *reply)
{
    struct admin_server *srv = ctx;
    struct mailbox_input in = { .outbox = true };
    const struct admin_jspec spec[] = {
        ADMIN_JSPEC_STRING("name", &in.name, ADMIN_J_REQUIRED, X400MS_STORE_NAME_MAX),
        ADMIN_JSPEC_STRING("or_address", &in.or_address, ADMIN_J_REQUIRED | ADMIN_J_NONEMPTY,
                           X400MS_STORE_ADDRESS_MAX),
        ADMIN_JSPEC_STRING("password", &in.password, ADMIN_J_REQUIRED | ADMIN_J_NONEMPTY,
                           PASSWORD_MAX),
        SETTINGS_SPEC(&in),
        ADMIN_JSPEC_END,
    };
    if (!admin_need_store(srv, reply) || admin_parse_body(req, spec, reply) < 0)
        return;
    const char *why;
    if (!admin_name_valid(in.name, &why)) {
        x400ms_admin_reply_error(reply, MHD_HTTP_BAD_REQUEST, "invalid_field", "name",
                                 "name: %s", why);
        return;
    }
    char address[X400MS_STORE_ADDRESS_MAX + 1];
    if (!check_or_address(in.or_address, address, sizeof address, reply) ||
        !address_free(srv, address, NULL, in.name, reply))
        return;
    char hash[X400MS_STORE_PASSWORD_HASH_MAX];
    if (!hash_password(srv, in.password, hash, sizeof hash, reply))
        return;
    struct x400ms_store_mailbox_info info = {
        .name = in.name,
        .or_address = address,
        .password_hash = hash,
        .settings = { .outbox_enabled = true },
    };
    apply_settings(&in, &info.settings);
    struct x400ms_error err = { 0 };
    if (srv->store->mailbox_create(srv->store_ctx, &info, &err) < 0) {
        admin_reply_from_error(reply, &err, err.code == X400MS_EEXIST ? "name" : NULL);
        return;
    }
    X400MS_LOG_I("mailbox %s created (%s)", in.name, address);
    json_t *doc = mailbox_doc(srv, in.name, &err);
    reply->status = MHD_HTTP_CREATED;
    reply->body = doc != NULL ? doc : json_pack("{s:s}", "name", in.name);
    snprintf(reply->location, sizeof reply->location, "/api/v1/mailboxes/%s", in.name);
}

void admin_h_mailbox_patch(void *ctx, const struct x400ms_admin_request *req,
                           struct x400ms_admin_reply *reply)
{
    struct admin_server *srv = ctx;
    struct mailbox_input in = { 0 };
    const struct admin_jspec spec[] = {
        { .name = "or_address", .type = ADMIN_J_STRING, .flags = ADMIN_J_NONEMPTY,
          .out = &in.or_address, .present = &in.has_or_address,
          .max_len = X400MS_STORE_ADDRESS_MAX },
        { .name = "password", .type = ADMIN_J_STRING, .flags = ADMIN_J_NONEMPTY,
          .out = &in.password, .present = &in.has_password, .max_len = PASSWORD_MAX },
        SETTINGS_SPEC(&in),
        ADMIN_JSPEC_END,
    };
    if (!admin_need_store(srv, reply) || admin_parse_body(req, spec, reply) < 0)
        return;
    if (req->body == NULL || json_object_size(req->body) == 0) {
        x400ms_admin_reply_error(reply, MHD_HTTP_BAD_REQUEST, "invalid_field", "body",
                                 "body: nothing to change (give password, or_address, "
                                 "deletion_prohibited, delete_new_prohibited, outbox, "
                                 "inbox_max_age or outbox_max_age)");
        return;
    }
    const char *name = admin_mailbox_name(req, reply);
    if (name == NULL)
        return;
    char address[X400MS_STORE_ADDRESS_MAX + 1];
    if (in.has_or_address && (!check_or_address(in.or_address, address, sizeof address, reply) ||
                              !address_free(srv, address, name, NULL, reply)))
        return;
    char hash[X400MS_STORE_PASSWORD_HASH_MAX];
    if (in.has_password && !hash_password(srv, in.password, hash, sizeof hash, reply))
        return;

    struct x400ms_error err = { 0 };
    struct mailbox_copy c;
    int rc;
    /* Read-modify-write: serialised so two PATCHes do not lose each other's fields. */
    pthread_mutex_lock(&srv->mailbox_update_lock);
    rc = get_mailbox(srv, name, &c, &err);
    if (rc == 0) {
        if (in.has_or_address)
            c.info.or_address = address;
        if (in.has_password)
            c.info.password_hash = hash;
        apply_settings(&in, &c.info.settings);
        rc = srv->store->mailbox_update(srv->store_ctx, name, &c.info, &err);
    }
    pthread_mutex_unlock(&srv->mailbox_update_lock);
    if (rc < 0) {
        admin_reply_from_error(reply, &err, err.code == X400MS_EEXIST ? "or_address" : NULL);
        return;
    }
    X400MS_LOG_N("mailbox %s updated%s", name, in.has_password ? " (password changed)" : "");
    json_t *doc = mailbox_doc(srv, name, &err);
    if (doc == NULL) {
        admin_reply_from_error(reply, &err, NULL);
        return;
    }
    reply->status = MHD_HTTP_OK;
    reply->body = doc;
}

void admin_h_mailbox_delete(void *ctx, const struct x400ms_admin_request *req,
                            struct x400ms_admin_reply *reply)
{
    struct admin_server *srv = ctx;
    struct x400ms_error err = { 0 };
    if (!admin_need_store(srv, reply) || admin_parse_no_query(req, reply) < 0)
        return;
    const char *name = admin_mailbox_name(req, reply);
    if (name == NULL)
        return;
    if (srv->store->mailbox_delete(srv->store_ctx, name, &err) < 0) {
        admin_reply_from_error(reply, &err, NULL);
        return;
    }
    X400MS_LOG_I("mailbox %s deleted", name);
    reply->status = MHD_HTTP_NO_CONTENT;
}
