/* The window between an entry's acknowledgement and its file (journal mode,
 * docs/store-format.md "Writing an entry"): a small entry is acknowledged
 * once its journal record is durable, and the materializer thread writes
 * its file after. Whatever a client or the administrator does in that
 * window must see the entry as delivered: fetch it, delete it (for good),
 * change its status, check the index, delete the mailbox. The entries are
 * put with OPS->put directly (tsu_put waits for the file). */
#include "test_store_util.h"
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#define WRITERS 8
#define PER_WRITER 150

static int setup(void **state)
{
    return tsu_setup(state, "store-early-ack", "alice", "C=GB;S=Alice");
}

static int teardown(void **state)
{
    return tsu_teardown(state);
}

/* Which letter (N, L, P) names the file of seq now, 0 when there is none. */
static char file_letter(struct tsu_fixture *f, uint32_t seq)
{
    static const char letters[] = "NLP";
    for (int i = 0; i < 3; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/mailboxes/alice/inbox/%u.%c", f->dir, seq, letters[i]);
        if (access(path, F_OK) == 0)
            return letters[i];
    }
    return 0;
}

enum fate { KEPT_NEW, MARKED_LISTED, DELETED };

struct writer {
    struct x400ms_store_mailbox *mb;
    unsigned id;
    uint32_t seqs[PER_WRITER];
    enum fate fate[PER_WRITER];
    int failures; /* checked by the main thread: cmocka asserts are not thread-safe */
};

/* Each entry, the moment its put returns: fetched whole (it need not be the
 * mailbox's newest, so not in the deliver-then-fetch cache), then deleted,
 * marked listed or left. */
static void *deliver_and_touch(void *arg)
{
    struct writer *w = arg;
    for (unsigned i = 0; i < PER_WRITER; i++) {
        struct x400ms_error err = { 0 };
        struct tsu_entry e;
        uint32_t tag = w->id * 1000 + i;
        tsu_entry_init(&e, tag, 2048);
        if (OPS->put(w->mb, X400MS_STORE_INBOX, &e.in, &w->seqs[i], &err) != 0) {
            w->failures++;
            continue;
        }
        struct x400ms_store_entry *got = NULL;
        if (OPS->get(w->mb, 0, w->seqs[i], X400MS_STORE_GET_ENVELOPE | X400MS_STORE_GET_CONTENT, &got, &err) != 0) {
            fprintf(stderr, "get %u right after its put: %s\n", w->seqs[i], err.message);
            w->failures++;
        } else {
            if (got->content_len != 2048 || memcmp(got->content, e.content, 2048) != 0)
                w->failures++;
            OPS->entry_free(got);
        }
        w->fate[i] = (enum fate)(i % 3);
        int rc = 0;
        if (w->fate[i] == DELETED)
            rc = OPS->delete_entry(w->mb, 0, w->seqs[i], &err);
        else if (w->fate[i] == MARKED_LISTED)
            rc = OPS->set_status(w->mb, 0, w->seqs[i], X400MS_STATUS_LISTED, &err);
        if (rc) {
            fprintf(stderr, "entry %u right after its put: %s\n", w->seqs[i], err.message);
            w->failures++;
        }
    }
    return NULL;
}

/* Fetch, delete and status change right after the acknowledgement: a
 * deleted entry's file never appears afterwards, a listed one's is renamed. */
static void test_store_early_ack_fetch_delete_status_at_once(void **state)
{
    struct tsu_fixture *f = *state;
    struct x400ms_error err = { 0 };
    static struct writer w[WRITERS];
    pthread_t th[WRITERS];

    for (unsigned t = 0; t < WRITERS; t++) {
        w[t] = (struct writer){ .mb = f->mb, .id = t + 1 };
        assert_int_equal(pthread_create(&th[t], NULL, deliver_and_touch, &w[t]), 0);
    }
    for (unsigned t = 0; t < WRITERS; t++)
        pthread_join(th[t], NULL);
    /* every file written, every rename done (a flush settles them) */
    assert_int_equal(sf_store_flush(f->store, &err), 0);
    size_t kept = 0;
    for (unsigned t = 0; t < WRITERS; t++) {
        assert_int_equal(w[t].failures, 0);
        for (unsigned i = 0; i < PER_WRITER; i++) {
            struct x400ms_store_entry *e = NULL;
            uint32_t seq = w[t].seqs[i];
            char letter = file_letter(f, seq);
            if (w[t].fate[i] == DELETED) {
                assert_int_equal(OPS->get(f->mb, 0, seq, 0, &e, &err), X400MS_ENOENT);
                if (letter)
                    fail_msg("deleted entry %u has a file again (%c)", seq, letter);
                continue;
            }
            kept++;
            assert_int_equal(OPS->get(f->mb, 0, seq, 0, &e, &err), 0);
            assert_int_equal(e->attrs.status, w[t].fate[i] == MARKED_LISTED ? X400MS_STATUS_LISTED
                                                                              : X400MS_STATUS_NEW);
            OPS->entry_free(e);
            assert_int_equal(letter, w[t].fate[i] == MARKED_LISTED ? 'L' : 'N');
        }
    }
    tsu_assert_consistent(f->store, "alice", kept);
}

struct stream {
    struct x400ms_store_mailbox *mb;
    uint32_t seqs[PER_WRITER * 2];
    int failures;
    unsigned *finished; /* shared by the streams: __atomic access */
};

static void *deliver_stream(void *arg)
{
    struct stream *s = arg;
    for (unsigned i = 0; i < PER_WRITER * 2; i++) {
        struct tsu_entry e;
        tsu_entry_init(&e, i, 2048);
        if (OPS->put(s->mb, X400MS_STORE_INBOX, &e.in, &s->seqs[i], NULL) != 0)
            s->failures++;
    }
    __atomic_add_fetch(s->finished, 1, __ATOMIC_RELEASE);
    return NULL;
}

/* An index check while deliveries go on: an acknowledged entry whose file is
 * not written yet is no "entry without a file" to remove from the index. */
static void test_store_early_ack_check_while_delivering(void **state)
{
    struct tsu_fixture *f = *state;
    struct x400ms_error err = { 0 };
    static struct stream s[4];
    pthread_t th[4];
    uint64_t missing = 0, corrupt = 0;
    unsigned finished = 0;
    int checks = 0;

    for (unsigned t = 0; t < 4; t++) {
        s[t] = (struct stream){ .mb = f->mb, .finished = &finished };
        assert_int_equal(pthread_create(&th[t], NULL, deliver_stream, &s[t]), 0);
    }
    /* checks until the writers are done (at least a few) */
    for (;;) {
        struct x400ms_store_check_report rep = { 0 };
        assert_int_equal(OPS->check(f->store, "alice", &rep, &err), 0);
        missing += rep.missing;
        corrupt += rep.corrupt;
        checks++;
        if (__atomic_load_n(&finished, __ATOMIC_ACQUIRE) == 4 && checks >= 3)
            break;
    }
    for (unsigned t = 0; t < 4; t++)
        pthread_join(th[t], NULL);
    assert_int_equal(missing, 0);
    assert_int_equal(corrupt, 0);
    for (unsigned t = 0; t < 4; t++) {
        assert_int_equal(s[t].failures, 0);
        for (unsigned i = 0; i < PER_WRITER * 2; i++)
            tsu_assert_content(f->mb, 0, s[t].seqs[i], i, 2048);
    }
    tsu_assert_consistent(f->store, "alice", 4 * PER_WRITER * 2);
}

struct until_gone {
    struct x400ms_store_mailbox *mb;
    unsigned acked;
};

static void *deliver_until_gone(void *arg)
{
    struct until_gone *g = arg;
    for (uint32_t i = 0;; i++) {
        struct tsu_entry e;
        uint32_t seq;
        tsu_entry_init(&e, i, 2048);
        if (OPS->put(g->mb, 0, &e.in, &seq, NULL) != 0)
            return NULL; /* the mailbox is gone */
        g->acked++;
    }
}

/* The mailbox deleted while deliveries stream in, some acknowledged with
 * their files still to write: none is written into it afterwards (such a
 * write would fail, and the journal would be kept for a replay into the
 * next mailbox of that name), and a new mailbox of that name starts empty,
 * also after a restart. */
static void test_store_early_ack_mailbox_delete_while_delivering(void **state)
{
    struct tsu_fixture *f = *state;
    struct x400ms_error err = { 0 };
    static struct until_gone g[WRITERS];
    pthread_t th[WRITERS];
    unsigned acked = 0;

    for (unsigned t = 0; t < WRITERS; t++) {
        g[t] = (struct until_gone){ .mb = f->mb };
        assert_int_equal(pthread_create(&th[t], NULL, deliver_until_gone, &g[t]), 0);
    }
    usleep(200 * 1000);
    assert_int_equal(OPS->mailbox_delete(f->store, "alice", &err), 0);
    for (unsigned t = 0; t < WRITERS; t++) {
        pthread_join(th[t], NULL);
        acked += g[t].acked;
    }
    assert_true(acked > 0);
    OPS->mailbox_close(f->mb);
    f->mb = NULL;
    assert_int_equal(sf_store_flush(f->store, &err), 0); /* every file write queued so far is done */
    assert_false(__atomic_load_n(&f->store->journal.pinned, __ATOMIC_ACQUIRE)); /* and none failed */
    tsu_create(f->store, "alice", "C=GB;S=Alice");
    sf_store_close(f->store);
    f->store = tsu_open(f->dir, false);
    f->mb = tsu_mbopen(f->store, "alice");
    struct x400ms_store_summary sum;
    assert_int_equal(OPS->summary(f->mb, 0, &sum, &err), 0);
    assert_int_equal(sum.total, 0);
    tsu_assert_consistent(f->store, "alice", 0);
}

/* The file of an acknowledged entry cannot be written (here: its box
 * directory was removed under the store; in life a disk that filled up
 * after the acknowledgement): the entry stays in the journal, which no
 * checkpoint empties any more, and the next start's replay writes the file. */
static void test_store_early_ack_file_write_fails_kept_in_journal(void **state)
{
    struct tsu_fixture *f = *state;
    struct x400ms_error err = { 0 };
    char inbox[1024];
    uint32_t first = tsu_put(f->mb, 0, 1, 2048), second;
    snprintf(inbox, sizeof inbox, "%s/mailboxes/alice/inbox", f->dir);
    x4t_rmtree(inbox); /* the store keeps the directory open: creating in it fails now */
    struct tsu_entry e;
    tsu_entry_init(&e, 2, 2048);
    assert_int_equal(OPS->put(f->mb, 0, &e.in, &second, &err), 0); /* durable in the journal */
    sf_store_flush(f->store, &err); /* waits for the materializer (the file write fails) */
    assert_true(__atomic_load_n(&f->store->journal.pinned, __ATOMIC_ACQUIRE));
    OPS->mailbox_close(f->mb);
    f->mb = NULL;
    sf_store_close(f->store); /* its checkpoint leaves the journal as it is */
    assert_int_equal(mkdir(inbox, 0700), 0);
    f->store = tsu_open(f->dir, false);
    f->mb = tsu_mbopen(f->store, "alice");
    tsu_assert_content(f->mb, 0, first, 1, 2048);
    tsu_assert_content(f->mb, 0, second, 2, 2048);
    assert_false(__atomic_load_n(&f->store->journal.pinned, __ATOMIC_ACQUIRE));
    tsu_assert_consistent(f->store, "alice", 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_store_early_ack_fetch_delete_status_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_early_ack_check_while_delivering, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_early_ack_mailbox_delete_while_delivering, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_early_ack_file_write_fails_kept_in_journal, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
