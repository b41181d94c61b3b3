/* Integration: the P3 delivery responder. The real daemon (rfc1006 +
 * store_file + p3) on real sockets, the real x400ms-mta delivering to it;
 * the In Box read back through the store API after the daemon was killed
 * with SIGKILL (so an acknowledged delivery must have been durable). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asn1/orname.h"
#include "modules/protocol/p3/mbindex.h"
#include "modules/store/file/store_file.h"
#include "tests/integration/p3/p3test.h"
#include "tests/lib/x4pcap.h"
#include "tests/lib/x4test.h"

struct fixture {
    char *data;
    struct x4t_daemon *d;
    char hostport[64];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->data = x4t_tempdir("p3deliver");
    const char *names[] = { "alice", "bob" };
    const char *addrs[] = { P3T_ALICE, P3T_BOB };
    if (f->data == NULL || p3t_create_mailboxes(f->data, names, addrs, 2) < 0)
        return -1;
    char *manifest = p3t_manifest("", NULL);
    f->d = x4t_daemon_start_in(manifest, f->data);
    free(manifest);
    if (f->d == NULL)
        return -1;
    snprintf(f->hostport, sizeof f->hostport, "127.0.0.1:%d", x4t_daemon_port(f->d, 1));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    if (f->d != NULL)
        x4t_daemon_kill(f->d);
    if (!getenv("X4T_KEEP"))
        x4t_rmtree(f->data);
    free(f->data);
    free(f);
    return 0;
}

static void test_p3_deliver_wrong_password_neg(void **state)
{
    struct fixture *f = *state;
    const char *args[] = { "deliver", "-H", f->hostport, "--mta-name", P3T_MTA, "--password",
                           "wrong", "--to", P3T_ALICE, "--count", "2", NULL };
    char *out = NULL;
    long t0 = (long)x4t_now_ms();
    int st = p3t_run_mta(args, &out, 20000);
    long elapsed = (long)x4t_now_ms() - t0;
    long dl, ack, failed;
    assert_non_null(out);
    assert_int_not_equal(st, 0);
    assert_non_null(strstr(out, "authentication-error"));
    assert_int_equal(p3t_parse_summary(out, &dl, &ack, &failed), 0);
    assert_int_equal(ack, 0);
    assert_int_equal(failed, 2);
    assert_true(elapsed >= 200); /* the refusal is delayed */
    free(out);
    assert_int_equal(x4t_daemon_wait_log(f->d, "refused: wrong password", 5000), 0);
}

static void test_p3_deliver_unknown_mta_neg(void **state)
{
    struct fixture *f = *state;
    const char *args[] = { "deliver", "-H", f->hostport, "--mta-name", "intruder", "--password",
                           P3T_MTA_PASSWORD, "--to", P3T_ALICE, NULL };
    char *out = NULL;
    int st = p3t_run_mta(args, &out, 20000);
    assert_non_null(out);
    assert_int_not_equal(st, 0);
    /* the same answer as for a wrong password: names cannot be probed */
    assert_non_null(strstr(out, "authentication-error"));
    free(out);
    assert_int_equal(x4t_daemon_wait_log(f->d, "\"intruder\" refused: unknown MTA name", 5000), 0);
}

static void test_p3_deliver_unknown_recipient_neg(void **state)
{
    struct fixture *f = *state;
    const char *args[] = { "deliver", "-H", f->hostport, "--mta-name", P3T_MTA, "--password",
                           P3T_MTA_PASSWORD, "--to", P3T_NOBODY, "--count", "1", NULL };
    char *out = NULL;
    int st = p3t_run_mta(args, &out, 20000);
    long dl, ack, failed;
    assert_non_null(out);
    assert_int_not_equal(st, 0);
    assert_non_null(strstr(out, "security-error"));
    assert_int_equal(p3t_parse_summary(out, &dl, &ack, &failed), 0);
    assert_int_equal(dl, 1);
    assert_int_equal(ack, 0);
    assert_int_equal(failed, 1);
    free(out);
    assert_int_equal(x4t_daemon_wait_log(f->d, "unauthorised-recipient-name", 5000), 0);
}

/* tshark dissects the P3 traffic (bind, deliveries, results, release) of
 * one association, recorded by a relay, without a malformed frame. */
static void test_p3_deliver_tshark_clean(void **state)
{
    struct fixture *f = *state;
    if (x4_tshark_path() == NULL)
        skip();
    char pcap[4096];
    snprintf(pcap, sizeof pcap, "%s/p3.pcap", f->data);
    struct p3t_relay *r = p3t_relay_start(x4t_daemon_port(f->d, 1), pcap);
    assert_non_null(r);
    char hostport[64];
    snprintf(hostport, sizeof hostport, "127.0.0.1:%d", p3t_relay_port(r));
    const char *args[] = { "deliver", "-H", hostport, "--mta-name", P3T_MTA, "--password",
                           P3T_MTA_PASSWORD, "--to", P3T_BOB, "--count", "3", "--size", "500",
                           NULL };
    char *out = NULL;
    int st = p3t_run_mta(args, &out, 20000);
    assert_int_equal(p3t_relay_finish(r, 20000), 0);
    assert_int_equal(st, 0);
    free(out);
    char report[4096], verbose[65536];
    int rc = x4_tshark_check(pcap, (uint16_t)x4t_daemon_port(f->d, 1), report, sizeof report,
                             verbose, sizeof verbose);
    if (rc != 0)
        fprintf(stderr, "tshark: %s\n", report);
    assert_int_equal(rc, 0);
    /* tshark knew the protocol: it named the P3 operation */
    assert_non_null(strstr(verbose, "message-delivery"));
}

/* The O/R address -> mailbox index (modules/protocol/p3/mbindex.c) over a
 * real store_file in this process: X.411 matching (case, spaces, ADMD " "),
 * and the index following mailboxes created, re-addressed and deleted after
 * it was built (the store tells nobody: the index must notice). */
static int find(struct mtsu_mbindex *ix, const char *text, char *name)
{
    struct or_address a;
    struct x400ms_error err;
    if (or_address_parse(text, strlen(text), &a, &err) < 0)
        return -1000;
    return mtsu_mbindex_find(ix, &a, name, &err);
}

static void test_p3_deliver_mbindex(void **state)
{
    (void)state;
    char *data = x4t_tempdir("p3mbindex");
    enum { N = 50 };
    const char *names[N], *addrs[N];
    for (int i = 0; i < N; i++) {
        char *n = malloc(16), *a = malloc(64);
        snprintf(n, 16, "mb%d", i);
        snprintf(a, 64, "/C=XX/A= /P=TEST/O=Org/S=user%d/", i);
        names[i] = n;
        addrs[i] = a;
    }
    assert_int_equal(p3t_create_mailboxes(data, names, addrs, N), 0);
    char root[4096];
    snprintf(root, sizeof root, "%s/store", data);
    struct sf_options opt;
    memset(&opt, 0, sizeof opt);
    opt.root = root;
    struct sf_store *store;
    struct x400ms_error err;
    assert_int_equal(sf_store_open(&opt, &store, &err), 0);
    struct mtsu_mbindex *ix = NULL;
    assert_int_equal(mtsu_mbindex_new(&sf_store_ops, store, &ix, &err), 0);
    char name[X400MS_STORE_NAME_MAX + 1];

    /* every mailbox, found through X.411 matching: other case, spaces, any ADMD */
    for (int i = 0; i < N; i++) {
        char q[96];
        snprintf(q, sizeof q, "/C=xx/A=ADMDX/P=test/O= org /S=USER%d/", i);
        assert_int_equal(find(ix, q, name), 0);
        assert_string_equal(name, names[i]);
    }
    assert_int_equal(find(ix, "/C=XX/A= /P=TEST/O=Org/S=user7/G=John/", name), X400MS_ENOENT);
    assert_int_equal(find(ix, "/C=XX/A= /P=OTHER/O=Org/S=user7/", name), X400MS_ENOENT);
    struct mtsu_mbindex_stats st;
    mtsu_mbindex_stats(ix, &st);
    assert_int_equal(st.rebuilds, 1); /* built once, then only looked up */
    assert_int_equal(st.hits, N);

    /* created after the index was built */
    struct x400ms_store_mailbox_info info;
    memset(&info, 0, sizeof info);
    info.name = "late";
    info.or_address = "/C=XX/A= /P=TEST/O=Org/S=late/";
    assert_int_equal(sf_store_ops.mailbox_create(store, &info, &err), 0);
    assert_int_equal(find(ix, "/C=XX/A= /P=TEST/O=Org/S=late/", name), 0);
    assert_string_equal(name, "late");

    /* re-addressed: the old address no longer finds it, the new one does */
    info.or_address = "/C=XX/A= /P=TEST/O=Org/S=renamed/";
    assert_int_equal(sf_store_ops.mailbox_update(store, "mb3", &info, &err), 0);
    assert_int_equal(find(ix, "/C=XX/A= /P=TEST/O=Org/S=user3/", name), X400MS_ENOENT);
    assert_int_equal(find(ix, "/C=XX/A= /P=TEST/O=Org/S=renamed/", name), 0);
    assert_string_equal(name, "mb3");

    /* deleted */
    assert_int_equal(sf_store_ops.mailbox_delete(store, "mb9", &err), 0);
    assert_int_equal(find(ix, "/C=XX/A= /P=TEST/O=Org/S=user9/", name), X400MS_ENOENT);
    assert_int_equal(find(ix, "/C=XX/A= /P=TEST/O=Org/S=user10/", name), 0);
    assert_string_equal(name, "mb10");

    mtsu_mbindex_free(&ix);
    assert_null(ix);
    sf_store_close(store);
    for (int i = 0; i < N; i++) {
        free((char *)names[i]);
        free((char *)addrs[i]);
    }
    x4t_rmtree(data);
    free(data);
}

/* Last: kills the daemon to read the store. */
static void test_p3_deliver_accepted_durable(void **state)
{
    struct fixture *f = *state;
    const char *args[] = { "deliver", "-H", f->hostport, "--mta-name", P3T_MTA, "--password",
                           P3T_MTA_PASSWORD, "--to", P3T_ALICE, "--count", "40", "--size", "3000",
                           "--priority", "urgent", "--connections", "2", "--subject",
                           "hello over P3", NULL };
    char *out = NULL;
    int st = p3t_run_mta(args, &out, 30000);
    long dl, ack, failed;
    assert_non_null(out);
    if (st != 0)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    assert_int_equal(p3t_parse_summary(out, &dl, &ack, &failed), 0);
    assert_int_equal(dl, 40);
    assert_int_equal(ack, 40);
    assert_int_equal(failed, 0);
    free(out);

    x4t_daemon_kill(f->d); /* SIGKILL: only what was durable survives */
    f->d = NULL;
    struct p3t_entry e[64];
    int n = p3t_read_box(f->data, "alice", X400MS_STORE_INBOX, e, 64);
    assert_int_equal(n, 40);
    for (int i = 0; i < n; i++) {
        assert_int_equal(e[i].entry_type, X400MS_ENTRY_DELIVERED_MESSAGE);
        assert_int_equal(e[i].priority, X400MS_PRIORITY_URGENT);
        assert_int_equal(e[i].importance, X400MS_IMPORTANCE_NORMAL);
        assert_string_equal(e[i].subject, "hello over P3");
        assert_string_equal(e[i].content_type, "22");
        assert_non_null(strstr(e[i].originator, "S=originator"));
        assert_non_null(strstr(e[i].this_recipient, "S=alice"));
        assert_true(e[i].content_length > 3000);
        assert_true(e[i].delivery_time > 1600000000);
    }
    assert_int_equal(p3t_read_box(f->data, "bob", X400MS_STORE_INBOX, e, 64), 3); /* the tshark test's */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_p3_deliver_wrong_password_neg),
        cmocka_unit_test(test_p3_deliver_unknown_mta_neg),
        cmocka_unit_test(test_p3_deliver_unknown_recipient_neg),
        cmocka_unit_test(test_p3_deliver_tshark_clean),
        cmocka_unit_test(test_p3_deliver_mbindex),
        cmocka_unit_test(test_p3_deliver_accepted_durable),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
