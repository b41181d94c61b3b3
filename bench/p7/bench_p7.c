/* bench/p7: P7 round trips on loopback against the real daemon with a large
 * mailbox. Figures only, never pass/fail.
 *
 *   X400MS_TOP_BUILDDIR=$PWD X400MS_MODULE_PATH=$PWD/modules bench/p7/bench_p7 [ENTRIES [SECONDS]]
 *
 * Measures: List of 100 new entries (round trip, p50/p99), Fetch of a 2 KiB
 * entry (content included) per second on 1 association and on 50.
 *
 * Filling is bound by the store's durable puts; to measure again on the same
 * mailbox: P7_BENCH_FILL_ONLY=1 X4T_KEEP=1 bench_p7 N (prints the data dir),
 * then for each run copy it (cp -a DIR COPY) and P7_BENCH_DATA=COPY bench_p7 N. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/integration/p7/p7test.h"
#include "tests/lib/x4test.h"
#include "x400ms/client.h"

static int port;
static size_t entries;
static double seconds = 3.0;

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static struct x400ms_client *bind_alice(void)
{
    struct x400ms_client_params p;
    p7t_params(&p, port, P7T_ALICE, P7T_PASSWORD, X400MS_CLIENT_MS_88);
    struct x400ms_client *c;
    struct x400ms_error err;
    if (x400ms_client_bind(&p, &c, NULL, &err) < 0) {
        fprintf(stderr, "bind: %s\n", err.message);
        exit(1);
    }
    return c;
}

struct fetcher {
    struct x400ms_client *c;
    unsigned seed;
    long long count;
    long long deadline;
};

static void *fetch_loop(void *arg)
{
    struct fetcher *f = arg;
    static const char *const attrs[] = { "2.6.4.3.39", "2.6.4.3.1", NULL };
    struct x400ms_error err;
    while (now_us() < f->deadline) {
        uint32_t seq = 1 + (uint32_t)(rand_r(&f->seed) % entries);
        struct x400ms_client_entry e;
        if (x400ms_client_fetch(f->c, 0, seq, attrs, &e, &err) < 0) {
            fprintf(stderr, "fetch %u: %s\n", seq, err.message);
            break;
        }
        x400ms_client_entry_free(&e);
        f->count++;
    }
    return NULL;
}

static double fetch_rate(int assocs)
{
    struct fetcher *f = calloc((size_t)assocs, sizeof *f);
    pthread_t *th = calloc((size_t)assocs, sizeof *th);
    for (int i = 0; i < assocs; i++)
        f[i].c = bind_alice();
    long long t0 = now_us();
    for (int i = 0; i < assocs; i++) {
        f[i].seed = (unsigned)i + 1;
        f[i].deadline = t0 + (long long)(seconds * 1e6);
        pthread_create(&th[i], NULL, fetch_loop, &f[i]);
    }
    long long total = 0;
    for (int i = 0; i < assocs; i++) {
        pthread_join(th[i], NULL);
        total += f[i].count;
    }
    double rate = (double)total / ((double)(now_us() - t0) / 1e6);
    for (int i = 0; i < assocs; i++)
        x400ms_client_unbind(&f[i].c);
    free(f);
    free(th);
    return rate;
}

int main(int argc, char **argv)
{
    entries = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
    if (argc > 2)
        seconds = atof(argv[2]);
    /* P7_BENCH_DATA: a data dir filled by an earlier run (X4T_KEEP=1) with
     * the same ENTRIES; filling is bound by the store's durable put rate */
    const char *keep = getenv("P7_BENCH_DATA");
    char *data = keep ? strdup(keep) : x4t_tempdir("bench-p7");
    long long t0 = now_us();
    if (keep == NULL) {
        struct p7t_fill fill = { "alice", P7T_ALICE, P7T_PASSWORD, entries, 2048, false, false, 10, 0 };
        if (p7t_fill_mailbox(data, &fill) < 0)
            return 1;
        printf("filled %zu entries of 2 KiB in %.1f s\n", entries, (double)(now_us() - t0) / 1e6);
        /* P7_BENCH_FILL_ONLY: keep a pristine copy (X4T_KEEP=1) for later
         * runs; List makes the entries listed, so copy it for each run */
        if (getenv("P7_BENCH_FILL_ONLY") != NULL) {
            printf("data in %s\n", data);
            return 0;
        }
    }
    char *manifest = p7t_manifest(NULL, NULL);
    t0 = now_us();
    struct x4t_daemon *d = x4t_daemon_start_in(manifest, data);
    if (d == NULL)
        return 1;
    printf("daemon ready in %.2f s\n", (double)(now_us() - t0) / 1e6);
    port = x4t_daemon_port(d, 1);

    /* List of 100 new entries: each round lists (and so marks) the next 100 */
    struct x400ms_client *c = bind_alice();
    enum { ROUNDS = 200 };
    long long lat[ROUNDS];
    int rounds = 0;
    struct x400ms_error err;
    for (; rounds < ROUNDS && (size_t)(rounds + 1) * 100 <= entries; rounds++) {
        struct x400ms_client_selector sel = X400MS_CLIENT_SELECTOR_INIT;
        sel.status = 0;
        sel.limit = 100;
        struct x400ms_client_list l;
        long long t = now_us();
        if (x400ms_client_list(c, 0, &sel, NULL, &l, &err) < 0) {
            fprintf(stderr, "list: %s\n", err.message);
            return 1;
        }
        lat[rounds] = now_us() - t;
        if (l.n != 100)
            fprintf(stderr, "list returned %zu entries\n", l.n);
        x400ms_client_list_free(&l);
    }
    if (getenv("P7_BENCH_VERBOSE") != NULL)
        for (int i = 0; i < rounds; i++)
            if (lat[i] > 20000)
                printf("  round %d: %.1f ms\n", i, lat[i] / 1000.0);
    qsort(lat, (size_t)rounds, sizeof lat[0], cmp_ll);
    printf("list 100 new (10 attributes each), %d rounds: p50 %.3f ms, p99 %.3f ms\n", rounds,
           lat[rounds / 2] / 1000.0, lat[rounds * 99 / 100] / 1000.0);
    x400ms_client_unbind(&c);

    printf("fetch 2 KiB, 1 association: %.0f/s\n", fetch_rate(1));
    printf("fetch 2 KiB, 50 associations: %.0f/s\n", fetch_rate(50));
    x4t_daemon_stop(d);
    free(manifest);
    free(data);
    return 0;
}
