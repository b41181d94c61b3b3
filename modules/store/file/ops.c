/* The store vtable of the file backend (store.h): the calls P7, P3, the
 * admin API and the auto-actions make. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "crc32c.h"
#include "entry_file.h"
#include "fsutil.h"
#include "store_file.h"
#define X400MS_LOG_MODULE "store_file"
#include "x400ms/hooks.h"
#include "x400ms/log.h"

/* An entry returned by get(): the public part, the file bytes and the
 * attribute strings in one allocation. */
struct sf_entry {
    struct x400ms_store_entry pub;
    uint8_t *file;
    uint32_t children[]; /* then the strings */
};

static struct sf_entry *entry_dup_attrs(const struct x400ms_store_attrs *a)
{
    const char *strs[4] = { a->content_type, a->originator, a->this_recipient, a->subject };
    size_t lens[4], total = a->n_children * sizeof(uint32_t) + a->mts_id_len;
    struct sf_entry *e;
    char *p;

    for (int i = 0; i < 4; i++)
        total += (lens[i] = strs[i] ? strlen(strs[i]) + 1 : 0);
    if (!(e = calloc(1, sizeof *e + total)))
        return NULL;
    e->pub.attrs = *a;
    if (a->n_children) {
        memcpy(e->children, a->children, a->n_children * sizeof(uint32_t));
        e->pub.attrs.children = e->children;
    }
    p = (char *)(e->children + a->n_children);
    const char **dst[4] = { &e->pub.attrs.content_type, &e->pub.attrs.originator,
                            &e->pub.attrs.this_recipient, &e->pub.attrs.subject };
    for (int i = 0; i < 4; i++) {
        if (!lens[i])
            continue;
        memcpy(p, strs[i], lens[i]);
        *dst[i] = p;
        p += lens[i];
    }
    if (a->mts_id_len) {
        memcpy(p, a->mts_id, a->mts_id_len);
        e->pub.attrs.mts_id = (const uint8_t *)p;
    }
    return e;
}

static void op_entry_free(struct x400ms_store_entry *entry)
{
    struct sf_entry *e = (struct sf_entry *)entry;
    if (e) {
        free(e->file);
        free(e);
    }
}

/* ---- helpers ---- */

static int enter(struct x400ms_store_mailbox *mb, unsigned box, struct x400ms_error *err)
{
    if (!mb)
        return x400ms_error_set(err, X400MS_EINVAL, "mailbox handle missing");
    if (box >= X400MS_STORE_BOX_COUNT)
        return x400ms_error_set(err, X400MS_EINVAL, "box %u: expected 0 (In Box) or 1 (Out Box)", box);
    pthread_rwlock_rdlock(&mb->gate);
    if (mb->deleted) {
        pthread_rwlock_unlock(&mb->gate);
        return x400ms_error_set(err, X400MS_ENOENT, "mailbox %s: deleted", mb->name);
    }
    return 0;
}

static void leave(struct x400ms_store_mailbox *mb) { pthread_rwlock_unlock(&mb->gate); }

static int no_entry(struct x400ms_store_mailbox *mb, unsigned box, uint32_t seq, struct x400ms_error *err)
{
    return x400ms_error_set(err, X400MS_ENOENT, "mailbox %s: no entry %u in the %s", mb->name, seq,
                            box == X400MS_STORE_INBOX ? "In Box" : "Out Box");
}

static void emit(struct x400ms_store_mailbox *mb, const char *hook, unsigned box, uint32_t seq,
                 const struct x400ms_store_attrs *attrs)
{
    struct sf_store *store = mb->store;
    if (!store->opt.on_event)
        return;
    struct x400ms_store_event ev = { .mailbox = mb->name, .mb = mb, .box = (enum x400ms_store_box)box,
                                     .seq = seq, .attrs = attrs };
    store->opt.on_event(store->opt.event_ctx, hook, &ev);
}

/* Reads and checks a whole entry file. */
static int read_entry_file(struct x400ms_store_mailbox *mb, unsigned box, uint32_t seq, unsigned status,
                           uint8_t **file_r, size_t *len_r, struct x400ms_error *err)
{
    char name[24];
    struct stat st;
    uint8_t *file;
    int fd;

    snprintf(name, sizeof name, "%u.%c", seq, sf_status_letter(status));
    fd = openat(mb->box[box].dir_fd, name, O_RDONLY | O_CLOEXEC);
    /* Not under the name we expect: a rename may be under way, or the index
     * is ahead of the file (a status change whose rename a stop cut short). */
    for (unsigned s = 0; fd < 0 && errno == ENOENT && s < X400MS_STATUS_COUNT; s++) {
        if (s == status)
            continue;
        snprintf(name, sizeof name, "%u.%c", seq, sf_status_letter(s));
        fd = openat(mb->box[box].dir_fd, name, O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0)
        return errno == ENOENT ? X400MS_ENOENT
                               : x400ms_error_set(err, sf_errno_code(errno), "mailbox %s: %s/%s: %s",
                                                  mb->name, sf_box_dir(box), name, strerror(errno));
    if (fstat(fd, &st) != 0 || !(file = malloc((size_t)st.st_size + 1))) {
        close(fd);
        return x400ms_error_set(err, X400MS_ENOMEM, "mailbox %s: %s/%s: cannot read", mb->name,
                                sf_box_dir(box), name);
    }
    if (sf_pread_all(fd, file, (size_t)st.st_size, 0) != 0) {
        int e = errno;
        close(fd);
        free(file);
        return x400ms_error_set(err, sf_errno_code(e), "mailbox %s: %s/%s: %s", mb->name, sf_box_dir(box),
                                name, strerror(e));
    }
    close(fd);
    *file_r = file;
    *len_r = (size_t)st.st_size;
    return 0;
}

static int check_entry_bytes(struct x400ms_store_mailbox *mb, unsigned box, uint32_t seq,
                             const uint8_t *file, size_t len, struct sf_entry_header *h,
                             struct x400ms_error *err)
{
    int rc = sf_entry_decode_header(file, len, h, err);
    if (rc == X400MS_EAGAIN)
        rc = x400ms_error_set(err, X400MS_ECORRUPT, "entry file truncated inside its header");
    if (rc == 0 && (h->attrs.seq != seq || h->box != box))
        rc = x400ms_error_set(err, X400MS_ECORRUPT, "header names entry %u of box %u", h->attrs.seq, h->box);
    if (rc == 0 && sf_entry_file_size(h) != len)
        rc = x400ms_error_set(err, X400MS_ECORRUPT, "file is %zu bytes, its header says %llu", len,
                              (unsigned long long)sf_entry_file_size(h));
    if (rc == 0 &&
        sf_crc32c(0, file + h->header_len, len - h->header_len - 4) != sf_get32(file + len - 4))
        rc = x400ms_error_set(err, X400MS_ECORRUPT, "body CRC mismatch");
    if (rc) {
        X400MS_LOG_E("mailbox %s: %s entry %u is corrupt: %s", mb->name, sf_box_dir(box), seq,
                     err ? err->message : "");
        if (err)
            x400ms_error_prefix(err, "mailbox %s: %s entry %u", mb->name, sf_box_dir(box), seq);
    }
    return rc;
}

/* ---- mailboxes ---- */

static int op_mailbox_create(void *ctx, const struct x400ms_store_mailbox_info *info,
                             struct x400ms_error *err)
{
    struct sf_store *store = ctx;
    pthread_mutex_lock(&store->admin_lock);
    int rc = sf_mailbox_create_locked(store, info, true, err);
    pthread_mutex_unlock(&store->admin_lock);
    if (rc == 0)
        X400MS_LOG_N("mailbox %s created (%s)", info->name, info->or_address ? info->or_address : "");
    return rc;
}

static int op_mailbox_update(void *ctx, const char *name, const struct x400ms_store_mailbox_info *info,
                             struct x400ms_error *err)
{
    struct sf_store *store = ctx;
    struct x400ms_store_mailbox *mb = NULL;
    char *addr, *hash;
    int rc;

    if (!info)
        return x400ms_error_set(err, X400MS_EINVAL, "mailbox info missing");
    if ((info->or_address && strlen(info->or_address) > X400MS_STORE_ADDRESS_MAX) ||
        (info->password_hash && strlen(info->password_hash) >= X400MS_STORE_PASSWORD_HASH_MAX) ||
        info->settings.max_age[0] < X400MS_STORE_MAX_AGE_NEVER ||
        info->settings.max_age[1] < X400MS_STORE_MAX_AGE_NEVER)
        return x400ms_error_set(err, X400MS_EINVAL, "mailbox %s: or_address, password_hash or max_age out of range",
                                name ? name : "");
    pthread_mutex_lock(&store->admin_lock);
    struct x400ms_store_mailbox *clash = NULL;
    pthread_rwlock_rdlock(&store->table_lock);
    for (size_t i = 0; i < store->n_table; i++) {
        struct x400ms_store_mailbox *t = store->table[i];
        if (name && strcmp(t->name, name) == 0)
            mb = t;
        else if (info->or_address && *info->or_address && strcasecmp(t->or_address, info->or_address) == 0)
            clash = t;
    }
    if (!mb || clash) {
        rc = !mb ? x400ms_error_set(err, X400MS_ENOENT, "no mailbox '%s'", name ? name : "")
                 : x400ms_error_set(err, X400MS_EEXIST, "mailbox %s: O/R address already used by mailbox %s",
                                    name, clash->name);
        pthread_rwlock_unlock(&store->table_lock);
        pthread_mutex_unlock(&store->admin_lock);
        return rc;
    }
    pthread_rwlock_unlock(&store->table_lock);
    addr = strdup(info->or_address ? info->or_address : "");
    hash = strdup(info->password_hash ? info->password_hash : "");
    if (!addr || !hash) {
        free(addr);
        free(hash);
        pthread_mutex_unlock(&store->admin_lock);
        return x400ms_error_set(err, X400MS_ENOMEM, "mailbox %s: out of memory", name);
    }
    pthread_mutex_lock(&mb->mutex);
    free(mb->or_address);
    free(mb->password_hash);
    mb->or_address = addr;
    mb->password_hash = hash;
    mb->settings = info->settings;
    pthread_mutex_unlock(&mb->mutex);
    rc = sf_registry_save(store, err);
    pthread_mutex_unlock(&store->admin_lock);
    return rc;
}

static int op_mailbox_delete(void *ctx, const char *name, struct x400ms_error *err)
{
    struct sf_store *store = ctx;
    struct x400ms_store_mailbox *mb = NULL;
    int rc;

    pthread_mutex_lock(&store->admin_lock);
    pthread_rwlock_wrlock(&store->table_lock);
    for (size_t i = 0; name && i < store->n_table; i++) {
        if (strcmp(store->table[i]->name, name) == 0) {
            mb = store->table[i];
            memmove(&store->table[i], &store->table[i + 1], (store->n_table - i - 1) * sizeof mb);
            store->n_table--;
            break;
        }
    }
    pthread_rwlock_unlock(&store->table_lock);
    if (!mb) {
        pthread_mutex_unlock(&store->admin_lock);
        return x400ms_error_set(err, X400MS_ENOENT, "no mailbox '%s'", name ? name : "");
    }
    /* The registry first: once it is written the mailbox is gone, even if
     * removing the files is interrupted (a leftover directory is ignored and
     * replaced by a new mailbox of that name only after an explicit clean). */
    rc = sf_registry_save(store, err);
    pthread_rwlock_wrlock(&mb->gate); /* waits for operations in progress */
    sf_mailbox_wait_all_written(mb); /* the materializer is done with it */
    mb->deleted = true;
    pthread_mutex_lock(&mb->load_mu);
    sf_mailbox_unload(mb);
    pthread_mutex_unlock(&mb->load_mu);
    if (rc == 0 && (rc = sf_rmtree_at(store->mailboxes_fd, mb->name)) != 0)
        x400ms_error_set(err, rc, "mailbox %s: removing its files failed", mb->name);
    if (rc == 0)
        sf_fsync_dir(store->mailboxes_fd);
    pthread_rwlock_unlock(&mb->gate);
    pthread_mutex_unlock(&store->admin_lock);
    if (rc == 0)
        X400MS_LOG_N("mailbox %s deleted", name);
    sf_mailbox_release(mb); /* the table's reference */
    /* No journal record may bring an entry back into a later mailbox of
     * the same name. */
    if (rc == 0)
        sf_commit_checkpoint(store);
    return rc;
}

static void fill_info(struct x400ms_store_mailbox *mb, struct x400ms_store_mailbox_info *info)
{
    *info = (struct x400ms_store_mailbox_info){ .name = mb->name, .or_address = mb->or_address,
                                                .password_hash = mb->password_hash,
                                                .settings = mb->settings, .next_seq = mb->next_seq };
}

static int op_mailbox_list(void *ctx, x400ms_store_mailbox_visit_fn *fn, void *arg, struct x400ms_error *err)
{
    struct sf_store *store = ctx;
    struct x400ms_store_mailbox_info info;
    int rc = 0;

    if (!fn)
        return x400ms_error_set(err, X400MS_EINVAL, "mailbox_list: callback missing");
    pthread_rwlock_rdlock(&store->table_lock);
    for (size_t i = 0; i < store->n_table && rc == 0; i++) {
        pthread_mutex_lock(&store->table[i]->mutex);
        fill_info(store->table[i], &info);
        rc = fn(arg, &info);
        pthread_mutex_unlock(&store->table[i]->mutex);
    }
    pthread_rwlock_unlock(&store->table_lock);
    return rc;
}

static int op_mailbox_get(void *ctx, const char *name, const char *or_address,
                          x400ms_store_mailbox_visit_fn *fn, void *arg, struct x400ms_error *err)
{
    struct sf_store *store = ctx;
    struct x400ms_store_mailbox_info info;
    int rc = X400MS_ENOENT;

    if (!fn || (!name && !or_address))
        return x400ms_error_set(err, X400MS_EINVAL, "mailbox_get: name or address, and a callback, needed");
    pthread_rwlock_rdlock(&store->table_lock);
    for (size_t i = 0; i < store->n_table; i++) {
        struct x400ms_store_mailbox *mb = store->table[i];
        if (name ? strcmp(mb->name, name) != 0 : strcasecmp(mb->or_address, or_address) != 0)
            continue;
        pthread_mutex_lock(&mb->mutex);
        fill_info(mb, &info);
        rc = fn(arg, &info);
        pthread_mutex_unlock(&mb->mutex);
        break;
    }
    pthread_rwlock_unlock(&store->table_lock);
    if (rc == X400MS_ENOENT)
        x400ms_error_set(err, rc, "no mailbox %s '%s'", name ? "named" : "with O/R address",
                         name ? name : or_address);
    return rc;
}

static int op_mailbox_open(void *ctx, const char *name, struct x400ms_store_mailbox **mb_r,
                           struct x400ms_error *err)
{
    if (!mb_r)
        return x400ms_error_set(err, X400MS_EINVAL, "mailbox_open: result pointer missing");
    return sf_mailbox_acquire(ctx, name, mb_r, err);
}

static void op_mailbox_close(struct x400ms_store_mailbox *mb)
{
    sf_mailbox_release(mb);
}

/* ---- entries ---- */

static int op_put(struct x400ms_store_mailbox *mb, enum x400ms_store_box box,
                  const struct x400ms_store_entry_in *in, uint32_t *seq_r, struct x400ms_error *err)
{
    uint32_t seq;
    int rc;

    if (!in || !seq_r)
        return x400ms_error_set(err, X400MS_EINVAL, "put: entry or result pointer missing");
    if ((in->envelope_len && !in->envelope) || (in->content_len && !in->content))
        return x400ms_error_set(err, X400MS_EINVAL, "put: envelope or content bytes missing");
    if ((rc = sf_entry_validate(&in->attrs, err)) != 0)
        return rc;
    if ((rc = enter(mb, box, err)) != 0)
        return rc;
    if (mb->store->closing) {
        leave(mb);
        return x400ms_error_set(err, X400MS_ESTATE, "mailbox %s: the store is shutting down", mb->name);
    }
    pthread_mutex_lock(&mb->mutex);
    bool outbox_off = box == X400MS_STORE_OUTBOX && !mb->settings.outbox_enabled;
    pthread_mutex_unlock(&mb->mutex);
    if (outbox_off) {
        leave(mb);
        return x400ms_error_set(err, X400MS_EPERM, "mailbox %s: the Out Box is disabled", mb->name);
    }
    if ((rc = sf_mailbox_next_seq(mb, &seq, err)) == 0)
        rc = sf_commit_entry(mb, box, seq, in, err);
    leave(mb);
    if (rc)
        return rc;
    *seq_r = seq;
    if (mb->store->opt.on_event) {
        struct x400ms_store_attrs a = in->attrs;
        a.seq = seq;
        a.status = X400MS_STATUS_NEW;
        emit(mb, box == X400MS_STORE_INBOX ? X400MS_HOOK_ENTRY_DELIVERED : X400MS_HOOK_ENTRY_SUBMITTED,
             box, seq, &a);
    }
    return 0;
}

static int op_get(struct x400ms_store_mailbox *mb, enum x400ms_store_box box, uint32_t seq,
                  unsigned flags, struct x400ms_store_entry **entry_r, struct x400ms_error *err)
{
    struct sf_box *b;
    struct x400ms_store_attrs a;
    struct sf_entry *e = NULL;
    uint8_t *file = NULL;
    size_t len = 0;
    int rc;

    if (!entry_r)
        return x400ms_error_set(err, X400MS_EINVAL, "get: result pointer missing");
    if (flags & ~(unsigned)(X400MS_STORE_GET_ENVELOPE | X400MS_STORE_GET_CONTENT))
        return x400ms_error_set(err, X400MS_EINVAL, "get: unknown flags 0x%x", flags);
    if ((rc = enter(mb, box, err)) != 0)
        return rc;
    b = &mb->box[box];
    /* A status change renames the file between our index look-up and our
     * open: look again (a few times at most). */
    for (int attempt = 0; attempt < 4; attempt++) {
        pthread_rwlock_rdlock(&b->lock);
        ptrdiff_t pos = sf_index_find(&b->idx, seq);
        if (pos < 0) {
            pthread_rwlock_unlock(&b->lock);
            rc = no_entry(mb, box, seq, err);
            break;
        }
        sf_index_attrs(&b->idx, (size_t)pos, &a);
        e = entry_dup_attrs(&a);
        unsigned status = sf_rec_disk_status(&b->idx.recs[pos]); /* the file's name */
        if (e && flags && b->cache_seq == seq && (file = malloc(b->cache_len)) != NULL) {
            memcpy(file, b->cache, b->cache_len);
            len = b->cache_len;
        }
        pthread_rwlock_unlock(&b->lock);
        if (!e) {
            rc = x400ms_error_set(err, X400MS_ENOMEM, "get: out of memory");
            break;
        }
        if (!flags)
            break;
        if (!file) /* not in the cache: acknowledged before its file was written? (commit.c) */
            sf_mailbox_wait_written(mb, seq);
        if (!file && (rc = read_entry_file(mb, box, seq, status, &file, &len, err)) == X400MS_ENOENT) {
            op_entry_free(&e->pub);
            e = NULL;
            rc = 0;
            continue;
        }
        break;
    }
    if (rc == 0 && !e)
        rc = x400ms_error_set(err, X400MS_EIO, "mailbox %s: entry %u keeps moving", mb->name, seq);
    leave(mb);
    if (rc == 0 && flags) {
        struct sf_entry_header *h = malloc(sizeof *h);
        rc = h ? check_entry_bytes(mb, box, seq, file, len, h, err) : X400MS_ENOMEM;
        if (rc == 0) {
            e->file = file;
            file = NULL;
            if (flags & X400MS_STORE_GET_ENVELOPE) {
                e->pub.envelope = e->file + h->header_len;
                e->pub.envelope_len = h->envelope_len;
            }
            if (flags & X400MS_STORE_GET_CONTENT) {
                e->pub.content = e->file + h->header_len + h->envelope_len;
                e->pub.content_len = h->content_len;
            }
        }
        free(h);
    }
    free(file);
    if (rc) {
        op_entry_free(e ? &e->pub : NULL);
        return rc;
    }
    *entry_r = &e->pub;
    return 0;
}

static int op_select(struct x400ms_store_mailbox *mb, enum x400ms_store_box box,
                     const struct x400ms_store_selector *sel, x400ms_store_entry_visit_fn *fn, void *arg,
                     uint32_t *next_r, struct x400ms_error *err)
{
    static const struct x400ms_store_selector all = { 0 };
    int rc;

    if (!fn)
        return x400ms_error_set(err, X400MS_EINVAL, "select: callback missing");
    if (!sel)
        sel = &all;
    if ((rc = sf_filter_validate(sel->filter, err)) != 0)
        return rc;
    if (sel->seq_to && sel->seq_from > sel->seq_to)
        return x400ms_error_set(err, X400MS_EINVAL, "select: range from %u is above to %u", sel->seq_from,
                                sel->seq_to);
    if ((rc = enter(mb, box, err)) != 0)
        return rc;
    pthread_rwlock_rdlock(&mb->box[box].lock);
    rc = sf_index_select(&mb->box[box].idx, sel, fn, arg, next_r);
    pthread_rwlock_unlock(&mb->box[box].lock);
    leave(mb);
    return rc;
}

static int op_set_status(struct x400ms_store_mailbox *mb, enum x400ms_store_box box, uint32_t seq,
                         enum x400ms_store_status status, struct x400ms_error *err)
{
    struct sf_box *b;
    ptrdiff_t pos;
    bool kick = false;
    int rc = 0;

    if ((unsigned)status >= X400MS_STATUS_COUNT)
        return x400ms_error_set(err, X400MS_EINVAL, "set_status: %d is not a retrieval status", (int)status);
    if ((rc = enter(mb, box, err)) != 0)
        return rc;
    b = &mb->box[box];
    pthread_rwlock_wrlock(&b->lock);
    if ((pos = sf_index_find(&b->idx, seq)) < 0)
        rc = no_entry(mb, box, seq, err);
    else /* O(1): the file rename follows on the settle thread (settle.c) */
        rc = sf_box_set_status(mb, box, (size_t)pos, status, &kick, err);
    pthread_rwlock_unlock(&b->lock);
    if (kick)
        sf_settle_kick(mb);
    leave(mb);
    return rc;
}

static int op_set_status_many(struct x400ms_store_mailbox *mb, enum x400ms_store_box box,
                              const uint32_t *seqs, size_t n, enum x400ms_store_status status,
                              struct x400ms_error *err)
{
    struct sf_box *b;
    uint32_t missing = 0;
    bool kick = false;
    int rc = 0;

    if ((unsigned)status >= X400MS_STATUS_COUNT)
        return x400ms_error_set(err, X400MS_EINVAL, "set_status_many: %d is not a retrieval status",
                                (int)status);
    if (n && !seqs)
        return x400ms_error_set(err, X400MS_EINVAL, "set_status_many: sequence numbers missing");
    if ((rc = enter(mb, box, err)) != 0)
        return rc;
    b = &mb->box[box];
    pthread_rwlock_wrlock(&b->lock);
    for (size_t i = 0; i < n; i++) {
        ptrdiff_t pos = sf_index_find(&b->idx, seqs[i]);
        if (pos < 0) {
            if (!missing)
                missing = seqs[i] ? seqs[i] : UINT32_MAX;
            continue;
        }
        int r = sf_box_set_status(mb, box, (size_t)pos, status, &kick, rc ? NULL : err);
        if (r && !rc)
            rc = r;
    }
    pthread_rwlock_unlock(&b->lock);
    if (kick)
        sf_settle_kick(mb);
    if (!rc && missing)
        rc = no_entry(mb, box, missing == UINT32_MAX ? 0 : missing, err);
    leave(mb);
    return rc;
}

int sf_entry_delete(struct x400ms_store_mailbox *mb, unsigned box, uint32_t seq, bool force,
                    struct x400ms_error *err)
{
    struct sf_box *b;
    struct sf_entry *copy = NULL;
    ptrdiff_t pos;
    int rc;

    if ((rc = enter(mb, box, err)) != 0)
        return rc;
    if (!force) {
        pthread_mutex_lock(&mb->mutex);
        bool prohibited = mb->store->opt.delete_prohibited || mb->settings.deletion_prohibited;
        pthread_mutex_unlock(&mb->mutex);
        if (prohibited) {
            leave(mb);
            return x400ms_error_set(err, X400MS_EPERM, "mailbox %s: deletion is prohibited%s", mb->name,
                                    mb->store->opt.delete_prohibited ? " in this deployment" : "");
        }
    }
    b = &mb->box[box];
    sf_mailbox_wait_written(mb, seq); /* acknowledged before its file was written (commit.c) */
    pthread_rwlock_wrlock(&b->lock);
    if ((pos = sf_index_find(&b->idx, seq)) < 0) {
        rc = no_entry(mb, box, seq, err);
    } else if (!force && b->idx.recs[pos].status == X400MS_STATUS_NEW && mb->settings.delete_new_prohibited) {
        rc = x400ms_error_set(err, X400MS_EPERM, "mailbox %s: entry %u is new and deleting new entries is "
                              "prohibited", mb->name, seq);
    } else {
        char from[24], to[24];
        snprintf(from, sizeof from, "%u.%c", seq, sf_status_letter(sf_rec_disk_status(&b->idx.recs[pos])));
        snprintf(to, sizeof to, ".d%u", seq);
        /* Renamed, not unlinked: a running backup may still copy it. The
         * settle thread may be renaming it to its new status outside the box
         * lock (settle.c): then it has the other name. */
        int rr = renameat(b->dir_fd, from, b->dir_fd, to);
        for (unsigned s = 0; rr != 0 && errno == ENOENT && s < X400MS_STATUS_COUNT; s++) {
            snprintf(from, sizeof from, "%u.%c", seq, sf_status_letter(s));
            rr = renameat(b->dir_fd, from, b->dir_fd, to);
        }
        if (rr != 0 && errno != ENOENT) {
            rc = x400ms_error_set(err, sf_errno_code(errno), "mailbox %s: deleting %s/%s: %s", mb->name,
                                  sf_box_dir(box), from, strerror(errno));
        } else {
            if (mb->store->opt.on_event) {
                struct x400ms_store_attrs a;
                sf_index_attrs(&b->idx, (size_t)pos, &a);
                copy = entry_dup_attrs(&a);
            }
            sf_index_remove(&b->idx, (size_t)pos);
            if (b->cache_seq == seq) {
                free(b->cache);
                b->cache = NULL;
                b->cache_seq = 0;
            }
            b->dirty = b->dir_dirty = true;
        }
    }
    pthread_rwlock_unlock(&b->lock);
    if (rc == 0) {
        sf_mailbox_drop_deleted(mb, box, seq);
        sf_commit_note_delete(mb, box, seq); /* so that a replay does not bring it back */
    }
    leave(mb);
    if (rc == 0 && copy)
        emit(mb, X400MS_HOOK_ENTRY_DELETED, box, seq, &copy->pub.attrs);
    op_entry_free(copy ? &copy->pub : NULL);
    return rc;
}

static int op_delete_entry(struct x400ms_store_mailbox *mb, enum x400ms_store_box box, uint32_t seq,
                           struct x400ms_error *err)
{
    return sf_entry_delete(mb, box, seq, false, err);
}

static int op_summary(struct x400ms_store_mailbox *mb, enum x400ms_store_box box,
                      struct x400ms_store_summary *sum, struct x400ms_error *err)
{
    int rc;
    if (!sum)
        return x400ms_error_set(err, X400MS_EINVAL, "summary: result pointer missing");
    if ((rc = enter(mb, box, err)) != 0)
        return rc;
    struct sf_box *b = &mb->box[box];
    pthread_rwlock_rdlock(&b->lock);
    sum->total = b->idx.live;
    memcpy(sum->by_status, b->idx.by_status, sizeof sum->by_status);
    memcpy(sum->by_priority, b->idx.by_priority, sizeof sum->by_priority);
    sum->lowest_seq = sf_index_lowest(&b->idx);
    sum->highest_seq = sf_index_highest(&b->idx);
    pthread_rwlock_unlock(&b->lock);
    leave(mb);
    return 0;
}

static int op_children(struct x400ms_store_mailbox *mb, enum x400ms_store_box box, uint32_t seq,
                       uint32_t *seqs, size_t max, size_t *n_r, struct x400ms_error *err)
{
    struct x400ms_store_attrs a;
    ptrdiff_t pos;
    int rc;

    if (!n_r || (max && !seqs))
        return x400ms_error_set(err, X400MS_EINVAL, "children: result pointers missing");
    if ((rc = enter(mb, box, err)) != 0)
        return rc;
    struct sf_box *b = &mb->box[box];
    pthread_rwlock_rdlock(&b->lock);
    if ((pos = sf_index_find(&b->idx, seq)) < 0) {
        rc = no_entry(mb, box, seq, err);
    } else {
        sf_index_attrs(&b->idx, (size_t)pos, &a);
        *n_r = a.n_children;
        if (a.n_children > 0 && max > 0) /* children is NULL when there are none */
            memcpy(seqs, a.children, (a.n_children < max ? a.n_children : max) * sizeof *seqs);
    }
    pthread_rwlock_unlock(&b->lock);
    leave(mb);
    return rc;
}

/* ---- long jobs ---- */

static int for_one_or_all(struct sf_store *store, const char *name,
                          int (*fn)(struct x400ms_store_mailbox *, void *, struct x400ms_error *),
                          void *arg, struct x400ms_error *err)
{
    struct x400ms_store_mailbox **mbs, *mb;
    size_t n;
    int rc = 0;

    if (name) {
        if ((rc = sf_mailbox_acquire(store, name, &mb, err)) != 0)
            return rc;
        rc = fn(mb, arg, err);
        sf_mailbox_release(mb);
        return rc;
    }
    if (sf_table_snapshot(store, &mbs, &n) != 0)
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (rc == 0 && sf_mailbox_acquire(store, mbs[i]->name, &mb, err) == 0) {
            rc = fn(mb, arg, err);
            sf_mailbox_release(mb);
        }
        sf_mailbox_release(mbs[i]);
    }
    free(mbs);
    return rc;
}

static int check_one(struct x400ms_store_mailbox *mb, void *arg, struct x400ms_error *err)
{
    struct x400ms_store_check_report *total = arg, rep;
    int rc = sf_mailbox_check(mb, &rep, err);
    if (rc == 0 && total) {
        total->entries += rep.entries;
        total->corrupt += rep.corrupt;
        total->missing += rep.missing;
        total->unindexed += rep.unindexed;
        total->status_fixed += rep.status_fixed;
        total->temp_removed += rep.temp_removed;
        total->consistent = total->consistent && rep.consistent;
    }
    return rc;
}

static int op_check(void *ctx, const char *name, struct x400ms_store_check_report *report,
                    struct x400ms_error *err)
{
    struct x400ms_store_check_report total = { .consistent = true };
    int rc = for_one_or_all(ctx, name, check_one, &total, err);
    if (report)
        *report = total;
    return rc;
}

static int rebuild_one(struct x400ms_store_mailbox *mb, void *arg, struct x400ms_error *err)
{
    struct x400ms_store_check_report rep = { 0 };
    int rc;
    pthread_rwlock_wrlock(&mb->gate);
    sf_mailbox_wait_all_written(mb); /* a rebuild reads every file */
    rc = mb->deleted ? x400ms_error_set(err, X400MS_ENOENT, "mailbox %s: deleted", mb->name)
                     : sf_mailbox_rebuild_locked(mb, &rep, err);
    pthread_rwlock_unlock(&mb->gate);
    if (rc == 0)
        X400MS_LOG_N("mailbox %s: index rebuilt from %llu entry files (%llu corrupt skipped)", mb->name,
                     (unsigned long long)rep.entries, (unsigned long long)rep.corrupt);
    return rc;
}

static int op_rebuild(void *ctx, const char *name, struct x400ms_error *err)
{
    return for_one_or_all(ctx, name, rebuild_one, NULL, err);
}

static int op_backup(void *ctx, const char *name, const char *dir, struct x400ms_error *err)
{
    return sf_backup(ctx, name, dir, err);
}

static int op_restore(void *ctx, const char *name, const char *dir, enum x400ms_store_restore_mode mode,
                      struct x400ms_error *err)
{
    int rc = sf_restore(ctx, name, dir, mode, err);
    /* Journal records older than the restore must not be replayed over it. */
    if (rc == 0)
        sf_commit_checkpoint(ctx);
    return rc;
}

const struct x400ms_store_ops sf_store_ops = {
    .size = sizeof(struct x400ms_store_ops),
    .mailbox_create = op_mailbox_create,
    .mailbox_update = op_mailbox_update,
    .mailbox_delete = op_mailbox_delete,
    .mailbox_list = op_mailbox_list,
    .mailbox_get = op_mailbox_get,
    .mailbox_open = op_mailbox_open,
    .mailbox_close = op_mailbox_close,
    .put = op_put,
    .get = op_get,
    .entry_free = op_entry_free,
    .select = op_select,
    .set_status = op_set_status,
    .delete_entry = op_delete_entry,
    .summary = op_summary,
    .children = op_children,
    .backup = op_backup,
    .restore = op_restore,
    .check = op_check,
    .rebuild = op_rebuild,
    .set_status_many = op_set_status_many,
};
