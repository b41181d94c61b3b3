/* admin-api: health, loaded modules and metrics. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <microhttpd.h>
#include "admin-api/jobs.h"
#include "admin-api/metrics.h"
#include "admin-api/server.h"
#include "x400ms/metrics.h"

static const char *const service_kind_names[X400MS_SERVICE_KIND_COUNT] = {
    [X400MS_SERVICE_TRANSPORT] = "transport",
    [X400MS_SERVICE_APP_CONTEXT] = "app_context",
    [X400MS_SERVICE_STORE] = "store",
    [X400MS_SERVICE_AUTOACTION] = "autoaction",
    [X400MS_SERVICE_MTS] = "mts",
    [X400MS_SERVICE_ADMIN_ROUTE] = "admin_route",
    [X400MS_SERVICE_OTHER] = "other",
};

void admin_h_health(void *ctx, const struct x400ms_admin_request *req,
                    struct x400ms_admin_reply *reply)
{
    struct admin_server *srv = ctx;
    if (admin_parse_no_query(req, reply) < 0)
        return;
    reply->status = MHD_HTTP_OK;
    reply->body = json_pack("{s:s, s:s, s:I, s:b}", "status", "ok", "version",
                            x400ms_core_version(), "uptime_s",
                            (json_int_t)x400ms_core_uptime_s(srv->core), "store",
                            srv->store != NULL);
}

static int add_module(void *arg, const struct x400ms_module_info *info)
{
    json_t *obj = arg;
    json_t *m = json_pack("{s:s, s:s?, s:s?, s:{}}", "name", info->name, "version", info->version,
                          "file", info->file, "services");
    return json_object_set_new(obj, info->name, m) == 0 ? 0 : X400MS_ENOMEM;
}

struct service_visit {
    json_t *by_module;
    const char *kind;
};

static int add_service(void *arg, const char *name, const char *module, const void *ops,
                       void *ctx)
{
    struct service_visit *sv = arg;
    (void)ops;
    (void)ctx;
    json_t *m = json_object_get(sv->by_module, module != NULL ? module : "core");
    if (m == NULL) { /* registered by the core itself */
        m = json_pack("{s:s, s:s, s:s, s:{}}", "name", module != NULL ? module : "core",
                      "version", x400ms_core_version(), "file", "(core)", "services");
        json_object_set_new(sv->by_module, json_string_value(json_object_get(m, "name")), m);
    }
    json_t *services = json_object_get(m, "services");
    json_t *list = json_object_get(services, sv->kind);
    if (list == NULL) {
        list = json_array();
        json_object_set_new(services, sv->kind, list);
    }
    json_array_append_new(list, json_string(name));
    return 0;
}

void admin_h_modules(void *ctx, const struct x400ms_admin_request *req,
                     struct x400ms_admin_reply *reply)
{
    struct admin_server *srv = ctx;
    if (admin_parse_no_query(req, reply) < 0)
        return;
    json_t *by_module = json_object();
    x400ms_core_foreach_module(srv->core, add_module, by_module);
    for (int kind = 1; kind < X400MS_SERVICE_KIND_COUNT; kind++) {
        struct service_visit sv = { by_module, service_kind_names[kind] };
        x400ms_service_foreach(srv->core, (enum x400ms_service_kind)kind, add_service, &sv);
    }
    json_t *list = json_array();
    const char *key;
    json_t *value;
    json_object_foreach(by_module, key, value)
        json_array_append(list, value);
    json_decref(by_module);
    reply->status = MHD_HTTP_OK;
    reply->body = json_pack("{s:o}", "modules", list);
}

/* ---- metrics ---- */

static int count_module(void *arg, const struct x400ms_module_info *info)
{
    (void)info;
    (*(unsigned *)arg)++;
    return 0;
}

static int collect_name(void *arg, const struct x400ms_store_mailbox_info *info)
{
    return json_array_append_new(arg, json_string(info->name)) == 0 ? 0 : X400MS_ENOMEM;
}

/* Store entries by box and status, summed over mailboxes (O(1) per mailbox:
 * the store keeps counters). */
static void collect_store(struct admin_server *srv, const struct x400ms_metrics_sink *sink)
{
    static const char *const box_names[] = { "inbox", "outbox" };
    static const char *const status_names[] = { "new", "listed", "processed" };
    uint64_t counts[X400MS_STORE_BOX_COUNT][X400MS_STATUS_COUNT] = { { 0 } };
    struct x400ms_error err;
    json_t *names = json_array();
    if (srv->store->mailbox_list(srv->store_ctx, collect_name, names, &err) < 0)
        json_array_clear(names);
    size_t i;
    json_t *n;
    json_array_foreach(names, i, n) {
        struct x400ms_store_mailbox *mb;
        if (srv->store->mailbox_open(srv->store_ctx, json_string_value(n), &mb, &err) < 0)
            continue;
        for (int box = 0; box < X400MS_STORE_BOX_COUNT; box++) {
            struct x400ms_store_summary sum;
            if (srv->store->summary(mb, (enum x400ms_store_box)box, &sum, &err) == 0)
                for (int s = 0; s < X400MS_STATUS_COUNT; s++)
                    counts[box][s] += sum.by_status[s];
        }
        srv->store->mailbox_close(mb);
    }
    sink->family(sink, "x400ms_mailboxes", X400MS_METRIC_GAUGE, "mailboxes in the store");
    sink->sample(sink, "x400ms_mailboxes", NULL, (double)json_array_size(names));
    json_decref(names);
    sink->family(sink, "x400ms_store_entries", X400MS_METRIC_GAUGE,
                 "store entries by box and retrieval status");
    for (int box = 0; box < X400MS_STORE_BOX_COUNT; box++)
        for (int s = 0; s < X400MS_STATUS_COUNT; s++) {
            char labels[64];
            snprintf(labels, sizeof labels, "box=\"%s\",status=\"%s\"", box_names[box],
                     status_names[s]);
            sink->sample(sink, "x400ms_store_entries", labels, (double)counts[box][s]);
        }
}

static void collect_own(struct admin_server *srv, const struct x400ms_metrics_sink *sink)
{
    unsigned modules = 0;
    x400ms_core_foreach_module(srv->core, count_module, &modules);
    sink->family(sink, "x400ms_up", X400MS_METRIC_GAUGE, "1 while the daemon serves");
    sink->sample(sink, "x400ms_up", NULL, 1);
    sink->family(sink, "x400ms_uptime_seconds", X400MS_METRIC_GAUGE,
                 "seconds since the daemon started");
    sink->sample(sink, "x400ms_uptime_seconds", NULL, (double)x400ms_core_uptime_s(srv->core));
    sink->family(sink, "x400ms_modules_loaded", X400MS_METRIC_GAUGE, "loaded modules");
    sink->sample(sink, "x400ms_modules_loaded", NULL, modules);

    sink->family(sink, "x400ms_admin_requests_total", X400MS_METRIC_COUNTER,
                 "admin API requests answered, by HTTP status");
    for (unsigned code = 100; code < ADMIN_STATUS_SLOTS; code++) {
        uint64_t n = atomic_load_explicit(&srv->requests_by_status[code], memory_order_relaxed);
        if (n > 0) {
            char labels[32];
            snprintf(labels, sizeof labels, "code=\"%u\"", code);
            sink->sample(sink, "x400ms_admin_requests_total", labels, (double)n);
        }
    }
    uint64_t jobs[ADMIN_JOB_KIND_COUNT][ADMIN_JOB_STATE_COUNT];
    admin_jobs_counts(srv->jobs, jobs);
    sink->family(sink, "x400ms_admin_jobs", X400MS_METRIC_GAUGE,
                 "admin jobs kept in memory, by kind and state");
    for (int k = 0; k < ADMIN_JOB_KIND_COUNT; k++)
        for (int s = 0; s < ADMIN_JOB_STATE_COUNT; s++) {
            char labels[64];
            snprintf(labels, sizeof labels, "kind=\"%s\",state=\"%s\"", admin_job_kind_names[k],
                     admin_job_state_names[s]);
            sink->sample(sink, "x400ms_admin_jobs", labels, (double)jobs[k][s]);
        }
    if (srv->store != NULL)
        collect_store(srv, sink);
}

static int collect_source(void *arg, const char *name, const char *module, const void *ops,
                          void *ctx)
{
    const struct x400ms_metrics_sink *sink = arg;
    const struct x400ms_metrics_source_ops *src = ops;
    (void)module;
    if (strncmp(name, X400MS_METRICS_PREFIX, strlen(X400MS_METRICS_PREFIX)) != 0)
        return 0;
    if (src->size >= offsetof(struct x400ms_metrics_source_ops, collect) + sizeof src->collect &&
        src->collect != NULL)
        src->collect(ctx, sink);
    return 0;
}

void admin_h_metrics(void *ctx, const struct x400ms_admin_request *req,
                     struct x400ms_admin_reply *reply)
{
    struct admin_server *srv = ctx;
    if (admin_parse_no_query(req, reply) < 0)
        return;
    struct admin_metrics_text *mt = admin_metrics_text_new();
    if (mt == NULL) {
        x400ms_admin_reply_error(reply, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", NULL,
                                 "out of memory");
        return;
    }
    const struct x400ms_metrics_sink *sink = admin_metrics_text_sink(mt);
    collect_own(srv, sink);
    x400ms_service_foreach(srv->core, X400MS_SERVICE_OTHER, collect_source, (void *)sink);
    reply->status = MHD_HTTP_OK;
    reply->text = admin_metrics_text_finish(mt, &reply->text_len);
    reply->content_type = "text/plain; version=0.0.4; charset=utf-8";
}
