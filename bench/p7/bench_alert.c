/* bench/p7: delivery -> Alert -> Fetch latency (issues 6 and 8). Figures
 * only, never pass/fail.
 *
 *   X400MS_TOP_BUILDDIR=$PWD X400MS_MODULE_PATH=$PWD/modules bench/p7/bench_alert [ROUNDS]
 *
 * The daemon runs rfc1006, store_file, autoaction, alert, p7 and the tests'
 * MTS provider "fakemts", which delivers a submitted message at once into
 * the recipient's In Box (the store's entry-delivered hook, so the
 * auto-alert path is the real one). bob has an auto-alert registration
 * (X.413 12.3, 2.6.4.4.1) and 1, 10, then 100 of his UAs are bound; alice
 * submits a message to bob (P7 indirect submission), each bound UA gets
 * the Alert (X.413 8.2.8) and fetches the entry it names, content included.
 * Reported per UA and message: submit -> Alert received, and Alert ->
 * entry fetched (p50, p99). Client and daemon share the machine's cores. */
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

static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

/* One bound UA of bob: the Alert handler (client loop thread) hands the
 * entry to the UA's own thread, which fetches it. */
struct ua {
    struct x400ms_client *c;
    pthread_t th;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool alerted, stop;
    uint32_t seq;
    long long t_alert;
};

static pthread_mutex_t round_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t round_cond = PTHREAD_COND_INITIALIZER;
static int fetched;               /* UAs done with this round's entry */
static long long t_submit;
static long long *to_alert, *to_fetch;
static size_t n_samples;
static atomic_int failures;

static void on_alert(void *ctx, int64_t registration_id, uint32_t seq, const uint8_t *arg,
                     size_t len)
{
    (void)registration_id;
    (void)arg;
    (void)len;
    struct ua *u = ctx;
    long long t = now_us();
    pthread_mutex_lock(&u->lock);
    u->seq = seq;
    u->t_alert = t;
    u->alerted = true;
    pthread_cond_signal(&u->cond);
    pthread_mutex_unlock(&u->lock);
}

static void *ua_main(void *arg)
{
    struct ua *u = arg;
    static const char *const attrs[] = { "2.6.4.3.39", "2.6.4.3.1", NULL };
    for (;;) {
        pthread_mutex_lock(&u->lock);
        while (!u->alerted && !u->stop)
            pthread_cond_wait(&u->cond, &u->lock);
        if (u->stop) {
            pthread_mutex_unlock(&u->lock);
            return NULL;
        }
        u->alerted = false;
        uint32_t seq = u->seq;
        long long t_alert = u->t_alert;
        pthread_mutex_unlock(&u->lock);

        struct x400ms_client_entry e;
        struct x400ms_error err;
        if (x400ms_client_fetch(u->c, 0, seq, attrs, &e, &err) < 0) {
            fprintf(stderr, "fetch %u: %s\n", seq, err.message);
            atomic_fetch_add(&failures, 1);
        } else {
            x400ms_client_entry_free(&e);
        }
        long long t_done = now_us();
        pthread_mutex_lock(&round_lock);
        to_alert[n_samples] = t_alert - t_submit;
        to_fetch[n_samples] = t_done - t_alert;
        n_samples++;
        fetched++;
        pthread_cond_broadcast(&round_cond);
        pthread_mutex_unlock(&round_lock);
    }
}

static struct x400ms_client *bind_as(const char *who)
{
    struct x400ms_client_params p;
    p7t_params(&p, port, who, P7T_PASSWORD, X400MS_CLIENT_MS_94);
    struct x400ms_client *c = NULL;
    struct x400ms_error err;
    if (x400ms_client_bind(&p, &c, NULL, &err) < 0) {
        fprintf(stderr, "bind: %s\n", err.message);
        exit(1);
    }
    return c;
}

static void run(struct x400ms_client *alice, int n_uas, int rounds)
{
    struct ua *uas = calloc((size_t)n_uas, sizeof *uas);
    to_alert = calloc((size_t)(n_uas * rounds), sizeof *to_alert);
    to_fetch = calloc((size_t)(n_uas * rounds), sizeof *to_fetch);
    n_samples = 0;
    for (int i = 0; i < n_uas; i++) {
        struct ua *u = &uas[i];
        pthread_mutex_init(&u->lock, NULL);
        pthread_cond_init(&u->cond, NULL);
        u->c = bind_as(P7T_BOB);
        x400ms_client_set_alert_handler(u->c, on_alert, u);
        pthread_create(&u->th, NULL, ua_main, u);
    }
    const char *to[] = { P7T_BOB, NULL };
    static const char body[2048] = "alert latency";
    struct x400ms_client_message m = { .originator = P7T_ALICE, .to = to, .subject = "bench",
                                       .body = (const uint8_t *)body, .body_len = sizeof body,
                                       .priority = 0 };
    int timed_out = 0;
    for (int r = 0; r < rounds && !timed_out; r++) {
        pthread_mutex_lock(&round_lock);
        fetched = 0;
        t_submit = now_us();
        pthread_mutex_unlock(&round_lock);
        struct x400ms_client_submitted out;
        struct x400ms_error err;
        if (x400ms_client_send(alice, &m, &out, &err) < 0) {
            fprintf(stderr, "send: %s\n", err.message);
            exit(1);
        }
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 20;
        pthread_mutex_lock(&round_lock);
        while (fetched < n_uas && !timed_out)
            timed_out = pthread_cond_timedwait(&round_cond, &round_lock, &until) != 0;
        pthread_mutex_unlock(&round_lock);
    }
    if (timed_out)
        fprintf(stderr, "a round timed out: %d of %d UAs fetched\n", fetched, n_uas);
    for (int i = 0; i < n_uas; i++) {
        struct ua *u = &uas[i];
        pthread_mutex_lock(&u->lock);
        u->stop = true;
        pthread_cond_signal(&u->cond);
        pthread_mutex_unlock(&u->lock);
        pthread_join(u->th, NULL);
        x400ms_client_unbind(&u->c);
    }
    size_t n = n_samples;
    qsort(to_alert, n, sizeof *to_alert, cmp_ll);
    qsort(to_fetch, n, sizeof *to_fetch, cmp_ll);
    if (n > 0)
        printf("%3d UA(s), %d messages (%zu alerts): submit -> alert p50 %.2f ms, p99 %.2f ms; "
               "alert -> fetched p50 %.2f ms, p99 %.2f ms\n", n_uas, rounds, n,
               to_alert[n / 2] / 1000.0, to_alert[n * 99 / 100] / 1000.0,
               to_fetch[n / 2] / 1000.0, to_fetch[n * 99 / 100] / 1000.0);
    free(to_alert);
    free(to_fetch);
    free(uas);
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 50;
    char *data = x4t_tempdir("bench-p7-alert");
    struct p7t_fill alice = { "alice", P7T_ALICE, P7T_PASSWORD, 0, 100, false, false, 0, 0 };
    struct p7t_fill bob = { "bob", P7T_BOB, P7T_PASSWORD, 0, 100, false, false, 0, 0 };
    if (data == NULL || p7t_fill_mailbox(data, &alice) < 0 || p7t_fill_mailbox(data, &bob) < 0)
        return 1;
    const char *top = getenv("X400MS_TOP_BUILDDIR");
    char manifest[4096];
    snprintf(manifest, sizeof manifest,
             "{ \"threads\": 2, \"log\": { \"level\": \"notice\" }, \"modules\": [\n"
             "  { \"name\": \"rfc1006\", \"config\": {\n"
             "      \"listen\": [ { \"address\": \"127.0.0.1\", \"port\": @PORT1@ } ] } },\n"
             "  { \"name\": \"store_file\" },\n"
             "  { \"name\": \"autoaction\" },\n"
             "  { \"name\": \"alert\" },\n"
             "  { \"name\": \"fakemts\", \"file\": \"%s/tests/integration/p7/fakemts\" },\n"
             "  { \"name\": \"p7\" }\n"
             "] }\n", top ? top : ".");
    struct x4t_daemon *d = x4t_daemon_start_in(manifest, data);
    free(data);
    if (d == NULL)
        return 1;
    port = x4t_daemon_port(d, 1);

    /* bob's auto-alert registration, kept for the mailbox */
    struct x400ms_client *b = bind_as(P7T_BOB);
    struct x400ms_client_register reg = { .auto_action_type = "2.6.4.4.1", .auto_action_id = 1 };
    struct x400ms_error err;
    if (x400ms_client_register_ms(b, &reg, &err) < 0) {
        fprintf(stderr, "register auto-alert: %s\n", err.message);
        return 1;
    }
    x400ms_client_unbind(&b);

    struct x400ms_client *alice_c = bind_as(P7T_ALICE);
    run(alice_c, 1, rounds);
    run(alice_c, 10, rounds);
    run(alice_c, 100, rounds / 2 > 0 ? rounds / 2 : 1);
    x400ms_client_unbind(&alice_c);
    x4t_daemon_stop(d);
    return atomic_load(&failures) ? 1 : 0;
}
