/* Helpers of the crash and disk-full tests and bench/load (see crashtest.h). */
#define _GNU_SOURCE
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modules/store/file/store_file.h"
#include "tests/integration/crash/crashtest.h"
#include "tests/integration/p3/p3test.h"
#include "tests/integration/p7/p7test.h"
#include "tools/admin/http_client.h"
#include "x400ms/client.h"

int ct_create_mailboxes(const char *data_dir, size_t preload, size_t size)
{
    struct p7t_fill f;
    memset(&f, 0, sizeof f);
    f.password = P7T_PASSWORD;
    f.entries = preload;
    f.content_size = size;
    f.name = "alice";
    f.or_address = P7T_ALICE;
    if (p7t_fill_mailbox(data_dir, &f) < 0)
        return -1;
    f.name = "bob";
    f.or_address = P7T_BOB;
    return p7t_fill_mailbox(data_dir, &f);
}

char *ct_manifest(const char *extra_store_cfg, const char *extra_rfc1006_cfg)
{
    char hash[X400MS_STORE_PASSWORD_HASH_MAX];
    struct x400ms_error err;
    if (x400ms_password_hash(P3T_MTA_PASSWORD, strlen(P3T_MTA_PASSWORD), 1000, hash, sizeof hash,
                             &err) < 0)
        return NULL;
    char *out = NULL;
    if (asprintf(&out,
                 "{ \"threads\": 2, \"log\": { \"level\": \"info\" }, \"modules\": [\n"
                 "  { \"name\": \"rfc1006\", \"config\": {\n"
                 "      \"listen\": [ { \"address\": \"127.0.0.1\", \"port\": @PORT1@ } ]%s%s } },\n"
                 "  { \"name\": \"store_file\", \"config\": { \"flush_interval\": \"1s\"%s%s } },\n"
                 "  { \"name\": \"admin_api\", \"config\": { \"port\": @PORT2@ } },\n"
                 "  { \"name\": \"p3\", \"config\": { \"bind_failure_delay_ms\": 200,\n"
                 "      \"accounts\": [ { \"name\": \"" P3T_MTA "\", \"password_hash\": \"%s\" } ] } },\n"
                 "  { \"name\": \"p7\", \"config\": { \"bind_failure_delay_ms\": 300 } }\n"
                 "] }\n",
                 extra_rfc1006_cfg ? ", " : "", extra_rfc1006_cfg ? extra_rfc1006_cfg : "",
                 extra_store_cfg ? ", " : "", extra_store_cfg ? extra_store_cfg : "", hash) < 0)
        return NULL;
    return out;
}

int ct_admin_token(struct x4t_daemon *d, char *buf, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/admin-token", x4t_daemon_data_dir(d));
    char *text = x4t_read_file(path);
    if (text == NULL)
        return -1;
    snprintf(buf, len, "%s", text);
    buf[strcspn(buf, "\r\n")] = '\0';
    free(text);
    return 0;
}

/* One admin API call; the parsed body (or NULL) when the status is `want`. */
static json_t *admin_call(struct x4t_daemon *d, const char *method, const char *path, int want)
{
    char token[256], errbuf[256];
    if (ct_admin_token(d, token, sizeof token) < 0)
        return NULL;
    struct x4h_response resp;
    if (x4h_request("127.0.0.1", x4t_daemon_port(d, 2), method, path, token, NULL, 0, 10000, &resp,
                    errbuf, sizeof errbuf) < 0) {
        fprintf(stderr, "crashtest: %s %s: %s\n", method, path, errbuf);
        return NULL;
    }
    json_t *doc = NULL;
    if (resp.status == want)
        doc = json_loads(resp.body, 0, NULL);
    else
        fprintf(stderr, "crashtest: %s %s: HTTP %d %s\n", method, path, resp.status, resp.body);
    x4h_response_free(&resp);
    return doc;
}

int ct_index_check(struct x4t_daemon *d, const char *mailbox, char *why, size_t why_len)
{
    char path[512];
    snprintf(path, sizeof path, "/api/v1/mailboxes/%s/index/check", mailbox);
    json_t *doc = admin_call(d, "POST", path, 202);
    if (doc == NULL)
        return -1;
    snprintf(path, sizeof path, "/api/v1/jobs/%lld",
             (long long)json_integer_value(json_object_get(doc, "id")));
    json_decref(doc);
    for (int i = 0; i < 300; i++) {
        doc = admin_call(d, "GET", path, 200);
        if (doc == NULL)
            return -1;
        const char *state = json_string_value(json_object_get(doc, "state"));
        if (state != NULL && strcmp(state, "queued") != 0 && strcmp(state, "running") != 0) {
            bool ok = strcmp(state, "done") == 0 &&
                      json_is_true(json_object_get(json_object_get(doc, "counts"), "consistent"));
            char *text = json_dumps(doc, JSON_COMPACT);
            snprintf(why, why_len, "%s", text ? text : "");
            free(text);
            json_decref(doc);
            return ok ? 1 : 0;
        }
        json_decref(doc);
        usleep(50 * 1000);
    }
    snprintf(why, why_len, "index check job %s did not finish", path);
    return -1;
}

/* ---- x400ms-mta ---- */

struct ct_mta {
    pthread_t th;
    char *argv[40];
    char args[16][64];
    int status;
    char *out;
};

static char *mta_program(void)
{
    const char *top = getenv("X400MS_TOP_BUILDDIR");
    char *p = NULL;
    if (asprintf(&p, "%s/tools/x400ms-mta", top ? top : ".") < 0)
        return NULL;
    return p;
}

bool ct_mta_has_ack_log(void)
{
    static int known = -1;
    if (known < 0) {
        char *prog = mta_program();
        /* without the other required options it stops at once; getopt
         * names an option it does not know */
        char *argv[] = { prog, "deliver", "--ack-log", "/dev/null", NULL };
        char *out = NULL;
        x4t_run(argv, &out, 10000);
        known = out != NULL && strstr(out, "ack-log") == NULL;
        free(out);
        free(prog);
    }
    return known == 1;
}

static void *mta_thread(void *arg)
{
    struct ct_mta *m = arg;
    m->status = x4t_run(m->argv, &m->out, 60000);
    return NULL;
}

struct ct_mta *ct_mta_start(int port, long count, long size, int conns, const char *ack_log)
{
    struct ct_mta *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    int n = 0, a = 0;
#define ARG(...) (snprintf(m->args[a], sizeof m->args[a], __VA_ARGS__), m->argv[n++] = m->args[a++])
    m->argv[n++] = mta_program();
    m->argv[n++] = "deliver";
    m->argv[n++] = "-H";
    ARG("127.0.0.1:%d", port);
    m->argv[n++] = "--mta-name";
    m->argv[n++] = P3T_MTA;
    m->argv[n++] = "--password";
    m->argv[n++] = P3T_MTA_PASSWORD;
    m->argv[n++] = "--to";
    m->argv[n++] = P3T_ALICE;
    m->argv[n++] = "--to";
    m->argv[n++] = P3T_BOB;
    m->argv[n++] = "--count";
    ARG("%ld", count);
    m->argv[n++] = "--size";
    ARG("%ld", size);
    m->argv[n++] = "--connections";
    ARG("%d", conns);
    m->argv[n++] = "--window";
    m->argv[n++] = "8";
    m->argv[n++] = "--subject";
    m->argv[n++] = "crash test";
    if (ack_log != NULL && ct_mta_has_ack_log()) {
        m->argv[n++] = "--ack-log";
        m->argv[n++] = (char *)ack_log;
    }
    m->argv[n] = NULL;
#undef ARG
    if (m->argv[0] == NULL || pthread_create(&m->th, NULL, mta_thread, m) != 0) {
        free(m->argv[0]);
        free(m);
        return NULL;
    }
    return m;
}

int ct_mta_finish(struct ct_mta *m, long *delivered, long *acknowledged, long *failed, char **out)
{
    pthread_join(m->th, NULL);
    *delivered = *acknowledged = *failed = -1;
    if (m->out != NULL)
        p3t_parse_summary(m->out, delivered, acknowledged, failed);
    int status = m->status;
    if (out != NULL)
        *out = m->out;
    else
        free(m->out);
    free(m->argv[0]);
    free(m);
    return status;
}

/* ---- P7 load ---- */

struct p7worker {
    struct ct_p7load *l;
    int index;
    pthread_t th;
    struct ct_p7load_stats st;
};

struct ct_p7load {
    int port, n;
    volatile int stop;
    struct p7worker *w;
};

static void *p7_thread(void *arg)
{
    struct p7worker *w = arg;
    struct ct_p7load *l = w->l;
    struct x400ms_client_params p;
    p7t_params(&p, l->port, w->index % 2 ? P7T_BOB : P7T_ALICE, P7T_PASSWORD,
               w->index % 4 < 2 ? X400MS_CLIENT_MS_88 : X400MS_CLIENT_MS_94);
    p.timeout_ms = 5000;
    unsigned seed = (unsigned)w->index * 7919u + 1;
    struct x400ms_client *c = NULL;
    while (!l->stop) {
        struct x400ms_error err;
        if (c == NULL) {
            if (x400ms_client_bind(&p, &c, NULL, &err) < 0) {
                w->st.bind_failures++;
                usleep(20 * 1000);
                continue;
            }
            w->st.binds++;
        }
        struct x400ms_client_selector sel = X400MS_CLIENT_SELECTOR_INIT;
        sel.limit = 20;
        struct x400ms_client_list list;
        if (x400ms_client_list(c, 0, &sel, NULL, &list, &err) < 0) {
            w->st.op_failures++;
            x400ms_client_abort(&c);
            continue;
        }
        w->st.lists++;
        uint32_t seq = list.n > 0 ? list.entries[(size_t)rand_r(&seed) % list.n].seq : 0;
        x400ms_client_list_free(&list);
        if (seq == 0)
            continue;
        struct x400ms_client_entry e;
        if (x400ms_client_fetch(c, 0, seq, NULL, &e, &err) < 0) {
            w->st.op_failures++;
            x400ms_client_abort(&c);
            continue;
        }
        w->st.fetches++;
        x400ms_client_entry_free(&e);
    }
    if (c != NULL)
        x400ms_client_abort(&c);
    return NULL;
}

struct ct_p7load *ct_p7load_start(int port, int threads)
{
    struct ct_p7load *l = calloc(1, sizeof *l);
    if (l == NULL)
        return NULL;
    l->port = port;
    l->w = calloc((size_t)threads, sizeof *l->w);
    for (int i = 0; l->w != NULL && i < threads; i++) {
        l->w[i].l = l;
        l->w[i].index = i;
        if (pthread_create(&l->w[i].th, NULL, p7_thread, &l->w[i]) != 0)
            break;
        l->n++;
    }
    return l;
}

void ct_p7load_stop(struct ct_p7load *l, struct ct_p7load_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    l->stop = 1;
    for (int i = 0; i < l->n; i++) {
        pthread_join(l->w[i].th, NULL);
        stats->binds += l->w[i].st.binds;
        stats->bind_failures += l->w[i].st.bind_failures;
        stats->lists += l->w[i].st.lists;
        stats->fetches += l->w[i].st.fetches;
        stats->op_failures += l->w[i].st.op_failures;
    }
    free(l->w);
    free(l);
}

/* ---- reading the store back ---- */

struct read_ctx {
    struct ct_entry *v;
    size_t n, cap;
};

/* The local part of an encoded MTSIdentifier (X.411: [APPLICATION 4]
 * SEQUENCE { global-domain-identifier, local-identifier IA5String }): the
 * IA5String (universal tag 22) is the last element, so it ends the
 * encoding; its length is short form (at most 32 octets, X.411 ub). */
static void local_id(const uint8_t *b, size_t n, char *out, size_t size)
{
    out[0] = '\0';
    for (size_t i = 0; b != NULL && i + 2 <= n; i++) {
        if (b[i] == 0x16 && b[i + 1] < 0x80 && i + 2 + b[i + 1] == n) {
            snprintf(out, size, "%.*s", (int)b[i + 1], (const char *)b + i + 2);
            return;
        }
    }
}

static int read_visit(void *arg, const struct x400ms_store_attrs *a)
{
    struct read_ctx *rc = arg;
    if (rc->n == rc->cap) {
        size_t cap = rc->cap ? rc->cap * 2 : 256;
        struct ct_entry *v = realloc(rc->v, cap * sizeof *v);
        if (v == NULL)
            return 1;
        rc->v = v;
        rc->cap = cap;
    }
    struct ct_entry *e = &rc->v[rc->n++];
    e->seq = a->seq;
    e->content_length = a->content_length;
    local_id(a->mts_id, a->mts_id_len, e->local_id, sizeof e->local_id);
    return 0;
}

int ct_read_inbox(const char *data_dir, const char *name, struct ct_entry **out)
{
    char root[4096];
    snprintf(root, sizeof root, "%s/store", data_dir);
    struct sf_options opt;
    memset(&opt, 0, sizeof opt);
    opt.root = root;
    opt.sync_mode = SF_SYNC_SYNCFS;
    struct sf_store *store;
    struct x400ms_error err;
    if (sf_store_open(&opt, &store, &err) < 0) {
        fprintf(stderr, "crashtest: store: %s\n", err.message);
        return -1;
    }
    struct x400ms_store_mailbox *mb;
    struct read_ctx ctx = { NULL, 0, 0 };
    int rc = sf_store_ops.mailbox_open(store, name, &mb, &err);
    if (rc >= 0) {
        struct x400ms_store_selector sel;
        memset(&sel, 0, sizeof sel);
        sel.include_children = true;
        rc = sf_store_ops.select(mb, X400MS_STORE_INBOX, &sel, read_visit, &ctx, NULL, &err);
        sf_store_ops.mailbox_close(mb);
    }
    if (rc < 0)
        fprintf(stderr, "crashtest: read %s: %s\n", name, err.message);
    sf_store_close(store);
    if (rc < 0) {
        free(ctx.v);
        return -1;
    }
    *out = ctx.v;
    return (int)ctx.n;
}

/* ---- stopping ---- */

int ct_daemon_graceful_stop(struct x4t_daemon *d)
{
    pid_t pid = x4t_daemon_pid(d);
    if (x4t_daemon_signal(d, SIGTERM) < 0)
        return -1;
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    bool exited = false;
    for (int i = 0; i < 200 && !exited; i++) {
        FILE *f = fopen(path, "r");
        size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
        if (f)
            fclose(f);
        buf[n] = '\0';
        const char *paren = strrchr(buf, ')');
        exited = f == NULL || (paren != NULL && paren[1] == ' ' && paren[2] == 'Z');
        if (!exited)
            usleep(50 * 1000);
    }
    if (!exited) {
        char *log = x4t_daemon_log_text(d);
        fprintf(stderr, "crashtest: the daemon did not stop within 10 s of SIGTERM; log:\n%s\n",
                log ? log : "");
        free(log);
    }
    x4t_daemon_kill(d); /* reaps it (SIGKILL when it did not stop) */
    return exited ? 0 : -1;
}
