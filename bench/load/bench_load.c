/* bench/load: load and soak of the whole daemon (issue 10). Figures only,
 * never pass/fail.
 *
 *   X400MS_TOP_BUILDDIR=$PWD X400MS_MODULE_PATH=$PWD/modules bench/load/bench_load \
 *       [--seconds 600] [--p7 1000] [--mta 4] [--idle 10000] [--sample 10] [--preload 500]
 *       [--idle-rounds 1] [--trim-probe]
 *
 * Phase 1 (--seconds): --p7 P7 associations (one thread each, alternately
 * alice and bob, ms-access-88 and -94) list 20 entries from a random point
 * of the In Box and fetch one of them, without pause, while x400ms-mta
 * delivers over --mta associations (batches of 2,000 messages of 2 KiB;
 * --mta 0: no deliveries, so the mailboxes do not grow during a soak).
 * Reported: P7 operations per second, p50/p99/p999 of List and Fetch,
 * deliveries per second, and every --sample seconds the daemon's RSS and
 * open fd count (/proc), so growth after the warm-up shows.
 * Phase 2: --idle bound P7 associations doing nothing (held by child
 * processes of 1,000 each: a client process's own stack takes at most 1,024
 * connections): RSS per association, and the RSS once they closed.
 * --idle-rounds R repeats phase 2 R times: RSS that climbs again each round
 * is a leak, RSS that stays at the first round's level is memory the
 * allocator keeps for reuse. --trim-probe then asks the daemon's allocator
 * to give its free memory back (gdb: malloc_trim(0) in the daemon) and
 * reports the RSS after: what a trim would return.
 *
 * Run as root (or with a high hard limit): RLIMIT_NOFILE is raised to
 * 65,536 for this process and the daemon it starts. */
#define _GNU_SOURCE
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/integration/crash/crashtest.h"
#include "tests/integration/p3/p3test.h"
#include "tests/integration/p7/p7test.h"
#include "x400ms/client.h"

static struct {
    int seconds, p7, mta, idle, sample, preload, idle_rounds, trim_probe;
} opt = { 600, 1000, 4, 10000, 10, 500, 1, 0 };

static int port;
static atomic_int stop_flag;
static atomic_long bound, binds_failed, lists_done, fetches_done, op_failures;
static _Atomic long long t_measure_from, t_measure_to; /* ms: the window latencies are kept in */

/* ---- latencies ---- */
struct lat {
    uint32_t *v;
    size_t n, cap;
};

static void lat_add(struct lat *l, uint32_t us)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        uint32_t *v = realloc(l->v, cap * sizeof *v);
        if (v == NULL)
            return;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = us;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void lat_report(const char *what, struct lat *l, double seconds)
{
    if (l->n == 0) {
        printf("  %-6s no operations in the window\n", what);
        return;
    }
    qsort(l->v, l->n, sizeof *l->v, cmp_u32);
    printf("  %-6s %8zu ops  %8.1f/s  p50 %8.2f ms  p99 %8.2f ms  p999 %8.2f ms  max %8.2f ms\n",
           what, l->n, (double)l->n / seconds, l->v[l->n / 2] / 1000.0,
           l->v[(l->n * 99) / 100] / 1000.0, l->v[(l->n * 999) / 1000] / 1000.0,
           l->v[l->n - 1] / 1000.0);
}

/* ---- the P7 workers ---- */
static uint32_t *seqs[2];
static size_t n_seqs[2];

struct worker {
    pthread_t th;
    int index;
    struct lat list, fetch;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    int who = w->index % 2;
    struct x400ms_client_params p;
    p7t_params(&p, port, who ? P7T_BOB : P7T_ALICE, P7T_PASSWORD,
               w->index % 4 < 2 ? X400MS_CLIENT_MS_88 : X400MS_CLIENT_MS_94);
    p.timeout_ms = 120000;
    unsigned seed = (unsigned)w->index * 2654435761u + 1;
    struct x400ms_client *c = NULL;
    struct x400ms_error err;
    while (!atomic_load(&stop_flag)) {
        if (c == NULL) {
            if (x400ms_client_bind(&p, &c, NULL, &err) < 0) {
                atomic_fetch_add(&binds_failed, 1);
                sleep(1);
                continue;
            }
            atomic_fetch_add(&bound, 1);
        }
        struct x400ms_client_selector sel = X400MS_CLIENT_SELECTOR_INIT;
        sel.seq_from = seqs[who][(size_t)rand_r(&seed) % n_seqs[who]];
        sel.limit = 20;
        struct x400ms_client_list l;
        long long t0 = x4t_now_ms();
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        if (x400ms_client_list(c, 0, &sel, NULL, &l, &err) < 0) {
            atomic_fetch_add(&op_failures, 1);
            x400ms_client_abort(&c);
            atomic_fetch_sub(&bound, 1);
            continue;
        }
        clock_gettime(CLOCK_MONOTONIC, &b);
        bool in_window = t0 >= t_measure_from && t0 < t_measure_to;
        if (in_window)
            lat_add(&w->list, (uint32_t)((b.tv_sec - a.tv_sec) * 1000000 + (b.tv_nsec - a.tv_nsec) / 1000));
        atomic_fetch_add(&lists_done, 1);
        uint32_t seq = l.n > 0 ? l.entries[(size_t)rand_r(&seed) % l.n].seq : 0;
        x400ms_client_list_free(&l);
        if (seq == 0)
            continue;
        struct x400ms_client_entry e;
        clock_gettime(CLOCK_MONOTONIC, &a);
        if (x400ms_client_fetch(c, 0, seq, NULL, &e, &err) < 0) {
            atomic_fetch_add(&op_failures, 1);
            x400ms_client_abort(&c);
            atomic_fetch_sub(&bound, 1);
            continue;
        }
        clock_gettime(CLOCK_MONOTONIC, &b);
        if (in_window)
            lat_add(&w->fetch, (uint32_t)((b.tv_sec - a.tv_sec) * 1000000 + (b.tv_nsec - a.tv_nsec) / 1000));
        atomic_fetch_add(&fetches_done, 1);
        x400ms_client_entry_free(&e);
    }
    if (c != NULL)
        x400ms_client_abort(&c);
    return NULL;
}

/* ---- the MTA: batches of x400ms-mta deliver until the end ---- */
static atomic_long mta_acked;
static long mta_failed, mta_batches;
static double mta_seconds, mta_p50_sum, mta_p99_max;

static void *mta_main(void *arg)
{
    (void)arg;
    const char *top = getenv("X400MS_TOP_BUILDDIR");
    char prog[4096], hostport[64], conns[16];
    snprintf(prog, sizeof prog, "%s/tools/x400ms-mta", top ? top : ".");
    snprintf(hostport, sizeof hostport, "127.0.0.1:%d", port);
    snprintf(conns, sizeof conns, "%d", opt.mta);
    while (!atomic_load(&stop_flag)) {
        char *argv[] = { prog, "deliver", "-H", hostport, "--mta-name", P3T_MTA, "--password",
                         P3T_MTA_PASSWORD, "--to", P3T_ALICE, "--to", P3T_BOB, "--count", "2000",
                         "--size", "2048", "--connections", conns, "--window", "8", "--latency",
                         "--subject", "load", NULL };
        char *out = NULL;
        x4t_run(argv, &out, 600000);
        long dl, ack, failed;
        double p50, p99, max;
        const char *lat = out ? strstr(out, "latency_ms ") : NULL;
        const char *sum = out ? strstr(out, "delivered=") : NULL;
        double secs;
        if (sum != NULL && sscanf(sum, "delivered=%ld acknowledged=%ld failed=%ld seconds=%lf",
                                  &dl, &ack, &failed, &secs) == 4) {
            mta_acked += ack;
            mta_failed += failed;
            mta_seconds += secs;
            mta_batches++;
            if (lat != NULL && sscanf(lat, "latency_ms p50=%lf p99=%lf max=%lf", &p50, &p99, &max) == 3) {
                mta_p50_sum += p50;
                if (p99 > mta_p99_max)
                    mta_p99_max = p99;
            }
            if (failed > 0)
                fprintf(stderr, "bench_load: x400ms-mta batch: %s", out);
        } else {
            fprintf(stderr, "bench_load: x400ms-mta: %s\n", out ? out : "(no output)");
            sleep(1);
        }
        free(out);
    }
    return NULL;
}

/* ---- /proc ---- */
static long rss_kib(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long kib = -1;
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    if (f)
        fclose(f);
    return kib;
}

/* The 1-minute load average (/proc/loadavg): figures from a shared machine
 * are read with it. */
static double load1(void)
{
    double l = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &l) != 1)
            l = -1;
        fclose(f);
    }
    return l;
}

/* ---- phase 2: idle associations held by child processes ---- */
struct idle_child {
    pid_t pid;
    int go_w, done_r; /* parent's ends */
};

/* In the child (forked before this process used the client library). */
static void idle_child_main(int go_r, int done_w, int count, int index)
{
    char c;
    if (read(go_r, &c, 1) != 1)
        _exit(0);
    struct x400ms_client **cl = calloc((size_t)count, sizeof *cl);
    int ok = 0;
    for (int i = 0; i < count; i++) {
        struct x400ms_client_params p;
        p7t_params(&p, port, (index + i) % 2 ? P7T_BOB : P7T_ALICE, P7T_PASSWORD,
                   X400MS_CLIENT_MS_88);
        p.timeout_ms = 120000;
        struct x400ms_error err;
        if (x400ms_client_bind(&p, &cl[ok], NULL, &err) == 0)
            ok++;
        else if (ok == i)
            fprintf(stderr, "bench_load: idle bind: %s\n", err.message);
    }
    if (write(done_w, &ok, sizeof ok) != sizeof ok)
        _exit(1);
    while (read(go_r, &c, 1) > 0) /* until the parent closes */
        ;
    _exit(0); /* the associations end with the process */
}

static int spawn_idle_children(struct idle_child *kids, int n, int per)
{
    for (int k = 0; k < n; k++) {
        int go[2], done[2];
        if (pipe(go) < 0 || pipe(done) < 0)
            return -1;
        pid_t pid = fork();
        if (pid < 0)
            return -1;
        if (pid == 0) {
            close(go[1]);
            close(done[0]);
            for (int j = 0; j < k; j++) {
                close(kids[j].go_w);
                close(kids[j].done_r);
            }
            idle_child_main(go[0], done[1], per, k);
        }
        close(go[0]);
        close(done[1]);
        kids[k] = (struct idle_child){ pid, go[1], done[0] };
    }
    return 0;
}

static void list_seqs(int who)
{
    struct x400ms_client_params p;
    p7t_params(&p, port, who ? P7T_BOB : P7T_ALICE, P7T_PASSWORD, X400MS_CLIENT_MS_94);
    struct x400ms_client *c;
    struct x400ms_error err;
    if (x400ms_client_bind(&p, &c, NULL, &err) < 0) {
        fprintf(stderr, "bench_load: bind: %s\n", err.message);
        exit(1);
    }
    seqs[who] = calloc((size_t)opt.preload + 1, sizeof *seqs[who]);
    uint32_t from = 0;
    while (n_seqs[who] < (size_t)opt.preload) {
        struct x400ms_client_selector sel = X400MS_CLIENT_SELECTOR_INIT;
        sel.seq_from = from;
        sel.limit = 100;
        struct x400ms_client_list l;
        if (x400ms_client_list(c, 0, &sel, NULL, &l, &err) < 0) {
            fprintf(stderr, "bench_load: list: %s\n", err.message);
            exit(1);
        }
        for (size_t i = 0; i < l.n && n_seqs[who] < (size_t)opt.preload; i++)
            seqs[who][n_seqs[who]++] = l.entries[i].seq;
        from = l.next;
        x400ms_client_list_free(&l);
        if (from == 0)
            break;
    }
    x400ms_client_unbind(&c);
}

/* Asks the daemon's glibc allocator to return its free pages (gdb calls
 * malloc_trim(0) in it; the daemon stops for the call only) and prints the
 * RSS before and after. */
static void trim_probe(pid_t dpid)
{
    long before = rss_kib(dpid);
    char cmd[256];
    snprintf(cmd, sizeof cmd,
             "gdb -q -batch -p %d -ex 'call (int)malloc_trim(0)' >/dev/null 2>&1", (int)dpid);
    if (system(cmd) != 0) {
        printf("  trim probe: gdb could not call malloc_trim in the daemon (is gdb installed?)\n");
        return;
    }
    long after = rss_kib(dpid);
    printf("  trim probe: malloc_trim(0) in the daemon: RSS %ld -> %ld KiB (%ld KiB were free "
           "memory kept by the allocator)\n", before, after, before - after);
    fflush(stdout);
}

/* Phase 2 once: the `n` children in `kids` bind their share, then exit. */
static void idle_round(struct x4t_daemon *d, pid_t dpid, struct idle_child *kids, int n, int round)
{
    long rss0 = rss_kib(dpid);
    long long t1 = x4t_now_ms();
    for (int k = 0; k < n; k++)
        if (write(kids[k].go_w, "g", 1) != 1)
            perror("bench_load: go");
    long total = 0;
    for (int k = 0; k < n; k++) {
        int ok = 0;
        if (read(kids[k].done_r, &ok, sizeof ok) == sizeof ok)
            total += ok;
    }
    double bind_s = (double)(x4t_now_ms() - t1) / 1000.0;
    sleep(3);
    long rss1 = rss_kib(dpid);
    int fds = x4t_daemon_fd_count(d);
    printf("phase 2 (round %d): %ld idle P7 associations bound in %.1f s (%.0f binds/s); daemon RSS "
           "%ld -> %ld KiB, %d fds: %.2f KiB per association\n", round, total, bind_s,
           bind_s > 0 ? (double)total / bind_s : 0.0, rss0, rss1, fds,
           total > 0 ? (double)(rss1 - rss0) / (double)total : 0.0);
    for (int k = 0; k < n; k++)
        close(kids[k].go_w);
    for (int k = 0; k < n; k++)
        waitpid(kids[k].pid, NULL, 0);
    /* every peer is gone: how long until the daemon closed them all */
    long long t2 = x4t_now_ms();
    int left = x4t_daemon_fd_count(d);
    while (left > fds - (int)total + 5 && x4t_now_ms() - t2 < 120000) {
        usleep(250 * 1000);
        left = x4t_daemon_fd_count(d);
    }
    double closed_s = (double)(x4t_now_ms() - t2) / 1000.0;
    long rss_closed = rss_kib(dpid);
    sleep(6); /* x400msd trims freed heap memory within 5 s (core/memtrim.c) */
    printf("  after they closed: %d fds %.1f s later, RSS %ld KiB at once, %ld KiB 6 s later (%+ld KiB "
           "from before the round)\n",
           left, closed_s, rss_closed, rss_kib(dpid), rss_kib(dpid) - rss0);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    static const struct option lopts[] = {
        { "seconds", required_argument, NULL, 's' }, { "p7", required_argument, NULL, 'p' },
        { "mta", required_argument, NULL, 'm' },     { "idle", required_argument, NULL, 'i' },
        { "sample", required_argument, NULL, 'S' },  { "preload", required_argument, NULL, 'P' },
        { "idle-rounds", required_argument, NULL, 'R' }, { "trim-probe", no_argument, NULL, 'T' },
        { NULL, 0, NULL, 0 },
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
        switch (ch) {
        case 's': opt.seconds = atoi(optarg); break;
        case 'p': opt.p7 = atoi(optarg); break;
        case 'm': opt.mta = atoi(optarg); break;
        case 'i': opt.idle = atoi(optarg); break;
        case 'S': opt.sample = atoi(optarg); break;
        case 'P': opt.preload = atoi(optarg); break;
        case 'R': opt.idle_rounds = atoi(optarg); break;
        case 'T': opt.trim_probe = 1; break;
        default:
            fprintf(stderr, "usage: bench_load [--seconds S] [--p7 N] [--mta C] [--idle N] "
                            "[--sample S] [--preload N] [--idle-rounds R] [--trim-probe]\n");
            return 2;
        }
    }
    if (opt.p7 > 1020 || opt.p7 < 1 || opt.preload < 1 || opt.sample < 1 || opt.mta < 0 ||
        opt.idle_rounds < 1) {
        fprintf(stderr, "bench_load: --p7 1..1020 (one client process), --preload, --sample, "
                        "--mta >= 0 (0: no deliveries)\n");
        return 2;
    }
    /* 65,536, or as high as allowed without CAP_SYS_RESOURCE (the hard limit) */
    struct rlimit rl = { 65536, 65536 }, cur;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0 && getrlimit(RLIMIT_NOFILE, &cur) == 0) {
        cur.rlim_cur = cur.rlim_max;
        setrlimit(RLIMIT_NOFILE, &cur);
        fprintf(stderr, "bench_load: RLIMIT_NOFILE raised to the hard limit %llu only\n",
                (unsigned long long)cur.rlim_max);
    }

    char *data = x4t_tempdir("bench-load");
    if (data == NULL || ct_create_mailboxes(data, (size_t)opt.preload, 2048) < 0)
        return 1;
    char *manifest = ct_manifest(NULL, "\"max_connections\": 30000, \"idle_timeout\": \"1h\"");
    struct x4t_daemon *d = x4t_daemon_start_in(manifest, data);
    if (d == NULL)
        return 1;
    port = x4t_daemon_port(d, 1);
    pid_t dpid = x4t_daemon_pid(d);
    printf("bench_load: daemon pid %d, %d P7 associations + %d MTA associations for %d s; "
           "then %d idle P7 associations; %d entries of 2 KiB per mailbox\n",
           (int)dpid, opt.p7, opt.mta, opt.seconds, opt.idle, opt.preload);
    printf("  daemon at start: RSS %ld KiB, %d fds\n", rss_kib(dpid), x4t_daemon_fd_count(d));
    fflush(stdout);

    /* the idle holders are forked before this process starts its client stack */
    int n_kids = (opt.idle + 999) / 1000;
    struct idle_child *kids = calloc((size_t)(n_kids * opt.idle_rounds) + 1, sizeof *kids);
    if (spawn_idle_children(kids, n_kids * opt.idle_rounds, opt.idle / (n_kids ? n_kids : 1)) < 0) {
        perror("bench_load: fork");
        return 1;
    }

    list_seqs(0);
    list_seqs(1);

    /* ---- phase 1 ---- */
    long long t0 = x4t_now_ms();
    long long warmup_ms = opt.seconds * 1000LL / 10 > 10000 ? opt.seconds * 1000LL / 10 : 10000;
    t_measure_from = 1LL << 62; /* set once every association is bound */
    t_measure_to = 1LL << 62;
    struct worker *w = calloc((size_t)opt.p7, sizeof *w);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    for (int i = 0; i < opt.p7; i++) {
        w[i].index = i;
        pthread_create(&w[i].th, &attr, worker_main, &w[i]);
    }
    pthread_t mta_th;
    if (opt.mta > 0)
        pthread_create(&mta_th, NULL, mta_main, NULL);

    long long t_bound = 0, end = t0 + opt.seconds * 1000LL;
    long rss_warm = -1, rss_max = 0, rss_last = 0;
    int fds_max = 0;
    long long next_sample = t0;
    printf("  %7s %10s %6s %8s %10s %10s %10s %6s\n", "t (s)", "RSS (KiB)", "fds", "bound", "lists",
           "fetches", "delivered", "load1");
    while (x4t_now_ms() < end) {
        long long now = x4t_now_ms();
        if (t_bound == 0 && atomic_load(&bound) >= opt.p7) {
            t_bound = now;
            t_measure_from = now + warmup_ms;
            printf("  all %d P7 associations bound after %.1f s; measuring from t=%.0f s\n",
                   opt.p7, (double)(now - t0) / 1000.0, (double)(t_measure_from - t0) / 1000.0);
        }
        if (now >= next_sample) {
            long rss = rss_kib(dpid);
            int fds = x4t_daemon_fd_count(d);
            if (rss_warm < 0 && t_bound != 0 && now >= t_measure_from)
                rss_warm = rss;
            if (rss > rss_max)
                rss_max = rss;
            if (fds > fds_max)
                fds_max = fds;
            rss_last = rss;
            printf("  %7.0f %10ld %6d %8ld %10ld %10ld %10ld %6.2f\n", (double)(now - t0) / 1000.0, rss,
                   fds, atomic_load(&bound), atomic_load(&lists_done), atomic_load(&fetches_done),
                   mta_acked, load1());
            fflush(stdout);
            next_sample += opt.sample * 1000LL;
        }
        usleep(100 * 1000);
    }
    t_measure_to = x4t_now_ms();
    if (t_measure_from > t_measure_to)
        t_measure_from = t_measure_to; /* never all bound: no window */
    atomic_store(&stop_flag, 1);
    for (int i = 0; i < opt.p7; i++)
        pthread_join(w[i].th, NULL);
    if (opt.mta > 0)
        pthread_join(mta_th, NULL);
    double window = (double)(t_measure_to - t_measure_from) / 1000.0;
    struct lat all_list = { 0 }, all_fetch = { 0 };
    for (int i = 0; i < opt.p7; i++) {
        for (size_t k = 0; k < w[i].list.n; k++)
            lat_add(&all_list, w[i].list.v[k]);
        for (size_t k = 0; k < w[i].fetch.n; k++)
            lat_add(&all_fetch, w[i].fetch.v[k]);
        free(w[i].list.v);
        free(w[i].fetch.v);
    }
    printf("phase 1: %.0f s measured after a %.0f s warm-up (P7: %ld bind failures, %ld operation "
           "failures)\n", window, (double)warmup_ms / 1000.0, atomic_load(&binds_failed),
           atomic_load(&op_failures));
    lat_report("List", &all_list, window > 0 ? window : 1);
    lat_report("Fetch", &all_fetch, window > 0 ? window : 1);
    printf("  MTA    %ld deliveries acknowledged (%ld failed) in %ld batches: %.1f/s while "
           "delivering; batch p50 mean %.2f ms, worst batch p99 %.2f ms\n", mta_acked, mta_failed,
           mta_batches, mta_seconds > 0 ? (double)mta_acked / mta_seconds : 0.0,
           mta_batches ? mta_p50_sum / (double)mta_batches : 0.0, mta_p99_max);
    printf("  daemon RSS: after warm-up %ld KiB, max %ld KiB, at the end %ld KiB; max %d fds\n",
           rss_warm, rss_max, rss_last, fds_max);
    sleep(3);
    printf("  after the load (associations closed): RSS %ld KiB, %d fds\n", rss_kib(dpid),
           x4t_daemon_fd_count(d));
    fflush(stdout);

    /* ---- phase 2 ---- */
    for (int r = 0; n_kids > 0 && r < opt.idle_rounds; r++)
        idle_round(d, dpid, kids + r * n_kids, n_kids, r + 1);
    if (opt.trim_probe)
        trim_probe(dpid);
    /* Non-zero under LeakSanitizer when the daemon leaked (its log is printed). */
    int status = x4t_daemon_stop(d);
    printf("daemon stopped: exit status %d\n", status);
    fflush(stdout);
    free(w);
    free(kids);
    free(seqs[0]);
    free(seqs[1]);
    free(manifest);
    free(data);
    return 0;
}
