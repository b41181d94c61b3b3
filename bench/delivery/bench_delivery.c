/* bench/delivery: x400ms-mta delivers N messages of 2 KiB over 1 and 4
 * associations into 1 and into 100 mailboxes of a real daemon (rfc1006 +
 * store_file + p3); prints messages/s acknowledged durably, p50/p99 latency
 * per delivery, and the daemon's RSS. For comparison, the store's own
 * durable delivery rate (16 threads putting into one mailbox in process).
 *
 *   bench/delivery/bench_delivery [COUNT [CONNECTIONS MAILBOXES]]
 *
 * COUNT defaults to 20000; with CONNECTIONS and MAILBOXES only that one
 * scenario runs (no store baseline). With X4T_KEEP set the daemon's data
 * directory (and its log, DATA/x400msd.log) is kept and its path printed.
 *
 * Run from the build tree with X400MS_TOP_BUILDDIR and X400MS_MODULE_PATH
 * set (as make check sets them). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/store/file/store_file.h"
#include "tests/integration/p3/p3test.h"
#include "tests/lib/x4test.h"

static long rss_kib(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long kib = -1;
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    if (f != NULL)
        fclose(f);
    return kib;
}

static void scenario(long count, int conns, int mailboxes)
{
    char *data = x4t_tempdir("bench-delivery");
    const char **names = calloc((size_t)mailboxes, sizeof *names);
    const char **addrs = calloc((size_t)mailboxes, sizeof *addrs);
    for (int i = 0; i < mailboxes; i++) {
        char *n = malloc(32), *a = malloc(96);
        snprintf(n, 32, "user%d", i);
        snprintf(a, 96, "/C=XX/A= /P=TEST/O=Org/S=user%d/", i);
        names[i] = n;
        addrs[i] = a;
    }
    if (p3t_create_mailboxes(data, names, addrs, (size_t)mailboxes) < 0)
        exit(1);
    char *manifest = p3t_manifest("", NULL);
    struct x4t_daemon *d = x4t_daemon_start_in(manifest, data);
    free(manifest);
    if (d == NULL)
        exit(1);
    char hostport[64], count_s[32], conns_s[16];
    snprintf(hostport, sizeof hostport, "127.0.0.1:%d", x4t_daemon_port(d, 1));
    snprintf(count_s, sizeof count_s, "%ld", count);
    snprintf(conns_s, sizeof conns_s, "%d", conns);
    const char *args[256];
    size_t n = 0;
    const char *fixed[] = { "deliver", "-H", hostport, "--mta-name", P3T_MTA, "--password",
                            P3T_MTA_PASSWORD, "--count", count_s, "--size", "2048",
                            "--connections", conns_s, "--window", "32", "--latency" };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        args[n++] = fixed[i];
    for (int i = 0; i < mailboxes && i < 100; i++) {
        args[n++] = "--to";
        args[n++] = addrs[i];
    }
    args[n] = NULL;
    char *out = NULL;
    p3t_run_mta(args, &out, 600000);
    long rss = rss_kib(x4t_daemon_pid(d));
    const char *lat = out ? strstr(out, "latency_ms") : NULL;
    const char *sum = out ? strstr(out, "delivered=") : NULL;
    const char *why = out ? strstr(out, "x400ms-mta: ") : NULL; /* its first error, if any */
    if (why != NULL)
        printf("  %.*s\n", (int)strcspn(why, "\n"), why);
    printf("connections=%d mailboxes=%d daemon_rss_kib=%ld\n  %.*s\n  %s", conns, mailboxes, rss,
           lat ? (int)strcspn(lat, "\n") : 0, lat ? lat : "", sum ? sum : "(no summary)\n");
    fflush(stdout);
    free(out);
    x4t_daemon_stop(d);
    if (getenv("X4T_KEEP") != NULL)
        printf("  data and daemon log kept in %s\n", data);
    else
        x4t_rmtree(data);
    free(data);
}

struct put_job {
    const struct x400ms_store_ops *ops;
    struct x400ms_store_mailbox *mb;
    long n;
};

static void *put_thread(void *arg)
{
    struct put_job *j = arg;
    static uint8_t content[2048];
    struct x400ms_store_entry_in in;
    memset(&in, 0, sizeof in);
    in.attrs.entry_type = X400MS_ENTRY_DELIVERED_MESSAGE;
    in.attrs.importance = X400MS_IPM_ABSENT;
    in.attrs.sensitivity = X400MS_IPM_ABSENT;
    in.attrs.precedence = X400MS_PRECEDENCE_ABSENT;
    in.attrs.subject = "bench";
    in.attrs.content_type = "22";
    in.content = content;
    in.content_len = sizeof content;
    in.attrs.content_length = sizeof content;
    for (long i = 0; i < j->n; i++) {
        uint32_t seq;
        struct x400ms_error err;
        if (j->ops->put(j->mb, X400MS_STORE_INBOX, &in, &seq, &err) < 0) {
            fprintf(stderr, "put: %s\n", err.message);
            break;
        }
    }
    return NULL;
}

static void store_baseline(long count, int threads)
{
    char *data = x4t_tempdir("bench-store");
    const char *names[] = { "user0" }, *addrs[] = { "/C=XX/A= /P=TEST/O=Org/S=user0/" };
    p3t_create_mailboxes(data, names, addrs, 1);
    char root[4096];
    snprintf(root, sizeof root, "%s/store", data);
    struct sf_options opt;
    memset(&opt, 0, sizeof opt);
    opt.root = root;
    opt.sync_mode = SF_SYNC_SYNCFS;
    struct sf_store *store;
    struct x400ms_error err;
    struct x400ms_store_mailbox *mb;
    if (sf_store_open(&opt, &store, &err) < 0 || sf_store_ops.mailbox_open(store, "user0", &mb, &err) < 0) {
        fprintf(stderr, "store: %s\n", err.message);
        exit(1);
    }
    pthread_t th[64];
    struct put_job jobs[64];
    long long t0 = x4t_now_ms();
    for (int i = 0; i < threads; i++) {
        jobs[i] = (struct put_job){ &sf_store_ops, mb, count / threads };
        pthread_create(&th[i], NULL, put_thread, &jobs[i]);
    }
    for (int i = 0; i < threads; i++)
        pthread_join(th[i], NULL);
    double secs = (double)(x4t_now_ms() - t0) / 1000.0;
    printf("store baseline: %d threads, %ld puts of 2 KiB in %.2f s = %.0f/s durable\n", threads,
           count / threads * threads, secs, (double)(count / threads * threads) / secs);
    sf_store_ops.mailbox_close(mb);
    sf_store_close(store);
    x4t_rmtree(data);
    free(data);
}

int main(int argc, char **argv)
{
    long count = argc > 1 ? atol(argv[1]) : 20000;
    /* as make check's environment: the daemon it starts may run as root here */
    setenv("X400MS_ALLOW_ROOT", "1", 0);
    if (argc > 3) {
        scenario(count, atoi(argv[2]), atoi(argv[3]));
        return 0;
    }
    store_baseline(count, 16);
    scenario(count, 1, 1);
    scenario(count, 4, 1);
    scenario(count, 1, 100);
    scenario(count, 4, 100);
    return 0;
}
