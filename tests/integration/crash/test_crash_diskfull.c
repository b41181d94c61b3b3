/* Integration: the whole daemon on a full disk. The store lives on an 8 MiB
 * tmpfs; x400ms-mta delivers more than fits. The deliveries beyond the
 * space must be refused with an X.411 abstract error (message-delivery's
 * delivery-control-violated, X.411 8.3.1.1.2: the MS cannot take
 * responsibility now) while the daemon keeps serving; every entry stored
 * before is intact (fetched over P7, the preloaded contents compared octet
 * by octet) and the index check reports consistent, also after a SIGKILL
 * while the disk is full; when space returns (entries deleted over P7,
 * then the tmpfs grown) deliveries succeed again.
 *
 * Needs mount(2) (root): otherwise the test exits 77 (skipped) saying so. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/integration/crash/crashtest.h"
#include "tests/integration/p7/p7test.h"
#include "x400ms/client.h"

#define PRELOAD 10
#define PRELOAD_SIZE 2000
#define BIG 50000

static char *data_;
static char mnt_[4096];
static bool mounted_;

static int mount_store(const char *size)
{
    char opts[64];
    snprintf(opts, sizeof opts, "size=%s,mode=0700", size);
    return mount("tmpfs", mnt_, "tmpfs", 0, opts);
}

static int group_setup(void **state)
{
    (void)state;
    data_ = x4t_tempdir("diskfull");
    if (data_ == NULL)
        return -1;
    snprintf(mnt_, sizeof mnt_, "%s/store", data_);
    if (mkdir(mnt_, 0700) < 0 || mount_store("8m") < 0)
        return -1;
    mounted_ = true;
    return ct_create_mailboxes(data_, PRELOAD, PRELOAD_SIZE);
}

static int group_teardown(void **state)
{
    (void)state;
    /* lazily when a failed test left the daemon running on it */
    if (mounted_ && umount(mnt_) < 0 && umount2(mnt_, MNT_DETACH) < 0)
        fprintf(stderr, "umount %s: %s\n", mnt_, strerror(errno));
    if (!getenv("X4T_KEEP"))
        x4t_rmtree(data_);
    free(data_);
    return 0;
}

/* Every In Box entry of `who`, fetched with its content over P7; the
 * preloaded ones (subject "message N") compared with what was stored.
 * Returns the count; *delivered_seqs (may be NULL) gets the sequence
 * numbers of the delivered (not preloaded) entries. */
static size_t fetch_all(int port, const char *who, uint32_t *delivered_seqs, size_t *n_delivered)
{
    struct x400ms_client_params p;
    p7t_params(&p, port, who, P7T_PASSWORD, X400MS_CLIENT_MS_94);
    struct x400ms_client *c;
    struct x400ms_error err;
    if (x400ms_client_bind(&p, &c, NULL, &err) < 0)
        fail_msg("P7 bind as %s: %s", who, err.message);
    size_t count = 0, delivered = 0, preloaded = 0;
    uint32_t from = 0;
    for (;;) {
        struct x400ms_client_selector sel = X400MS_CLIENT_SELECTOR_INIT;
        sel.seq_from = from;
        sel.limit = 100;
        struct x400ms_client_list l;
        if (x400ms_client_list(c, 0, &sel, NULL, &l, &err) < 0)
            fail_msg("P7 list of %s: %s", who, err.message);
        for (size_t i = 0; i < l.n; i++) {
            struct x400ms_client_entry e;
            if (x400ms_client_fetch(c, 0, l.entries[i].seq, NULL, &e, &err) < 0)
                fail_msg("P7 fetch %s #%u: %s", who, l.entries[i].seq, err.message);
            if (e.content == NULL || (int64_t)e.content_len != e.content_length)
                fail_msg("%s #%u: content of %zu octets, content-length %lld", who, e.seq,
                         e.content_len, (long long)e.content_length);
            if (strncmp(e.subject, "message ", 8) == 0) {
                assert_int_equal(e.content_len, PRELOAD_SIZE);
                for (size_t k = 0; k < e.content_len; k++)
                    if (e.content[k] != (uint8_t)('a' + k % 26))
                        fail_msg("%s #%u: content damaged at octet %zu", who, e.seq, k);
                preloaded++;
            } else {
                assert_string_equal(e.subject, "crash test");
                assert_true(e.content_len > BIG);
                if (delivered_seqs != NULL)
                    delivered_seqs[delivered] = e.seq;
                delivered++;
            }
            count++;
            x400ms_client_entry_free(&e);
        }
        uint32_t next = l.next;
        x400ms_client_list_free(&l);
        if (next == 0)
            break;
        from = next;
    }
    x400ms_client_unbind(&c);
    assert_int_equal(preloaded, PRELOAD);
    if (n_delivered != NULL)
        *n_delivered = delivered;
    return count;
}

static void index_consistent(struct x4t_daemon *d, const char *when)
{
    const char *boxes[] = { "alice", "bob" };
    for (int i = 0; i < 2; i++) {
        char why[2048];
        if (ct_index_check(d, boxes[i], why, sizeof why) != 1)
            fail_msg("%s: index check of %s: %s", when, boxes[i], why);
    }
}

static void test_crash_diskfull(void **state)
{
    (void)state;
    char *manifest = ct_manifest(NULL, NULL);
    assert_non_null(manifest);
    struct x4t_daemon *d = x4t_daemon_start_in(manifest, data_);
    assert_non_null(d);

    /* 1. more than fits: some stored, the rest refused with the X.411 error */
    long sent, acked, failed;
    char *out = NULL;
    struct ct_mta *m = ct_mta_start(x4t_daemon_port(d, 1), 400, BIG, 4, NULL);
    assert_non_null(m);
    int st = ct_mta_finish(m, &sent, &acked, &failed, &out);
    fprintf(stderr, "full disk: sent %ld, acknowledged %ld, failed %ld\n", sent, acked, failed);
    if (st == 0 || acked <= 0 || out == NULL || strstr(out, "delivery-control-violated") == NULL)
        fail_msg("x400ms-mta on a full disk (status %d):\n%s", st, out ? out : "");
    free(out);
    assert_int_equal(kill(x4t_daemon_pid(d), 0), 0); /* still running */
    if (x4t_daemon_wait_log(d, "message-delivery refused", 2000) != 0)
        fail_msg("no refusal in the daemon's log");

    /* 2. nothing stored is damaged, and exactly the acknowledged ones were stored */
    int port = x4t_daemon_port(d, 1);
    size_t da = 0, db = 0;
    size_t n = fetch_all(port, P7T_ALICE, NULL, &da) + fetch_all(port, P7T_BOB, NULL, &db);
    assert_int_equal(n, 2 * PRELOAD + (size_t)acked);
    assert_int_equal(da + db, (size_t)acked);
    index_consistent(d, "on a full disk");

    /* 3. SIGKILL while the disk is full: the restart recovers without space */
    assert_int_equal(x4t_daemon_kill(d), 0);
    d = x4t_daemon_start_in(manifest, data_);
    assert_non_null(d);
    port = x4t_daemon_port(d, 1);
    index_consistent(d, "after SIGKILL on a full disk");
    uint32_t *seqs = calloc((size_t)acked + 1, sizeof *seqs);
    n = fetch_all(port, P7T_ALICE, seqs, &da) + fetch_all(port, P7T_BOB, NULL, &db);
    assert_int_equal(n, 2 * PRELOAD + (size_t)acked);

    /* 4. space freed by deleting over P7: deliveries succeed again */
    struct x400ms_client_params p;
    p7t_params(&p, port, P7T_ALICE, P7T_PASSWORD, X400MS_CLIENT_MS_94);
    struct x400ms_client *c;
    struct x400ms_error err;
    assert_int_equal(x400ms_client_bind(&p, &c, NULL, &err), 0);
    size_t deleted = 0;
    if (x400ms_client_delete(c, 0, seqs, da, &deleted, &err) < 0)
        fail_msg("P7 delete of %zu entries: %s", da, err.message);
    x400ms_client_unbind(&c);
    free(seqs);
    long want = (long)da / 2 > 0 ? (long)da / 2 : 1;
    m = ct_mta_start(port, want, BIG, 4, NULL);
    st = ct_mta_finish(m, &sent, &acked, &failed, &out);
    if (st != 0 || acked != want)
        fail_msg("after deleting %zu entries, %ld deliveries (status %d):\n%s", da, want, st,
                 out ? out : "");
    free(out);

    /* 5. the tmpfs grown: more deliveries succeed */
    assert_int_equal(mount("tmpfs", mnt_, "tmpfs", MS_REMOUNT, "size=64m"), 0);
    m = ct_mta_start(port, 300, BIG, 4, NULL);
    st = ct_mta_finish(m, &sent, &acked, &failed, &out);
    if (st != 0 || acked != 300)
        fail_msg("after growing the tmpfs, 300 deliveries (status %d):\n%s", st, out ? out : "");
    free(out);
    n = fetch_all(port, P7T_ALICE, NULL, &da) + fetch_all(port, P7T_BOB, NULL, &db);
    assert_int_equal(n, 2 * PRELOAD + da + db);
    index_consistent(d, "after space returned");
    assert_int_equal(ct_daemon_graceful_stop(d), 0);
    free(manifest);
}

int main(void)
{
    /* mount(2) needs root (CAP_SYS_ADMIN): probe it, skip (77) when refused */
    char *probe = x4t_tempdir("diskfull-probe");
    if (probe == NULL)
        return 99;
    int rc = mount("tmpfs", probe, "tmpfs", 0, "size=1m");
    int saved = errno;
    if (rc == 0)
        umount(probe);
    x4t_rmtree(probe);
    free(probe);
    if (rc != 0) {
        printf("SKIP: cannot mount a tmpfs for the full-disk test (%s); run it as root\n",
               strerror(saved));
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crash_diskfull),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
