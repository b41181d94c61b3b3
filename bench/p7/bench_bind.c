/* bench/p7: MS-bind latency while a flood of wrong-password binds runs
 * (issue 10: 40 parallel wrong binds made a good bind take 4.9 s). Figures
 * only, never pass/fail.
 *
 *   X400MS_TOP_BUILDDIR=$PWD X400MS_MODULE_PATH=$PWD/modules bench/p7/bench_bind [FLOODERS [SECONDS]]
 *
 * FLOODERS threads bind to alice with wrong passwords in a loop (first all
 * the same wrong password, then each attempt a different one); meanwhile
 * good binds of bob (first ever, then again) and of alice are timed. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/integration/p7/p7test.h"
#include "tests/lib/x4test.h"
#include "x400ms/client.h"

static int port;
static atomic_bool stop;
static atomic_long attempts;
static bool distinct;

static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static void *flood(void *arg)
{
    long id = (long)(intptr_t)arg;
    long n = 0;
    while (!atomic_load(&stop)) {
        char pw[32];
        if (distinct)
            snprintf(pw, sizeof pw, "wrong-%ld-%ld", id, n++);
        else
            snprintf(pw, sizeof pw, "wrong");
        struct x400ms_client_params p;
        p7t_params(&p, port, P7T_ALICE, pw, X400MS_CLIENT_MS_88);
        struct x400ms_client *c = NULL;
        struct x400ms_error err;
        if (x400ms_client_bind(&p, &c, NULL, &err) == 0)
            x400ms_client_unbind(&c);
        atomic_fetch_add(&attempts, 1);
    }
    return NULL;
}

/* One good bind: milliseconds, or -1. */
static double good_bind(const char *who)
{
    struct x400ms_client_params p;
    p7t_params(&p, port, who, P7T_PASSWORD, X400MS_CLIENT_MS_88);
    struct x400ms_client *c = NULL;
    struct x400ms_error err;
    long long t = now_us();
    if (x400ms_client_bind(&p, &c, NULL, &err) < 0) {
        fprintf(stderr, "good bind of %s failed: %s\n", who, err.message);
        return -1;
    }
    double ms = (double)(now_us() - t) / 1000.0;
    x400ms_client_unbind(&c);
    return ms;
}

static void round_(int flooders, double seconds, bool distinct_pw, const char *fresh)
{
    distinct = distinct_pw;
    atomic_store(&stop, false);
    atomic_store(&attempts, 0);
    pthread_t *th = calloc((size_t)flooders, sizeof *th);
    for (int i = 0; i < flooders; i++)
        pthread_create(&th[i], NULL, flood, (void *)(intptr_t)i);
    struct timespec settle = { 0, 300 * 1000000L }; /* let the flood build up */
    nanosleep(&settle, NULL);
    double first = good_bind(fresh);
    double again = good_bind(fresh);
    double alice = good_bind(P7T_ALICE);
    long long end = now_us() + (long long)(seconds * 1e6);
    while (now_us() < end)
        nanosleep(&settle, NULL);
    double later = good_bind(fresh);
    atomic_store(&stop, true);
    for (int i = 0; i < flooders; i++)
        pthread_join(th[i], NULL);
    printf("%d flooders, %s wrong passwords (%ld attempts): good bind of a mailbox not bound "
           "before %.1f ms, again %.1f ms, later %.1f ms; the flooded mailbox's own good bind "
           "%.1f ms\n", flooders, distinct_pw ? "distinct" : "the same", atomic_load(&attempts),
           first, again, later, alice);
    free(th);
}

int main(int argc, char **argv)
{
    int flooders = argc > 1 ? atoi(argv[1]) : 40;
    double seconds = argc > 2 ? atof(argv[2]) : 3.0;
    char *data = x4t_tempdir("bench-p7-bind");
    static const char *const names[] = { "alice", "bob", "carol", "dave" };
    static const char *const addrs[] = { P7T_ALICE, P7T_BOB, "/C=XX/A= /P=TEST/O=Org/S=carol/",
                                         "/C=XX/A= /P=TEST/O=Org/S=dave/" };
    for (int i = 0; i < 4; i++) {
        /* the production cost of a check (X400MS_PASSWORD_DEFAULT_ITERATIONS) */
        struct p7t_fill f = { names[i], addrs[i], P7T_PASSWORD, 1, 100, false, false, 0,
                              X400MS_PASSWORD_DEFAULT_ITERATIONS };
        if (p7t_fill_mailbox(data, &f) < 0)
            return 1;
    }
    char *manifest = p7t_manifest(NULL, NULL);
    struct x4t_daemon *d = x4t_daemon_start_in(manifest, data);
    if (d == NULL)
        return 1;
    port = x4t_daemon_port(d, 1);
    double first = good_bind(addrs[3]);
    double again = good_bind(addrs[3]);
    printf("idle: good bind %.1f ms (first), %.1f ms (again)\n", first, again);
    round_(flooders, seconds, false, P7T_BOB);
    round_(flooders, seconds, true, addrs[2]);
    x4t_daemon_stop(d);
    free(manifest);
    free(data);
    return 0;
}
