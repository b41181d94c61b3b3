/* Unit tests of the file store's delivery journal (docs/store-format.md
 * "The journal"): after a crash between the journal's fdatasync and the
 * entry files reaching the disk, the replay at start-up brings back every
 * entry the journal holds; a torn or garbage tail, or a damaged header, is
 * ignored and never fatal. The crash is made by putting back the journal as
 * it was before the clean shutdown and damaging the entry files. */
#include "test_store_util.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

struct fixture {
    char *dir;
    struct sf_store *store;
    struct x400ms_store_mailbox *mb;
    uint32_t seqs[10];
};

static char *path_of(struct fixture *f, const char *rel)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/%s", f->dir, rel);
    return path;
}

static char *entry_path(struct fixture *f, const char *box, uint32_t seq, char letter)
{
    static char rel[256];
    snprintf(rel, sizeof rel, "mailboxes/alice/%s/%u.%c", box, seq, letter);
    return path_of(f, rel);
}

static uint8_t *read_all(const char *path, size_t *len_r)
{
    struct stat st;
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(fstat(fd, &st), 0);
    uint8_t *buf = malloc((size_t)st.st_size + 1);
    assert_non_null(buf);
    assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
    close(fd);
    *len_r = (size_t)st.st_size;
    return buf;
}

static void write_all(const char *path, const void *buf, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, buf, len), (ssize_t)len);
    close(fd);
}

/* 10 entries: 8 In Box, 2 Out Box; no checkpoint yet (flush_interval 0). */
static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    tsu_fixture_open("store-journal", "alice", "C=GB;S=Alice", &f->dir, &f->store, &f->mb);
    for (uint32_t i = 0; i < 10; i++)
        f->seqs[i] = tsu_put(f->mb, i < 8 ? 0 : 1, i, 100 * i + 7);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    tsu_fixture_close(f->dir, f->store, f->mb);
    free(f);
    return 0;
}

/* The journal as the crash left it: taken now, put back after the clean close. */
static uint8_t *take_journal(struct fixture *f, size_t *len_r)
{
    uint8_t *j = read_all(path_of(f, "journal"), len_r);
    assert_true(*len_r > SF_JOURNAL_DATA_OFFSET); /* records are there */
    assert_memory_equal(j, "X4JH", 4);
    return j;
}

static void crash_with_journal(struct fixture *f, const uint8_t *journal, size_t len)
{
    OPS->mailbox_close(f->mb);
    f->mb = NULL;
    sf_store_close(f->store);
    /* the checkpoint of the clean close started a new generation */
    size_t now_len;
    uint8_t *now = read_all(path_of(f, "journal"), &now_len);
    assert_memory_not_equal(now + 8, journal + 8, 8);
    free(now);
    write_all(path_of(f, "journal"), journal, len);
    /* the mailbox was in use when the process died */
    write_all(path_of(f, "mailboxes/alice/dirty"), "", 0);
}

static void reopen(struct fixture *f)
{
    f->store = tsu_open(f->dir, false);
    f->mb = tsu_mbopen(f->store, "alice");
}

static void assert_all_present(struct fixture *f)
{
    struct x400ms_error err = { 0 };
    struct x400ms_store_check_report rep;
    for (uint32_t i = 0; i < 10; i++)
        tsu_assert_content(f->mb, i < 8 ? 0 : 1, f->seqs[i], i, 100 * i + 7);
    assert_int_equal(OPS->check(f->store, "alice", &rep, &err), 0);
    assert_true(rep.consistent);
    assert_int_equal(rep.entries, 10);
}

/* Acknowledged entries whose files never reached the disk (missing, empty
 * because renamed before their data was written, or damaged) come back from
 * the journal, under the name their status gives. */
static void test_store_journal_replay_rewrites_lost_files(void **state)
{
    struct fixture *f = *state;
    struct x400ms_error err = { 0 };
    size_t len;

    assert_int_equal(OPS->set_status(f->mb, 0, f->seqs[3], X400MS_STATUS_PROCESSED, &err), 0);
    sf_mailbox_settle(f->mb);
    uint8_t *journal = take_journal(f, &len);
    crash_with_journal(f, journal, len);
    assert_int_equal(unlink(entry_path(f, "inbox", f->seqs[2], 'N')), 0);
    assert_int_equal(unlink(entry_path(f, "outbox", f->seqs[8], 'N')), 0);
    assert_int_equal(truncate(entry_path(f, "inbox", f->seqs[5], 'N'), 0), 0);
    assert_int_equal(truncate(entry_path(f, "inbox", f->seqs[3], 'P'), 10), 0);
    size_t elen;
    uint8_t *e6 = read_all(entry_path(f, "inbox", f->seqs[6], 'N'), &elen);
    e6[elen / 2] ^= 0x5a; /* same size, one byte wrong */
    write_all(entry_path(f, "inbox", f->seqs[6], 'N'), e6, elen);
    free(e6);
    reopen(f);
    assert_all_present(f);
    /* the processed one kept its status and has one name only */
    struct x400ms_store_entry *e;
    assert_int_equal(OPS->get(f->mb, 0, f->seqs[3], 0, &e, &err), 0);
    assert_int_equal(e->attrs.status, X400MS_STATUS_PROCESSED);
    OPS->entry_free(e);
    assert_int_not_equal(access(entry_path(f, "inbox", f->seqs[3], 'N'), F_OK), 0);
    /* and the journal was emptied: a second start replays nothing */
    OPS->mailbox_close(f->mb);
    sf_store_close(f->store);
    assert_int_equal(unlink(entry_path(f, "inbox", f->seqs[2], 'N')), 0);
    reopen(f);
    assert_int_not_equal(access(entry_path(f, "inbox", f->seqs[2], 'N'), F_OK), 0);
    free(journal);
}

/* A batch torn by the crash (never acknowledged): its record is ignored,
 * the records before it are replayed, nothing fails. */
static void test_store_journal_torn_tail_ignored(void **state)
{
    struct fixture *f = *state;
    size_t len;
    uint8_t *journal = take_journal(f, &len);
    /* The file is grown with zeros ahead of the records: find their end. */
    size_t end = len;
    while (end > SF_JOURNAL_DATA_OFFSET && journal[end - 1] == 0)
        end--;
    assert_true(end < len);
    crash_with_journal(f, journal, end - 40); /* cuts into the last record (entry 9) */
    assert_int_equal(unlink(entry_path(f, "inbox", f->seqs[7], 'N')), 0);
    assert_int_equal(unlink(entry_path(f, "outbox", f->seqs[9], 'N')), 0);
    reopen(f);
    struct x400ms_error err = { 0 };
    struct x400ms_store_entry *e;
    tsu_assert_content(f->mb, 0, f->seqs[7], 7, 707); /* before the tear: back */
    assert_int_equal(OPS->get(f->mb, 1, f->seqs[9], 0, &e, &err), X400MS_ENOENT);
    struct x400ms_store_check_report rep;
    assert_int_equal(OPS->check(f->store, "alice", &rep, &err), 0);
    assert_true(rep.consistent);
    /* its number is not reused */
    assert_true(tsu_put(f->mb, 1, 50, 10) > f->seqs[9]);
    free(journal);
}

/* Garbage after the records, and a record of an older generation: ignored. */
static void test_store_journal_garbage_tail_ignored_neg(void **state)
{
    struct fixture *f = *state;
    size_t len;
    uint8_t *journal = take_journal(f, &len);
    uint8_t *longer = malloc(len + 4096);
    memcpy(longer, journal, len);
    for (size_t i = 0; i < 4096; i++)
        longer[len + i] = (uint8_t)(i * 131 + 7);
    memcpy(longer + len, "X4JR", 4); /* looks like a record, is not one */
    crash_with_journal(f, longer, len + 4096);
    assert_int_equal(unlink(entry_path(f, "inbox", f->seqs[0], 'N')), 0);
    reopen(f);
    assert_all_present(f);
    free(longer);
    free(journal);
}

/* A damaged journal header (a torn reset): nothing replayed, the store
 * opens, the entry files are what counts. */
static void test_store_journal_bad_header_neg(void **state)
{
    struct fixture *f = *state;
    size_t len;
    uint8_t *journal = take_journal(f, &len);
    journal[9] ^= 0xff; /* the generation, under the header CRC */
    crash_with_journal(f, journal, len);
    reopen(f);
    assert_all_present(f);
    free(journal);
}

/* Records of a mailbox no longer in the registry are skipped. */
static void test_store_journal_unknown_mailbox_skipped_neg(void **state)
{
    struct fixture *f = *state;
    size_t len;
    uint8_t *journal = take_journal(f, &len);
    crash_with_journal(f, journal, len);
    /* the registry without alice (as if deleted just before the crash) */
    const char *empty = "{\"version\": 1, \"mailboxes\": []}";
    write_all(path_of(f, "mailboxes.json"), empty, strlen(empty));
    assert_int_equal(unlink(entry_path(f, "inbox", f->seqs[1], 'N')), 0);
    f->store = tsu_open(f->dir, false);
    struct x400ms_error err = { 0 };
    assert_int_equal(OPS->mailbox_open(f->store, "alice", &f->mb, &err), X400MS_ENOENT);
    f->mb = NULL;
    assert_int_not_equal(access(entry_path(f, "inbox", f->seqs[1], 'N'), F_OK), 0);
    free(journal);
}

/* An index flush checkpoints the journal while deliveries go on: the
 * records before it are no longer replayed, those after it are. */
static void test_store_journal_flush_checkpoint_moves_start(void **state)
{
    struct fixture *f = *state;
    struct x400ms_error err = { 0 };
    assert_int_equal(sf_store_flush(f->store, &err), 0);
    uint32_t later = tsu_put(f->mb, 0, 77, 777);
    size_t len;
    uint8_t *journal = take_journal(f, &len);
    crash_with_journal(f, journal, len);
    assert_int_equal(unlink(entry_path(f, "inbox", f->seqs[0], 'N')), 0); /* before the checkpoint */
    assert_int_equal(unlink(entry_path(f, "inbox", later, 'N')), 0);      /* after it */
    reopen(f);
    assert_int_not_equal(access(entry_path(f, "inbox", f->seqs[0], 'N'), F_OK), 0);
    tsu_assert_content(f->mb, 0, later, 77, 777);
    free(journal);
}

/* An acknowledged delete survives a crash (docs/store-format.md "Recovery"):
 * entries delivered and deleted (by the user, or aged) before any checkpoint
 * are not brought back by the replay, whether the crash lost the file
 * (unlinked) or undid the unlink (the file is back under its name). The
 * delete record rides on the next batch's flush: one delivery follows. */
static void test_store_journal_delete_not_resurrected(void **state)
{
    struct fixture *f = *state;
    struct x400ms_error err = { 0 };
    size_t len, elen;
    uint8_t *e6 = read_all(entry_path(f, "inbox", f->seqs[6], 'N'), &elen);
    assert_int_equal(OPS->delete_entry(f->mb, 0, f->seqs[4], &err), 0);
    assert_int_equal(OPS->delete_entry(f->mb, 0, f->seqs[6], &err), 0);
    assert_int_equal(sf_entry_delete(f->mb, 1, f->seqs[9], true, &err), 0); /* as ageing does */
    uint32_t later = tsu_put(f->mb, 0, 88, 888);
    uint8_t *journal = take_journal(f, &len);
    crash_with_journal(f, journal, len);
    write_all(entry_path(f, "inbox", f->seqs[6], 'N'), e6, elen); /* the unlink undone */
    reopen(f);
    struct x400ms_store_entry *e;
    assert_int_equal(OPS->get(f->mb, 0, f->seqs[4], 0, &e, &err), X400MS_ENOENT);
    assert_int_equal(OPS->get(f->mb, 0, f->seqs[6], 0, &e, &err), X400MS_ENOENT);
    assert_int_equal(OPS->get(f->mb, 1, f->seqs[9], 0, &e, &err), X400MS_ENOENT);
    assert_int_not_equal(access(entry_path(f, "inbox", f->seqs[4], 'N'), F_OK), 0);
    assert_int_not_equal(access(entry_path(f, "inbox", f->seqs[6], 'N'), F_OK), 0);
    assert_int_not_equal(access(entry_path(f, "outbox", f->seqs[9], 'N'), F_OK), 0);
    tsu_assert_content(f->mb, 0, later, 88, 888);
    tsu_assert_content(f->mb, 0, f->seqs[5], 5, 507);
    struct x400ms_store_check_report rep;
    assert_int_equal(OPS->check(f->store, "alice", &rep, &err), 0);
    assert_true(rep.consistent);
    assert_int_equal(rep.entries, 8);
    free(e6);
    free(journal);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_store_journal_replay_rewrites_lost_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_journal_torn_tail_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_journal_garbage_tail_ignored_neg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_journal_bad_header_neg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_journal_unknown_mailbox_skipped_neg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_journal_flush_checkpoint_moves_start, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_journal_delete_not_resurrected, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
