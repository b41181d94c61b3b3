/* Integration: the whole daemon SIGKILLed under load. In each round the
 * real x400msd (rfc1006 + store_file + p3 + p7 + admin_api) takes
 * deliveries from the real x400ms-mta over 4 associations while P7 clients
 * list and fetch; it is killed with SIGKILL at a random moment. After the
 * restart (the daemon's own recovery) the admin API's index check must
 * report both mailboxes consistent and P7 must see every entry; then,
 * after a graceful stop, the In Box is read back through the store API:
 * every delivery x400ms-mta saw acknowledged (X.411 8.3.1.1: the result is
 * the MS taking responsibility) is present exactly once, no MTS identifier
 * appears twice, nothing stored in an earlier round was lost, and at most
 * the deliveries sent were stored.
 *
 * X4T_CRASH_ROUNDS (default 10 to stay under a minute in make check; the
 * issue's 20 rounds: X4T_CRASH_ROUNDS=20, ~75 s) and X4T_CRASH_SEED (default: the time,
 * printed) make a failing run repeatable. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/integration/crash/crashtest.h"
#include "tests/integration/p7/p7test.h"
#include "x400ms/client.h"

#define PRELOAD 10

/* A set of MTS identifier local parts (sorted array). */
struct idset {
    char (*v)[40];
    size_t n, cap;
};

static int cmp_id(const void *a, const void *b)
{
    return strcmp(a, b);
}

static bool idset_has(const struct idset *s, const char *id)
{
    return s->n > 0 && bsearch(id, s->v, s->n, sizeof s->v[0], cmp_id) != NULL;
}

static void idset_add(struct idset *s, const char *id)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->v = realloc(s->v, s->cap * sizeof s->v[0]);
        assert_non_null(s->v);
    }
    snprintf(s->v[s->n++], sizeof s->v[0], "%s", id);
}

static void idset_sort(struct idset *s)
{
    if (s->n > 0)
        qsort(s->v, s->n, sizeof s->v[0], cmp_id);
}

/* Entries of the In Box of alice and bob seen by P7. */
static uint64_t p7_count(int port)
{
    uint64_t total = 0;
    const char *who[] = { P7T_ALICE, P7T_BOB };
    for (int i = 0; i < 2; i++) {
        struct x400ms_client_params p;
        p7t_params(&p, port, who[i], P7T_PASSWORD, X400MS_CLIENT_MS_94);
        struct x400ms_client *c;
        struct x400ms_error err;
        if (x400ms_client_bind(&p, &c, NULL, &err) < 0)
            fail_msg("P7 bind after the restart: %s", err.message);
        struct x400ms_client_selector sel = X400MS_CLIENT_SELECTOR_INIT;
        struct x400ms_client_summary sum;
        if (x400ms_client_summarize(c, 0, &sel, &sum, &err) < 0)
            fail_msg("P7 summarize after the restart: %s", err.message);
        total += sum.count;
        x400ms_client_unbind(&c);
    }
    return total;
}

/* The "ack ID" lines of an --ack-log file. */
static void read_acks(const char *path, struct idset *acks)
{
    char *text = x4t_read_file(path);
    for (char *line = text, *next; line != NULL && *line != '\0'; line = next) {
        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        char id[40];
        if (sscanf(line, "ack %39s", id) == 1)
            idset_add(acks, id);
    }
    free(text);
    idset_sort(acks);
}

static void test_crash_daemon_sigkill_rounds(void **state)
{
    (void)state;
    const char *env = getenv("X4T_CRASH_ROUNDS");
    int rounds = env ? atoi(env) : 10;
    env = getenv("X4T_CRASH_SEED");
    unsigned seed = env ? (unsigned)strtoul(env, NULL, 10) : (unsigned)time(NULL);
    fprintf(stderr, "crash test: %d rounds, X4T_CRASH_SEED=%u, per-message acks %s\n", rounds,
            seed, ct_mta_has_ack_log() ? "from --ack-log" : "not available (counts only)");
    srand(seed);

    char *data = x4t_tempdir("crash");
    assert_non_null(data);
    assert_int_equal(ct_create_mailboxes(data, PRELOAD, 500), 0);
    char *manifest = ct_manifest(NULL, NULL);
    assert_non_null(manifest);
    struct idset stored = { 0 }; /* every identifier stored so far */
    long total_acked = 0, total_sent = 0;
    long long t_start = x4t_now_ms();

    for (int round = 1; round <= rounds; round++) {
        long long t0 = x4t_now_ms();
        struct x4t_daemon *d = x4t_daemon_start_in(manifest, data);
        assert_non_null(d);
        long long t_started = x4t_now_ms();
        int port = x4t_daemon_port(d, 1);
        char ack_log[4096];
        snprintf(ack_log, sizeof ack_log, "%s/acks-%d.txt", data, round);

        struct ct_p7load *load = ct_p7load_start(port, 4);
        assert_non_null(load);
        struct ct_mta *mta = ct_mta_start(port, 100000, 1500, 4, ack_log);
        assert_non_null(mta);
        int kill_after = 30 + rand() % 2000; /* from the binds to deep into the stream */
        usleep((useconds_t)kill_after * 1000);
        assert_int_equal(x4t_daemon_kill(d), 0);

        long sent, acked, failed;
        char *out = NULL;
        int st = ct_mta_finish(mta, &sent, &acked, &failed, &out);
        struct ct_p7load_stats ps;
        ct_p7load_stop(load, &ps);
        if (acked < 0 || st == 0)
            fail_msg("round %d: x400ms-mta (status %d) has no summary or did not see the "
                     "crash:\n%s", round, st, out ? out : "");
        free(out);

        /* restart: the daemon's own recovery; then the index check and P7 */
        long long t_killed = x4t_now_ms();
        d = x4t_daemon_start_in(manifest, data);
        assert_non_null(d);
        long long t_restarted = x4t_now_ms();
        const char *boxes[] = { "alice", "bob" };
        for (int i = 0; i < 2; i++) {
            char why[2048];
            int ok = ct_index_check(d, boxes[i], why, sizeof why);
            if (ok != 1)
                fail_msg("round %d: index check of %s after SIGKILL at %d ms: %s", round,
                         boxes[i], kill_after, why);
        }
        uint64_t seen_by_p7 = p7_count(x4t_daemon_port(d, 1));
        if (ct_daemon_graceful_stop(d) < 0)
            fail_msg("round %d: the daemon did not stop within 10 s of SIGTERM", round);
        long long t_stopped = x4t_now_ms();

        /* the store read back: exactly once, nothing lost */
        struct idset acks = { 0 };
        if (ct_mta_has_ack_log())
            read_acks(ack_log, &acks);
        struct idset now = { 0 };
        size_t preload_seen = 0;
        for (int i = 0; i < 2; i++) {
            struct ct_entry *e = NULL;
            int n = ct_read_inbox(data, boxes[i], &e);
            assert_true(n >= 0);
            for (int k = 0; k < n; k++) {
                if (e[k].local_id[0] == '\0')
                    preload_seen++;
                else
                    idset_add(&now, e[k].local_id);
            }
            free(e);
        }
        idset_sort(&now);
        assert_int_equal(preload_seen, 2 * PRELOAD);
        assert_int_equal(seen_by_p7, preload_seen + now.n);
        for (size_t i = 1; i < now.n; i++)
            if (strcmp(now.v[i - 1], now.v[i]) == 0)
                fail_msg("round %d: delivery %s stored twice", round, now.v[i]);
        for (size_t i = 0; i < stored.n; i++)
            if (!idset_has(&now, stored.v[i]))
                fail_msg("round %d: delivery %s of an earlier round lost", round, stored.v[i]);
        for (size_t i = 0; i < acks.n; i++)
            if (!idset_has(&now, acks.v[i]))
                fail_msg("round %d: acknowledged delivery %s lost (SIGKILL at %d ms)", round,
                         acks.v[i], kill_after);
        long new_this_round = (long)(now.n - stored.n);
        if (acks.n > 0)
            assert_int_equal((long)acks.n, acked);
        if (new_this_round < acked || new_this_round > sent)
            fail_msg("round %d: %ld new entries stored, but %ld acknowledged and %ld sent", round,
                     new_this_round, acked, sent);
        fprintf(stderr, "round %2d: SIGKILL at %4d ms: sent %5ld acknowledged %5ld stored %5ld; "
                        "P7 %ld binds %ld lists %ld fetches; ms: start %lld, to the kill and "
                        "x400ms-mta's end %lld, restart %lld, checks and stop %lld, read %lld\n",
                round, kill_after, sent, acked, new_this_round, ps.binds, ps.lists, ps.fetches,
                t_started - t0, t_killed - t_started, t_restarted - t_killed,
                t_stopped - t_restarted, x4t_now_ms() - t_stopped);
        total_acked += acked;
        total_sent += sent;
        free(stored.v);
        stored = now;
        free(acks.v);
    }
    fprintf(stderr, "crash test: %d rounds in %.1f s: %ld sent, %ld acknowledged, %zu stored, "
                    "none lost or duplicated\n", rounds, (double)(x4t_now_ms() - t_start) / 1000.0,
            total_sent, total_acked, stored.n);
    free(stored.v);
    free(manifest);
    if (!getenv("X4T_KEEP"))
        x4t_rmtree(data);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crash_daemon_sigkill_rounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
