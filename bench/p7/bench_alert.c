/* bench/p7: delivery -> Alert -> Fetch latency (issues 6 and 8). Figures
 * only, never pass/fail.
 *
 *   X400MS_TOP_BUILDDIR=$PWD X400MS_MODULE_PATH=$PWD/modules bench/p7/bench_alert \
 *       [-m local,p3,fake] [-n MESSAGES] [-w WARMUP] [-u 1,10,100] [-e ENTRIES]
 *
 * The daemon runs rfc1006, store_file, autoaction, alert and p7, and one
 * way for a message to reach bob's In Box (-m, default "local,p3"):
 *   local  alice submits over P7 (indirect submission, X.413 8.2.4) to the
 *          embedded local MTA (module mta_local), which delivers to bob;
 *   p3     an MTA process (bench/alert/p3_mta.c) invokes message-delivery
 *          (X.411 8.3.1.1) over P3 (mts-forced-access) to the p3 module;
 *   fake   the tests' MTS provider "fakemts" delivers a P7 submission at
 *          once, on the submitting thread.
 * Every path ends in the store's entry-delivered hook, so the auto-alert
 * path is the real one. bob has an auto-alert registration (X.413 12.3,
 * 2.6.4.4.1); 1, 10, then 100 of his UAs are bound (-u); each gets the
 * Alert (X.413 8.2.8) and fetches the entry it names, content included:
 * from the Alert callback on the client's loop thread (an event-driven UA),
 * or with -T on a thread of its own with the blocking x400ms_client_fetch
 * (two more thread wake-ups per alert, on the client side).
 * W warm-up messages (-w, default 10) are sent first and not counted, then
 * N (-n, default 200; half of it for 100 UAs) are measured, one at a time.
 *
 * Per UA and message: submit -> Alert received, Alert -> entry fetched and
 * submit -> fetched (end to end, the goal: p99 < 5 ms); per message: submit
 * -> the MS's answer (P7 submission result, or P3 delivery result: the
 * entry is durable), the MS's answer -> Alert received (signed; over P3 the
 * daemon sends both once the entry is durable, so this is the part of
 * "delivery -> Alert" that follows the store's commit), and the spread
 * between the first and the last UA to have fetched (fairness). "submit" is the moment the client hands the
 * operation to its stack. All times are CLOCK_MONOTONIC, one clock for the
 * processes of the machine. The UAs share this process's one client loop
 * thread (100 alerts and fetch results are decoded one after the other
 * there); the daemon runs 2 loop threads.
 *
 * -C N: N threads bind and unbind more UAs of bob during the run (alerts
 * in flight to sessions that end); a check of the MS, not a timing.
 *
 * Large mailbox: -e N delivers N entries of 2 KiB to bob's In Box before
 * the run (bound by the store's durable puts, ~500/s). To fill once and
 * reuse: X4T_KEEP=1 bench_alert -F -e N prints the data directory; then
 * ALERT_BENCH_DATA=DIR bench_alert ... copies it for each mode (cp -a). */
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "asn1/ms.h"
#include "bench/alert/p3_mta.h"
#include "tests/integration/p7/p7test.h"
#include "tests/lib/x4test.h"
#include "x400ms/client.h"
#include "x400ms/store.h"

#define MTA_NAME "bench-mta"
#define MTA_PASSWORD "bench-mta-secret"

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

/* The current round (one message), under round_lock. */
static pthread_mutex_t round_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t round_cond = PTHREAD_COND_INITIALIZER;
static int fetched;               /* UAs done with this round's entry */
static long long round_alert[128], round_fetched[128]; /* absolute, per UA of this round */
static atomic_int failures;

static struct ua *uas;
static bool ua_threads;           /* -T: a thread per UA, blocking Fetch */

static void record(struct ua *u, long long t_alert, long long t_done)
{
    size_t index = (size_t)(u - uas);
    pthread_mutex_lock(&round_lock);
    round_alert[index] = t_alert;
    round_fetched[index] = t_done;
    fetched++;
    pthread_cond_broadcast(&round_cond);
    pthread_mutex_unlock(&round_lock);
}

static const char *const fetch_attrs[] = { "2.6.4.3.39", "2.6.4.3.1", NULL }; /* content, content-length */

static void fetch_done(void *ctx, const struct x400ms_client_outcome *o)
{
    struct ua *u = ctx;
    long long t = now_us();
    if (o->kind != 1) { /* result */
        fprintf(stderr, "fetch %u: outcome %d (error %lld)\n", u->seq, o->kind,
                (long long)o->errcode);
        atomic_fetch_add(&failures, 1);
    }
    record(u, u->t_alert, t);
}

/* Loop-driven UA (the default): Fetch (X.413 8.2.3) invoked from the Alert
 * callback on the client's loop thread, as an event-driven UA would. */
static void fetch_async(struct ua *u)
{
    uint8_t oid[2][64];
    struct ms_attr_selection sel[2];
    memset(sel, 0, sizeof sel);
    for (int i = 0; i < 2; i++) {
        int n = ber_oid_from_text(fetch_attrs[i], oid[i], sizeof oid[i]);
        sel[i].type = ber_slice_make(oid[i], n > 0 ? (size_t)n : 0);
    }
    struct ms_fetch_arg fa;
    memset(&fa, 0, sizeof fa);
    fa.precise = true;
    fa.sequence_number = u->seq;
    fa.has_requested_attributes = true;
    fa.requested_array = sel;
    fa.n_requested_array = 2;
    struct ber_writer w;
    ber_writer_init(&w);
    struct x400ms_error err;
    if (ms_fetch_arg_encode(&w, &fa) < 0 || w.error ||
        x400ms_client_invoke_async(u->c, MS_OP_FETCH, ber_writer_data(&w), ber_writer_len(&w),
                                   fetch_done, u, &err) < 0) {
        fprintf(stderr, "fetch %u: cannot invoke\n", u->seq);
        atomic_fetch_add(&failures, 1);
        record(u, u->t_alert, now_us());
    }
    ber_writer_free(&w);
}

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
    if (!ua_threads)
        fetch_async(u);
}

/* -T: the UA's own thread fetches with the blocking call. */
static void *ua_main(void *arg)
{
    struct ua *u = arg;
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
        if (x400ms_client_fetch(u->c, 0, seq, fetch_attrs, &e, &err) < 0) {
            fprintf(stderr, "fetch %u: %s\n", seq, err.message);
            atomic_fetch_add(&failures, 1);
        } else {
            x400ms_client_entry_free(&e);
        }
        record(u, t_alert, now_us());
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

/* How a message reaches bob. */
struct source {
    const char *mode;
    struct x400ms_client *alice;  /* local, fake */
    struct p3_mta *mta;           /* p3 */
};

/* Sends one message; *t0 when handed over, *t_answer when the MS answered. */
static void send_one(struct source *src, long long *t0, long long *t_answer)
{
    if (src->mta != NULL) {
        if (p3_mta_deliver(src->mta, t0, t_answer) < 0) {
            fprintf(stderr, "P3 message-delivery failed\n");
            exit(1);
        }
        return;
    }
    const char *to[] = { P7T_BOB, NULL };
    static const char body[2048] = "alert latency";
    struct x400ms_client_message m = { .originator = P7T_ALICE, .to = to, .subject = "bench",
                                       .body = (const uint8_t *)body, .body_len = sizeof body,
                                       .priority = 0 };
    struct x400ms_client_submitted out;
    struct x400ms_error err;
    *t0 = now_us();
    if (x400ms_client_send(src->alice, &m, &out, &err) < 0) {
        fprintf(stderr, "send: %s\n", err.message);
        exit(1);
    }
    *t_answer = now_us();
}

struct dist {
    long long *v;
    size_t n;
};

static void dist_print(const char *what, struct dist *d)
{
    if (d->n == 0)
        return;
    qsort(d->v, d->n, sizeof *d->v, cmp_ll);
    printf("    %-22s p50 %6.2f  p90 %6.2f  p99 %6.2f  max %6.2f ms  (%zu)\n", what,
           d->v[d->n / 2] / 1000.0, d->v[d->n * 90 / 100] / 1000.0, d->v[d->n * 99 / 100] / 1000.0,
           d->v[d->n - 1] / 1000.0, d->n);
}

/* -C: UAs of bob binding and unbinding all the time (their Alerts are in
 * flight when they go), to exercise the MS's session checks; not timed. */
static atomic_bool churn_stop;

static void churn_alert(void *ctx, int64_t registration_id, uint32_t seq, const uint8_t *arg,
                        size_t len)
{
    (void)ctx;
    (void)registration_id;
    (void)seq;
    (void)arg;
    (void)len;
}

static void *churn_main(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    while (!atomic_load(&churn_stop)) {
        struct x400ms_client *c = bind_as(P7T_BOB);
        x400ms_client_set_alert_handler(c, churn_alert, NULL);
        struct timespec ts = { 0, (long)(rand_r(&seed) % 3000) * 1000L };
        nanosleep(&ts, NULL);
        x400ms_client_unbind(&c);
    }
    return NULL;
}

static int churners;

static void run(struct source *src, int n_uas, int warmup, int messages)
{
    pthread_t churn[4];
    atomic_store(&churn_stop, false);
    for (int i = 0; i < churners && i < 4; i++)
        pthread_create(&churn[i], NULL, churn_main, (void *)(uintptr_t)(i + 1));
    uas = calloc((size_t)n_uas, sizeof *uas);
    size_t cap = (size_t)n_uas * (size_t)messages;
    struct dist to_alert = { calloc(cap, sizeof(long long)), 0 };
    struct dist to_fetch = { calloc(cap, sizeof(long long)), 0 };
    struct dist end_to_end = { calloc(cap, sizeof(long long)), 0 };
    struct dist answer = { calloc((size_t)messages, sizeof(long long)), 0 };
    struct dist spread = { calloc((size_t)messages, sizeof(long long)), 0 };
    struct dist answer_to_alert = { calloc(cap, sizeof(long long)), 0 };
    struct dist answer_to_fetch = { calloc(cap, sizeof(long long)), 0 };
    for (int i = 0; i < n_uas; i++) {
        struct ua *u = &uas[i];
        pthread_mutex_init(&u->lock, NULL);
        pthread_cond_init(&u->cond, NULL);
        u->c = bind_as(P7T_BOB);
        x400ms_client_set_alert_handler(u->c, on_alert, u);
        if (ua_threads)
            pthread_create(&u->th, NULL, ua_main, u);
    }
    int timed_out = 0;
    for (int r = 0; r < warmup + messages && !timed_out; r++) {
        pthread_mutex_lock(&round_lock);
        fetched = 0;
        pthread_mutex_unlock(&round_lock);
        long long t0, t_answer;
        send_one(src, &t0, &t_answer);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 20;
        pthread_mutex_lock(&round_lock);
        while (fetched < n_uas && !timed_out)
            timed_out = pthread_cond_timedwait(&round_cond, &round_lock, &until) != 0;
        if (!timed_out && r >= warmup) {
            long long first = round_fetched[0], last = round_fetched[0];
            for (int i = 0; i < n_uas; i++) {
                to_alert.v[to_alert.n++] = round_alert[i] - t0;
                to_fetch.v[to_fetch.n++] = round_fetched[i] - round_alert[i];
                end_to_end.v[end_to_end.n++] = round_fetched[i] - t0;
                answer_to_alert.v[answer_to_alert.n++] = round_alert[i] - t_answer;
                answer_to_fetch.v[answer_to_fetch.n++] = round_fetched[i] - t_answer;
                first = round_fetched[i] < first ? round_fetched[i] : first;
                last = round_fetched[i] > last ? round_fetched[i] : last;
            }
            answer.v[answer.n++] = t_answer - t0;
            spread.v[spread.n++] = last - first;
        }
        pthread_mutex_unlock(&round_lock);
    }
    if (timed_out) {
        fprintf(stderr, "a round timed out: %d of %d UAs fetched\n", fetched, n_uas);
        atomic_fetch_add(&failures, 1);
    }
    atomic_store(&churn_stop, true);
    for (int i = 0; i < churners && i < 4; i++)
        pthread_join(churn[i], NULL);
    for (int i = 0; i < n_uas; i++) {
        struct ua *u = &uas[i];
        pthread_mutex_lock(&u->lock);
        u->stop = true;
        pthread_cond_signal(&u->cond);
        pthread_mutex_unlock(&u->lock);
        if (ua_threads)
            pthread_join(u->th, NULL);
        x400ms_client_unbind(&u->c);
    }
    printf("  %s, %d UA(s)%s: %zu messages after %d warm-up (not counted), %zu alerts\n",
           src->mode, n_uas, ua_threads ? " (a thread each, blocking Fetch)" : "", answer.n, warmup,
           to_alert.n);
    dist_print("submit -> alert", &to_alert);
    dist_print("alert -> fetched", &to_fetch);
    dist_print("submit -> fetched", &end_to_end);
    dist_print(src->mta ? "delivery -> P3 result" : "submit -> P7 result", &answer);
    dist_print(src->mta ? "P3 result -> alert" : "P7 result -> alert", &answer_to_alert);
    /* From the delivery acknowledged (durable in the store) to the entry
     * fetched by the UA: delivery -> alert -> fetch without the MTA's
     * transfer and the store's flush. */
    dist_print(src->mta ? "P3 result -> fetched" : "P7 result -> fetched", &answer_to_fetch);
    if (n_uas > 1)
        dist_print("fetch spread (fairness)", &spread);
    fflush(stdout);
    free(to_alert.v);
    free(to_fetch.v);
    free(end_to_end.v);
    free(answer.v);
    free(spread.v);
    free(answer_to_alert.v);
    free(answer_to_fetch.v);
    free(uas);
    uas = NULL;
}

/* The manifest of mode; caller frees. */
static char *manifest_of(const char *mode)
{
    const char *top = getenv("X400MS_TOP_BUILDDIR");
    char extra[2048] = "";
    if (strcmp(mode, "fake") == 0) {
        snprintf(extra, sizeof extra,
                 "  { \"name\": \"fakemts\", \"file\": \"%s/tests/integration/p7/fakemts\" },\n",
                 top ? top : ".");
    } else if (strcmp(mode, "local") == 0) {
        snprintf(extra, sizeof extra,
                 "  { \"name\": \"mta_local\", \"config\": { \"country\": \"XX\", \"admd\": \" \", "
                 "\"prmd\": \"TEST\" } },\n");
    } else {
        char hash[X400MS_STORE_PASSWORD_HASH_MAX];
        struct x400ms_error err;
        if (x400ms_password_hash(MTA_PASSWORD, strlen(MTA_PASSWORD), 1000, hash, sizeof hash,
                                 &err) < 0)
            return NULL;
        snprintf(extra, sizeof extra,
                 "  { \"name\": \"p3\", \"config\": { \"accounts\": [ { \"name\": \"" MTA_NAME
                 "\", \"password_hash\": \"%s\" } ] } },\n", hash);
    }
    char *out = malloc(8192);
    if (out != NULL)
        snprintf(out, 8192,
                 "{ \"threads\": 2, \"log\": { \"level\": \"notice\" }, \"modules\": [\n"
                 "  { \"name\": \"rfc1006\", \"config\": {\n"
                 "      \"listen\": [ { \"address\": \"127.0.0.1\", \"port\": @PORT1@ } ] } },\n"
                 "  { \"name\": \"store_file\" },\n"
                 "  { \"name\": \"autoaction\" },\n"
                 "  { \"name\": \"alert\" },\n"
                 "%s"
                 "  { \"name\": \"p7\" }\n"
                 "] }\n", extra);
    return out;
}

/* A fresh data directory: a copy of ALERT_BENCH_DATA or of base. */
static char *data_copy(const char *from)
{
    char *dir = x4t_tempdir("bench-alert");
    if (dir == NULL)
        return NULL;
    char src[4200];
    snprintf(src, sizeof src, "%s/.", from);
    char *argv[] = { "/bin/cp", "-a", src, dir, NULL };
    if (x4t_run(argv, NULL, 600000) != 0) {
        fprintf(stderr, "cp -a %s %s failed\n", src, dir);
        free(dir);
        return NULL;
    }
    return dir;
}

static int parse_list(const char *s, int *out, int max)
{
    int n = 0;
    for (char *end; *s != '\0' && n < max; s = *end == ',' ? end + 1 : end) {
        long v = strtol(s, &end, 10);
        if (end == s || v < 1 || v > 128)
            return -1;
        out[n++] = (int)v;
    }
    return n;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_alert [-m local,p3,fake] [-n MESSAGES] [-w WARMUP] "
                    "[-u 1,10,100 (at most 128)] [-e ENTRIES] [-F (fill only)] [-T (a thread per UA)]\n"
                    "       [-C N (N <= 4 threads binding and unbinding UAs during the run)]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *modes = "local,p3";
    int messages = 200, warmup = 10, ua_counts[8] = { 1, 10, 100 }, n_counts = 3;
    size_t entries = 0;
    bool fill_only = false;
    int ch;
    while ((ch = getopt(argc, argv, "m:n:w:u:e:FTC:")) != -1) {
        switch (ch) {
        case 'C': churners = atoi(optarg); break;
        case 'T': ua_threads = true; break;
        case 'm': modes = optarg; break;
        case 'n': messages = atoi(optarg); break;
        case 'w': warmup = atoi(optarg); break;
        case 'u':
            if ((n_counts = parse_list(optarg, ua_counts, 8)) <= 0)
                usage();
            break;
        case 'e': entries = strtoul(optarg, NULL, 10); break;
        case 'F': fill_only = true; break;
        default: usage();
        }
    }
    if (optind < argc) /* the old form: bench_alert MESSAGES */
        messages = atoi(argv[optind]);
    if (messages < 1 || warmup < 0)
        usage();

    /* the P3 MTA process is forked before any thread starts here */
    struct p3_mta *mta = NULL;
    if (strstr(modes, "p3") != NULL &&
        (mta = p3_mta_start(MTA_NAME, MTA_PASSWORD, "/C=XX/A= /P=BENCH/O=MTA/S=originator/",
                            P7T_BOB, 2048)) == NULL)
        return 1;

    const char *kept = getenv("ALERT_BENCH_DATA");
    char *base = kept ? strdup(kept) : x4t_tempdir("bench-alert-base");
    if (kept == NULL) {
        long long t = now_us();
        struct p7t_fill alice = { "alice", P7T_ALICE, P7T_PASSWORD, 0, 100, false, false, 0, 0 };
        struct p7t_fill bob = { "bob", P7T_BOB, P7T_PASSWORD, entries, 2048, false, false, 10, 0 };
        if (base == NULL || p7t_fill_mailbox(base, &alice) < 0 || p7t_fill_mailbox(base, &bob) < 0)
            return 1;
        if (entries > 0)
            printf("filled bob's In Box with %zu entries of 2 KiB in %.1f s\n", entries,
                   (double)(now_us() - t) / 1e6);
        if (fill_only) {
            printf("data in %s (ALERT_BENCH_DATA=%s; kept only with X4T_KEEP=1)\n", base, base);
            p3_mta_stop(mta);
            return 0;
        }
    }
    double load[3] = { 0, 0, 0 };
    getloadavg(load, 3);
    if (kept != NULL)
        printf("bench_alert: bob's In Box holds the entries of ALERT_BENCH_DATA=%s", kept);
    else
        printf("bench_alert: bob's In Box holds %zu entries", entries);
    printf(" before the run; load average %.2f %.2f %.2f\n", load[0], load[1], load[2]);

    char *list = strdup(modes);
    for (char *save = NULL, *mode = strtok_r(list, ",", &save); mode != NULL;
         mode = strtok_r(NULL, ",", &save)) {
        if (strcmp(mode, "local") != 0 && strcmp(mode, "p3") != 0 && strcmp(mode, "fake") != 0)
            usage();
        char *manifest = manifest_of(mode);
        char *data = data_copy(base);
        struct x4t_daemon *d = manifest && data ? x4t_daemon_start_in(manifest, data) : NULL;
        free(manifest);
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

        struct source src = { .mode = mode };
        if (strcmp(mode, "p3") == 0) {
            if (p3_mta_bind(mta, port) < 0)
                return 1;
            src.mta = mta;
        } else {
            src.alice = bind_as(P7T_ALICE);
        }
        for (int i = 0; i < n_counts; i++)
            run(&src, ua_counts[i], warmup,
                ua_counts[i] >= 100 && messages > 1 ? messages / 2 : messages);
        if (src.alice != NULL)
            x400ms_client_unbind(&src.alice);
        if (src.mta != NULL) {
            p3_mta_stop(mta);
            mta = NULL;
        }
        int status = x4t_daemon_stop(d);
        if (status != 0) {
            fprintf(stderr, "the daemon exited with status %d\n", status);
            atomic_fetch_add(&failures, 1);
        }
    }
    p3_mta_stop(mta);
    getloadavg(load, 3);
    printf("bench_alert: done; load average %.2f %.2f %.2f\n", load[0], load[1], load[2]);
    free(list);
    if (kept == NULL && getenv("X4T_KEEP") == NULL)
        x4t_rmtree(base);
    free(base);
    return atomic_load(&failures) ? 1 : 0;
}
