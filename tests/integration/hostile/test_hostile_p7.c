/* Hostile operation arguments against the real P7 module (X.413) on the
 * file store: a bound user agent invokes every P7 operation with malformed
 * arguments (empty, truncated, a BER depth bomb, a 2^31 length, an
 * unterminated indefinite length, pseudo-random octets). Each must get a
 * ROSE reject or an X.413 error (or an abort), the daemon must survive
 * with bounded memory, keep serving binds, and lose no stored entry. */
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
#include <unistd.h>

#include "tests/integration/hostile/hostile.h"
#include "tests/integration/p7/p7test.h"
#include "tests/lib/x4test.h"
#include "x400ms/client.h"

#define ENTRIES 20

static struct x4t_daemon *daemon_;
static int port;

static int setup(void **state)
{
    (void)state;
    char *dir = x4t_tempdir("hostile-p7");
    if (dir == NULL)
        return -1;
    struct p7t_fill f = { .name = "alice", .or_address = P7T_ALICE, .password = P7T_PASSWORD,
                          .entries = ENTRIES, .content_size = 200 };
    char *m = p7t_manifest(NULL, NULL);
    if (m == NULL || p7t_fill_mailbox(dir, &f) != 0) {
        free(m);
        free(dir);
        return -1;
    }
    daemon_ = x4t_daemon_start_in(m, dir);
    free(m);
    free(dir);
    if (daemon_ == NULL)
        return -1;
    port = x4t_daemon_port(daemon_, 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return daemon_ != NULL && x4t_daemon_stop(daemon_) == 0 ? 0 : -1;
}

static struct x400ms_client *bind_alice(void)
{
    struct x400ms_client_params p;
    p7t_params(&p, port, P7T_ALICE, P7T_PASSWORD, X400MS_CLIENT_MS_94);
    struct x400ms_client *c = NULL;
    struct x400ms_error err = { 0 };
    if (x400ms_client_bind(&p, &c, NULL, &err) != 0) {
        fprintf(stderr, "bind: %s\n", err.message);
        return NULL;
    }
    return c;
}

static long rss_kb(void)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%ld/status", (long)x4t_daemon_pid(daemon_));
    char *text = x4t_read_file(path);
    long kb = -1;
    char *p = text ? strstr(text, "\nVmRSS:") : NULL;
    if (p != NULL)
        kb = strtol(p + 7, NULL, 10);
    free(text);
    return kb;
}

struct payload {
    const char *name;
    uint8_t *p;
    size_t n;
};

static uint8_t *dup_bytes(const void *p, size_t n)
{
    uint8_t *d = malloc(n ? n : 1);
    assert_non_null(d);
    memcpy(d, p, n);
    return d;
}

/* xorshift: the same pseudo-random payloads on every run. */
static uint32_t rng_state = 2463534242u;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static size_t make_payloads(struct payload *out, size_t max, bool structural_only)
{
    static const uint8_t empty_seq[] = { 0x30, 0x00 };
    static const uint8_t truncated[] = { 0x30, 0x05, 0x02, 0x01 };
    static const uint8_t len_2_31[] = { 0x30, 0x84, 0x80, 0x00, 0x00, 0x00, 0x02, 0x01, 0x01 };
    static const uint8_t no_eoc[] = { 0x31, 0x80, 0xA0, 0x80, 0x02, 0x01, 0x05 };
    static const uint8_t null_[] = { 0x05, 0x00 };
    static const uint8_t wrong_set[] = { 0x31, 0x06, 0x80, 0x01, 0xFF, 0x81, 0x01, 0xFF };
    size_t k = 0;
    out[k++] = (struct payload){ "empty SEQUENCE", dup_bytes(empty_seq, 2), 2 };
    out[k++] = (struct payload){ "truncated", dup_bytes(truncated, sizeof(truncated)), sizeof(truncated) };
    out[k++] = (struct payload){ "length 2^31", dup_bytes(len_2_31, sizeof(len_2_31)), sizeof(len_2_31) };
    out[k++] = (struct payload){ "indefinite without EOC", dup_bytes(no_eoc, sizeof(no_eoc)),
                                 sizeof(no_eoc) };
    out[k++] = (struct payload){ "NULL", dup_bytes(null_, 2), 2 };
    out[k++] = (struct payload){ "SET of bad booleans", dup_bytes(wrong_set, sizeof(wrong_set)),
                                 sizeof(wrong_set) };
    size_t n;
    uint8_t *bomb = hostile_depth_bomb(20000, &n);
    assert_non_null(bomb);
    bomb[0] = 0x31; /* a SET (every P7 argument is one) holding the bomb */
    out[k++] = (struct payload){ "depth bomb", bomb, n };
    if (structural_only)
        return k;
    while (k < max) {
        size_t len = 1 + rng() % 96;
        uint8_t *p = malloc(len);
        assert_non_null(p);
        for (size_t i = 0; i < len; i++)
            p[i] = (uint8_t)rng();
        if (rng() % 2)
            p[0] = 0x31; /* mostly a SET, so the decoders go further in */
        if (len > 1 && rng() % 2)
            p[1] = (uint8_t)(len - 2 < 128 ? len - 2 : 0x80);
        out[k++] = (struct payload){ "random", p, len };
    }
    return k;
}

static void test_hostile_p7_malformed_arguments_neg(void **state)
{
    (void)state;
    /* X.413 operation codes (summarize 20 .. modify 26), submission via the
     * MS (3, 4, 7, 2), and one no P7 context defines. */
    static const int64_t opcodes[] = { 20, 21, 22, 23, 24, 25, 26, 3, 4, 7, 2, 99 };
    struct x400ms_client *c = bind_alice();
    assert_non_null(c);
    long rss0 = rss_kb();
    int kinds[5] = { 0 }, rebinds = 0, total = 0;
    for (size_t o = 0; o < sizeof(opcodes) / sizeof(opcodes[0]); o++) {
        struct payload pl[40];
        /* Random octets could in theory spell a valid Delete: not for 23. */
        size_t np = make_payloads(pl, 40, opcodes[o] == 23);
        for (size_t i = 0; i < np; i++) {
            struct x400ms_client_outcome out = { 0 };
            struct x400ms_error err = { 0 };
            int rc = x400ms_client_invoke(c, opcodes[o], pl[i].p, pl[i].n, &out, &err);
            total++;
            if (rc == 0 && out.kind >= 1 && out.kind <= 4)
                kinds[out.kind]++;
            if (rc == 0 && out.kind == 1)
                fprintf(stderr, "# opcode %lld, %s payload (%zu octets): a result\n",
                        (long long)opcodes[o], pl[i].name, pl[i].n);
            x400ms_client_outcome_free(&out);
            if (rc != 0 || !x400ms_client_alive(c)) {
                x400ms_client_abort(&c);
                c = bind_alice();
                assert_non_null(c); /* the daemon survived and still binds */
                rebinds++;
            }
            free(pl[i].p);
        }
    }
    fprintf(stderr, "# %d malformed invokes: %d results, %d errors, %d rejects, %d ended; "
            "%d re-binds; RSS %ld -> %ld KiB\n", total, kinds[1], kinds[2], kinds[3], kinds[4],
            rebinds, rss0, rss_kb());
    assert_int_equal(kill(x4t_daemon_pid(daemon_), 0), 0);
    assert_true(rss_kb() - rss0 < 64 * 1024);
    /* Nothing stored was lost. */
    struct x400ms_client_summary sum;
    struct x400ms_client_selector sel = X400MS_CLIENT_SELECTOR_INIT;
    struct x400ms_error err = { 0 };
    memset(&sum, 0, sizeof(sum));
    assert_int_equal(x400ms_client_summarize(c, 0, &sel, &sum, &err), 0);
    fprintf(stderr, "# In Box after the attack: %llu entries\n", (unsigned long long)sum.count);
    assert_int_equal(sum.count, ENTRIES);
    assert_int_equal(x400ms_client_unbind(&c), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile_p7_malformed_arguments_neg),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
