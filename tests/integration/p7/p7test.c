/* Helpers of the P7 integration tests (see p7test.h). */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "modules/store/file/store_file.h"
#include "tests/integration/p7/p7test.h"
#include "tests/lib/x4pcap.h"
#include "tests/lib/x4test.h"

/* ---- filling a mailbox ---- */

struct fill_job {
    const struct x400ms_store_ops *ops;
    struct x400ms_store_mailbox *mb;
    const struct p7t_fill *f;
    size_t from, to;              /* 1-based entry numbers [from, to) */
    time_t now;
    int rc;
};

static void *fill_thread(void *arg)
{
    struct fill_job *j = arg;
    uint8_t *content = malloc(j->f->content_size ? j->f->content_size : 1);
    if (content == NULL) {
        j->rc = -1;
        return NULL;
    }
    for (size_t k = 0; k < j->f->content_size; k++)
        content[k] = (uint8_t)('a' + k % 26);
    for (size_t i = j->from; i < j->to; i++) {
        char subject[64];
        snprintf(subject, sizeof subject, "message %zu", i);
        struct x400ms_store_entry_in in;
        memset(&in, 0, sizeof in);
        in.attrs.entry_type = X400MS_ENTRY_DELIVERED_MESSAGE;
        in.attrs.priority = j->f->urgent_every && i % (size_t)j->f->urgent_every == 0
                                ? X400MS_PRIORITY_URGENT : X400MS_PRIORITY_NORMAL;
        in.attrs.importance = X400MS_IMPORTANCE_NORMAL;
        in.attrs.sensitivity = X400MS_IPM_ABSENT;
        in.attrs.precedence = X400MS_PRECEDENCE_ABSENT;
        in.attrs.content_length = j->f->content_size;
        in.attrs.content_type = "22";
        in.attrs.creation_time = j->now - (int64_t)(j->f->entries - i);
        in.attrs.delivery_time = in.attrs.creation_time;
        in.attrs.originator = P7T_BOB;
        in.attrs.this_recipient = j->f->or_address;
        in.attrs.subject = subject;
        in.content = content;
        in.content_len = j->f->content_size;
        static const uint8_t envelope[] = { 0x31, 0x00 };
        in.envelope = envelope;
        in.envelope_len = sizeof envelope;
        uint32_t seq;
        struct x400ms_error err;
        if (j->ops->put(j->mb, X400MS_STORE_INBOX, &in, &seq, &err) < 0) {
            fprintf(stderr, "p7t_fill_mailbox: put: %s\n", err.message);
            j->rc = -1;
            break;
        }
    }
    free(content);
    return NULL;
}

int p7t_fill_mailbox(const char *data_dir, const struct p7t_fill *f)
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
        fprintf(stderr, "p7t_fill_mailbox: %s\n", err.message);
        return -1;
    }
    const struct x400ms_store_ops *ops = &sf_store_ops;
    char hash[X400MS_STORE_PASSWORD_HASH_MAX];
    /* few iterations: the tests bind often */
    if (x400ms_password_hash(f->password, strlen(f->password),
                             f->hash_iterations ? f->hash_iterations : 1000, hash, sizeof hash, &err) < 0) {
        fprintf(stderr, "p7t_fill_mailbox: %s\n", err.message);
        sf_store_close(store);
        return -1;
    }
    struct x400ms_store_mailbox_info info;
    memset(&info, 0, sizeof info);
    info.name = f->name;
    info.or_address = f->or_address;
    info.password_hash = hash;
    info.settings.deletion_prohibited = f->delete_prohibited;
    info.settings.delete_new_prohibited = f->delete_new_prohibited;
    info.settings.outbox_enabled = true;
    int rc = ops->mailbox_create(store, &info, &err);
    if (rc < 0 && rc != X400MS_EEXIST) {
        fprintf(stderr, "p7t_fill_mailbox: create %s: %s\n", f->name, err.message);
        sf_store_close(store);
        return -1;
    }
    struct x400ms_store_mailbox *mb;
    if (ops->mailbox_open(store, f->name, &mb, &err) < 0) {
        fprintf(stderr, "p7t_fill_mailbox: open %s: %s\n", f->name, err.message);
        sf_store_close(store);
        return -1;
    }
    enum { THREADS = 4 };
    struct fill_job jobs[THREADS];
    pthread_t th[THREADS];
    time_t now = time(NULL);
    rc = 0;
    if (f->entries < 64) {
        /* in order: sequence number i is entry i */
        struct fill_job j = { ops, mb, f, 1, f->entries + 1, now, 0 };
        fill_thread(&j);
        rc = j.rc;
    } else {
        size_t per = f->entries / THREADS;
        for (int t = 0; t < THREADS; t++) {
            jobs[t] = (struct fill_job){ ops, mb, f, 1 + (size_t)t * per,
                                         t == THREADS - 1 ? f->entries + 1 : 1 + (size_t)(t + 1) * per,
                                         now, 0 };
            pthread_create(&th[t], NULL, fill_thread, &jobs[t]);
        }
        for (int t = 0; t < THREADS; t++) {
            pthread_join(th[t], NULL);
            rc |= jobs[t].rc;
        }
    }
    ops->mailbox_close(mb);
    sf_store_close(store);
    return rc;
}

/* ---- manifest and parameters ---- */

char *p7t_manifest(const char *extra_store_cfg, const char *extra_p7_cfg)
{
    const char *top = getenv("X400MS_TOP_BUILDDIR");
    char *out = malloc(4096);
    if (out == NULL)
        return NULL;
    snprintf(out, 4096,
             "{ \"threads\": 2, \"log\": { \"level\": \"info\" }, \"modules\": [\n"
             "  { \"name\": \"rfc1006\", \"config\": {\n"
             "      \"listen\": [ { \"address\": \"127.0.0.1\", \"port\": @PORT1@ } ] } },\n"
             "  { \"name\": \"store_file\", \"config\": { \"flush_interval\": \"1s\"%s%s } },\n"
             "  { \"name\": \"fakeaction\", \"file\": \"%s/tests/integration/p7/fakeaction\" },\n"
             "  { \"name\": \"p7\", \"config\": { \"bind_failure_delay_ms\": 300%s%s } }\n"
             "] }\n",
             extra_store_cfg ? ", " : "", extra_store_cfg ? extra_store_cfg : "",
             top ? top : ".", extra_p7_cfg ? ", " : "", extra_p7_cfg ? extra_p7_cfg : "");
    return out;
}

void p7t_params(struct x400ms_client_params *p, int port, const char *or_address,
                const char *password, enum x400ms_client_version v)
{
    memset(p, 0, sizeof *p);
    p->size = sizeof *p;
    p->host = "127.0.0.1";
    p->port = port;
    p->or_address = or_address;
    p->password = password;
    p->version = v;
    p->timeout_ms = 10000;
}

/* ---- the recording relay ---- */

struct chunk {
    bool from_client;
    uint8_t *data;
    size_t len;
};

struct p7t_relay {
    int listen_fd, port, target;
    pthread_t thread;
    struct chunk *chunks;
    size_t n, cap;
};

static void relay_record(struct p7t_relay *r, bool from_client, const uint8_t *p, size_t n)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 64;
        r->chunks = realloc(r->chunks, r->cap * sizeof *r->chunks);
    }
    r->chunks[r->n].from_client = from_client;
    r->chunks[r->n].data = malloc(n);
    memcpy(r->chunks[r->n].data, p, n);
    r->chunks[r->n].len = n;
    r->n++;
}

static void *relay_main(void *arg)
{
    struct p7t_relay *r = arg;
    int cfd = accept(r->listen_fd, NULL, NULL);
    if (cfd < 0)
        return NULL;
    int sfd = x4t_connect(r->target);
    if (sfd < 0) {
        close(cfd);
        return NULL;
    }
    uint8_t buf[65536];
    for (;;) {
        struct pollfd pf[2] = { { cfd, POLLIN, 0 }, { sfd, POLLIN, 0 } };
        if (poll(pf, 2, 20000) <= 0)
            break;
        int from = (pf[0].revents & (POLLIN | POLLHUP)) ? 0 : 1;
        int in = from == 0 ? cfd : sfd, out = from == 0 ? sfd : cfd;
        ssize_t n = read(in, buf, sizeof buf);
        if (n <= 0)
            break;
        relay_record(r, from == 0, buf, (size_t)n);
        if (write(out, buf, (size_t)n) != n)
            break;
    }
    close(cfd);
    close(sfd);
    return NULL;
}

struct p7t_relay *p7t_relay_start(int target_port)
{
    struct p7t_relay *r = calloc(1, sizeof *r);
    r->target = target_port;
    r->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (bind(r->listen_fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(r->listen_fd, 1) < 0 ||
        getsockname(r->listen_fd, (struct sockaddr *)&sa, &len) < 0) {
        close(r->listen_fd);
        free(r);
        return NULL;
    }
    r->port = ntohs(sa.sin_port);
    pthread_create(&r->thread, NULL, relay_main, r);
    return r;
}

int p7t_relay_port(const struct p7t_relay *r)
{
    return r->port;
}

int p7t_relay_finish(struct p7t_relay *r, const char *pcap_path, bool *skipped)
{
    pthread_join(r->thread, NULL);
    close(r->listen_fd);
    int rc = 0;
    *skipped = x4_tshark_path() == NULL;
    /* 102 so that tshark takes it for TPKT whatever its preferences */
    struct x4pcap *p = x4pcap_open(pcap_path, 40000, 102);
    for (size_t i = 0; p != NULL && i < r->n; i++)
        x4pcap_write(p, r->chunks[i].from_client, r->chunks[i].data, r->chunks[i].len);
    if (p == NULL || x4pcap_close(p) < 0)
        rc = -1;
    if (rc == 0 && !*skipped) {
        char report[8192];
        int t = x4_tshark_check(pcap_path, 102, report, sizeof report, NULL, 0);
        if (t != 0) {
            fprintf(stderr, "tshark on %s: %s\n", pcap_path, report);
            rc = -1;
        }
    }
    for (size_t i = 0; i < r->n; i++)
        free(r->chunks[i].data);
    free(r->chunks);
    free(r);
    return rc;
}
