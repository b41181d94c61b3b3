/* One mailbox of the file store: loading, sequence numbers, recovery and the
 * index check (DESIGN.md section 8, docs/store-format.md "Recovery"). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "entry_file.h"
#include "fsutil.h"
#include "store_file.h"
#define X400MS_LOG_MODULE "store_file"
#include "x400ms/log.h"

#define DIRTY_MARKER "dirty"

bool sf_parse_entry_name(const char *name, uint32_t *seq_r, unsigned *status_r)
{
    uint64_t v = 0;
    const char *p = name;

    if (*p < '1' || *p > '9')
        return false;
    for (; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (uint64_t)(*p - '0');
        if (v > UINT32_MAX)
            return false;
    }
    if (p[0] != '.' || p[2] != 0)
        return false;
    switch (p[1]) {
    case 'N': *status_r = X400MS_STATUS_NEW; break;
    case 'L': *status_r = X400MS_STATUS_LISTED; break;
    case 'P': *status_r = X400MS_STATUS_PROCESSED; break;
    default: return false;
    }
    *seq_r = (uint32_t)v;
    return true;
}

/* ".t123" / ".d123": a temporary or deleted file; returns its seq or 0. */
static uint32_t parse_hidden_name(const char *name, char kind)
{
    uint64_t v = 0;
    if (name[0] != '.' || name[1] != kind || !name[2])
        return 0;
    for (const char *p = name + 2; *p; p++) {
        if (*p < '0' || *p > '9' || (v = v * 10 + (uint64_t)(*p - '0')) > UINT32_MAX)
            return 0;
    }
    return (uint32_t)v;
}

/* ---- sequence numbers ---- */

static int seq_file_write(struct x400ms_store_mailbox *mb, uint32_t reserved, struct x400ms_error *err)
{
    char text[64];
    int n = snprintf(text, sizeof text, "x400ms-seq 1 %u\n", reserved);
    return sf_write_atomic(mb->dir_fd, "seq", text, (size_t)n, err);
}

static uint32_t seq_file_read(struct x400ms_store_mailbox *mb)
{
    char *text;
    unsigned v = 0;
    if (sf_read_file(mb->dir_fd, "seq", &text, NULL, NULL) != 0)
        return 0;
    if (sscanf(text, "x400ms-seq 1 %u", &v) != 1)
        v = 0;
    free(text);
    return v;
}

int sf_mailbox_next_seq(struct x400ms_store_mailbox *mb, uint32_t *seq_r, struct x400ms_error *err)
{
    int rc = 0;

    pthread_mutex_lock(&mb->mutex);
    if (mb->next_seq >= UINT32_MAX - SF_SEQ_BLOCK) {
        rc = x400ms_error_set(err, X400MS_ELIMIT, "mailbox %s: sequence numbers exhausted", mb->name);
        goto out;
    }
    if (mb->next_seq >= mb->reserved_seq) {
        /* Durable before any number of the block is used, so a number is
         * never handed out twice, whatever happens to the entries. */
        uint32_t reserved = mb->next_seq + SF_SEQ_BLOCK;
        if ((rc = seq_file_write(mb, reserved, err)) != 0)
            goto out;
        mb->reserved_seq = reserved;
    }
    if (mb->n_inflight == mb->cap_inflight) {
        size_t cap = mb->cap_inflight ? mb->cap_inflight * 2 : 16;
        uint32_t *p = realloc(mb->inflight, cap * sizeof *p);
        if (!p) {
            rc = x400ms_error_set(err, X400MS_ENOMEM, "mailbox %s: out of memory", mb->name);
            goto out;
        }
        mb->inflight = p;
        mb->cap_inflight = cap;
    }
    *seq_r = mb->next_seq++;
    mb->inflight[mb->n_inflight++] = *seq_r;
out:
    pthread_mutex_unlock(&mb->mutex);
    return rc;
}

int sf_mailbox_raise_seq(struct x400ms_store_mailbox *mb, uint32_t seq, struct x400ms_error *err)
{
    int rc = 0;
    pthread_mutex_lock(&mb->mutex);
    if (seq > mb->next_seq)
        mb->next_seq = seq;
    if (mb->next_seq > mb->reserved_seq) {
        if ((rc = seq_file_write(mb, mb->next_seq, err)) == 0)
            mb->reserved_seq = mb->next_seq;
    }
    pthread_mutex_unlock(&mb->mutex);
    return rc;
}

void sf_mailbox_inflight_done(struct x400ms_store_mailbox *mb, uint32_t seq)
{
    pthread_mutex_lock(&mb->mutex);
    for (size_t i = 0; i < mb->n_inflight; i++) {
        if (mb->inflight[i] == seq) {
            mb->inflight[i] = mb->inflight[--mb->n_inflight];
            break;
        }
    }
    if (mb->written_waiters)
        pthread_cond_broadcast(&mb->written_cv);
    pthread_mutex_unlock(&mb->mutex);
}

/* mb->mutex held */
static bool is_inflight_locked(struct x400ms_store_mailbox *mb, uint32_t seq)
{
    for (size_t i = 0; i < mb->n_inflight; i++)
        if (mb->inflight[i] == seq)
            return true;
    return false;
}

static bool is_inflight(struct x400ms_store_mailbox *mb, uint32_t seq)
{
    pthread_mutex_lock(&mb->mutex);
    bool found = is_inflight_locked(mb, seq);
    pthread_mutex_unlock(&mb->mutex);
    return found;
}

void sf_mailbox_wait_written(struct x400ms_store_mailbox *mb, uint32_t seq)
{
    pthread_mutex_lock(&mb->mutex);
    while (is_inflight_locked(mb, seq)) {
        mb->written_waiters++;
        pthread_cond_wait(&mb->written_cv, &mb->mutex);
        mb->written_waiters--;
    }
    pthread_mutex_unlock(&mb->mutex);
}

void sf_mailbox_wait_all_written(struct x400ms_store_mailbox *mb)
{
    pthread_mutex_lock(&mb->mutex);
    while (mb->n_inflight) {
        mb->written_waiters++;
        pthread_cond_wait(&mb->written_cv, &mb->mutex);
        mb->written_waiters--;
    }
    pthread_mutex_unlock(&mb->mutex);
}

void sf_mailbox_drop_deleted(struct x400ms_store_mailbox *mb, unsigned box, uint32_t seq)
{
    char name[32];
    snprintf(name, sizeof name, ".d%u", seq);
    pthread_mutex_lock(&mb->mutex);
    if (mb->backups > 0) {
        /* A backup may still copy it: unlink when the last backup ends. */
        char full[48];
        snprintf(full, sizeof full, "%s/%s", sf_box_dir(box), name);
        if (mb->n_deferred == mb->cap_deferred) {
            size_t cap = mb->cap_deferred ? mb->cap_deferred * 2 : 64;
            char **p = realloc(mb->deferred, cap * sizeof *p);
            if (p) {
                mb->deferred = p;
                mb->cap_deferred = cap;
            }
        }
        char *copy = mb->n_deferred < mb->cap_deferred ? strdup(full) : NULL;
        if (copy) {
            mb->deferred[mb->n_deferred++] = copy;
            pthread_mutex_unlock(&mb->mutex);
            return;
        }
        /* Out of memory: the check removes it later. */
        pthread_mutex_unlock(&mb->mutex);
        return;
    }
    pthread_mutex_unlock(&mb->mutex);
    unlinkat(mb->box[box].dir_fd, name, 0);
}

/* ---- scanning a box directory ---- */

struct scan_item {
    uint32_t seq;
    uint8_t status;
    bool corrupt;
};

struct scan {
    struct scan_item *items;
    size_t n, cap;
};

static int cmp_item(const void *a, const void *b)
{
    const struct scan_item *x = a, *y = b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Lists entry files; removes temporary files of seq < temp_limit and
 * deleted files (when no backup runs). */
static int scan_box(struct x400ms_store_mailbox *mb, unsigned box, uint32_t temp_limit,
                    struct scan *sc, struct x400ms_store_check_report *rep, struct x400ms_error *err)
{
    int fd = openat(mb->box[box].dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct dirent *de;
    DIR *d;

    memset(sc, 0, sizeof *sc);
    if (fd < 0 || !(d = fdopendir(fd))) {
        if (fd >= 0)
            close(fd);
        return x400ms_error_set(err, sf_errno_code(errno), "mailbox %s: reading %s: %s", mb->name,
                                sf_box_dir(box), strerror(errno));
    }
    while ((de = readdir(d)) != NULL) {
        uint32_t seq;
        unsigned status;
        if (sf_parse_entry_name(de->d_name, &seq, &status)) {
            if (sc->n == sc->cap) {
                size_t cap = sc->cap ? sc->cap * 2 : 1024;
                struct scan_item *p = realloc(sc->items, cap * sizeof *p);
                if (!p) {
                    closedir(d);
                    free(sc->items);
                    return x400ms_error_set(err, X400MS_ENOMEM, "mailbox %s: out of memory", mb->name);
                }
                sc->items = p;
                sc->cap = cap;
            }
            sc->items[sc->n++] = (struct scan_item){ .seq = seq, .status = (uint8_t)status };
        } else if (((seq = parse_hidden_name(de->d_name, 't')) != 0 && seq < temp_limit) ||
                   (parse_hidden_name(de->d_name, 'd') != 0 && mb->backups == 0)) {
            /* A delivery that was never acknowledged, or a delete that was. */
            if (unlinkat(mb->box[box].dir_fd, de->d_name, 0) == 0 && rep)
                rep->temp_removed++;
        }
    }
    closedir(d);
    if (sc->n > 1) /* items is NULL for an empty box: qsort(NULL, 0) is undefined */
        qsort(sc->items, sc->n, sizeof *sc->items, cmp_item);
    return 0;
}

/* The status of the file of seq as it is now on disk, or -1 when none. */
static int probe_status(int dir_fd, uint32_t seq)
{
    char name[24];
    for (unsigned s = 0; s < X400MS_STATUS_COUNT; s++) {
        snprintf(name, sizeof name, "%u.%c", seq, sf_status_letter(s));
        if (faccessat(dir_fd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
            return (int)s;
    }
    return -1;
}

/* Reads and checks one entry file's header; logs and returns non-zero when corrupt. */
static int read_entry_header(struct x400ms_store_mailbox *mb, unsigned box, uint32_t seq, unsigned status,
                             uint8_t *buf, struct sf_entry_header *h)
{
    struct x400ms_error e = { 0 };
    char name[24];
    int fd, rc;

    snprintf(name, sizeof name, "%u.%c", seq, sf_status_letter(status));
    fd = openat(mb->box[box].dir_fd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? X400MS_ENOENT : X400MS_EIO;
    rc = sf_entry_read_header(fd, buf, h, &e);
    close(fd);
    if (rc == 0 && (h->attrs.seq != seq || h->box != box))
        rc = x400ms_error_set(&e, X400MS_ECORRUPT, "header says entry %u of box %u", h->attrs.seq, h->box);
    if (rc == X400MS_ECORRUPT)
        X400MS_LOG_E("mailbox %s: %s/%s skipped: %s", mb->name, sf_box_dir(box), name, e.message);
    return rc;
}

/* Brings the index of one box in line with its files (the files are
 * authoritative). With verify, every file's header is read and checked;
 * without, only files missing from the index are read. Runs while the box
 * serves: entries at or above `limit` and in-flight ones are left alone. */
static int reconcile_box(struct x400ms_store_mailbox *mb, unsigned box, uint32_t limit, uint32_t temp_limit,
                         bool verify, struct x400ms_store_check_report *rep, struct x400ms_error *err)
{
    struct sf_box *b = &mb->box[box];
    struct sf_entry_header *h = malloc(sizeof *h);
    uint8_t *buf = malloc(SF_ENTRY_HEADER_MAX);
    struct scan sc;
    int rc;

    if (!h || !buf) {
        free(h);
        free(buf);
        return x400ms_error_set(err, X400MS_ENOMEM, "mailbox %s: out of memory", mb->name);
    }
    if ((rc = scan_box(mb, box, temp_limit, &sc, rep, err)) != 0) {
        free(h);
        free(buf);
        return rc;
    }
    /* Files: verify, and index those the index lacks. */
    for (size_t i = 0; i < sc.n; i++) {
        struct scan_item *it = &sc.items[i];
        bool indexed;
        if (it->seq >= limit)
            continue;
        if (rep)
            rep->entries++;
        pthread_rwlock_rdlock(&b->lock);
        indexed = sf_index_find(&b->idx, it->seq) >= 0;
        pthread_rwlock_unlock(&b->lock);
        if (indexed && !verify)
            continue;
        /* In flight: its file may be incomplete yet (journal mode writes it
         * after the acknowledgement) */
        if (is_inflight(mb, it->seq))
            continue;
        rc = read_entry_header(mb, box, it->seq, it->status, buf, h);
        if (rc == X400MS_ENOENT) /* renamed or deleted meanwhile: handled below */
            continue;
        if (rc != 0) {
            it->corrupt = true;
            if (rep)
                rep->corrupt++;
            pthread_rwlock_wrlock(&b->lock);
            ptrdiff_t pos = sf_index_find(&b->idx, it->seq);
            if (pos >= 0) {
                sf_index_remove(&b->idx, (size_t)pos); /* skipped, never served */
                b->dirty = true;
            }
            pthread_rwlock_unlock(&b->lock);
            continue;
        }
        if (indexed)
            continue;
        pthread_rwlock_wrlock(&b->lock);
        int now = probe_status(b->dir_fd, it->seq);
        if (now >= 0 && sf_index_find(&b->idx, it->seq) < 0) {
            if (sf_index_put(&b->idx, &h->attrs, (unsigned)now) == 0) {
                b->dirty = true;
                if (rep)
                    rep->unindexed++;
            }
        }
        pthread_rwlock_unlock(&b->lock);
    }
    /* Index: records without a file, or whose file says another status. */
    uint32_t *gone = NULL;
    size_t n_gone = 0, cap_gone = 0;
    /* settle_mu: no status rename runs outside the box lock meanwhile (settle.c) */
    pthread_mutex_lock(&b->settle_mu);
    pthread_rwlock_wrlock(&b->lock);
    size_t j = 0;
    for (size_t pos = 0; pos < b->idx.n; pos++) {
        const struct sf_rec *r = &b->idx.recs[pos];
        if ((r->flags & SF_REC_DELETED) || r->seq >= limit)
            continue;
        while (j < sc.n && sc.items[j].seq < r->seq)
            j++;
        bool listed = j < sc.n && sc.items[j].seq == r->seq;
        if (!listed && is_inflight(mb, r->seq)) /* acknowledged, its file not written yet */
            continue;
        /* A pending status rename (settle.c) is no disagreement: compare
         * with the name the file has. */
        unsigned disk = sf_rec_disk_status(r);
        if (listed && (sc.items[j].status == disk || sc.items[j].corrupt))
            continue;
        /* Disagreement: the scan may be stale, so look at the disk again
         * (under the lock and settle_mu, which every rename of this box holds). */
        int now = probe_status(b->dir_fd, r->seq);
        if (now < 0) {
            if (n_gone == cap_gone) {
                size_t cap = cap_gone ? cap_gone * 2 : 64;
                uint32_t *p = realloc(gone, cap * sizeof *p);
                if (!p)
                    continue;
                gone = p;
                cap_gone = cap;
            }
            gone[n_gone++] = r->seq;
        } else if ((unsigned)now != disk) {
            /* The file name is authoritative. */
            if (rep)
                rep->status_fixed++;
            sf_index_set_status(&b->idx, pos, (unsigned)now);
            sf_rec_renamed(&b->idx.recs[pos]);
            b->dirty = true;
        }
    }
    /* Removed after the walk: a removal may compact the records. */
    for (size_t k = 0; k < n_gone; k++) {
        ptrdiff_t pos = sf_index_find(&b->idx, gone[k]);
        if (pos < 0)
            continue;
        if (rep)
            rep->missing++;
        X400MS_LOG_W("mailbox %s: %s entry %u is in the index but has no file: removed from the index",
                     mb->name, sf_box_dir(box), gone[k]);
        sf_index_remove(&b->idx, (size_t)pos);
        b->dirty = true;
    }
    free(gone);
    pthread_rwlock_unlock(&b->lock);
    pthread_mutex_unlock(&b->settle_mu);
    free(sc.items);
    free(h);
    free(buf);
    return 0;
}

static void finish_report(struct x400ms_store_check_report *rep)
{
    rep->consistent = rep->corrupt == 0 && rep->missing == 0 && rep->unindexed == 0 &&
                      rep->status_fixed == 0;
}

int sf_mailbox_check(struct x400ms_store_mailbox *mb, struct x400ms_store_check_report *rep_r,
                     struct x400ms_error *err)
{
    struct x400ms_store_check_report rep = { 0 };
    uint32_t limit, temp_limit;
    int rc = 0;

    pthread_rwlock_rdlock(&mb->gate);
    if (mb->deleted) {
        pthread_rwlock_unlock(&mb->gate);
        return x400ms_error_set(err, X400MS_ENOENT, "mailbox %s: deleted", mb->name);
    }
    pthread_mutex_lock(&mb->mutex);
    limit = mb->next_seq;
    temp_limit = mb->load_next_seq;
    mb->check_pending = false;
    pthread_mutex_unlock(&mb->mutex);
    for (unsigned box = 0; box < X400MS_STORE_BOX_COUNT && rc == 0; box++)
        rc = reconcile_box(mb, box, limit, temp_limit, true, &rep, err);
    pthread_rwlock_unlock(&mb->gate);
    finish_report(&rep);
    if (rc == 0)
        x400ms_log(rep.consistent ? X400MS_LOG_INFO : X400MS_LOG_WARNING, X400MS_LOG_MODULE,
                   "mailbox %s: index check: %llu entries, %llu corrupt, %llu missing, %llu unindexed, "
                   "%llu status fixed, %llu leftover files removed: %s", mb->name,
                   (unsigned long long)rep.entries, (unsigned long long)rep.corrupt,
                   (unsigned long long)rep.missing, (unsigned long long)rep.unindexed,
                   (unsigned long long)rep.status_fixed, (unsigned long long)rep.temp_removed,
                   rep.consistent ? "consistent" : "fixed");
    if (rep_r)
        *rep_r = rep;
    return rc;
}

/* ---- rebuild ---- */

int sf_mailbox_rebuild_locked(struct x400ms_store_mailbox *mb, struct x400ms_store_check_report *rep,
                              struct x400ms_error *err)
{
    struct sf_entry_header *h = malloc(sizeof *h);
    uint8_t *buf = malloc(SF_ENTRY_HEADER_MAX);
    uint32_t max_seq = 0;
    int rc = 0;

    if (!h || !buf) {
        rc = x400ms_error_set(err, X400MS_ENOMEM, "mailbox %s: out of memory", mb->name);
        goto out;
    }
    sf_mailbox_settle(mb); /* status changes made so far reach the file names */
    for (unsigned box = 0; box < X400MS_STORE_BOX_COUNT; box++) {
        struct sf_box *b = &mb->box[box];
        struct sf_index fresh;
        struct scan sc;
        /* Nothing is in flight: every temporary file is a leftover. */
        if ((rc = scan_box(mb, box, UINT32_MAX, &sc, rep, err)) != 0)
            goto out;
        sf_index_init(&fresh);
        for (size_t i = 0; i < sc.n; i++) {
            if (rep)
                rep->entries++;
            int r = read_entry_header(mb, box, sc.items[i].seq, sc.items[i].status, buf, h);
            if (r != 0) {
                if (rep && r == X400MS_ECORRUPT)
                    rep->corrupt++;
                continue;
            }
            if (i + 1 < sc.n && sc.items[i + 1].seq == sc.items[i].seq)
                continue; /* two names for one seq cannot come from us; keep the later status */
            if (sf_index_put(&fresh, &h->attrs, sc.items[i].status) != 0) {
                free(sc.items);
                sf_index_free(&fresh);
                rc = x400ms_error_set(err, X400MS_ENOMEM, "mailbox %s: out of memory", mb->name);
                goto out;
            }
            if (sc.items[i].seq > max_seq)
                max_seq = sc.items[i].seq;
        }
        free(sc.items);
        pthread_rwlock_wrlock(&b->lock);
        sf_index_free(&b->idx);
        b->idx = fresh;
        b->dirty = true;
        free(b->cache);
        b->cache = NULL;
        b->cache_seq = 0;
        pthread_rwlock_unlock(&b->lock);
    }
    if (max_seq >= mb->next_seq)
        rc = sf_mailbox_raise_seq(mb, max_seq + 1, err);
    if (rc == 0)
        rc = sf_mailbox_flush(mb, err);
out:
    free(h);
    free(buf);
    return rc;
}

/* ---- load / flush ---- */

static const char *index_name(unsigned box) { return box == X400MS_STORE_INBOX ? "inbox.idx" : "outbox.idx"; }

int sf_mailbox_flush(struct x400ms_store_mailbox *mb, struct x400ms_error *err)
{
    uint32_t next_seq;
    int rc = 0;

    pthread_mutex_lock(&mb->flush_mu);
    /* Pending status renames first: the directory fsync below makes them
     * durable together with the index that records them. */
    sf_mailbox_settle(mb);
    pthread_mutex_lock(&mb->mutex);
    next_seq = mb->next_seq;
    pthread_mutex_unlock(&mb->mutex);
    for (unsigned box = 0; box < X400MS_STORE_BOX_COUNT && rc == 0; box++) {
        struct sf_box *b = &mb->box[box];
        int fd = -1;
        bool dirty;
        /* Renames of status changes and deletes first, so that the index
         * never claims more than the directory holds. */
        pthread_rwlock_rdlock(&b->lock);
        bool dir_dirty = b->dir_dirty;
        pthread_rwlock_unlock(&b->lock);
        if (dir_dirty) {
            pthread_rwlock_wrlock(&b->lock);
            b->dir_dirty = false;
            pthread_rwlock_unlock(&b->lock);
            if ((rc = sf_fsync_dir(b->dir_fd)) != 0) {
                x400ms_error_set(err, rc, "mailbox %s: fsync of %s failed", mb->name, sf_box_dir(box));
                break;
            }
        }
        pthread_rwlock_wrlock(&b->lock);
        dirty = b->dirty;
        b->dirty = false;
        if (dirty)
            rc = sf_index_save_begin(&b->idx, mb->dir_fd, index_name(box), next_seq, &fd, err);
        if (rc)
            b->dirty = true;
        pthread_rwlock_unlock(&b->lock);
        if (dirty && rc == 0 && (rc = sf_index_save_end(fd, mb->dir_fd, index_name(box), err)) != 0) {
            pthread_rwlock_wrlock(&b->lock);
            b->dirty = true;
            pthread_rwlock_unlock(&b->lock);
        }
    }
    pthread_mutex_unlock(&mb->flush_mu);
    if (rc)
        X400MS_LOG_E("mailbox %s: index flush failed: %s", mb->name, err ? err->message : "");
    return rc;
}

int sf_mailbox_load(struct x400ms_store_mailbox *mb, struct x400ms_error *err)
{
    struct sf_store *store = mb->store;
    struct x400ms_store_check_report rep = { 0 };
    bool need_rebuild = false, crashed;
    uint32_t reserved, ix_next = 0;
    int rc;

    mb->dir_fd = openat(store->mailboxes_fd, mb->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (mb->dir_fd < 0 && errno == ENOENT && sf_mkdirat(store->mailboxes_fd, mb->name, err) == 0)
        mb->dir_fd = openat(store->mailboxes_fd, mb->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (mb->dir_fd < 0)
        return x400ms_error_set(err, sf_errno_code(errno), "mailbox %s: opening its directory: %s",
                                mb->name, strerror(errno));
    for (unsigned box = 0; box < X400MS_STORE_BOX_COUNT; box++) {
        struct sf_box *b = &mb->box[box];
        if ((rc = sf_mkdirat(mb->dir_fd, sf_box_dir(box), err)) != 0)
            goto fail;
        b->dir_fd = openat(mb->dir_fd, sf_box_dir(box), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (b->dir_fd < 0) {
            rc = x400ms_error_set(err, sf_errno_code(errno), "mailbox %s: opening %s: %s", mb->name,
                                  sf_box_dir(box), strerror(errno));
            goto fail;
        }
    }
    crashed = faccessat(mb->dir_fd, DIRTY_MARKER, F_OK, 0) == 0;
    reserved = seq_file_read(mb);
    for (unsigned box = 0; box < X400MS_STORE_BOX_COUNT; box++) {
        struct x400ms_error e = { 0 };
        uint32_t n = 0;
        rc = sf_index_load(&mb->box[box].idx, mb->dir_fd, index_name(box), &n, &e);
        if (rc != 0) {
            if (rc != X400MS_ENOENT)
                X400MS_LOG_W("mailbox %s: %s; rebuilding it from the entry files", mb->name, e.message);
            need_rebuild = true;
        }
        if (n > ix_next)
            ix_next = n;
    }
    mb->next_seq = reserved > ix_next ? reserved : ix_next;
    if (mb->next_seq == 0)
        mb->next_seq = 1;
    mb->reserved_seq = reserved;
    for (unsigned box = 0; box < X400MS_STORE_BOX_COUNT; box++) {
        uint32_t hi = sf_index_highest(&mb->box[box].idx);
        if (hi >= mb->next_seq)
            mb->next_seq = hi + 1;
    }
    if (!reserved)
        need_rebuild = true; /* the seq file is lost: the files tell the highest number */

    /* Mark the mailbox as in use: if we crash, the next load reconciles
     * before serving. */
    if (!crashed) {
        int fd = openat(mb->dir_fd, DIRTY_MARKER, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0 || fsync(mb->dir_fd) != 0) {
            rc = x400ms_error_set(err, sf_errno_code(errno), "mailbox %s: writing its marker: %s",
                                  mb->name, strerror(errno));
            if (fd >= 0)
                close(fd);
            goto fail;
        }
        close(fd);
    }
    if (need_rebuild) {
        if ((rc = sf_mailbox_rebuild_locked(mb, &rep, err)) != 0)
            goto fail;
        if (rep.entries || rep.corrupt)
            X400MS_LOG_N("mailbox %s: index rebuilt from %llu entry files (%llu corrupt skipped)", mb->name,
                         (unsigned long long)rep.entries, (unsigned long long)rep.corrupt);
    } else if (crashed) {
        /* Not shut down cleanly: bring the index up to date with the files
         * (names only: quick) before serving. Nothing is in flight yet. */
        for (unsigned box = 0; box < X400MS_STORE_BOX_COUNT; box++)
            if ((rc = reconcile_box(mb, box, UINT32_MAX, UINT32_MAX, false, &rep, err)) != 0)
                goto fail;
        for (unsigned box = 0; box < X400MS_STORE_BOX_COUNT; box++) {
            uint32_t hi = sf_index_highest(&mb->box[box].idx);
            if (hi >= mb->next_seq)
                mb->next_seq = hi + 1;
        }
        X400MS_LOG_N("mailbox %s: recovered after an unclean shutdown: %llu entries indexed, %llu removed, "
                     "%llu status fixed, %llu leftover files removed", mb->name,
                     (unsigned long long)rep.unindexed, (unsigned long long)rep.missing,
                     (unsigned long long)rep.status_fixed, (unsigned long long)rep.temp_removed);
    }
    mb->load_next_seq = mb->next_seq;
    mb->loaded = true;
    mb->check_pending = store->opt.background_check && !need_rebuild;
    return 0;
fail:
    sf_mailbox_unload(mb);
    return rc;
}

void sf_mailbox_unload(struct x400ms_store_mailbox *mb)
{
    for (unsigned box = 0; box < X400MS_STORE_BOX_COUNT; box++) {
        struct sf_box *b = &mb->box[box];
        sf_index_free(&b->idx);
        if (b->dir_fd >= 0)
            close(b->dir_fd);
        b->dir_fd = -1;
        free(b->cache);
        b->cache = NULL;
        b->cache_seq = 0;
        free(b->settle);
        b->settle = NULL;
        b->n_settle = b->cap_settle = 0;
    }
    if (mb->dir_fd >= 0)
        close(mb->dir_fd);
    mb->dir_fd = -1;
    mb->loaded = false;
}

int sf_mailbox_close_clean(struct x400ms_store_mailbox *mb, struct x400ms_error *err)
{
    int rc;
    if (!mb->loaded)
        return 0;
    for (unsigned box = 0; box < X400MS_STORE_BOX_COUNT; box++)
        mb->box[box].dirty = true; /* the saved next_seq must be current */
    if ((rc = sf_mailbox_flush(mb, err)) != 0)
        return rc;
    if (unlinkat(mb->dir_fd, DIRTY_MARKER, 0) == 0)
        fsync(mb->dir_fd);
    return 0;
}
