/* Group commit (DESIGN.md section 5, docs/store-format.md "Writing an
 * entry"). Writers queue their entry and wait; one committer thread takes
 * every queued entry as a batch and makes it durable with one flush:
 * - journal mode (default): the writers do no file I/O; the committer
 *   appends the batch to the journal with one pwritev + fdatasync, indexes
 *   the entries and acknowledges them: each is durable (the journal record)
 *   and listed, fetched, deleted like any other. The materializer thread
 *   then writes each entry file under its final name, while the committer
 *   already flushes the next batch. Until its file exists an entry stays in
 *   its mailbox's in-flight set, and every code path that opens, renames or
 *   removes an entry file waits for it first (sf_mailbox_wait_written);
 *   entries larger than SF_CACHE_MAX (not copied into memory) are written
 *   before they are acknowledged, as the syncfs/fdatasync modes do;
 * - syncfs / fdatasync modes: the writers write temporary files, the
 *   committer makes them durable (one syncfs, or each writer's fdatasync),
 *   renames them, fsyncs each directory once, indexes them, wakes the writers.
 * A writer is told its sequence number only after that, so "delivered"
 * always means "survives a crash". The queue mutex is held only to link or
 * unlink a batch, never across I/O. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "crc32c.h"
#include "entry_file.h"
#include "fsutil.h"
#include "metrics.h"
#include "store_file.h"
#define X400MS_LOG_MODULE "store_file"
#include "x400ms/log.h"

/* A writer waits on this, on its own stack: one futex word per writer, so
 * an acknowledgement wakes exactly its writer (a shared condition variable
 * woke all sixteen writers of a batch for each, in a VM where a context
 * switch costs tens of microseconds). */
struct sf_commit_wait {
    atomic_uint done;
    int rc;
};

static void wait_done(struct sf_commit_wait *w)
{
    while (!atomic_load_explicit(&w->done, memory_order_acquire))
        syscall(SYS_futex, &w->done, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
}

/* After this the writer may return: w is gone. */
static void wake_writer(struct sf_commit_wait *w, int rc)
{
    w->rc = rc;
    atomic_store_explicit(&w->done, 1, memory_order_release);
    syscall(SYS_futex, &w->done, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

struct sf_commit_req {
    struct sf_commit_req *next;
    struct sf_commit_req *next_batch; /* a batch's first entry, in the materializer's queue */
    struct x400ms_store_mailbox *mb;
    unsigned box;
    uint32_t seq;
    const struct x400ms_store_attrs *attrs; /* the writer's: valid until it is woken */
    uint8_t *file;                        /* whole file bytes when small (cache), else NULL */
    size_t file_len;
    int rc;
    struct sf_commit_wait *wait;          /* the writer's; NULL once it is woken */
    /* journal mode, small entry: the request and its bytes (file) were
     * allocated by the writer; the materializer frees them */
    bool owned;
    /* owned, and acknowledged at the journal flush (space_for_early_acks):
     * the materializer writes its file after its writer has returned */
    bool acked;
    /* a delete record (journal mode): queued by the deleting thread, which
     * does not wait; the committer writes it with its next batch and frees it */
    bool is_delete;
    char del_mailbox[X400MS_STORE_NAME_MAX + 1];
    char tmp[24];
    /* journal mode: the entry's bytes (the writer's buffers, valid while it
     * waits, or parts of file) */
    const uint8_t *hdr, *envelope, *content, *trailer;
    size_t hdr_len, envelope_len, content_len;
    uint8_t jhdr[SF_JOURNAL_REC_HEADER_MAX];
};

/* Frees the delete records of a batch (nobody waits for them); returns the rest. */
static struct sf_commit_req *drop_deletes(struct sf_commit_req *batch)
{
    struct sf_commit_req *keep = NULL, **tail = &keep;
    for (struct sf_commit_req *r = batch, *next; r; r = next) {
        next = r->next;
        if (r->is_delete) {
            free(r);
            continue;
        }
        *tail = r;
        tail = &r->next;
    }
    *tail = NULL;
    return keep;
}

/* Journal mode (journal.c): the whole batch - entries and delete records -
 * goes into the journal with one write and one fdatasync (none when it holds
 * delete records only); acknowledge_journaled then hands the entries on.
 * Returns the batch without its delete records (written and freed). */
static struct sf_commit_req *commit_batch_journal(struct sf_store *store, struct sf_commit_req *batch)
{
    static const uint8_t zeros[8];
    struct sf_journal *j = &store->journal;
    struct sf_commit_req *r;
    size_t n = 0, k = 0;
    int rc;

    for (r = batch; r; r = r->next)
        n++;
    struct iovec *iov = malloc(n * 7 * sizeof *iov);
    if (!iov) {
        for (r = batch; r; r = r->next)
            r->rc = X400MS_ENOMEM;
        return drop_deletes(batch);
    }
    bool entries = false;
    for (r = batch; r; r = r->next) {
        if (r->is_delete) {
            size_t dlen = sf_journal_delete_record(r->jhdr, j->gen, r->del_mailbox, r->box, r->seq);
            iov[k++] = (struct iovec){ r->jhdr, dlen };
            if (dlen % 8)
                iov[k++] = (struct iovec){ (void *)zeros, 8 - dlen % 8 };
            continue;
        }
        entries = true;
        uint64_t entry_len = r->hdr_len + r->envelope_len + r->content_len + 4;
        size_t jlen = sf_journal_record_header(r->jhdr, j->gen, r->mb->name, r->box, r->seq, entry_len);
        iov[k++] = (struct iovec){ r->jhdr, jlen };
        iov[k++] = (struct iovec){ (void *)r->hdr, r->hdr_len };
        if (r->envelope_len)
            iov[k++] = (struct iovec){ (void *)r->envelope, r->envelope_len };
        if (r->content_len)
            iov[k++] = (struct iovec){ (void *)r->content, r->content_len };
        iov[k++] = (struct iovec){ (void *)r->trailer, 4 };
        size_t pad = (size_t)((8 - (jlen + entry_len) % 8) % 8);
        if (pad)
            iov[k++] = (struct iovec){ (void *)zeros, pad };
    }
    /* A batch of delete records only is not flushed on its own: the next
     * batch's fdatasync (or the next checkpoint) carries it. */
    if ((rc = sf_journal_append(j, iov, k, entries)) != 0) {
        X400MS_LOG_E("%s/journal: append failed: %s; deliveries of this batch refused", store->root,
                     x400ms_strerror(rc));
        for (r = batch; r; r = r->next)
            r->rc = rc;
    }
    free(iov);
    return drop_deletes(batch);
}

/* Makes bytes (when not NULL) the box's deliver-then-fetch cache, entry seq
 * (box lock held for writing); returns what to free: the old cache, or
 * nothing. */
static uint8_t *cache_replace_locked(struct sf_box *b, uint8_t *bytes, size_t len, uint32_t seq)
{
    if (!bytes)
        return NULL;
    uint8_t *old = b->cache;
    b->cache = bytes;
    b->cache_len = len;
    b->cache_seq = seq;
    return old;
}

/* A durable entry goes into its box's index; its bytes, when kept, become
 * the box's deliver-then-fetch cache. Returns the index's result (out of
 * memory: durable but not indexed, the next check adds it). */
static int index_committed(struct sf_commit_req *r)
{
    struct sf_box *b = &r->mb->box[r->box];
    pthread_rwlock_wrlock(&b->lock);
    int rc = sf_index_put(&b->idx, r->attrs, X400MS_STATUS_NEW);
    b->dirty = true;
    uint8_t *old = cache_replace_locked(b, r->file, r->file_len, r->seq);
    r->file = NULL;
    pthread_rwlock_unlock(&b->lock);
    free(old);
    if (rc)
        X400MS_LOG_E("mailbox %s: entry %u stored but the index is out of memory", r->mb->name, r->seq);
    return rc;
}

/* The early-acknowledged entries of a journaled batch go into their boxes'
 * indexes: one write lock per run of entries of the same box, and only the
 * run's last entry becomes the box's cache, as a copy (the materializer
 * still writes the file from the bytes). */
static void index_acknowledged(struct sf_commit_req *batch)
{
    for (struct sf_commit_req *r = batch, *end; r; r = end) {
        end = r->next;
        if (!r->acked || r->rc)
            continue;
        struct sf_commit_req *last = r;
        while (end && end->acked && !end->rc && end->mb == r->mb && end->box == r->box) {
            last = end;
            end = end->next;
        }
        struct sf_box *b = &r->mb->box[r->box];
        uint8_t *cache = malloc(last->file_len);
        if (cache)
            memcpy(cache, last->file, last->file_len);
        unsigned failed = 0;
        pthread_rwlock_wrlock(&b->lock);
        for (struct sf_commit_req *q = r; q != end; q = q->next)
            failed += sf_index_put(&b->idx, q->attrs, X400MS_STATUS_NEW) != 0;
        b->dirty = true;
        uint8_t *old = cache_replace_locked(b, cache, last->file_len, last->seq);
        pthread_rwlock_unlock(&b->lock);
        free(old);
        if (failed)
            X400MS_LOG_E("mailbox %s: %u entries stored but the index is out of memory", r->mb->name, failed);
    }
}

/* Writes the entry's bytes to fd: its one buffer when it has one, else the
 * writer's parts. 0, or -1 with errno. */
static int write_entry_bytes(int fd, const struct sf_commit_req *r)
{
    if (r->file)
        return sf_write_all(fd, r->file, r->file_len);
    struct iovec iov[4] = {
        { (void *)r->hdr, r->hdr_len }, { (void *)r->envelope, r->envelope_len },
        { (void *)r->content, r->content_len }, { (void *)r->trailer, 4 },
    };
    return sf_writev_all(fd, iov, 4);
}

/* Journal mode, on the materializer thread: writes an entry's file under
 * its final name. It needs no temporary name and no flush: the journal
 * record already makes the entry durable; a crash before the next
 * checkpoint leaves a file that is missing, empty or short, which the replay
 * rewrites from the record. Until the file is complete the entry is in its
 * mailbox's in-flight set (the index check leaves it alone; fetch, delete
 * and renames wait). Returns 0 or -1 with errno. */
static int write_entry_file(struct sf_commit_req *r)
{
    struct sf_box *b = &r->mb->box[r->box];
    char final[24];
    int fd, rc;

    snprintf(final, sizeof final, "%u.N", r->seq);
    errno = 0;
    fd = openat(b->dir_fd, final, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    rc = write_entry_bytes(fd, r);
    if (close(fd) != 0 && rc == 0)
        rc = -1;
    if (rc != 0) {
        int e = errno ? errno : EIO;
        unlinkat(b->dir_fd, final, 0);
        errno = e;
    }
    return rc;
}

static void materialize_one(struct sf_store *store, struct sf_commit_req *r)
{
    if (r->rc) { /* not journaled: refused (its writer knows) */
        sf_mailbox_inflight_done(r->mb, r->seq);
        return;
    }
    if (write_entry_file(r) != 0) {
        int e = errno;
        if (r->acked) {
            /* Acknowledged: the journal record is its only copy now. Keep
             * the journal until the next start, whose replay writes the
             * file; the entry is served again from then on. */
            __atomic_store_n(&store->journal.pinned, true, __ATOMIC_RELEASE);
            X400MS_LOG_E("mailbox %s: writing entry %u: %s; kept in the journal, which is no longer "
                         "emptied: the next start writes the file",
                         r->mb->name, r->seq, strerror(e));
        } else {
            /* Durable in the journal but not acknowledged: a replay may
             * still bring it back (at least once). */
            r->rc = sf_errno_code(e);
            X400MS_LOG_E("mailbox %s: writing entry %u: %s", r->mb->name, r->seq, strerror(e));
        }
    } else if (!r->acked) {
        index_committed(r);
    }
    sf_mailbox_inflight_done(r->mb, r->seq); /* the last use of r->mb */
}

/* Writes the files of journaled batches, in the order of the journal, while
 * the committer flushes the next batch. Wakes the writers of entries that
 * wait for their file (large ones); frees the early-acknowledged ones. */
static void *materializer_main(void *arg)
{
    struct sf_store *store = arg;
    struct sf_committer *c = &store->committer;
    pthread_mutex_lock(&c->mu);
    for (;;) {
        while (!c->mat_head && !c->mat_stop)
            pthread_cond_wait(&c->cv_mat, &c->mu);
        if (!c->mat_head)
            break;
        struct sf_commit_req *batch = c->mat_head;
        c->mat_head = batch->next_batch;
        if (!c->mat_head)
            c->mat_tail = NULL;
        pthread_mutex_unlock(&c->mu);
        size_t n = 0, bytes = 0;
        for (struct sf_commit_req *r = batch, *next; r; r = next) {
            next = r->next; /* r belongs to its writer once woken, or is freed */
            materialize_one(store, r);
            n++;
            bytes += r->file_len;
            bool owned = r->owned; /* r may be its writer's, gone once woken */
            if (!r->acked) {
                sf_metrics_entry_committed((enum x400ms_store_box)r->box, r->rc == 0);
                wake_writer(r->wait, r->rc);
            }
            if (owned) {
                free(r->file); /* NULL when it became the cache */
                free(r);
            }
        }
        pthread_mutex_lock(&c->mu);
        c->unsettled -= n;
        c->unsettled_bytes -= bytes;
        pthread_cond_broadcast(&c->cv_settled);
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

/* Early acknowledgements need room for the files they promise: with less
 * free space (or inodes) than this beyond what is already promised, an
 * entry is acknowledged only once its file is written, so that a full disk
 * refuses deliveries (X.411 8.3.1.1.2: the MS cannot take responsibility)
 * instead of accepting entries it cannot store. */
#define SF_EARLY_ACK_FREE_BYTES (64u << 20)
#define SF_EARLY_ACK_FREE_INODES 4096u

static bool space_for_early_acks(struct sf_store *store, size_t n, size_t bytes)
{
    struct sf_committer *c = &store->committer;
    struct statvfs sv;
    if (fstatvfs(store->root_fd, &sv) != 0)
        return false;
    pthread_mutex_lock(&c->mu);
    uint64_t promised = c->unsettled_bytes, promised_files = c->unsettled;
    pthread_mutex_unlock(&c->mu);
    uint64_t free_bytes = (uint64_t)sv.f_bavail * sv.f_frsize;
    /* f_files is 0 where inodes are not counted ahead (btrfs): no limit */
    return free_bytes >= SF_EARLY_ACK_FREE_BYTES + promised + bytes &&
           (sv.f_files == 0 || (uint64_t)sv.f_favail >= SF_EARLY_ACK_FREE_INODES + promised_files + n);
}

/* Journal mode, after the batch's flush, on the committer: indexes and
 * acknowledges the small entries when there is room for their files (their
 * files follow), and hands the batch to the materializer. Returns with
 * c->mu held. */
static void acknowledge_journaled(struct sf_store *store, struct sf_commit_req *batch)
{
    struct sf_committer *c = &store->committer;
    size_t n = 0, bytes = 0;
    struct sf_commit_req *r;
    for (r = batch; r; r = r->next) {
        n++;
        bytes += r->file_len;
    }
    bool early = batch && space_for_early_acks(store, n, bytes);
    for (r = batch; early && r; r = r->next)
        r->acked = r->owned;
    if (early)
        index_acknowledged(batch);
    for (r = batch; early && r; r = r->next) {
        if (!r->acked)
            continue;
        sf_metrics_entry_committed((enum x400ms_store_box)r->box, r->rc == 0);
        struct sf_commit_wait *w = r->wait;
        r->wait = NULL;
        r->attrs = NULL; /* the writer's */
        wake_writer(w, r->rc);
    }
    pthread_mutex_lock(&c->mu);
    c->batches++;
    c->entries += n;
    if (batch) {
        c->unsettled += n;
        c->unsettled_bytes += bytes;
        batch->next_batch = NULL;
        if (c->mat_tail)
            c->mat_tail->next_batch = batch;
        else
            c->mat_head = batch;
        c->mat_tail = batch;
        pthread_cond_signal(&c->cv_mat);
    }
}

/* The full checkpoint (journal.c): when the journal is large, and at stop.
 * Runs on the committer thread or after it stopped (c->mu held; released
 * while waiting and during the syncfs); deliveries wait meanwhile. */
static int checkpoint_locked(struct sf_store *store)
{
    struct sf_committer *c = &store->committer;
    while (c->unsettled > 0)
        pthread_cond_wait(&c->cv_settled, &c->mu);
    pthread_mutex_unlock(&c->mu);
    int rc = sf_journal_checkpoint(store);
    pthread_mutex_lock(&c->mu);
    return rc;
}

/* A cut for sf_commit_checkpoint: between two batches, once every entry
 * acknowledged so far has its name (c->mu held). */
static void cut_locked(struct sf_store *store)
{
    struct sf_committer *c = &store->committer;
    c->cp_started++;
    c->checkpoint_req = false;
    while (c->unsettled > 0)
        pthread_cond_wait(&c->cv_settled, &c->mu);
    c->cut_gen = store->journal.gen;
    c->cut_off = store->journal.off;
    c->cp_done++;
    pthread_cond_broadcast(&c->cv_done);
}

static void commit_batch(struct sf_store *store, struct sf_commit_req *batch)
{
    int dirs[64];
    size_t n_dirs = 0;
    struct sf_commit_req *r;
    int rc = 0;

    if (store->opt.sync_mode == SF_SYNC_SYNCFS) {
        if (syncfs(store->root_fd) != 0) {
            rc = sf_errno_code(errno);
            X400MS_LOG_E("syncfs of %s failed: %s; deliveries of this batch refused", store->root,
                         strerror(errno));
        }
    }
    for (r = batch; r; r = r->next)
        if (rc && !r->rc)
            r->rc = rc;
    for (r = batch; r; r = r->next) {
        char final[24];
        int dir_fd = r->mb->box[r->box].dir_fd;
        if (r->rc)
            continue;
        snprintf(final, sizeof final, "%u.N", r->seq);
        if (renameat(dir_fd, r->tmp, dir_fd, final) != 0) {
            r->rc = sf_errno_code(errno);
            X400MS_LOG_E("mailbox %s: rename of entry %u failed: %s", r->mb->name, r->seq, strerror(errno));
            continue;
        }
        size_t i;
        for (i = 0; i < n_dirs && dirs[i] != dir_fd; i++)
            ;
        if (i == n_dirs) {
            if (n_dirs == sizeof dirs / sizeof dirs[0]) {
                /* Many directories: sync what we have and start over. */
                for (size_t k = 0; k < n_dirs; k++)
                    fsync(dirs[k]);
                n_dirs = 0;
            }
            dirs[n_dirs++] = dir_fd;
        }
    }
    for (size_t i = 0; i < n_dirs; i++) {
        if (fsync(dirs[i]) != 0) {
            int code = sf_errno_code(errno);
            X400MS_LOG_E("fsync of an entry directory failed: %s", strerror(errno));
            for (r = batch; r; r = r->next)
                if (!r->rc && r->mb->box[r->box].dir_fd == dirs[i])
                    r->rc = code; /* the file may survive: the check indexes it then */
        }
    }
    for (r = batch; r; r = r->next) {
        struct sf_box *b = &r->mb->box[r->box];
        if (r->rc) {
            unlinkat(b->dir_fd, r->tmp, 0);
            sf_mailbox_inflight_done(r->mb, r->seq);
            continue;
        }
        r->rc = index_committed(r);
        sf_mailbox_inflight_done(r->mb, r->seq);
    }
}

static void timespec_add_us(struct timespec *t, long us)
{
    t->tv_nsec += us * 1000L;
    while (t->tv_nsec >= 1000000000L) {
        t->tv_sec++;
        t->tv_nsec -= 1000000000L;
    }
}

static bool timespec_before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void *committer_main(void *arg)
{
    struct sf_store *store = arg;
    struct sf_committer *c = &store->committer;

    size_t last_batch = 0;
    pthread_mutex_lock(&c->mu);
    for (;;) {
        while (!c->head && !c->stop && !c->checkpoint_req)
            pthread_cond_wait(&c->cv_work, &c->mu);
        if (!c->head && c->checkpoint_req) {
            cut_locked(store);
            continue;
        }
        if (!c->head)
            break;
        /* Against the convoy (batches of 1 and n-1 alternating): the writers
         * of the last batch come back within microseconds, so wait a moment
         * until as many are queued again - but only while they keep coming:
         * a gap of SF_COMMIT_GATHER_IDLE_US without a new arrival ends the
         * wait (a writer that went elsewhere must not cost every other one
         * the whole SF_COMMIT_GATHER_US). */
        if (last_batch > 1 && c->queued < last_batch) {
            /* Woken by the arrival that completes the batch, not by each
             * one (sixteen wake-ups of this thread per batch cost more than
             * the flush in a VM); a gap shows as no arrival during a wait. */
            c->gather_target = last_batch;
            struct timespec hard, until;
            clock_gettime(CLOCK_REALTIME, &hard);
            until = hard;
            timespec_add_us(&hard, SF_COMMIT_GATHER_US);
            for (;;) {
                size_t before = c->queued;
                timespec_add_us(&until, SF_COMMIT_GATHER_IDLE_US);
                if (timespec_before(&hard, &until))
                    until = hard;
                int w = pthread_cond_timedwait(&c->cv_work, &c->mu, &until);
                if (c->queued >= last_batch || c->stop)
                    break;
                if (w == ETIMEDOUT && (c->queued == before || !timespec_before(&until, &hard)))
                    break;
                clock_gettime(CLOCK_REALTIME, &until);
            }
            c->gather_target = 0;
        }
        /* Back-pressure: the files of acknowledged entries must not fall
         * behind without bound (memory, and the next checkpoint's wait). */
        while (c->unsettled >= SF_UNWRITTEN_MAX || c->unsettled_bytes >= SF_UNWRITTEN_BYTES_MAX)
            pthread_cond_wait(&c->cv_settled, &c->mu);
        struct sf_commit_req *batch = c->head;
        last_batch = c->queued;
        c->head = c->tail = NULL;
        c->queued = 0;
        pthread_mutex_unlock(&c->mu);

        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (store->opt.sync_mode == SF_SYNC_JOURNAL)
            batch = commit_batch_journal(store, batch);
        else
            commit_batch(store, batch);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        sf_metrics_flush_observe((uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000u +
                                 (uint64_t)t1.tv_nsec - (uint64_t)t0.tv_nsec);

        if (store->opt.sync_mode == SF_SYNC_JOURNAL) {
            acknowledge_journaled(store, batch); /* returns with c->mu held */
        } else {
            for (struct sf_commit_req *r = batch, *next; r; r = next) {
                next = r->next; /* r belongs to its writer once woken */
                sf_metrics_entry_committed((enum x400ms_store_box)r->box, r->rc == 0);
                wake_writer(r->wait, r->rc);
            }
            pthread_mutex_lock(&c->mu);
            c->batches++;
            c->entries += last_batch;
        }
        /* A checkpoint asked for (index flush, restore ...) or due: now,
         * so that a steady stream of deliveries cannot starve it. */
        if (c->checkpoint_req)
            cut_locked(store);
        if (store->opt.sync_mode == SF_SYNC_JOURNAL && store->journal.off > SF_JOURNAL_CHECKPOINT_BYTES &&
            !__atomic_load_n(&store->journal.pinned, __ATOMIC_ACQUIRE))
            checkpoint_locked(store);
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

static void materializer_stop(struct sf_committer *c)
{
    if (!c->mat_running)
        return;
    pthread_mutex_lock(&c->mu);
    c->mat_stop = true;
    pthread_cond_broadcast(&c->cv_mat);
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->materializer, NULL); /* after it wrote every queued file */
    c->mat_running = false;
}

int sf_committer_start(struct sf_store *store, struct x400ms_error *err)
{
    struct sf_committer *c = &store->committer;
    int e;

    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv_work, NULL);
    pthread_cond_init(&c->cv_done, NULL);
    pthread_cond_init(&c->cv_settled, NULL);
    pthread_cond_init(&c->cv_mat, NULL);
    c->head = c->tail = NULL;
    c->mat_head = c->mat_tail = NULL;
    c->stop = c->mat_stop = false;
    c->gather_target = 0;
    c->unsettled = c->unsettled_bytes = 0;
    c->checkpoint_req = false;
    if (store->opt.sync_mode == SF_SYNC_JOURNAL) {
        if ((e = pthread_create(&c->materializer, NULL, materializer_main, store)) != 0)
            return x400ms_error_set(err, X400MS_ENOMEM, "cannot start the materializer thread: %s", strerror(e));
        c->mat_running = true;
    }
    if ((e = pthread_create(&c->thread, NULL, committer_main, store)) != 0) {
        materializer_stop(c);
        return x400ms_error_set(err, X400MS_ENOMEM, "cannot start the committer thread: %s", strerror(e));
    }
    c->running = true;
    return 0;
}

void sf_committer_stop(struct sf_store *store)
{
    struct sf_committer *c = &store->committer;
    if (!c->running)
        return;
    pthread_mutex_lock(&c->mu);
    c->stop = true;
    pthread_cond_signal(&c->cv_work);
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->thread, NULL);
    materializer_stop(c);
    /* Clean shutdown: the entry files become durable, the journal empty. */
    pthread_mutex_lock(&c->mu);
    if (store->journal.fd >= 0)
        checkpoint_locked(store);
    c->running = false;
    pthread_mutex_unlock(&c->mu);
    pthread_cond_destroy(&c->cv_work);
    pthread_cond_destroy(&c->cv_done);
    pthread_cond_destroy(&c->cv_settled);
    pthread_cond_destroy(&c->cv_mat);
    pthread_mutex_destroy(&c->mu);
}

int sf_commit_checkpoint(struct sf_store *store)
{
    struct sf_committer *c = &store->committer;
    int rc;
    if (!c->running || store->journal.fd < 0)
        return 0;
    pthread_mutex_lock(&c->mu);
    if (c->stop) {
        pthread_mutex_unlock(&c->mu);
        return 0;
    }
    /* The checkpoint that serves us must start after this call. */
    uint64_t want = c->cp_started + 1;
    c->checkpoint_req = true;
    pthread_cond_signal(&c->cv_work);
    while (c->cp_done < want && !c->stop)
        pthread_cond_wait(&c->cv_done, &c->mu);
    if (c->cp_done < want) { /* stopping: the stop's full checkpoint covers us */
        pthread_mutex_unlock(&c->mu);
        return 0;
    }
    uint64_t gen = c->cut_gen, cut = c->cut_off;
    pthread_mutex_unlock(&c->mu);
    /* The syncfs runs here, not on the committer: deliveries go on. */
    rc = sf_journal_advance(store, gen, cut);
    return rc;
}

/* Appends r to the committer's queue (c->mu held). */
static void enqueue_locked(struct sf_committer *c, struct sf_commit_req *r)
{
    if (c->tail)
        c->tail->next = r;
    else
        c->head = r;
    c->tail = r;
}

void sf_commit_note_delete(struct x400ms_store_mailbox *mb, unsigned box, uint32_t seq)
{
    struct sf_store *store = mb->store;
    struct sf_committer *c = &store->committer;
    if (store->opt.sync_mode != SF_SYNC_JOURNAL || store->journal.fd < 0)
        return;
    struct sf_commit_req *r = calloc(1, sizeof *r);
    if (!r) { /* the delete stands; only a crash before the next checkpoint could undo it */
        X400MS_LOG_W("mailbox %s: no memory for the journal record of deleted entry %u", mb->name, seq);
        return;
    }
    r->is_delete = true;
    r->box = box;
    r->seq = seq;
    snprintf(r->del_mailbox, sizeof r->del_mailbox, "%s", mb->name);
    pthread_mutex_lock(&c->mu);
    if (!c->running || c->stop) { /* the stop's full checkpoint makes the delete durable */
        pthread_mutex_unlock(&c->mu);
        free(r);
        return;
    }
    enqueue_locked(c, r); /* not counted in c->queued: nobody waits for it */
    pthread_cond_signal(&c->cv_work);
    pthread_mutex_unlock(&c->mu);
}

/* The entry file's bytes in one new buffer (header, envelope, content,
 * CRC trailer: docs/store-format.md); NULL when out of memory. */
static uint8_t *entry_bytes(const uint8_t *hdr, size_t hdr_len, const struct x400ms_store_entry_in *in,
                            const uint8_t trailer[4], size_t total)
{
    uint8_t *file = malloc(total), *p = file;
    if (!file)
        return NULL;
    memcpy(p, hdr, hdr_len);
    p += hdr_len;
    if (in->envelope_len)
        memcpy(p, in->envelope, in->envelope_len);
    p += in->envelope_len;
    if (in->content_len)
        memcpy(p, in->content, in->content_len);
    p += in->content_len;
    memcpy(p, trailer, 4);
    return file;
}

/* Queues r and waits for its acknowledgement; returns its result. */
static int queue_and_wait(struct sf_committer *c, struct sf_commit_req *r)
{
    struct sf_commit_wait w = { .rc = 0 };
    atomic_init(&w.done, 0);
    r->wait = &w;
    pthread_mutex_lock(&c->mu);
    enqueue_locked(c, r);
    c->queued++;
    if (c->queued >= c->gather_target) /* 0 unless the committer gathers */
        pthread_cond_signal(&c->cv_work);
    pthread_mutex_unlock(&c->mu);
    wait_done(&w);
    return w.rc;
}

/* Journal mode, an entry small enough to keep in memory: the request and
 * the entry's bytes are allocated, for the materializer writes the file
 * after the writer has returned. NULL when out of memory. */
static struct sf_commit_req *early_ack_request(const uint8_t *hdr, size_t hdr_len,
                                               const struct x400ms_store_entry_in *in,
                                               const uint8_t trailer[4], size_t total)
{
    struct sf_commit_req *r = calloc(1, sizeof *r);
    if (!r || !(r->file = entry_bytes(hdr, hdr_len, in, trailer, total))) {
        free(r);
        return NULL;
    }
    r->owned = true;
    r->file_len = total;
    r->hdr = r->file;
    r->hdr_len = hdr_len;
    r->envelope = r->file + hdr_len;
    r->envelope_len = in->envelope_len;
    r->content = r->envelope + in->envelope_len;
    r->content_len = in->content_len;
    r->trailer = r->file + total - 4;
    return r;
}

int sf_commit_entry(struct x400ms_store_mailbox *mb, unsigned box, uint32_t seq,
                    const struct x400ms_store_entry_in *in, struct x400ms_error *err)
{
    struct sf_store *store = mb->store;
    struct sf_committer *c = &store->committer;
    struct sf_box *b = &mb->box[box];
    struct x400ms_store_attrs attrs = in->attrs;
    struct sf_commit_req req = { .mb = mb, .box = box, .seq = seq, .attrs = &attrs }, *early;
    uint8_t hdr[SF_ENTRY_HEADER_MAX], trailer[4];
    size_t hdr_len, total;
    int fd, rc;

    attrs.seq = seq;
    attrs.status = X400MS_STATUS_NEW;
    if (!attrs.creation_time)
        attrs.creation_time = (int64_t)time(NULL);
    hdr_len = sf_entry_encode_header(hdr, seq, box, &attrs, in->envelope_len, in->content_len);
    uint32_t crc = sf_crc32c(0, in->envelope, in->envelope_len);
    sf_put32(trailer, sf_crc32c(crc, in->content, in->content_len));
    total = hdr_len + in->envelope_len + in->content_len + 4;

    if (store->opt.sync_mode == SF_SYNC_JOURNAL && total <= SF_CACHE_MAX &&
        (early = early_ack_request(hdr, hdr_len, in, trailer, total)) != NULL) {
        /* No file I/O here: the committer journals the batch and
         * acknowledges; the materializer writes the file afterwards and
         * frees the request. */
        early->mb = mb;
        early->box = box;
        early->seq = seq;
        early->attrs = &attrs; /* used before we are woken */
        rc = queue_and_wait(c, early);
        goto done;
    }
    req.hdr = hdr;
    req.hdr_len = hdr_len;
    req.envelope = in->envelope;
    req.envelope_len = in->envelope_len;
    req.content = in->content;
    req.content_len = in->content_len;
    req.trailer = trailer;
    if (store->opt.sync_mode == SF_SYNC_JOURNAL) {
        /* Large (or no memory for a copy): the committer journals it and
         * the materializer writes the file from our buffers, valid while we
         * wait, before we are acknowledged. */
        rc = queue_and_wait(c, &req);
        goto done;
    }
    snprintf(req.tmp, sizeof req.tmp, ".t%u", seq);
    fd = openat(b->dir_fd, req.tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = x400ms_error_set(err, sf_errno_code(errno), "mailbox %s: creating entry %u: %s", mb->name,
                              seq, strerror(errno));
        goto fail;
    }
    /* One buffer when small: one write(2), and it becomes the
     * deliver-then-fetch cache. */
    if (total <= SF_CACHE_MAX && (req.file = entry_bytes(hdr, hdr_len, in, trailer, total)) != NULL)
        req.file_len = total;
    if ((rc = write_entry_bytes(fd, &req)) != 0) {
        rc = x400ms_error_set(err, sf_errno_code(errno), "mailbox %s: writing entry %u: %s", mb->name,
                              seq, strerror(errno));
        close(fd);
        unlinkat(b->dir_fd, req.tmp, 0);
        goto fail;
    }
    /* fdatasync mode: each writer flushes its own file, in parallel with the
     * others (no other data on the filesystem is flushed, unlike syncfs);
     * the committer then only renames and fsyncs the directories. */
    if (store->opt.sync_mode == SF_SYNC_FDATASYNC && fdatasync(fd) != 0) {
        rc = x400ms_error_set(err, sf_errno_code(errno), "mailbox %s: fdatasync of entry %u: %s", mb->name,
                              seq, strerror(errno));
        close(fd);
        unlinkat(b->dir_fd, req.tmp, 0);
        goto fail;
    }
    close(fd);
    rc = queue_and_wait(c, &req);
done:
    free(req.file); /* NULL when it became the cache */
    if (rc) /* the committer has cleaned up (file, in-flight number) */
        return x400ms_error_set(err, rc, "mailbox %s: entry %u could not be made durable: %s",
                                mb->name, seq, x400ms_strerror(rc));
    return 0;
fail:
    free(req.file);
    sf_mailbox_inflight_done(mb, seq);
    return rc;
}
