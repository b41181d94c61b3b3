/* Unit tests of the store API as the file backend implements it: mailboxes,
 * entries, selection, status, deletion, summary, children, credentials. */
#include "test_store_util.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static int setup(void **state)
{
    return tsu_setup(state, "store-api", "alice", "C=GB;ADMD= ;PRMD=x400ms;O=Test;S=Alice");
}

static int teardown(void **state)
{
    return tsu_teardown(state);
}

static bool file_exists(struct tsu_fixture *f, const char *mailbox, const char *box, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/mailboxes/%s/%s/%s", f->dir, mailbox, box, name);
    return access(path, F_OK) == 0;
}

/* ---- credentials ---- */

static void test_store_password_hash_verify(void **state)
{
    char hash[X400MS_STORE_PASSWORD_HASH_MAX], hash2[X400MS_STORE_PASSWORD_HASH_MAX];
    struct x400ms_error err = { 0 };
    (void)state;
    assert_int_equal(x400ms_password_hash("secret", 6, 1000, hash, sizeof hash, &err), 0);
    assert_true(strncmp(hash, "pbkdf2-sha256$1000$", 19) == 0);
    assert_int_equal(x400ms_password_verify("secret", 6, hash, &err), 0);
    /* a random salt: the same password hashes differently */
    assert_int_equal(x400ms_password_hash("secret", 6, 1000, hash2, sizeof hash2, &err), 0);
    assert_string_not_equal(hash, hash2);
    assert_int_equal(x400ms_password_verify("secret", 6, hash2, &err), 0);
}

static void test_store_password_verify_neg(void **state)
{
    char hash[X400MS_STORE_PASSWORD_HASH_MAX], small[16];
    struct x400ms_error err = { 0 };
    (void)state;
    assert_int_equal(x400ms_password_hash("secret", 6, 1000, hash, sizeof hash, &err), 0);
    assert_int_equal(x400ms_password_verify("Secret", 6, hash, &err), X400MS_EAUTH);
    assert_int_equal(x400ms_password_verify("secret", 5, hash, &err), X400MS_EAUTH);
    assert_int_equal(x400ms_password_verify("secret", 6, "plain", &err), X400MS_EINVAL);
    assert_int_equal(x400ms_password_verify("secret", 6, "pbkdf2-sha256$x$abc$def", &err), X400MS_EINVAL);
    assert_int_equal(x400ms_password_verify("secret", 6, "pbkdf2-sha256$1000$!!!!$AAAA", &err), X400MS_EINVAL);
    assert_int_equal(x400ms_password_hash("secret", 6, 1000, small, sizeof small, &err), X400MS_ELIMIT);
}

/* ---- mailboxes ---- */

static int count_cb(void *arg, const struct x400ms_store_mailbox_info *info)
{
    (void)info;
    (*(int *)arg)++;
    return 0;
}

struct info_copy { char name[80], addr[200], hash[300]; struct x400ms_store_settings settings; uint32_t next; };
static int copy_cb(void *arg, const struct x400ms_store_mailbox_info *info)
{
    struct info_copy *c = arg;
    snprintf(c->name, sizeof c->name, "%s", info->name);
    snprintf(c->addr, sizeof c->addr, "%s", info->or_address);
    snprintf(c->hash, sizeof c->hash, "%s", info->password_hash ? info->password_hash : "");
    c->settings = info->settings;
    c->next = info->next_seq;
    return 0;
}

static void test_store_mailbox_lifecycle(void **state)
{
    struct tsu_fixture *f = *state;
    struct x400ms_error err = { 0 };
    struct info_copy c;
    int n = 0;

    tsu_create(f->store, "bob", "C=GB;ADMD= ;PRMD=x400ms;O=Test;S=Bob");
    assert_int_equal(OPS->mailbox_list(f->store, count_cb, &n, &err), 0);
    assert_int_equal(n, 2);
    /* by name and by O/R address (case ignored) */
    assert_int_equal(OPS->mailbox_get(f->store, "bob", NULL, copy_cb, &c, &err), 0);
    assert_string_equal(c.addr, "C=GB;ADMD= ;PRMD=x400ms;O=Test;S=Bob");
    memset(&c, 0, sizeof c);
    assert_int_equal(OPS->mailbox_get(f->store, NULL, "c=gb;admd= ;prmd=X400MS;o=test;s=bob", copy_cb, &c, &err), 0);
    assert_string_equal(c.name, "bob");
    /* update: settings and password hash persist across a restart */
    char hash[X400MS_STORE_PASSWORD_HASH_MAX];
    assert_int_equal(x400ms_password_hash("pw", 2, 1000, hash, sizeof hash, &err), 0);
    struct x400ms_store_mailbox_info upd = { .or_address = "C=GB;ADMD= ;PRMD=x400ms;O=Test;S=Robert",
        .password_hash = hash, .settings = { .deletion_prohibited = true, .max_age = { 3600, 0 } } };
    assert_int_equal(OPS->mailbox_update(f->store, "bob", &upd, &err), 0);
    OPS->mailbox_close(f->mb);
    f->mb = NULL;
    sf_store_close(f->store);
    f->store = tsu_open(f->dir, false);
    memset(&c, 0, sizeof c);
    assert_int_equal(OPS->mailbox_get(f->store, "bob", NULL, copy_cb, &c, &err), 0);
    assert_string_equal(c.addr, "C=GB;ADMD= ;PRMD=x400ms;O=Test;S=Robert");
    assert_true(c.settings.deletion_prohibited);
    assert_false(c.settings.outbox_enabled);
    assert_int_equal(c.settings.max_age[0], 3600);
    assert_int_equal(x400ms_password_verify("pw", 2, c.hash, &err), 0);
    /* delete: gone, also after a restart, and its directory removed */
    assert_int_equal(OPS->mailbox_delete(f->store, "bob", &err), 0);
    assert_int_equal(OPS->mailbox_get(f->store, "bob", NULL, copy_cb, &c, &err), X400MS_ENOENT);
    sf_store_close(f->store);
    f->store = tsu_open(f->dir, false);
    n = 0;
    assert_int_equal(OPS->mailbox_list(f->store, count_cb, &n, &err), 0);
    assert_int_equal(n, 1);
    char path[1024];
    snprintf(path, sizeof path, "%s/mailboxes/bob", f->dir);
    assert_int_not_equal(access(path, F_OK), 0);
    f->mb = tsu_mbopen(f->store, "alice");
}

static void test_store_mailbox_neg(void **state)
{
    struct tsu_fixture *f = *state;
    struct x400ms_error err = { 0 };
    struct x400ms_store_mailbox *mb = NULL;
    struct info_copy c;
    char longname[100];

    struct x400ms_store_mailbox_info bad = { .name = "../etc", .or_address = "x" };
    assert_int_equal(OPS->mailbox_create(f->store, &bad, &err), X400MS_EINVAL);
    assert_non_null(strstr(err.message, "../etc"));
    bad.name = ".hidden";
    assert_int_equal(OPS->mailbox_create(f->store, &bad, &err), X400MS_EINVAL);
    bad.name = "";
    assert_int_equal(OPS->mailbox_create(f->store, &bad, &err), X400MS_EINVAL);
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    bad.name = longname;
    assert_int_equal(OPS->mailbox_create(f->store, &bad, &err), X400MS_EINVAL);
    assert_int_equal(OPS->mailbox_create(f->store, NULL, &err), X400MS_EINVAL);
    /* duplicates: the name, and the O/R address in another case */
    struct x400ms_store_mailbox_info dup = { .name = "alice", .or_address = "other" };
    assert_int_equal(OPS->mailbox_create(f->store, &dup, &err), X400MS_EEXIST);
    dup.name = "alice2";
    dup.or_address = "c=gb;admd= ;prmd=x400ms;o=test;s=alice";
    assert_int_equal(OPS->mailbox_create(f->store, &dup, &err), X400MS_EEXIST);
    struct x400ms_store_mailbox_info neg_age = { .name = "carol", .settings = { .max_age = { -2, 0 } } };
    assert_int_equal(OPS->mailbox_create(f->store, &neg_age, &err), X400MS_EINVAL);
    /* unknown mailbox everywhere */
    assert_int_equal(OPS->mailbox_open(f->store, "nobody", &mb, &err), X400MS_ENOENT);
    assert_non_null(strstr(err.message, "nobody"));
    assert_null(mb);
    assert_int_equal(OPS->mailbox_get(f->store, "nobody", NULL, copy_cb, &c, &err), X400MS_ENOENT);
    assert_int_equal(OPS->mailbox_get(f->store, NULL, "no address", copy_cb, &c, &err), X400MS_ENOENT);
    assert_int_equal(OPS->mailbox_update(f->store, "nobody", &dup, &err), X400MS_ENOENT);
    assert_int_equal(OPS->mailbox_delete(f->store, "nobody", &err), X400MS_ENOENT);
    assert_int_equal(OPS->check(f->store, "nobody", NULL, &err), X400MS_ENOENT);
    assert_int_equal(OPS->rebuild(f->store, "nobody", &err), X400MS_ENOENT);
    assert_int_equal(OPS->backup(f->store, "nobody", f->dir, &err), X400MS_ENOENT);
    assert_int_equal(OPS->mailbox_open(f->store, NULL, &mb, &err), X400MS_EINVAL);
}

static void test_store_handle_of_deleted_mailbox_neg(void **state)
{
    struct tsu_fixture *f = *state;
    struct x400ms_error err = { 0 };
    struct x400ms_store_summary sum;
    uint32_t seq;
    struct tsu_entry e;

    tsu_put(f->mb, X400MS_STORE_INBOX, 1, 100);
    assert_int_equal(OPS->mailbox_delete(f->store, "alice", &err), 0);
    tsu_entry_init(&e, 2, 100);
    assert_int_equal(OPS->put(f->mb, X400MS_STORE_INBOX, &e.in, &seq, &err), X400MS_ENOENT);
    assert_int_equal(OPS->summary(f->mb, X400MS_STORE_INBOX, &sum, &err), X400MS_ENOENT);
}

/* ---- entries ---- */

static void test_store_put_get(void **state)
{
    struct tsu_fixture *f = *state;
    struct x400ms_error err = { 0 };
    struct x400ms_store_entry *e = NULL;
    uint32_t s1 = tsu_put(f->mb, X400MS_STORE_INBOX, 1, 2048);
    uint32_t s2 = tsu_put(f->mb, X400MS_STORE_INBOX, 2, 10);
    uint32_t s3 = tsu_put(f->mb, X400MS_STORE_OUTBOX, 3, 0);

    /* one number space per mailbox, increasing */
    assert_true(s1 < s2 && s2 < s3);
    tsu_assert_content(f->mb, X400MS_STORE_INBOX, s1, 1, 2048);
    tsu_assert_content(f->mb, X400MS_STORE_INBOX, s2, 2, 10);
    tsu_assert_content(f->mb, X400MS_STORE_OUTBOX, s3, 3, 0);
    /* the files are named SEQ.N */
    char name[32];
    snprintf(name, sizeof name, "%u.N", s1);
    assert_true(file_exists(f, "alice", "inbox", name));
    snprintf(name, sizeof name, "%u.N", s3);
    assert_true(file_exists(f, "alice", "outbox", name));
    /* attributes only: no bytes, every attribute back */
    assert_int_equal(OPS->get(f->mb, X400MS_STORE_INBOX, s1, X400MS_STORE_GET_ATTRS, &e, &err), 0);
    assert_null(e->content);
    assert_null(e->envelope);
    assert_int_equal(e->attrs.status, X400MS_STATUS_NEW);
    assert_int_equal(e->attrs.priority, 1);
    assert_int_equal(e->attrs.content_length, 2048);
    assert_string_equal(e->attrs.content_type, "2.6.1.10.1");
    assert_string_equal(e->attrs.originator, "C=GB;ADMD= ;PRMD=x400ms;O=Test;S=Sender");
    assert_int_equal(e->attrs.delivery_time, 1700000001);
    assert_true(e->attrs.creation_time >= time(NULL) - 60);
    OPS->entry_free(e);
    /* envelope only */
    assert_int_equal(OPS->get(f->mb, X400MS_STORE_INBOX, s2, X400MS_STORE_GET_ENVELOPE, &e, &err), 0);
    assert_non_null(e->envelope);
    assert_null(e->content);
    OPS->entry_free(e);
}

static void test_store_put_reads_back_after_restart(void **state)
{
    struct tsu_fixture *f = *state;
    uint32_t seqs[20];
    for (uint32_t i = 0; i < 20; i++)
        seqs[i] = tsu_put(f->mb, i % 2, 100 + i, 100 * i);
    OPS->mailbox_close(f->mb);
    sf_store_close(f->store);
    f->store = tsu_open(f->dir, false);
    f->mb = tsu_mbopen(f->store, "alice");
    for (uint32_t i = 0; i < 20; i++)
        tsu_assert_content(f->mb, i % 2, seqs[i], 100 + i, 100 * i);
    /* numbers continue above the old ones */
    assert_true(tsu_put(f->mb, 0, 1, 10) > seqs[19]);
}

static void test_store_put_neg(void **state)
{
    struct tsu_fixture *f = *state;
    struct x400ms_error err = { 0 };
    struct tsu_entry e;
    uint32_t seq = 0;
    char big[X400MS_STORE_SUBJECT_MAX + 2];

    tsu_entry_init(&e, 1, 10);
    assert_int_equal(OPS->put(f->mb, (enum x400ms_store_box)7, &e.in, &seq, &err), X400MS_EINVAL);
    assert_int_equal(OPS->put(f->mb, X400MS_STORE_INBOX, NULL, &seq, &err), X400MS_EINVAL);
    assert_int_equal(OPS->put(f->mb, X400MS_STORE_INBOX, &e.in, NULL, &err), X400MS_EINVAL);
    assert_int_equal(OPS->put(NULL, X400MS_STORE_INBOX, &e.in, &seq, &err), X400MS_EINVAL);
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    e.in.attrs.subject = big;
    assert_int_equal(OPS->put(f->mb, X400MS_STORE_INBOX, &e.in, &seq, &err), X400MS_EINVAL);
    assert_non_null(strstr(err.message, "subject"));
    tsu_entry_init(&e, 1, 10);
    e.in.attrs.priority = 3;
    assert_int_equal(OPS->put(f->mb, X400MS_STORE_INBOX, &e.in, &seq, &err), X400MS_EINVAL);
    assert_non_null(strstr(err.message, "priority"));
    tsu_entry_init(&e, 1, 10);
    e.in.attrs.entry_type = 9;
    assert_int_equal(OPS->put(f->mb, X400MS_STORE_INBOX, &e.in, &seq, &err), X400MS_EINVAL);
    tsu_entry_init(&e, 1, 10);
    e.in.attrs.n_children = 2;
    assert_int_equal(OPS->put(f->mb, X400MS_STORE_INBOX, &e.in, &seq, &err), X400MS_EINVAL);
    tsu_entry_init(&e, 1, 10);
    e.in.content = NULL;
    assert_int_equal(OPS->put(f->mb, X400MS_STORE_INBOX, &e.in, &seq, &err), X400MS_EINVAL);
    /* the Out Box refused when disabled */
    struct x400ms_store_mailbox_info upd = { .or_address = "C=GB;ADMD= ;PRMD=x400ms;O=Test;S=Alice",
                                             .settings = { .outbox_enabled = false } };
    assert_int_equal(OPS->mailbox_update(f->store, "alice", &upd, &err), 0);
    tsu_entry_init(&e, 1, 10);
    assert_int_equal(OPS->put(f->mb, X400MS_STORE_OUTBOX, &e.in, &seq, &err), X400MS_EPERM);
    /* nothing was stored by the refused calls */
    struct x400ms_store_summary sum;
    assert_int_equal(OPS->summary(f->mb, X400MS_STORE_INBOX, &sum, &err), 0);
    assert_int_equal(sum.total, 0);
    assert_int_equal(seq, 0);
}

static void test_store_get_neg(void **state)
{
    struct tsu_fixture *f = *state;
    struct x400ms_error err = { 0 };
    struct x400ms_store_entry *e = NULL;
    uint32_t s = tsu_put(f->mb, X400MS_STORE_INBOX, 1, 10);

    assert_int_equal(OPS->get(f->mb, X400MS_STORE_INBOX, s + 100, 0, &e, &err), X400MS_ENOENT);
    assert_non_null(strstr(err.message, "no entry"));
    assert_int_equal(OPS->get(f->mb, X400MS_STORE_OUTBOX, s, 0, &e, &err), X400MS_ENOENT);
    assert_int_equal(OPS->get(f->mb, X400MS_STORE_INBOX, 0, 0, &e, &err), X400MS_ENOENT);
    assert_int_equal(OPS->get(f->mb, X400MS_STORE_INBOX, s, 0x80, &e, &err), X400MS_EINVAL);
    assert_int_equal(OPS->get(f->mb, X400MS_STORE_INBOX, s, 0, NULL, &err), X400MS_EINVAL);
    assert_null(e);
}

/* ---- selection ---- */

static void test_store_select_range_limit_continuation(void **state)
{
    struct tsu_fixture *f = *state;
    struct tsu_seqs got;
    uint32_t seqs[30], next = 0;
    for (int i = 0; i < 30; i++)
        seqs[i] = tsu_put(f->mb, X400MS_STORE_INBOX, (uint32_t)i, 10);

    struct x400ms_store_selector sel = { .limit = 12 };
    tsu_list(f->mb, 0, &sel, &got, &next);
    assert_int_equal(got.n, 12);
    assert_int_equal(got.seq[0], seqs[0]);
    assert_int_equal(next, seqs[12]);
    sel.next = next;
    tsu_list(f->mb, 0, &sel, &got, &next);
    assert_int_equal(got.n, 12);
    assert_int_equal(got.seq[0], seqs[12]);
    sel.next = next;
    tsu_list(f->mb, 0, &sel, &got, &next);
    assert_int_equal(got.n, 6);
    assert_int_equal(got.seq[5], seqs[29]);
    assert_int_equal(next, 0);
    /* a range of sequence numbers */
    struct x400ms_store_selector range = { .seq_from = seqs[5], .seq_to = seqs[9] };
    tsu_list(f->mb, 0, &range, &got, &next);
    assert_int_equal(got.n, 5);
    assert_int_equal(got.seq[0], seqs[5]);
    assert_int_equal(got.seq[4], seqs[9]);
}

static void test_store_select_time_range(void **state)
{
    struct tsu_fixture *f = *state;
    struct x400ms_error err = { 0 };
    struct tsu_seqs got;
    uint32_t seq;
    for (int i = 0; i < 10; i++) {
        struct tsu_entry e;
        tsu_entry_init(&e, (uint32_t)i, 10);
        e.in.attrs.creation_time = 1000000 + i * 100;
        assert_int_equal(OPS->put(f->mb, X400MS_STORE_INBOX, &e.in, &seq, &err), 0);
    }
    struct x400ms_store_selector sel = { .time_from = 1000200, .time_to = 1000500 };
    tsu_list(f->mb, 0, &sel, &got, NULL);
    assert_int_equal(got.n, 4);
}

static void test_store_select_filter(void **state)
{
    struct tsu_fixture *f = *state;
    struct tsu_seqs got;
    struct x400ms_error err = { 0 };
    uint32_t seqs[12];
    for (uint32_t i = 0; i < 12; i++)
        seqs[i] = tsu_put(f->mb, X400MS_STORE_INBOX, i, 100 * i); /* priority i % 3 */
    assert_int_equal(OPS->set_status(f->mb, 0, seqs[1], X400MS_STATUS_LISTED, &err), 0);
    assert_int_equal(OPS->set_status(f->mb, 0, seqs[2], X400MS_STATUS_PROCESSED, &err), 0);

    /* status equality (the bitmap path) */
    struct x400ms_store_filter is_new = { .op = X400MS_FILTER_EQUAL, .attr = X400MS_ATTR_STATUS,
                                          .int_value = X400MS_STATUS_NEW };
    struct x400ms_store_selector sel = { .filter = &is_new };
    tsu_list(f->mb, 0, &sel, &got, NULL);
    assert_int_equal(got.n, 10);
    for (size_t i = 0; i < got.n; i++)
        assert_int_equal(got.status[i], X400MS_STATUS_NEW);
    /* status <= listed */
    struct x400ms_store_filter le = { .op = X400MS_FILTER_LESS_OR_EQUAL, .attr = X400MS_ATTR_STATUS, .int_value = 1 };
    sel.filter = &le;
    tsu_list(f->mb, 0, &sel, &got, NULL);
    assert_int_equal(got.n, 11);
    /* AND(new, priority urgent(2), content-length >= 500) */
    struct x400ms_store_filter and_kids[3] = {
        is_new,
        { .op = X400MS_FILTER_EQUAL, .attr = X400MS_ATTR_PRIORITY, .int_value = 2 },
        { .op = X400MS_FILTER_GREATER_OR_EQUAL, .attr = X400MS_ATTR_CONTENT_LENGTH, .int_value = 500 },
    };
    struct x400ms_store_filter and_f = { .op = X400MS_FILTER_AND, .children = and_kids, .n_children = 3 };
    sel.filter = &and_f;
    tsu_list(f->mb, 0, &sel, &got, NULL); /* tags 5, 8, 11 */
    assert_int_equal(got.n, 3);
    assert_int_equal(got.seq[0], seqs[5]);
    assert_int_equal(got.seq[2], seqs[11]);
    /* OR and NOT */
    struct x400ms_store_filter or_kids[2] = {
        { .op = X400MS_FILTER_EQUAL, .attr = X400MS_ATTR_SEQ, .int_value = seqs[0] },
        { .op = X400MS_FILTER_EQUAL, .attr = X400MS_ATTR_SEQ, .int_value = seqs[3] },
    };
    struct x400ms_store_filter or_f = { .op = X400MS_FILTER_OR, .children = or_kids, .n_children = 2 };
    sel.filter = &or_f;
    tsu_list(f->mb, 0, &sel, &got, NULL);
    assert_int_equal(got.n, 2);
    struct x400ms_store_filter not_f = { .op = X400MS_FILTER_NOT, .children = &or_f, .n_children = 1 };
    sel.filter = &not_f;
    tsu_list(f->mb, 0, &sel, &got, NULL);
    assert_int_equal(got.n, 10);
    /* substrings on the subject, ignoring case: "Subject number 1*" -> 1, 10, 11 */
    const char *any[] = { "NUMBER" };
    struct x400ms_store_filter sub = { .op = X400MS_FILTER_SUBSTRINGS, .attr = X400MS_ATTR_SUBJECT,
                                       .initial = "subject", .any = any, .n_any = 1, .final = " 1" };
    sel.filter = &sub;
    tsu_list(f->mb, 0, &sel, &got, NULL);
    assert_int_equal(got.n, 1);
    sub.final = NULL;
    sub.any = (const char *[]){ "number 1" };
    tsu_list(f->mb, 0, &sel, &got, NULL);
    assert_int_equal(got.n, 3);
    /* string equality on the originator, ignoring case; present */
    struct x400ms_store_filter orig = { .op = X400MS_FILTER_EQUAL, .attr = X400MS_ATTR_ORIGINATOR,
                                        .str_value = "c=gb;admd= ;prmd=x400ms;o=test;s=sender" };
    sel.filter = &orig;
    tsu_list(f->mb, 0, &sel, &got, NULL);
    assert_int_equal(got.n, 12);
    struct x400ms_store_filter pres = { .op = X400MS_FILTER_PRESENT, .attr = X400MS_ATTR_PARENT_SEQ };
    sel.filter = &pres;
    sel.include_children = true;
    tsu_list(f->mb, 0, &sel, &got, NULL);
    assert_int_equal(got.n, 0);
}

static int stop_after_two(void *arg, const struct x400ms_store_attrs *a)
{
    (void)a;
    return ++*(int *)arg == 2 ? 42 : 0;
}

static void test_store_select_callback_stops(void **state)
{
    struct tsu_fixture *f = *state;
    struct x400ms_error err = { 0 };
    uint32_t s[4], next = 0;
    int calls = 0;
    for (int i = 0; i < 4; i++)
        s[i] = tsu_put(f->mb, 0, (uint32_t)i, 10);
    assert_int_equal(OPS->select(f->mb, 0, NULL, stop_after_two, &calls, &next, &err), 42);
    assert_int_equal(calls, 2);
    assert_int_equal(next, s[1] + 1);
}

static void test_store_select_neg(void **state)
{
    struct tsu_fixture *f = *state;
    struct x400ms_error err = { 0 };
    struct tsu_seqs got;
    struct x400ms_store_filter bad_not = { .op = X400MS_FILTER_NOT, .n_children = 0 };
    struct x400ms_store_selector sel = { .filter = &bad_not };
    assert_int_equal(OPS->select(f->mb, 0, &sel, tsu_collect, &got, NULL, &err), X400MS_EINVAL);
    struct x400ms_store_filter bad_attr = { .op = X400MS_FILTER_EQUAL, .attr = (enum x400ms_store_attr_id)99 };
    sel.filter = &bad_attr;
    assert_int_equal(OPS->select(f->mb, 0, &sel, tsu_collect, &got, NULL, &err), X400MS_EINVAL);
    struct x400ms_store_filter no_value = { .op = X400MS_FILTER_EQUAL, .attr = X400MS_ATTR_SUBJECT };
    sel.filter = &no_value;
    assert_int_equal(OPS->select(f->mb, 0, &sel, tsu_collect, &got, NULL, &err), X400MS_EINVAL);
    struct x400ms_store_filter sub_int = { .op = X400MS_FILTER_SUBSTRINGS, .attr = X400MS_ATTR_PRIORITY,
                                           .initial = "1" };
    sel.filter = &sub_int;
    assert_int_equal(OPS->select(f->mb, 0, &sel, tsu_collect, &got, NULL, &err), X400MS_EINVAL);
    struct x400ms_store_selector backwards = { .seq_from = 10, .seq_to = 5 };
    assert_int_equal(OPS->select(f->mb, 0, &backwards, tsu_collect, &got, NULL, &err), X400MS_EINVAL);
    assert_int_equal(OPS->select(f->mb, 0, NULL, NULL, NULL, NULL, &err), X400MS_EINVAL);
    /* a filter nested too deep */
    struct x400ms_store_filter chain[40];
    for (int i = 0; i < 40; i++)
        chain[i] = (struct x400ms_store_filter){ .op = X400MS_FILTER_NOT, .children = i < 39 ? &chain[i + 1] : NULL,
                                                 .n_children = i < 39 ? 1 : 0 };
    chain[39] = (struct x400ms_store_filter){ .op = X400MS_FILTER_PRESENT, .attr = X400MS_ATTR_SEQ };
    sel.filter = &chain[0];
    assert_int_equal(OPS->select(f->mb, 0, &sel, tsu_collect, &got, NULL, &err), X400MS_ELIMIT);
}

/* ---- status, delete, summary, children ---- */

static void test_store_set_status(void **state)
{
    struct tsu_fixture *f = *state;
    struct x400ms_error err = { 0 };
    struct x400ms_store_entry *e;
    char name[32];
    uint32_t s = tsu_put(f->mb, 0, 1, 10);

    assert_int_equal(OPS->set_status(f->mb, 0, s, X400MS_STATUS_LISTED, &err), 0);
    /* in the index at once ... */
    assert_int_equal(OPS->get(f->mb, 0, s, 0, &e, &err), 0);
    assert_int_equal(e->attrs.status, X400MS_STATUS_LISTED);
    OPS->entry_free(e);
    tsu_assert_content(f->mb, 0, s, 1, 10); /* readable whether or not renamed yet */
    /* ... and in the file name once settled (a flush does what is pending) */
    assert_int_equal(sf_store_flush(f->store, &err), 0);
    snprintf(name, sizeof name, "%u.L", s);
    assert_true(file_exists(f, "alice", "inbox", name));
    snprintf(name, sizeof name, "%u.N", s);
    assert_false(file_exists(f, "alice", "inbox", name));
    assert_int_equal(OPS->set_status(f->mb, 0, s, X400MS_STATUS_PROCESSED, &err), 0);
    /* never backwards */
    assert_int_equal(OPS->set_status(f->mb, 0, s, X400MS_STATUS_NEW, &err), 0);
    assert_int_equal(OPS->get(f->mb, 0, s, 0, &e, &err), 0);
    assert_int_equal(e->attrs.status, X400MS_STATUS_PROCESSED);
    OPS->entry_free(e);
    assert_int_equal(sf_store_flush(f->store, &err), 0);
    snprintf(name, sizeof name, "%u.P", s);
    assert_true(file_exists(f, "alice", "inbox", name));
    /* the content still reads after the renames */
    tsu_assert_content(f->mb, 0, s, 1, 10);
}

static uint32_t count_status(struct x400ms_store_mailbox *mb, unsigned status)
{
    struct x400ms_store_summary sum;
    struct x400ms_error err = { 0 };
    assert_int_equal(OPS->summary(mb, 0, &sum, &err), 0);
    return (uint32_t)sum.by_status[status];
}

/* P7 List marks up to 100 entries listed in one call; the files follow. */
static void test_store_set_status_many(void **state)
{
    struct tsu_fixture *f = *state;
    struct x400ms_error err = { 0 };
    uint32_t seqs[100];
    char name[32];

    for (int i = 0; i < 100; i++)
        seqs[i] = tsu_put(f->mb, 0, (uint32_t)i + 1, 10 + (size_t)i);
    assert_int_equal(x400ms_store_set_status_many(OPS, f->mb, 0, seqs, 60, X400MS_STATUS_LISTED, &err), 0);
    assert_int_equal(count_status(f->mb, X400MS_STATUS_NEW), 40);
    assert_int_equal(count_status(f->mb, X400MS_STATUS_LISTED), 60);
    /* forward only: processing some of them, "new" ignored */
    assert_int_equal(OPS->set_status_many(f->mb, 0, seqs + 50, 20, X400MS_STATUS_PROCESSED, &err), 0);
    assert_int_equal(OPS->set_status_many(f->mb, 0, seqs, 100, X400MS_STATUS_NEW, &err), 0);
    assert_int_equal(count_status(f->mb, X400MS_STATUS_NEW), 30);
    assert_int_equal(count_status(f->mb, X400MS_STATUS_LISTED), 50);
    assert_int_equal(count_status(f->mb, X400MS_STATUS_PROCESSED), 20);
    /* a selection by status sees it at once */
    struct x400ms_store_filter is_new = { .op = X400MS_FILTER_EQUAL, .attr = X400MS_ATTR_STATUS,
                                          .int_value = X400MS_STATUS_NEW };
    struct x400ms_store_selector sel = { .filter = &is_new };
    struct tsu_seqs got;
    tsu_list(f->mb, 0, &sel, &got, NULL);
    assert_int_equal(got.n, 30);
    assert_int_equal(got.seq[0], seqs[70]);
    for (int i = 0; i < 100; i++)
        tsu_assert_content(f->mb, 0, seqs[i], (uint32_t)i + 1, 10 + (size_t)i);
    /* survives a clean restart, with the files named by their status */
    OPS->mailbox_close(f->mb);
    sf_store_close(f->store);
    f->store = tsu_open(f->dir, false);
    f->mb = tsu_mbopen(f->store, "alice");
    assert_int_equal(count_status(f->mb, X400MS_STATUS_NEW), 30);
    assert_int_equal(count_status(f->mb, X400MS_STATUS_LISTED), 50);
    assert_int_equal(count_status(f->mb, X400MS_STATUS_PROCESSED), 20);
    snprintf(name, sizeof name, "%u.L", seqs[0]);
    assert_true(file_exists(f, "alice", "inbox", name));
    snprintf(name, sizeof name, "%u.P", seqs[69]);
    assert_true(file_exists(f, "alice", "inbox", name));
    snprintf(name, sizeof name, "%u.N", seqs[99]);
    assert_true(file_exists(f, "alice", "inbox", name));
    tsu_assert_consistent(f->store, "alice", 100);
}

static void test_store_set_status_many_neg(void **state)
{
    struct tsu_fixture *f = *state;
    struct x400ms_error err = { 0 };
    uint32_t seqs[3];
    seqs[0] = tsu_put(f->mb, 0, 1, 10);
    seqs[1] = seqs[0] + 1000; /* unknown */
    seqs[2] = tsu_put(f->mb, 0, 2, 10);
    /* the unknown one is named, the others are applied */
    assert_int_equal(OPS->set_status_many(f->mb, 0, seqs, 3, X400MS_STATUS_LISTED, &err), X400MS_ENOENT);
    assert_non_null(strstr(err.message, "1001") ? err.message : strstr(err.message, "no entry"));
    assert_int_equal(count_status(f->mb, X400MS_STATUS_LISTED), 2);
    assert_int_equal(OPS->set_status_many(f->mb, 0, seqs, 3, (enum x400ms_store_status)3, &err), X400MS_EINVAL);
    assert_int_equal(OPS->set_status_many(f->mb, 0, NULL, 3, X400MS_STATUS_LISTED, &err), X400MS_EINVAL);
    assert_int_equal(OPS->set_status_many(f->mb, 1, seqs, 1, X400MS_STATUS_LISTED, &err), X400MS_ENOENT);
    assert_int_equal(OPS->set_status_many(f->mb, 0, seqs, 0, X400MS_STATUS_LISTED, &err), 0);
    /* the wrapper falls back to set_status for a backend built before set_status_many */
    struct x400ms_store_ops old = *OPS;
    old.size = offsetof(struct x400ms_store_ops, set_status_many);
    old.set_status_many = NULL;
    assert_false(X400MS_STORE_OPS_HAS(&old, set_status_many));
    assert_int_equal(x400ms_store_set_status_many(&old, f->mb, 0, seqs, 3, X400MS_STATUS_PROCESSED, &err),
                     X400MS_ENOENT);
    assert_int_equal(count_status(f->mb, X400MS_STATUS_PROCESSED), 2);
}

static void test_store_set_status_neg(void **state)
{
    struct tsu_fixture *f = *state;
    struct x400ms_error err = { 0 };
    uint32_t s = tsu_put(f->mb, 0, 1, 10);
    assert_int_equal(OPS->set_status(f->mb, 0, s + 1, X400MS_STATUS_LISTED, &err), X400MS_ENOENT);
    assert_int_equal(OPS->set_status(f->mb, 0, s, (enum x400ms_store_status)3, &err), X400MS_EINVAL);
    assert_int_equal(OPS->set_status(f->mb, 1, s, X400MS_STATUS_LISTED, &err), X400MS_ENOENT);
}

static void test_store_delete(void **state)
{
    struct tsu_fixture *f = *state;
    struct x400ms_error err = { 0 };
    struct x400ms_store_entry *e = NULL;
    struct tsu_seqs got;
    char name[32];
    uint32_t s1 = tsu_put(f->mb, 0, 1, 10), s2 = tsu_put(f->mb, 0, 2, 10);

    assert_int_equal(OPS->delete_entry(f->mb, 0, s2, &err), 0);
    assert_int_equal(OPS->get(f->mb, 0, s2, 0, &e, &err), X400MS_ENOENT);
    snprintf(name, sizeof name, "%u.N", s2);
    assert_false(file_exists(f, "alice", "inbox", name));
    tsu_list(f->mb, 0, NULL, &got, NULL);
    assert_int_equal(got.n, 1);
    assert_int_equal(got.seq[0], s1);
    /* the highest was deleted: its number is still never given again, also after a restart */
    OPS->mailbox_close(f->mb);
    sf_store_close(f->store);
    f->store = tsu_open(f->dir, false);
    f->mb = tsu_mbopen(f->store, "alice");
    assert_true(tsu_put(f->mb, 0, 3, 10) > s2);
    assert_int_equal(OPS->delete_entry(f->mb, 0, s2, &err), X400MS_ENOENT);
}

static void test_store_delete_prohibited_neg(void **state)
{
    struct tsu_fixture *f = *state;
    struct x400ms_error err = { 0 };
    struct x400ms_store_entry *e = NULL;
    uint32_t s = tsu_put(f->mb, 0, 1, 10);
    struct x400ms_store_mailbox_info upd = { .or_address = "C=GB;ADMD= ;PRMD=x400ms;O=Test;S=Alice",
                                             .settings = { .deletion_prohibited = true } };

    assert_int_equal(OPS->mailbox_update(f->store, "alice", &upd, &err), 0);
    assert_int_equal(OPS->delete_entry(f->mb, 0, s, &err), X400MS_EPERM);
    assert_non_null(strstr(err.message, "prohibited"));
    assert_int_equal(OPS->get(f->mb, 0, s, 0, &e, &err), 0);
    OPS->entry_free(e);
    /* delete-new prohibited: refused while new, allowed once listed */
    upd.settings = (struct x400ms_store_settings){ .delete_new_prohibited = true };
    assert_int_equal(OPS->mailbox_update(f->store, "alice", &upd, &err), 0);
    assert_int_equal(OPS->delete_entry(f->mb, 0, s, &err), X400MS_EPERM);
    assert_int_equal(OPS->set_status(f->mb, 0, s, X400MS_STATUS_LISTED, &err), 0);
    assert_int_equal(OPS->delete_entry(f->mb, 0, s, &err), 0);
    /* deployment-wide prohibition */
    uint32_t s2 = tsu_put(f->mb, 0, 2, 10);
    f->store->opt.delete_prohibited = true;
    assert_int_equal(OPS->delete_entry(f->mb, 0, s2, &err), X400MS_EPERM);
    assert_non_null(strstr(err.message, "deployment"));
    f->store->opt.delete_prohibited = false;
}

static void test_store_summary(void **state)
{
    struct tsu_fixture *f = *state;
    struct x400ms_error err = { 0 };
    struct x400ms_store_summary sum;
    uint32_t s[9];
    assert_int_equal(OPS->summary(f->mb, 0, &sum, &err), 0);
    assert_int_equal(sum.total, 0);
    assert_int_equal(sum.lowest_seq, 0);
    for (uint32_t i = 0; i < 9; i++)
        s[i] = tsu_put(f->mb, 0, i, 10);
    assert_int_equal(OPS->set_status(f->mb, 0, s[0], X400MS_STATUS_LISTED, &err), 0);
    assert_int_equal(OPS->set_status(f->mb, 0, s[1], X400MS_STATUS_PROCESSED, &err), 0);
    assert_int_equal(OPS->delete_entry(f->mb, 0, s[8], &err), 0);
    assert_int_equal(OPS->summary(f->mb, 0, &sum, &err), 0);
    assert_int_equal(sum.total, 8);
    assert_int_equal(sum.by_status[X400MS_STATUS_NEW], 6);
    assert_int_equal(sum.by_status[X400MS_STATUS_LISTED], 1);
    assert_int_equal(sum.by_status[X400MS_STATUS_PROCESSED], 1);
    assert_int_equal(sum.by_priority[0], 3); /* tags 0, 3, 6 */
    assert_int_equal(sum.by_priority[1], 3);
    assert_int_equal(sum.by_priority[2], 2);
    assert_int_equal(sum.lowest_seq, s[0]);
    assert_int_equal(sum.highest_seq, s[7]);
    assert_int_equal(OPS->summary(f->mb, 0, NULL, &err), X400MS_EINVAL);
    assert_int_equal(OPS->summary(f->mb, 1, &sum, &err), 0);
    assert_int_equal(sum.total, 0);
}

static void test_store_children(void **state)
{
    struct tsu_fixture *f = *state;
    struct x400ms_error err = { 0 };
    struct tsu_entry e;
    struct tsu_seqs got;
    uint32_t parent, kids[3], got_kids[8];
    size_t n = 0;

    parent = tsu_put(f->mb, 0, 1, 10);
    for (int i = 0; i < 3; i++) {
        tsu_entry_init(&e, 10 + (uint32_t)i, 10);
        e.in.attrs.parent_seq = parent;
        assert_int_equal(OPS->put(f->mb, 0, &e.in, &kids[i], &err), 0);
    }
    /* A parent names its children (P3 delivery stores the children first). */
    tsu_entry_init(&e, 2, 10);
    e.in.attrs.children = kids;
    e.in.attrs.n_children = 3;
    uint32_t p2;
    assert_int_equal(OPS->put(f->mb, 0, &e.in, &p2, &err), 0);
    assert_int_equal(OPS->children(f->mb, 0, p2, got_kids, 8, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_memory_equal(got_kids, kids, sizeof kids);
    assert_int_equal(OPS->children(f->mb, 0, parent, got_kids, 8, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(OPS->children(f->mb, 0, 9999, got_kids, 8, &n, &err), X400MS_ENOENT);
    /* child entries are skipped unless asked for (X.413 child-entries) */
    tsu_list(f->mb, 0, NULL, &got, NULL);
    assert_int_equal(got.n, 2);
    struct x400ms_store_selector with_kids = { .include_children = true };
    tsu_list(f->mb, 0, &with_kids, &got, NULL);
    assert_int_equal(got.n, 5);
    struct x400ms_store_filter has_child = { .op = X400MS_FILTER_EQUAL, .attr = X400MS_ATTR_CHILDREN,
                                             .int_value = kids[1] };
    struct x400ms_store_selector by_child = { .filter = &has_child };
    tsu_list(f->mb, 0, &by_child, &got, NULL);
    assert_int_equal(got.n, 1);
    assert_int_equal(got.seq[0], p2);
}

/* ---- hooks ---- */

struct events { int delivered, submitted, deleted; uint32_t last_seq; char last_mailbox[80]; };
static void on_event(void *ctx, const char *hook, struct x400ms_store_event *ev)
{
    struct events *e = ctx;
    if (strcmp(hook, X400MS_HOOK_ENTRY_DELIVERED) == 0)
        e->delivered++;
    else if (strcmp(hook, X400MS_HOOK_ENTRY_SUBMITTED) == 0)
        e->submitted++;
    else if (strcmp(hook, X400MS_HOOK_ENTRY_DELETED) == 0)
        e->deleted++;
    e->last_seq = ev->seq;
    snprintf(e->last_mailbox, sizeof e->last_mailbox, "%s", ev->mailbox);
    /* the entry is durable and readable when the hook runs */
    if (strcmp(hook, X400MS_HOOK_ENTRY_DELETED) != 0) {
        struct x400ms_store_entry *got = NULL;
        assert_int_equal(OPS->get(ev->mb, ev->box, ev->seq, X400MS_STORE_GET_CONTENT, &got, NULL), 0);
        OPS->entry_free(got);
    }
}

static void test_store_hooks(void **state)
{
    struct tsu_fixture *f = *state;
    struct x400ms_error err = { 0 };
    struct events ev = { 0 };
    f->store->opt.on_event = on_event;
    f->store->opt.event_ctx = &ev;
    uint32_t s = tsu_put(f->mb, 0, 1, 10);
    assert_int_equal(ev.delivered, 1);
    assert_int_equal(ev.last_seq, s);
    assert_string_equal(ev.last_mailbox, "alice");
    tsu_put(f->mb, 1, 2, 10);
    assert_int_equal(ev.submitted, 1);
    assert_int_equal(OPS->delete_entry(f->mb, 0, s, &err), 0);
    assert_int_equal(ev.deleted, 1);
    assert_int_equal(ev.last_seq, s);
    f->store->opt.on_event = NULL;
}

/* ---- ageing ---- */

static void test_store_ageing(void **state)
{
    struct tsu_fixture *f = *state;
    struct x400ms_error err = { 0 };
    struct x400ms_store_summary sum;
    struct tsu_entry e;
    uint32_t old, young;
    uint64_t deleted = 0;
    int64_t now = time(NULL);

    tsu_entry_init(&e, 1, 10);
    e.in.attrs.creation_time = now - 7200;
    assert_int_equal(OPS->put(f->mb, 0, &e.in, &old, &err), 0);
    young = tsu_put(f->mb, 0, 2, 10);
    tsu_put(f->mb, 1, 3, 10);
    /* no max_age: nothing goes */
    assert_int_equal(sf_store_age(f->store, now, &deleted), 0);
    assert_int_equal(deleted, 0);
    struct x400ms_store_mailbox_info upd = { .or_address = "C=GB;ADMD= ;PRMD=x400ms;O=Test;S=Alice",
        .settings = { .outbox_enabled = true, .deletion_prohibited = true, .max_age = { 3600, 0 } } };
    assert_int_equal(OPS->mailbox_update(f->store, "alice", &upd, &err), 0);
    assert_int_equal(sf_store_age(f->store, now, &deleted), 0);
    assert_int_equal(deleted, 1);
    struct x400ms_store_entry *got = NULL;
    assert_int_equal(OPS->get(f->mb, 0, old, 0, &got, &err), X400MS_ENOENT);
    assert_int_equal(OPS->get(f->mb, 0, young, 0, &got, &err), 0);
    OPS->entry_free(got);
    assert_int_equal(OPS->summary(f->mb, 1, &sum, &err), 0);
    assert_int_equal(sum.total, 1);
}

/* ---- threads ---- */

struct conc { struct x400ms_store_mailbox *mb; uint32_t seqs[50]; int rc; };
static void *put_many(void *arg)
{
    struct conc *c = arg;
    for (int i = 0; i < 50 && c->rc == 0; i++) {
        struct tsu_entry e;
        tsu_entry_init(&e, (uint32_t)i, 300);
        c->rc = OPS->put(c->mb, 0, &e.in, &c->seqs[i], NULL);
    }
    return NULL;
}

static void test_store_concurrent_puts(void **state)
{
    struct tsu_fixture *f = *state;
    struct x400ms_store_summary sum;
    struct conc c[4];
    pthread_t th[4];

    for (int t = 0; t < 4; t++) {
        memset(&c[t], 0, sizeof c[t]);
        c[t].mb = f->mb;
        pthread_create(&th[t], NULL, put_many, &c[t]);
    }
    for (int t = 0; t < 4; t++)
        pthread_join(th[t], NULL);
    for (int t = 0; t < 4; t++)
        assert_int_equal(c[t].rc, 0);
    assert_int_equal(OPS->summary(f->mb, 0, &sum, NULL), 0);
    assert_int_equal(sum.total, 200);
    /* all numbers distinct, every entry intact */
    for (int t = 0; t < 4; t++)
        for (int i = 0; i < 50; i++) {
            for (int u = 0; u < 4; u++)
                for (int j = 0; j < 50; j++)
                    if (u != t || j != i)
                        assert_int_not_equal(c[t].seqs[i], c[u].seqs[j]);
            tsu_assert_content(f->mb, 0, c[t].seqs[i], (uint32_t)i, 300);
        }
    /* group commit actually grouped: fewer batches than entries */
    assert_true(f->store->committer.batches < f->store->committer.entries);
}

/* Status renames run outside the box lock (settle.c): while one thread
 * marks entries listed then processed, another fetches them, a third deletes
 * every third one and the settle thread (and explicit settles) rename
 * concurrently, every fetch succeeds, and at the end each remaining entry has
 * exactly one file, named by its last status, each deleted one none, and the
 * index check finds the mailbox consistent. */
#define SETTLE_N 150
struct settle_race {
    struct tsu_fixture *f;
    uint32_t *seqs;
    int fetch_failures;
};

static void *race_status(void *arg)
{
    struct settle_race *r = arg;
    struct x400ms_error err = { 0 };
    for (unsigned st = X400MS_STATUS_LISTED; st <= X400MS_STATUS_PROCESSED; st++)
        for (int i = 0; i < SETTLE_N; i++)
            OPS->set_status(r->f->mb, 0, r->seqs[i], st, &err); /* may be deleted: ENOENT */
    return NULL;
}

static void *race_delete(void *arg)
{
    struct settle_race *r = arg;
    struct x400ms_error err = { 0 };
    for (int i = 0; i < SETTLE_N; i += 3) {
        assert_int_equal(OPS->delete_entry(r->f->mb, 0, r->seqs[i], &err), 0);
        sf_mailbox_settle(r->f->mb);
    }
    return NULL;
}

static void *race_fetch(void *arg)
{
    struct settle_race *r = arg;
    struct x400ms_error err = { 0 };
    for (int round = 0; round < 3; round++)
        for (int i = 1; i < SETTLE_N; i++) {
            if (i % 3 == 0)
                continue;
            struct x400ms_store_entry *e = NULL;
            if (OPS->get(r->f->mb, 0, r->seqs[i], X400MS_STORE_GET_CONTENT, &e, &err) != 0)
                __atomic_add_fetch(&r->fetch_failures, 1, __ATOMIC_RELAXED);
            OPS->entry_free(e);
        }
    return NULL;
}

static void test_store_settle_race_with_fetch_and_delete(void **state)
{
    struct tsu_fixture *f = *state;
    struct x400ms_error err = { 0 };
    uint32_t seqs[SETTLE_N];
    for (int i = 0; i < SETTLE_N; i++)
        seqs[i] = tsu_put(f->mb, 0, (uint32_t)i, 100);
    struct settle_race r = { .f = f, .seqs = seqs };
    pthread_t th[3];
    pthread_create(&th[0], NULL, race_status, &r);
    pthread_create(&th[1], NULL, race_delete, &r);
    pthread_create(&th[2], NULL, race_fetch, &r);
    for (int k = 0; k < 200; k++)
        sf_mailbox_settle(f->mb);
    for (int t = 0; t < 3; t++)
        pthread_join(th[t], NULL);
    assert_int_equal(r.fetch_failures, 0);
    /* every change made in the index: now also in the file names */
    for (int i = 0; i < SETTLE_N; i++)
        OPS->set_status(f->mb, 0, seqs[i], X400MS_STATUS_PROCESSED, &err);
    assert_int_equal(sf_store_flush(f->store, &err), 0);
    for (int i = 0; i < SETTLE_N; i++) {
        char n[3][24];
        for (int s = 0; s < 3; s++)
            snprintf(n[s], sizeof n[s], "%u.%c", seqs[i], "NLP"[s]);
        assert_false(file_exists(f, "alice", "inbox", n[0]));
        assert_false(file_exists(f, "alice", "inbox", n[1]));
        assert_int_equal(file_exists(f, "alice", "inbox", n[2]), i % 3 != 0);
    }
    tsu_assert_consistent(f->store, "alice", SETTLE_N - (SETTLE_N + 2) / 3);
    struct x400ms_store_summary sum;
    assert_int_equal(OPS->summary(f->mb, 0, &sum, &err), 0);
    assert_int_equal(sum.by_status[X400MS_STATUS_PROCESSED], SETTLE_N - (SETTLE_N + 2) / 3);
}

/* The settle thread renames files outside the box lock (settle.c), so a
 * fetch, a backup or a delete may find an entry's file already under its new
 * letter while the index still names the old one. Made deterministic here:
 * the settle thread is stopped and the test renames the files as it would. */
static void test_store_rename_behind_the_index(void **state)
{
    struct tsu_fixture *f = *state;
    struct x400ms_error err = { 0 };
    uint32_t s[3];
    char from[32], to[32];
    sf_settle_stop(f->store); /* status changes stay pending */
    for (int i = 0; i < 3; i++)
        s[i] = tsu_put(f->mb, 0, (uint32_t)i + 1, 500);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(OPS->set_status(f->mb, 0, s[i], X400MS_STATUS_LISTED, &err), 0);
        snprintf(from, sizeof from, "%u.N", s[i]);
        snprintf(to, sizeof to, "%u.L", s[i]);
        assert_true(file_exists(f, "alice", "inbox", from)); /* the rename is pending */
        char a[1200], b[1200];
        snprintf(a, sizeof a, "%s/mailboxes/alice/inbox/%s", f->dir, from);
        snprintf(b, sizeof b, "%s/mailboxes/alice/inbox/%s", f->dir, to);
        assert_int_equal(rename(a, b), 0); /* what the settle thread does unlocked */
    }
    /* fetch: s[0] is not in the last-delivered cache (s[2] is) */
    tsu_assert_content(f->mb, 0, s[0], 1, 500);
    /* backup: copies the file under its new name */
    char *backup = x4t_tempdir("store-api-behind");
    assert_int_equal(OPS->backup(f->store, "alice", backup, &err), 0);
    char path[1200];
    snprintf(path, sizeof path, "%s/alice/inbox/%u.L", backup, s[1]);
    assert_int_equal(access(path, F_OK), 0);
    x4t_rmtree(backup);
    free(backup);
    /* delete: removes the file under its new name, none is left */
    assert_int_equal(OPS->delete_entry(f->mb, 0, s[1], &err), 0);
    snprintf(to, sizeof to, "%u.L", s[1]);
    assert_false(file_exists(f, "alice", "inbox", to));
    snprintf(from, sizeof from, "%u.N", s[1]);
    assert_false(file_exists(f, "alice", "inbox", from));
    struct x400ms_store_entry *e;
    assert_int_equal(OPS->get(f->mb, 0, s[1], 0, &e, &err), X400MS_ENOENT);
    tsu_assert_content(f->mb, 0, s[2], 3, 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_password_hash_verify),
        cmocka_unit_test(test_store_password_verify_neg),
        cmocka_unit_test_setup_teardown(test_store_mailbox_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_mailbox_neg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_handle_of_deleted_mailbox_neg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_put_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_put_reads_back_after_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_put_neg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_get_neg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_select_range_limit_continuation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_select_time_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_select_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_select_callback_stops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_select_neg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_set_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_set_status_neg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_set_status_many, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_set_status_many_neg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_delete_prohibited_neg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_summary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_children, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_hooks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_ageing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_concurrent_puts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_settle_race_with_fetch_and_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_rename_behind_the_index, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
