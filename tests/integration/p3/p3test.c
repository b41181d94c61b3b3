/* Helpers of the P3 integration tests: see p3test.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/store/file/store_file.h"
#include "tests/integration/p3/p3test.h"
#include "tests/lib/x4test.h"

static struct sf_store *store_open(const char *data_dir)
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
        fprintf(stderr, "p3test: store: %s\n", err.message);
        return NULL;
    }
    return store;
}

int p3t_create_mailboxes(const char *data_dir, const char *const *names,
                         const char *const *addrs, size_t n)
{
    struct sf_store *store = store_open(data_dir);
    if (store == NULL)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct x400ms_store_mailbox_info info;
        memset(&info, 0, sizeof info);
        info.name = names[i];
        info.or_address = addrs[i];
        info.settings.outbox_enabled = true;
        struct x400ms_error err;
        if (sf_store_ops.mailbox_create(store, &info, &err) < 0) {
            fprintf(stderr, "p3test: create %s: %s\n", names[i], err.message);
            rc = -1;
        }
    }
    sf_store_close(store);
    return rc;
}

struct read_ctx {
    struct p3t_entry *out;
    size_t max, n;
};

static void copy_str(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

static int read_visit(void *arg, const struct x400ms_store_attrs *a)
{
    struct read_ctx *rc = arg;
    if (rc->n >= rc->max)
        return 1;
    struct p3t_entry *e = &rc->out[rc->n++];
    memset(e, 0, sizeof *e);
    e->seq = a->seq;
    e->entry_type = a->entry_type;
    e->priority = a->priority;
    e->importance = a->importance;
    copy_str(e->subject, sizeof e->subject, a->subject);
    copy_str(e->originator, sizeof e->originator, a->originator);
    copy_str(e->this_recipient, sizeof e->this_recipient, a->this_recipient);
    copy_str(e->content_type, sizeof e->content_type, a->content_type);
    e->content_length = a->content_length;
    e->delivery_time = a->delivery_time;
    return 0;
}

int p3t_read_box(const char *data_dir, const char *name, enum x400ms_store_box box,
                 struct p3t_entry *out, size_t max)
{
    struct sf_store *store = store_open(data_dir);
    if (store == NULL)
        return -1;
    struct x400ms_store_mailbox *mb;
    struct x400ms_error err;
    int rc = sf_store_ops.mailbox_open(store, name, &mb, &err);
    struct read_ctx ctx = { out, max, 0 };
    if (rc >= 0) {
        struct x400ms_store_selector sel;
        memset(&sel, 0, sizeof sel);
        sel.include_children = true;
        rc = sf_store_ops.select(mb, box, &sel, read_visit, &ctx, NULL, &err);
        sf_store_ops.mailbox_close(mb);
    }
    if (rc < 0)
        fprintf(stderr, "p3test: read %s: %s\n", name, err.message);
    sf_store_close(store);
    return rc < 0 ? -1 : (int)ctx.n;
}

char *p3t_manifest(const char *extra_modules, const char *extra_p3_cfg)
{
    char hash[X400MS_STORE_PASSWORD_HASH_MAX];
    struct x400ms_error err;
    if (x400ms_password_hash(P3T_MTA_PASSWORD, strlen(P3T_MTA_PASSWORD), 1000, hash, sizeof hash,
                             &err) < 0)
        return NULL;
    size_t size = 8192;
    char *out = malloc(size);
    if (out == NULL)
        return NULL;
    snprintf(out, size,
             "{ \"threads\": 2, \"log\": { \"level\": \"info\" }, \"modules\": [\n"
             "  { \"name\": \"rfc1006\", \"config\": {\n"
             "      \"listen\": [ { \"address\": \"127.0.0.1\", \"port\": @PORT1@ } ] } },\n"
             "  { \"name\": \"store_file\", \"config\": { \"flush_interval\": \"1s\" } },\n"
             "  %s\n"
             "  { \"name\": \"p3\", \"config\": { \"bind_failure_delay_ms\": 200,\n"
             "      \"accounts\": [ { \"name\": \"" P3T_MTA "\", \"password_hash\": \"%s\" } ]%s%s } }\n"
             "] }\n",
             extra_modules ? extra_modules : "", hash, extra_p3_cfg ? ", " : "",
             extra_p3_cfg ? extra_p3_cfg : "");
    return out;
}

int p3t_run_mta(const char *const *args, char **out, int timeout_ms)
{
    const char *top = getenv("X400MS_TOP_BUILDDIR");
    char prog[4096];
    snprintf(prog, sizeof prog, "%s/tools/x400ms-mta", top ? top : ".");
    /* every argument is passed: bench/delivery gives 100 --to pairs (an
     * argv of 64 once cut them to 23 mailboxes without a word) */
    size_t count = 0;
    while (args[count] != NULL)
        count++;
    const char **argv = calloc(count + 2, sizeof *argv);
    if (argv == NULL)
        return -1;
    size_t n = 0;
    argv[n++] = prog;
    for (size_t i = 0; i < count; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    int rc = x4t_run((char *const *)argv, out, timeout_ms);
    free(argv);
    return rc;
}

int p3t_parse_summary(const char *out, long *delivered, long *acknowledged, long *failed)
{
    const char *line = out ? strstr(out, "delivered=") : NULL;
    const char *next;
    while (line != NULL && (next = strstr(line + 1, "delivered=")) != NULL)
        line = next;
    if (line == NULL)
        return -1;
    return sscanf(line, "delivered=%ld acknowledged=%ld failed=%ld", delivered, acknowledged,
                  failed) == 3 ? 0 : -1;
}

/* ---- recording relay ---- */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/lib/x4pcap.h"

struct p3t_relay {
    int listen_fd, port, target;
    struct x4pcap *pcap;
    pthread_t th;
    bool done;
};

static void *relay_main(void *arg)
{
    struct p3t_relay *r = arg;
    int c = accept(r->listen_fd, NULL, NULL);
    int s = c >= 0 ? x4t_connect(r->target) : -1;
    uint8_t buf[65536];
    while (c >= 0 && s >= 0) {
        struct pollfd p[2] = { { c, POLLIN, 0 }, { s, POLLIN, 0 } };
        if (poll(p, 2, 20000) <= 0)
            break;
        int from = (p[0].revents & (POLLIN | POLLHUP)) ? 0 : 1;
        ssize_t n = read(from == 0 ? c : s, buf, sizeof buf);
        if (n <= 0)
            break;
        x4pcap_write(r->pcap, from == 0, buf, (size_t)n);
        if (write(from == 0 ? s : c, buf, (size_t)n) != n)
            break;
    }
    if (c >= 0)
        close(c);
    if (s >= 0)
        close(s);
    return NULL;
}

struct p3t_relay *p3t_relay_start(int target, const char *pcap_path)
{
    struct p3t_relay *r = calloc(1, sizeof *r);
    r->target = target;
    r->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof sa;
    if (bind(r->listen_fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(r->listen_fd, 1) < 0 ||
        getsockname(r->listen_fd, (struct sockaddr *)&sa, &len) < 0) {
        close(r->listen_fd);
        free(r);
        return NULL;
    }
    r->port = ntohs(sa.sin_port);
    r->pcap = x4pcap_open(pcap_path, (uint16_t)r->port, (uint16_t)target);
    if (r->pcap == NULL || pthread_create(&r->th, NULL, relay_main, r) != 0) {
        close(r->listen_fd);
        free(r);
        return NULL;
    }
    return r;
}

int p3t_relay_port(const struct p3t_relay *r)
{
    return r->port;
}

int p3t_relay_finish(struct p3t_relay *r, int timeout_ms)
{
    (void)timeout_ms; /* the relay's poll gives up after 20 s of silence */
    pthread_join(r->th, NULL);
    close(r->listen_fd);
    int rc = x4pcap_close(r->pcap);
    free(r);
    return rc;
}
