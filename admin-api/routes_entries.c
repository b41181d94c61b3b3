/* admin-api: entry listing of one mailbox and unread monitoring. */
#include <stdio.h>
#include <string.h>
#include <microhttpd.h>
#include "admin-api/server.h"
#include "admin-api/util.h"

#define LIST_LIMIT_DEFAULT 100
#define LIST_LIMIT_MAX 1000

static const char *const box_values[] = { "inbox", "outbox", NULL };
static const char *const status_values[] = { "new", "listed", "processed", NULL };
static const char *const entry_type_names[X400MS_ENTRY_TYPE_COUNT] = {
    "delivered-message", "delivered-report", "returned-content", "submitted-message",
    "submitted-probe",
};
static const char *const priority_names[X400MS_PRIORITY_COUNT] = { "normal", "non-urgent",
                                                                    "urgent" };
static const char *const importance_names[] = { "low", "normal", "high" };
static const char *const sensitivity_names[] = { "", "personal", "private",
                                                  "company-confidential" };

static json_t *str_or_null(const char *s)
{
    return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

/* The main attributes of an entry, for operators. */
static json_t *entry_json(const struct x400ms_store_attrs *a)
{
    json_t *e = json_pack("{s:I, s:s, s:s, s:s, s:o, s:I, s:o, s:o, s:o, s:o, s:o}",
                          "seq", (json_int_t)a->seq,
                          "status", a->status < X400MS_STATUS_COUNT ? status_values[a->status] : "?",
                          "entry_type",
                          a->entry_type < X400MS_ENTRY_TYPE_COUNT ? entry_type_names[a->entry_type]
                                                                  : "?",
                          "priority",
                          a->priority < X400MS_PRIORITY_COUNT ? priority_names[a->priority] : "?",
                          "content_type", str_or_null(a->content_type),
                          "content_length", (json_int_t)a->content_length,
                          "creation_time", admin_time_json(a->creation_time),
                          "delivery_time", admin_time_json(a->delivery_time),
                          "originator", str_or_null(a->originator),
                          "this_recipient", str_or_null(a->this_recipient),
                          "subject", str_or_null(a->subject));
    if (e == NULL)
        return NULL;
    if (a->importance <= X400MS_IMPORTANCE_HIGH)
        json_object_set_new(e, "importance", json_string(importance_names[a->importance]));
    if (a->sensitivity >= X400MS_SENSITIVITY_PERSONAL &&
        a->sensitivity <= X400MS_SENSITIVITY_COMPANY_CONFIDENTIAL)
        json_object_set_new(e, "sensitivity", json_string(sensitivity_names[a->sensitivity]));
    if (a->precedence != X400MS_PRECEDENCE_ABSENT)
        json_object_set_new(e, "precedence", json_integer(a->precedence));
    if (a->parent_seq != 0)
        json_object_set_new(e, "parent_seq", json_integer(a->parent_seq));
    if (a->n_children > 0) {
        json_t *children = json_array();
        for (size_t i = 0; i < a->n_children; i++)
            json_array_append_new(children, json_integer(a->children[i]));
        json_object_set_new(e, "children", children);
    }
    return e;
}

struct list_ctx {
    json_t *entries;
    uint32_t last_seq;
};

static int collect_entry(void *arg, const struct x400ms_store_attrs *attrs)
{
    struct list_ctx *lc = arg;
    lc->last_seq = attrs->seq;
    return json_array_append_new(lc->entries, entry_json(attrs)) == 0 ? 0 : X400MS_ENOMEM;
}

void admin_h_entries(void *ctx, const struct x400ms_admin_request *req,
                     struct x400ms_admin_reply *reply)
{
    struct admin_server *srv = ctx;
    int box = X400MS_STORE_INBOX, status = -1;
    long long limit = LIST_LIMIT_DEFAULT, after = 0;
    const struct admin_jspec query[] = {
        ADMIN_JSPEC_ENUM("box", &box, 0, box_values),
        ADMIN_JSPEC_ENUM("status", &status, 0, status_values),
        ADMIN_JSPEC_INT("limit", &limit, 0, 1, LIST_LIMIT_MAX),
        ADMIN_JSPEC_INT("after", &after, 0, 0, UINT32_MAX - 1),
        ADMIN_JSPEC_END,
    };
    if (!admin_need_store(srv, reply) || admin_parse_query(req, query, reply) < 0)
        return;
    const char *name = admin_mailbox_name(req, reply);
    if (name == NULL)
        return;

    struct x400ms_error err = { 0 };
    struct x400ms_store_mailbox *mb;
    if (srv->store->mailbox_open(srv->store_ctx, name, &mb, &err) < 0) {
        admin_reply_from_error(reply, &err, NULL);
        return;
    }
    struct x400ms_store_filter by_status = {
        .op = X400MS_FILTER_EQUAL, .attr = X400MS_ATTR_STATUS, .int_value = status,
    };
    struct x400ms_store_selector sel = {
        .filter = status >= 0 ? &by_status : NULL,
        .next = (uint32_t)after + 1,
        .limit = (size_t)limit,
        .include_children = true,
    };
    struct list_ctx lc = { .entries = json_array() };
    uint32_t next = 0;
    int rc = srv->store->select(mb, (enum x400ms_store_box)box, &sel, collect_entry, &lc, &next,
                                &err);
    srv->store->mailbox_close(mb);
    if (rc < 0) {
        json_decref(lc.entries);
        admin_reply_from_error(reply, &err, NULL);
        return;
    }
    /* The next page starts after the last entry returned; null when the
     * box is exhausted. */
    json_t *next_after = next != 0 && lc.last_seq != 0 ? json_integer(lc.last_seq) : json_null();
    reply->status = MHD_HTTP_OK;
    reply->body = json_pack("{s:s, s:s, s:o, s:o}", "mailbox", name, "box", box_values[box],
                            "entries", lc.entries, "next_after", next_after);
}

/* ---- GET /api/v1/unread?older_than=SECONDS ---- */

struct unread_ctx {
    json_t *entries;
    size_t limit;
    uint64_t count;
    int64_t oldest;
};

static int collect_unread(void *arg, const struct x400ms_store_attrs *a)
{
    struct unread_ctx *uc = arg;
    uc->count++;
    if (uc->oldest == 0 || (a->creation_time != 0 && a->creation_time < uc->oldest))
        uc->oldest = a->creation_time;
    if (json_array_size(uc->entries) < uc->limit)
        json_array_append_new(uc->entries,
                              json_pack("{s:I, s:o, s:o, s:o, s:s}", "seq", (json_int_t)a->seq,
                                        "creation_time", admin_time_json(a->creation_time),
                                        "originator", str_or_null(a->originator),
                                        "subject", str_or_null(a->subject),
                                        "priority", a->priority < X400MS_PRIORITY_COUNT
                                                        ? priority_names[a->priority] : "?"));
    return 0;
}

static int collect_name(void *arg, const struct x400ms_store_mailbox_info *info)
{
    return json_array_append_new(arg, json_string(info->name)) == 0 ? 0 : X400MS_ENOMEM;
}

void admin_h_unread(void *ctx, const struct x400ms_admin_request *req,
                    struct x400ms_admin_reply *reply)
{
    struct admin_server *srv = ctx;
    long long older_than = 0, limit = 20;
    const struct admin_jspec query[] = {
        ADMIN_JSPEC_DURATION("older_than", &older_than, 0, 0, 100LL * 365 * 86400),
        ADMIN_JSPEC_INT("limit", &limit, 0, 0, LIST_LIMIT_MAX),
        ADMIN_JSPEC_END,
    };
    if (!admin_need_store(srv, reply) || admin_parse_query(req, query, reply) < 0)
        return;
    struct x400ms_error err = { 0 };
    json_t *names = json_array();
    if (srv->store->mailbox_list(srv->store_ctx, collect_name, names, &err) < 0) {
        json_decref(names);
        admin_reply_from_error(reply, &err, NULL);
        return;
    }
    int64_t now = admin_now();
    /* "Still new after that age": created at or before now - older_than. */
    int64_t cutoff = now - older_than;
    struct x400ms_store_filter is_new = {
        .op = X400MS_FILTER_EQUAL, .attr = X400MS_ATTR_STATUS, .int_value = X400MS_STATUS_NEW,
    };
    json_t *mailboxes = json_array();
    uint64_t total = 0;
    size_t i;
    json_t *n;
    json_array_foreach(names, i, n) {
        const char *name = json_string_value(n);
        struct x400ms_store_mailbox *mb;
        if (srv->store->mailbox_open(srv->store_ctx, name, &mb, &err) < 0)
            continue; /* deleted meanwhile */
        struct x400ms_store_selector sel = {
            .time_to = cutoff > 0 ? cutoff : 1,
            .filter = &is_new,
            .include_children = true,
        };
        struct unread_ctx uc = { .entries = json_array(), .limit = (size_t)limit };
        int rc = srv->store->select(mb, X400MS_STORE_INBOX, &sel, collect_unread, &uc, NULL,
                                    &err);
        srv->store->mailbox_close(mb);
        if (rc < 0 || uc.count == 0) {
            json_decref(uc.entries);
            continue;
        }
        total += uc.count;
        json_array_append_new(mailboxes,
                              json_pack("{s:s, s:I, s:o, s:o}", "name", name, "count",
                                        (json_int_t)uc.count, "oldest",
                                        admin_time_json(uc.oldest), "entries", uc.entries));
    }
    json_decref(names);
    reply->status = MHD_HTTP_OK;
    reply->body = json_pack("{s:I, s:o, s:I, s:o}", "older_than", (json_int_t)older_than, "as_of",
                            admin_time_json(now), "total", (json_int_t)total, "mailboxes",
                            mailboxes);
}
