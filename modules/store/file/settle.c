/* Cheap status changes (docs/store-format.md "Status changes"): a
 * set-retrieval-status (X.413 retrieval-status new -> listed -> processed) is
 * made in the box's in-memory index at once, in O(1), and the entry file's
 * rename to its new state letter follows on the settle thread, outside the
 * box lock so that readers (P7 Fetch) never wait for it. A P7 List that
 * marks 100 entries listed therefore costs 100 index updates on the
 * caller's thread, not 100 renames.
 *
 * While a rename is pending the record carries the status its file is named
 * by (SF_REC_RENAME_PENDING, index.h): every code path that opens an entry
 * file by name uses that, and tries the other letters when a rename in
 * progress moved it meanwhile. The renames are made durable with the directory
 * fsync of the next index flush, which first does every rename still
 * pending; a crash may therefore undo a status change (the file name wins at
 * recovery), never an acknowledged entry. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fsutil.h"
#include "store_file.h"
#define X400MS_LOG_MODULE "store_file"
#include "x400ms/log.h"

/* Renames the file of the record at pos to its status now (box lock held for writing). */
static int rename_now(struct x400ms_store_mailbox *mb, unsigned box, size_t pos, struct x400ms_error *err)
{
    struct sf_box *b = &mb->box[box];
    struct sf_rec *r = &b->idx.recs[pos];
    char from[24], to[24];

    snprintf(from, sizeof from, "%u.%c", r->seq, sf_status_letter(sf_rec_disk_status(r)));
    snprintf(to, sizeof to, "%u.%c", r->seq, sf_status_letter(r->status));
    if (renameat(b->dir_fd, from, b->dir_fd, to) != 0)
        return x400ms_error_set(err, sf_errno_code(errno), "mailbox %s: renaming %s/%s to %s: %s", mb->name,
                                sf_box_dir(box), from, to, strerror(errno));
    sf_rec_renamed(r);
    b->dir_dirty = true;
    return 0;
}

int sf_box_set_status(struct x400ms_store_mailbox *mb, unsigned box, size_t pos, unsigned status,
                      bool *kick_r, struct x400ms_error *err)
{
    struct sf_box *b = &mb->box[box];
    struct sf_rec *r = &b->idx.recs[pos];

    if (r->status >= status) /* only forward (store.h) */
        return 0;
    if (!(r->flags & SF_REC_RENAME_PENDING) && b->n_settle == b->cap_settle) {
        size_t cap = b->cap_settle ? b->cap_settle * 2 : 128;
        uint32_t *p = realloc(b->settle, cap * sizeof *p);
        if (!p) { /* no room to remember it: rename now, as before */
            unsigned old = r->status;
            sf_index_set_status(&b->idx, pos, status);
            int rc = rename_now(mb, box, pos, err);
            if (rc)
                sf_index_set_status(&b->idx, pos, old);
            else
                b->dirty = true;
            return rc;
        }
        b->settle = p;
        b->cap_settle = cap;
    }
    if (sf_index_set_status_lazy(&b->idx, pos, status)) {
        if (b->n_settle == 0)
            *kick_r = true;
        b->settle[b->n_settle++] = r->seq;
    }
    b->dirty = true;
    return 0;
}

struct settle_item {
    uint32_t seq;
    uint8_t from, to; /* the file's letter now, the one it gets */
    int err;          /* errno of the rename, 0 when done */
};

/* The record's file is now named by `disk` (a status change may have gone
 * further meanwhile: it stays pending towards the record's status). */
static void rec_disk_now(struct sf_rec *r, unsigned disk)
{
    if (r->status == disk) {
        sf_rec_renamed(r);
        return;
    }
    r->flags = (uint8_t)((r->flags & ~SF_REC_DISK_MASK) | SF_REC_RENAME_PENDING | (disk << SF_REC_DISK_SHIFT));
}

/* The renames happen outside the box lock, so that readers (P7 Fetch, List)
 * never wait for a rename: the list is taken under the lock, the files are
 * renamed unlocked, and the lock is taken once more to record the new names.
 * While a rename runs unlocked, a reader that opens the file by its old name
 * tries the other letters (ops.c, backup.c), a delete does the same, and the
 * index check holds settle_mu. settle_mu also makes an index flush wait for
 * renames in progress before it fsyncs the directory (the flush/settle
 * order of docs/store-format.md "Status changes"). */
static void settle_box(struct x400ms_store_mailbox *mb, unsigned box)
{
    struct sf_box *b = &mb->box[box];
    struct settle_item *items = NULL;
    uint32_t *seqs;
    size_t n, n_items = 0;
    bool lost = false, requeue = false;

    pthread_mutex_lock(&b->settle_mu);
    pthread_rwlock_wrlock(&b->lock);
    seqs = b->settle;
    n = b->n_settle;
    b->settle = NULL;
    b->n_settle = b->cap_settle = 0;
    if (n && !(items = malloc(n * sizeof *items))) {
        /* no memory for the list: rename under the lock, as before */
        for (size_t i = 0; i < n; i++) {
            struct x400ms_error e = { 0 };
            ptrdiff_t pos = sf_index_find(&b->idx, seqs[i]);
            if (pos >= 0 && (b->idx.recs[pos].flags & SF_REC_RENAME_PENDING) &&
                rename_now(mb, box, (size_t)pos, &e) != 0) {
                X400MS_LOG_E("%s; left to the index check", e.message);
                sf_rec_renamed(&b->idx.recs[pos]);
                lost = true;
            }
        }
        n = 0;
    }
    for (size_t i = 0; i < n; i++) {
        ptrdiff_t pos = sf_index_find(&b->idx, seqs[i]);
        if (pos < 0 || !(b->idx.recs[pos].flags & SF_REC_RENAME_PENDING))
            continue;
        const struct sf_rec *r = &b->idx.recs[pos];
        items[n_items++] = (struct settle_item){ r->seq, (uint8_t)sf_rec_disk_status(r), (uint8_t)r->status, 0 };
    }
    pthread_rwlock_unlock(&b->lock);
    free(seqs);

    for (size_t i = 0; i < n_items; i++) {
        char from[24], to[24];
        sf_mailbox_wait_written(mb, items[i].seq); /* acknowledged before its file was written */
        snprintf(from, sizeof from, "%u.%c", items[i].seq, sf_status_letter(items[i].from));
        snprintf(to, sizeof to, "%u.%c", items[i].seq, sf_status_letter(items[i].to));
        if (renameat(b->dir_fd, from, b->dir_fd, to) != 0)
            items[i].err = errno;
    }

    if (n_items) {
        pthread_rwlock_wrlock(&b->lock);
        for (size_t i = 0; i < n_items; i++) {
            ptrdiff_t pos = sf_index_find(&b->idx, items[i].seq);
            if (pos < 0) /* deleted meanwhile (its delete found the file by any name) */
                continue;
            struct sf_rec *r = &b->idx.recs[pos];
            if (!(r->flags & SF_REC_RENAME_PENDING) || sf_rec_disk_status(r) != items[i].from)
                continue; /* the check fixed it meanwhile */
            if (items[i].err) {
                /* The file is not where the index says: the index check
                 * (background or ops->check) sorts it out. */
                X400MS_LOG_E("mailbox %s: renaming %s/%u.%c to %u.%c: %s; left to the index check", mb->name,
                             sf_box_dir(box), items[i].seq, sf_status_letter(items[i].from), items[i].seq,
                             sf_status_letter(items[i].to), strerror(items[i].err));
                sf_rec_renamed(r);
                lost = true;
                continue;
            }
            b->dir_dirty = true;
            rec_disk_now(r, items[i].to);
            if (r->flags & SF_REC_RENAME_PENDING) { /* changed again while we renamed */
                if (b->n_settle == b->cap_settle) {
                    size_t cap = b->cap_settle ? b->cap_settle * 2 : 128;
                    uint32_t *p = realloc(b->settle, cap * sizeof *p);
                    if (!p) {
                        lost = true; /* the check fixes the status from the name */
                        continue;
                    }
                    b->settle = p;
                    b->cap_settle = cap;
                }
                b->settle[b->n_settle++] = r->seq;
                requeue = true;
            }
        }
        pthread_rwlock_unlock(&b->lock);
    }
    pthread_mutex_unlock(&b->settle_mu);
    free(items);
    if (requeue)
        sf_settle_kick(mb);
    if (lost) {
        pthread_mutex_lock(&mb->mutex);
        mb->check_pending = mb->store->opt.background_check;
        pthread_mutex_unlock(&mb->mutex);
    }
}

void sf_mailbox_settle(struct x400ms_store_mailbox *mb)
{
    if (!mb->loaded)
        return;
    for (unsigned box = 0; box < X400MS_STORE_BOX_COUNT; box++)
        settle_box(mb, box);
}

void sf_settle_kick(struct x400ms_store_mailbox *mb)
{
    struct sf_store *store = mb->store;
    pthread_mutex_lock(&store->settle_mu);
    if (!mb->settle_queued && store->settle_running && !store->settle_stop) {
        mb->settle_queued = true;
        __atomic_add_fetch(&mb->refs, 1, __ATOMIC_ACQ_REL);
        mb->settle_next = NULL;
        if (store->settle_tail)
            store->settle_tail->settle_next = mb;
        else
            store->settle_head = mb;
        store->settle_tail = mb;
        pthread_cond_signal(&store->settle_cv);
    }
    pthread_mutex_unlock(&store->settle_mu);
}

static void *settle_main(void *arg)
{
    struct sf_store *store = arg;

    pthread_mutex_lock(&store->settle_mu);
    for (;;) {
        while (!store->settle_head && !store->settle_stop)
            pthread_cond_wait(&store->settle_cv, &store->settle_mu);
        struct x400ms_store_mailbox *mb = store->settle_head;
        if (!mb)
            break;
        store->settle_head = mb->settle_next;
        if (!store->settle_head)
            store->settle_tail = NULL;
        mb->settle_queued = false;
        bool stop = store->settle_stop;
        pthread_mutex_unlock(&store->settle_mu);
        /* At stop the clean shutdown's flush does what is left. */
        if (!stop) {
            pthread_rwlock_rdlock(&mb->gate);
            if (!mb->deleted)
                sf_mailbox_settle(mb);
            pthread_rwlock_unlock(&mb->gate);
        }
        sf_mailbox_release(mb);
        pthread_mutex_lock(&store->settle_mu);
    }
    pthread_mutex_unlock(&store->settle_mu);
    return NULL;
}

int sf_settle_start(struct sf_store *store, struct x400ms_error *err)
{
    int e;
    pthread_mutex_lock(&store->settle_mu);
    store->settle_stop = false;
    store->settle_running = true;
    pthread_mutex_unlock(&store->settle_mu);
    if ((e = pthread_create(&store->settle, NULL, settle_main, store)) != 0) {
        store->settle_running = false;
        return x400ms_error_set(err, X400MS_ENOMEM, "cannot start the settle thread: %s", strerror(e));
    }
    return 0;
}

void sf_settle_stop(struct sf_store *store)
{
    pthread_mutex_lock(&store->settle_mu);
    bool running = store->settle_running;
    store->settle_stop = true;
    pthread_cond_signal(&store->settle_cv);
    pthread_mutex_unlock(&store->settle_mu);
    if (running)
        pthread_join(store->settle, NULL);
    store->settle_running = false;
}
