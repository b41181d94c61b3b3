/* P7 end to end: the real daemon (rfc1006 + store_file + p7) and the P7
 * client library over real sockets; every operation and its errors, in the
 * 1988 and the 1994 application contexts. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/integration/p7/p7test.h"
#include "tests/lib/x4test.h"
#include "x400ms/client.h"

static struct x4t_daemon *daemon_;
static int port;

#define ALICE_ENTRIES 20
#define BOB_ENTRIES 3

static int setup(void **state)
{
    (void)state;
    char *data = x4t_tempdir("p7-ops");
    struct p7t_fill alice = { "alice", P7T_ALICE, P7T_PASSWORD, ALICE_ENTRIES, 2048, false, false, 5, 0 };
    struct p7t_fill bob = { "bob", P7T_BOB, P7T_PASSWORD, BOB_ENTRIES, 100, true, false, 0, 0 };
    if (data == NULL || p7t_fill_mailbox(data, &alice) < 0 || p7t_fill_mailbox(data, &bob) < 0)
        return -1;
    char *manifest = p7t_manifest(NULL, NULL);
    daemon_ = x4t_daemon_start_in(manifest, data);
    free(manifest);
    free(data);
    if (daemon_ == NULL)
        return -1;
    port = x4t_daemon_port(daemon_, 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return daemon_ && x4t_daemon_stop(daemon_) == 0 ? 0 : -1;
}

static struct x400ms_client *bind_as(const char *who, const char *pw, enum x400ms_client_version v)
{
    struct x400ms_client_params p;
    p7t_params(&p, port, who, pw, v);
    struct x400ms_client *c = NULL;
    struct x400ms_error err;
    if (x400ms_client_bind(&p, &c, NULL, &err) < 0) {
        fprintf(stderr, "bind %s: %s\n", who, err.message);
        return NULL;
    }
    return c;
}

static int64_t last_code(struct x400ms_client *c, int64_t *problem)
{
    int64_t code;
    x400ms_client_last_error(c, &code, problem, NULL, NULL);
    return code;
}

/* ---- bind ---- */

static void bind_and_configuration(enum x400ms_client_version v)
{
    struct x400ms_client_params p;
    p7t_params(&p, port, P7T_ALICE, P7T_PASSWORD, v);
    p.configuration_request = true;
    struct x400ms_client *c;
    struct x400ms_client_bind_info info;
    struct x400ms_error err;
    assert_int_equal(x400ms_client_bind(&p, &c, &info, &err), 0);
    assert_true(info.n_attribute_types >= 15);
    assert_int_equal(info.n_auto_actions, 1); /* fakeaction's auto-alert */
    assert_string_equal(info.auto_actions[0], "2.6.4.4.1");
    assert_int_equal(info.n_content_types, 2);
    if (v == X400MS_CLIENT_MS_94) {
        assert_int_equal(info.n_entry_classes, 2);
        assert_true(info.n_matching_rules > 0);
    } else {
        assert_int_equal(info.n_entry_classes, 0);
    }
    assert_false(info.alert_indication);
    assert_int_equal(x400ms_client_unbind(&c), 0);
}

static void test_p7_bind_88(void **state) { (void)state; bind_and_configuration(X400MS_CLIENT_MS_88); }
static void test_p7_bind_94(void **state) { (void)state; bind_and_configuration(X400MS_CLIENT_MS_94); }

/* Wrong password and unknown name: the same error after the same delay. */
static void test_p7_bind_wrong_password_neg(void **state)
{
    (void)state;
    struct x400ms_client_params p;
    struct x400ms_client *c = NULL;
    struct x400ms_error e1, e2;
    p7t_params(&p, port, P7T_ALICE, "wrong", X400MS_CLIENT_MS_88);
    long long t0 = x4t_now_ms();
    int rc1 = x400ms_client_bind(&p, &c, NULL, &e1);
    long long t1 = x4t_now_ms();
    p7t_params(&p, port, "/C=XX/A= /P=TEST/O=Org/S=nobody/", P7T_PASSWORD, X400MS_CLIENT_MS_88);
    int rc2 = x400ms_client_bind(&p, &c, NULL, &e2);
    long long t2 = x4t_now_ms();
    assert_int_equal(rc1, X400MS_EAUTH);
    assert_int_equal(rc2, X400MS_EAUTH);
    assert_string_equal(e1.message, e2.message);
    assert_null(c);
    /* both delayed by bind_failure_delay_ms (300) */
    assert_true(t1 - t0 >= 290);
    assert_true(t2 - t1 >= 290);
}

/* ---- summarize / list / fetch ---- */

static void summarize_counts(enum x400ms_client_version v)
{
    struct x400ms_client *c = bind_as(P7T_BOB, P7T_PASSWORD, v);
    assert_non_null(c);
    struct x400ms_client_summary s;
    struct x400ms_error err;
    assert_int_equal(x400ms_client_summarize(c, 0, NULL, &s, &err), 0);
    assert_int_equal(s.count, BOB_ENTRIES);
    assert_int_equal(s.lowest, 1);
    assert_int_equal(s.highest, BOB_ENTRIES);
    assert_int_equal(s.by_priority[0], BOB_ENTRIES);
    /* a range selects part of the box */
    struct x400ms_client_selector sel = X400MS_CLIENT_SELECTOR_INIT;
    sel.seq_from = 2;
    assert_int_equal(x400ms_client_summarize(c, 0, &sel, &s, &err), 0);
    assert_int_equal(s.count, BOB_ENTRIES - 1);
    assert_int_equal(s.lowest, 2);
    /* reversed range: range-error */
    sel.seq_from = 3;
    sel.seq_to = 2;
    int64_t problem;
    assert_int_equal(x400ms_client_summarize(c, 0, &sel, &s, &err), X400MS_EPERM);
    assert_int_equal(last_code(c, &problem), 25);
    assert_int_equal(problem, 0);
    x400ms_client_unbind(&c);
}

static void test_p7_summarize_88(void **state) { (void)state; summarize_counts(X400MS_CLIENT_MS_88); }
static void test_p7_summarize_94(void **state) { (void)state; summarize_counts(X400MS_CLIENT_MS_94); }

/* List new entries with a limit, follow `next`, and see them become listed;
 * then fetch one: its content comes back and it becomes processed. */
static void test_p7_list_fetch_status(void **state)
{
    (void)state;
    struct x400ms_client *c = bind_as(P7T_ALICE, P7T_PASSWORD, X400MS_CLIENT_MS_88);
    assert_non_null(c);
    struct x400ms_error err;
    struct x400ms_client_summary s;
    assert_int_equal(x400ms_client_summarize(c, 0, NULL, &s, &err), 0);
    assert_int_equal(s.count, ALICE_ENTRIES);
    assert_int_equal(s.by_priority[2], ALICE_ENTRIES / 5); /* urgent */
    uint64_t new_before = s.by_status[0];

    struct x400ms_client_selector sel = X400MS_CLIENT_SELECTOR_INIT;
    sel.status = 0; /* new */
    sel.priority = 0; /* normal */
    sel.limit = 3;
    struct x400ms_client_list l;
    assert_int_equal(x400ms_client_list(c, 0, &sel, NULL, &l, &err), 0);
    assert_int_equal(l.n, 3);
    assert_true(l.next > l.entries[2].seq);
    for (size_t i = 0; i < l.n; i++) {
        assert_int_equal(l.entries[i].priority, 0);
        assert_int_equal(l.entries[i].status, 0); /* as it was when listed */
        assert_string_equal(l.entries[i].originator, P7T_BOB);
        char want[32];
        snprintf(want, sizeof want, "message %u", l.entries[i].seq);
        assert_string_equal(l.entries[i].subject, want);
        assert_int_equal(l.entries[i].content_length, 2048);
        assert_string_equal(l.entries[i].content_type, "2.6.1.10.1"); /* built-in 22 */
    }
    uint32_t first = l.entries[0].seq;
    x400ms_client_list_free(&l);
    assert_int_equal(x400ms_client_summarize(c, 0, NULL, &s, &err), 0);
    assert_int_equal(s.by_status[0], new_before - 3);

    struct x400ms_client_entry e;
    assert_int_equal(x400ms_client_fetch(c, 0, first, NULL, &e, &err), 0);
    assert_int_equal(e.seq, first);
    assert_int_equal(e.content_len, 2048);
    assert_memory_equal(e.content, "abcdefghij", 10);
    x400ms_client_entry_free(&e);
    sel = (struct x400ms_client_selector)X400MS_CLIENT_SELECTOR_INIT;
    sel.status = 2; /* processed */
    assert_int_equal(x400ms_client_list(c, 0, &sel, NULL, &l, &err), 0);
    bool found = false;
    for (size_t i = 0; i < l.n; i++)
        found |= l.entries[i].seq == first;
    assert_true(found);
    x400ms_client_list_free(&l);

    /* no such entry: sequence-number-error no-such-entry */
    int64_t problem;
    assert_int_equal(x400ms_client_fetch(c, 0, 99999, NULL, &e, &err), X400MS_EPERM);
    assert_int_equal(last_code(c, &problem), 28);
    assert_int_equal(problem, 0);
    x400ms_client_unbind(&c);
}

/* Two UAs bound to the same mailbox at once see each other's changes. */
static void test_p7_two_uas(void **state)
{
    (void)state;
    struct x400ms_client *a = bind_as(P7T_ALICE, P7T_PASSWORD, X400MS_CLIENT_MS_88);
    struct x400ms_client *b = bind_as(P7T_ALICE, P7T_PASSWORD, X400MS_CLIENT_MS_94);
    assert_non_null(a);
    assert_non_null(b);
    struct x400ms_error err;
    struct x400ms_client_summary sa, sb;
    assert_int_equal(x400ms_client_summarize(a, 0, NULL, &sa, &err), 0);
    uint32_t seq = sa.highest;
    struct x400ms_client_entry e;
    assert_int_equal(x400ms_client_fetch(b, 0, seq, NULL, &e, &err), 0);
    x400ms_client_entry_free(&e);
    assert_int_equal(x400ms_client_summarize(a, 0, NULL, &sb, &err), 0);
    assert_true(sb.by_status[2] >= 1);
    x400ms_client_unbind(&a);
    x400ms_client_unbind(&b);
}

/* ---- delete ---- */

static void test_p7_delete(void **state)
{
    (void)state;
    struct x400ms_client *c = bind_as(P7T_ALICE, P7T_PASSWORD, X400MS_CLIENT_MS_94);
    assert_non_null(c);
    struct x400ms_error err;
    uint32_t seqs[] = { 19, 20 };
    size_t deleted = 0;
    assert_int_equal(x400ms_client_delete(c, 0, seqs, 2, &deleted, &err), 0);
    assert_int_equal(deleted, 2);
    struct x400ms_client_entry e;
    int64_t problem;
    assert_int_equal(x400ms_client_fetch(c, 0, 19, NULL, &e, &err), X400MS_EPERM);
    assert_int_equal(last_code(c, &problem), 28);
    /* deleting it again: sequence-number-error */
    assert_int_equal(x400ms_client_delete(c, 0, seqs, 1, NULL, &err), X400MS_EPERM);
    assert_int_equal(last_code(c, &problem), 28);
    x400ms_client_unbind(&c);

    /* the 1988 context gets the NULL result */
    c = bind_as(P7T_ALICE, P7T_PASSWORD, X400MS_CLIENT_MS_88);
    assert_non_null(c);
    uint32_t one = 18;
    assert_int_equal(x400ms_client_delete(c, 0, &one, 1, NULL, &err), 0);
    x400ms_client_unbind(&c);
}

static void test_p7_delete_prohibited_neg(void **state)
{
    (void)state;
    for (int v = 0; v < 2; v++) {
        struct x400ms_client *c = bind_as(P7T_BOB, P7T_PASSWORD, (enum x400ms_client_version)v);
        assert_non_null(c);
        struct x400ms_error err;
        uint32_t seq = 1;
        int64_t problem;
        assert_int_equal(x400ms_client_delete(c, 0, &seq, 1, NULL, &err), X400MS_EPERM);
        assert_int_equal(last_code(c, &problem), 23);
        assert_int_equal(problem, 1); /* delete-restriction-problem */
        x400ms_client_unbind(&c);
    }
}

/* ---- register-MS ---- */

static void test_p7_register(void **state)
{
    (void)state;
    struct x400ms_client *c = bind_as(P7T_ALICE, P7T_PASSWORD, X400MS_CLIENT_MS_94);
    assert_non_null(c);
    struct x400ms_error err;
    int64_t problem;
    /* list defaults: only sequence-number and subject */
    static const char *const defaults[] = { "2.6.4.3.39", "2.6.1.7.4", NULL };
    struct x400ms_client_register r = { .list_defaults = defaults };
    assert_int_equal(x400ms_client_register_ms(c, &r, &err), 0);
    /* a registered auto-action type is accepted, an unknown one is not */
    r = (struct x400ms_client_register){ .auto_action_type = "2.6.4.4.1", .auto_action_id = 1 };
    assert_int_equal(x400ms_client_register_ms(c, &r, &err), 0);
    r = (struct x400ms_client_register){ .auto_action_type = "2.6.4.4.99" };
    assert_int_equal(x400ms_client_register_ms(c, &r, &err), X400MS_EPERM);
    assert_int_equal(last_code(c, &problem), 22);
    assert_int_equal(problem, 0); /* unavailable-auto-action-type */
    /* an unknown attribute type in the defaults: attribute-error */
    static const char *const bad[] = { "2.6.4.3.250", NULL };
    r = (struct x400ms_client_register){ .list_defaults = bad };
    assert_int_equal(x400ms_client_register_ms(c, &r, &err), X400MS_EPERM);
    assert_int_equal(last_code(c, &problem), 21);
    assert_int_equal(problem, 1); /* unavailable-attribute-type */
    x400ms_client_unbind(&c);

    /* persisted: a new bind's raw List (no requested-attributes) returns the defaults */
    c = bind_as(P7T_ALICE, P7T_PASSWORD, X400MS_CLIENT_MS_88);
    assert_non_null(c);
    /* ListArgument { selector [1] { limit [3] 1 } } */
    static const uint8_t list_arg[] = { 0x31, 0x09, 0xa1, 0x07, 0x31, 0x05, 0xa3, 0x03, 0x02, 0x01, 0x01 };
    struct x400ms_client_outcome o;
    assert_int_equal(x400ms_client_invoke(c, 21, list_arg, sizeof list_arg, &o, &err), 0);
    assert_int_equal(o.kind, 1);
    /* exactly two attributes: find the subject's OID 2.6.1.7.4 and no priority OID */
    static const uint8_t subject_oid[] = { 0x06, 0x04, 0x56, 0x01, 0x07, 0x04 };
    static const uint8_t priority_oid[] = { 0x06, 0x04, 0x56, 0x04, 0x03, 0x1f };
    assert_non_null(memmem(o.data, o.len, subject_oid, sizeof subject_oid));
    assert_null(memmem(o.data, o.len, priority_oid, sizeof priority_oid));
    x400ms_client_outcome_free(&o);
    x400ms_client_unbind(&c);
}

static void test_p7_change_credentials(void **state)
{
    (void)state;
    struct x400ms_client *c = bind_as(P7T_BOB, P7T_PASSWORD, X400MS_CLIENT_MS_88);
    assert_non_null(c);
    struct x400ms_error err;
    int64_t problem;
    struct x400ms_client_register r = { .old_password = "not-it", .new_password = "other" };
    assert_int_equal(x400ms_client_register_ms(c, &r, &err), X400MS_EPERM);
    assert_int_equal(last_code(c, &problem), 26); /* security-error */
    r = (struct x400ms_client_register){ .old_password = P7T_PASSWORD, .new_password = "other" };
    assert_int_equal(x400ms_client_register_ms(c, &r, &err), 0);
    x400ms_client_unbind(&c);
    assert_null(bind_as(P7T_BOB, P7T_PASSWORD, X400MS_CLIENT_MS_88));
    c = bind_as(P7T_BOB, "other", X400MS_CLIENT_MS_88);
    assert_non_null(c);
    r = (struct x400ms_client_register){ .old_password = "other", .new_password = P7T_PASSWORD };
    assert_int_equal(x400ms_client_register_ms(c, &r, &err), 0);
    x400ms_client_unbind(&c);
}

/* ---- fetch restrictions ---- */

static void test_p7_fetch_restrictions_neg(void **state)
{
    (void)state;
    struct x400ms_client_params p;
    uint8_t restr[128];
    struct x400ms_error err;
    int64_t problem;
    struct x400ms_client_entry e;
    struct x400ms_client *c;

    /* maximum-attribute-length 100 < 2048 */
    p7t_params(&p, port, P7T_ALICE, P7T_PASSWORD, X400MS_CLIENT_MS_88);
    int n = x400ms_client_restrictions_encode(NULL, 100, restr, sizeof restr);
    assert_true(n > 0);
    p.fetch_restrictions = restr;
    p.fetch_restrictions_len = (size_t)n;
    assert_int_equal(x400ms_client_bind(&p, &c, NULL, &err), 0);
    assert_int_equal(x400ms_client_fetch(c, 0, 5, NULL, &e, &err), X400MS_EPERM);
    assert_int_equal(last_code(c, &problem), 24);
    assert_int_equal(problem, 3); /* maximum-length-problem */
    /* attributes without the content are still fetched */
    static const char *const no_content[] = { "2.6.4.3.39", "2.6.1.7.4", NULL };
    assert_int_equal(x400ms_client_fetch(c, 0, 5, no_content, &e, &err), 0);
    assert_string_equal(e.subject, "message 5");
    x400ms_client_entry_free(&e);
    x400ms_client_unbind(&c);

    /* allowed-content-types: only P2 1984 (2.6.1.10.0); the entries are 22 */
    static const char *const types[] = { "2.6.1.10.0", NULL };
    n = x400ms_client_restrictions_encode(types, -1, restr, sizeof restr);
    p.fetch_restrictions_len = (size_t)n;
    p.version = X400MS_CLIENT_MS_94;
    assert_int_equal(x400ms_client_bind(&p, &c, NULL, &err), 0);
    assert_int_equal(x400ms_client_fetch(c, 0, 6, NULL, &e, &err), X400MS_EPERM);
    assert_int_equal(last_code(c, &problem), 24);
    assert_int_equal(problem, 1); /* content-type-problem */
    x400ms_client_unbind(&c);
}

/* ---- modify, entry classes, submission, malformed arguments ---- */

static void test_p7_modify(void **state)
{
    (void)state;
    struct x400ms_client *c = bind_as(P7T_ALICE, P7T_PASSWORD, X400MS_CLIENT_MS_94);
    assert_non_null(c);
    struct x400ms_error err;
    int64_t problem;
    uint32_t seq = 11;
    assert_int_equal(x400ms_client_modify_status(c, 0, &seq, 1, 2, &err), 0);
    struct x400ms_client_entry e;
    static const char *const st[] = { "2.6.4.3.15", NULL };
    assert_int_equal(x400ms_client_fetch(c, 0, seq, st, &e, &err), 0);
    assert_int_equal(e.status, 2);
    /* back to listed: the store's status only moves forward */
    assert_int_equal(x400ms_client_modify_status(c, 0, &seq, 1, 1, &err), X400MS_EPERM);
    assert_int_equal(last_code(c, &problem), 33);
    assert_int_equal(problem, 4);
    seq = 77777;
    assert_int_equal(x400ms_client_modify_status(c, 0, &seq, 1, 2, &err), X400MS_EPERM);
    assert_int_equal(last_code(c, &problem), 28);
    x400ms_client_unbind(&c);

    /* Modify does not exist in the 1988 context: ROSE reject */
    c = bind_as(P7T_ALICE, P7T_PASSWORD, X400MS_CLIENT_MS_88);
    assert_non_null(c);
    seq = 11;
    assert_int_equal(x400ms_client_modify_status(c, 0, &seq, 1, 2, &err), X400MS_EPROTO);
    x400ms_client_unbind(&c);
}

static void test_p7_entry_class_neg(void **state)
{
    (void)state;
    struct x400ms_error err;
    struct x400ms_client_list l;
    int64_t problem;
    struct x400ms_client *c = bind_as(P7T_ALICE, P7T_PASSWORD, X400MS_CLIENT_MS_88);
    assert_non_null(c);
    assert_int_equal(x400ms_client_list(c, 1, NULL, NULL, &l, &err), X400MS_EPERM);
    assert_int_equal(last_code(c, &problem), 29); /* no entry classes in 88 */
    x400ms_client_unbind(&c);
    c = bind_as(P7T_ALICE, P7T_PASSWORD, X400MS_CLIENT_MS_94);
    assert_non_null(c);
    assert_int_equal(x400ms_client_list(c, 1, NULL, NULL, &l, &err), 0); /* the Out Box: empty */
    assert_int_equal(l.n, 0);
    x400ms_client_list_free(&l);
    assert_int_equal(x400ms_client_list(c, 5, NULL, NULL, &l, &err), X400MS_EPERM);
    assert_int_equal(last_code(c, &problem), 34);
    x400ms_client_unbind(&c);
}

static void test_p7_submission_unavailable_neg(void **state)
{
    (void)state;
    struct x400ms_client *c = bind_as(P7T_ALICE, P7T_PASSWORD, X400MS_CLIENT_MS_94);
    assert_non_null(c);
    struct x400ms_error err;
    struct x400ms_client_outcome o;
    static const uint8_t arg[] = { 0x30, 0x00 };
    assert_int_equal(x400ms_client_invoke(c, 3, arg, sizeof arg, &o, &err), 0);
    assert_int_equal(o.kind, 2);
    assert_int_equal(o.errcode, 27); /* service-error */
    /* ServiceErrorParameter SET { problem [0] 1 unavailable, ... } */
    assert_true(o.len >= 7);
    assert_int_equal(o.data[6], 1);
    x400ms_client_outcome_free(&o);
    x400ms_client_unbind(&c);
}

static void test_p7_malformed_and_bad_filter_neg(void **state)
{
    (void)state;
    struct x400ms_client *c = bind_as(P7T_ALICE, P7T_PASSWORD, X400MS_CLIENT_MS_88);
    assert_non_null(c);
    struct x400ms_error err;
    struct x400ms_client_outcome o;
    static const uint8_t garbage[] = { 0x31, 0x03, 0x02, 0x01 };
    assert_int_equal(x400ms_client_invoke(c, 21, garbage, sizeof garbage, &o, &err), 0);
    assert_int_equal(o.kind, 3); /* reject mistyped-argument */
    x400ms_client_outcome_free(&o);
    /* a filter on an unknown attribute: attribute-error */
    static const uint8_t filter[] = { 0xa4, 0x05, 0x06, 0x03, 0x2a, 0x03, 0x04 }; /* present 1.2.3.4 */
    struct x400ms_client_selector sel = X400MS_CLIENT_SELECTOR_INIT;
    uint8_t item[16];
    item[0] = 0xa0;
    item[1] = sizeof filter;
    memcpy(item + 2, filter, sizeof filter);
    sel.filter = item;
    sel.filter_len = 2 + sizeof filter;
    struct x400ms_client_list l;
    int64_t problem;
    assert_int_equal(x400ms_client_list(c, 0, &sel, NULL, &l, &err), X400MS_EPERM);
    assert_int_equal(last_code(c, &problem), 21);
    assert_int_equal(problem, 1);
    x400ms_client_unbind(&c);
}

/* ---- a whole 1988 session through a recording relay, dissected by tshark ---- */

static void test_p7_capture_tshark(void **state)
{
    (void)state;
    struct p7t_relay *r = p7t_relay_start(port);
    assert_non_null(r);
    struct x400ms_client_params p;
    p7t_params(&p, p7t_relay_port(r), P7T_ALICE, P7T_PASSWORD, X400MS_CLIENT_MS_88);
    p.configuration_request = true;
    struct x400ms_client *c;
    struct x400ms_error err;
    assert_int_equal(x400ms_client_bind(&p, &c, NULL, &err), 0);
    struct x400ms_client_summary s;
    assert_int_equal(x400ms_client_summarize(c, 0, NULL, &s, &err), 0);
    struct x400ms_client_selector sel = X400MS_CLIENT_SELECTOR_INIT;
    sel.limit = 4;
    struct x400ms_client_list l;
    assert_int_equal(x400ms_client_list(c, 0, &sel, NULL, &l, &err), 0);
    x400ms_client_list_free(&l);
    struct x400ms_client_entry e;
    static const char *const attrs[] = { "2.6.4.3.39", "2.6.4.3.15", "2.6.4.3.27", NULL };
    assert_int_equal(x400ms_client_fetch(c, 0, 3, attrs, &e, &err), 0);
    x400ms_client_entry_free(&e);
    uint32_t seq = 3;
    assert_int_equal(x400ms_client_delete(c, 0, &seq, 1, NULL, &err), 0);
    assert_int_equal(x400ms_client_unbind(&c), 0);
    char path[4096];
    snprintf(path, sizeof path, "%s/p7-session-88.pcap", x4t_daemon_data_dir(daemon_));
    bool skipped;
    assert_int_equal(p7t_relay_finish(r, path, &skipped), 0);
    if (skipped)
        fprintf(stderr, "TSHARK not set: capture written, dissection skipped\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_p7_bind_88),
        cmocka_unit_test(test_p7_bind_94),
        cmocka_unit_test(test_p7_bind_wrong_password_neg),
        cmocka_unit_test(test_p7_summarize_88),
        cmocka_unit_test(test_p7_summarize_94),
        cmocka_unit_test(test_p7_list_fetch_status),
        cmocka_unit_test(test_p7_two_uas),
        cmocka_unit_test(test_p7_capture_tshark),
        cmocka_unit_test(test_p7_delete),
        cmocka_unit_test(test_p7_delete_prohibited_neg),
        cmocka_unit_test(test_p7_register),
        cmocka_unit_test(test_p7_change_credentials),
        cmocka_unit_test(test_p7_fetch_restrictions_neg),
        cmocka_unit_test(test_p7_modify),
        cmocka_unit_test(test_p7_entry_class_neg),
        cmocka_unit_test(test_p7_submission_unavailable_neg),
        cmocka_unit_test(test_p7_malformed_and_bad_filter_neg),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
