/* Online backup and restore of mailboxes (docs/store-format.md "Backup").
 *
 * A backup of mailbox NAME in DIR is DIR/NAME/{mailbox.json, inbox/, outbox/},
 * the entry files copied byte for byte under their names at the moment of the
 * snapshot. Consistency while deliveries continue: the list of entries and
 * their states is taken under the box lock; entry files are immutable (only
 * renamed), and a delete during the backup renames the file to ".dSEQ" and
 * keeps it until the backup ends, so every listed entry can still be copied.
 * The backup is written to DIR/.NAME.tmp and renamed when complete. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "crc32c.h"
#include "entry_file.h"
#include "fsutil.h"
#include "store_file.h"
#define X400MS_LOG_MODULE "store_file"
#include "x400ms/log.h"

struct snap_item { uint32_t seq; uint8_t status; };

static int copy_fd(int in, int out)
{
    uint8_t buf[65536];
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            return 0;
        if (sf_write_all(out, buf, (size_t)n) != 0)
            return -1;
    }
}

static int open_entry_any(int dir_fd, uint32_t seq, unsigned status)
{
    char name[24];
    int fd;
    snprintf(name, sizeof name, "%u.%c", seq, sf_status_letter(status));
    if ((fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC)) >= 0)
        return fd;
    for (unsigned s = 0; s < X400MS_STATUS_COUNT; s++) {
        snprintf(name, sizeof name, "%u.%c", seq, sf_status_letter(s));
        if ((fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC)) >= 0)
            return fd;
    }
    snprintf(name, sizeof name, ".d%u", seq);
    return openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
}

static int backup_box(struct x400ms_store_mailbox *mb, unsigned box, const struct snap_item *items,
                      size_t n, int dst_dir, uint64_t *copied, struct x400ms_error *err)
{
    int dst_box;
    if (sf_mkdirat(dst_dir, sf_box_dir(box), err) != 0)
        return err ? err->code : X400MS_EIO;
    if ((dst_box = openat(dst_dir, sf_box_dir(box), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return x400ms_error_set(err, sf_errno_code(errno), "backup: %s: %s", sf_box_dir(box), strerror(errno));
    for (size_t i = 0; i < n; i++) {
        char name[24];
        sf_mailbox_wait_written(mb, items[i].seq); /* acknowledged before its file was written */
        int in = open_entry_any(mb->box[box].dir_fd, items[i].seq, items[i].status), out;
        if (in < 0) {
            X400MS_LOG_W("mailbox %s: backup: %s entry %u vanished; not in the backup", mb->name,
                         sf_box_dir(box), items[i].seq);
            continue;
        }
        snprintf(name, sizeof name, "%u.%c", items[i].seq, sf_status_letter(items[i].status));
        out = openat(dst_box, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (out < 0 || copy_fd(in, out) != 0) {
            int e = errno;
            close(in);
            if (out >= 0)
                close(out);
            close(dst_box);
            return x400ms_error_set(err, sf_errno_code(e), "backup of mailbox %s: %s/%s: %s", mb->name,
                                    sf_box_dir(box), name, strerror(e));
        }
        close(in);
        close(out);
        (*copied)++;
    }
    close(dst_box);
    return 0;
}

static int backup_one(struct x400ms_store_mailbox *mb, int dir_fd, struct x400ms_error *err)
{
    struct snap_item *items[X400MS_STORE_BOX_COUNT] = { 0 };
    size_t n_items[X400MS_STORE_BOX_COUNT] = { 0 };
    char tmpname[X400MS_STORE_NAME_MAX + 8]; /* ".NAME.tmp": never a mailbox name */
    uint64_t copied = 0;
    json_t *meta;
    char *text = NULL;
    int dst = -1, rc = 0;

    pthread_rwlock_rdlock(&mb->gate);
    if (mb->deleted) {
        pthread_rwlock_unlock(&mb->gate);
        return x400ms_error_set(err, X400MS_ENOENT, "mailbox %s: deleted", mb->name);
    }
    pthread_mutex_lock(&mb->mutex);
    mb->backups++;
    /* The snapshot: every box's entries and states, and the mailbox record. */
    for (unsigned box = 0; box < X400MS_STORE_BOX_COUNT; box++) {
        struct sf_box *b = &mb->box[box];
        pthread_rwlock_rdlock(&b->lock);
        items[box] = malloc((b->idx.live + 1) * sizeof **items);
        for (size_t pos = 0; items[box] && pos < b->idx.n; pos++)
            if (!(b->idx.recs[pos].flags & SF_REC_DELETED))
                items[box][n_items[box]++] = (struct snap_item){ b->idx.recs[pos].seq, b->idx.recs[pos].status };
        pthread_rwlock_unlock(&b->lock);
        if (!items[box])
            rc = x400ms_error_set(err, X400MS_ENOMEM, "backup: out of memory");
    }
    meta = json_pack("{s:i, s:s, s:s, s:s, s:b, s:b, s:b, s:I, s:I, s:I}", "version", 1,
                     "name", mb->name, "or_address", mb->or_address, "password_hash", mb->password_hash,
                     "deletion_prohibited", mb->settings.deletion_prohibited,
                     "delete_new_prohibited", mb->settings.delete_new_prohibited,
                     "outbox_enabled", mb->settings.outbox_enabled,
                     "max_age_inbox", (json_int_t)mb->settings.max_age[0],
                     "max_age_outbox", (json_int_t)mb->settings.max_age[1],
                     "next_seq", (json_int_t)mb->next_seq);
    pthread_mutex_unlock(&mb->mutex);
    if (rc)
        goto out;

    snprintf(tmpname, sizeof tmpname, ".%s.tmp", mb->name);
    sf_rmtree_at(dir_fd, tmpname);
    if ((rc = sf_mkdirat(dir_fd, tmpname, err)) != 0)
        goto out;
    if ((dst = openat(dir_fd, tmpname, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        rc = x400ms_error_set(err, sf_errno_code(errno), "backup: %s: %s", tmpname, strerror(errno));
        goto out;
    }
    for (unsigned box = 0; box < X400MS_STORE_BOX_COUNT && rc == 0; box++)
        rc = backup_box(mb, box, items[box], n_items[box], dst, &copied, err);
    if (rc == 0 && (!meta || !(text = json_dumps(meta, JSON_INDENT(1) | JSON_SORT_KEYS))))
        rc = x400ms_error_set(err, X400MS_ENOMEM, "backup: out of memory");
    if (rc == 0)
        rc = sf_write_atomic(dst, "mailbox.json", text, strlen(text), err);
    /* Durable, then in place under its real name. */
    if (rc == 0 && syncfs(dst) != 0)
        rc = x400ms_error_set(err, sf_errno_code(errno), "backup: syncfs: %s", strerror(errno));
    if (rc == 0) {
        sf_rmtree_at(dir_fd, mb->name);
        if (renameat(dir_fd, tmpname, dir_fd, mb->name) != 0 || fsync(dir_fd) != 0)
            rc = x400ms_error_set(err, sf_errno_code(errno), "backup: renaming %s: %s", tmpname, strerror(errno));
    }
out:
    if (dst >= 0)
        close(dst);
    free(text);
    json_decref(meta);
    for (unsigned box = 0; box < X400MS_STORE_BOX_COUNT; box++)
        free(items[box]);
    /* The last backup out removes the files of entries deleted meanwhile. */
    pthread_mutex_lock(&mb->mutex);
    char **deferred = NULL;
    size_t n_deferred = 0;
    if (--mb->backups == 0) {
        deferred = mb->deferred;
        n_deferred = mb->n_deferred;
        mb->deferred = NULL;
        mb->n_deferred = mb->cap_deferred = 0;
    }
    pthread_mutex_unlock(&mb->mutex);
    for (size_t i = 0; i < n_deferred; i++) {
        unlinkat(mb->dir_fd, deferred[i], 0);
        free(deferred[i]);
    }
    free(deferred);
    pthread_rwlock_unlock(&mb->gate);
    if (rc == 0)
        X400MS_LOG_N("mailbox %s: backed up (%llu entries)", mb->name, (unsigned long long)copied);
    return rc;
}

int sf_backup(struct sf_store *store, const char *name, const char *dir, struct x400ms_error *err)
{
    struct x400ms_store_mailbox **mbs;
    size_t n = 0;
    int dir_fd, rc = 0;

    if (!dir || !*dir)
        return x400ms_error_set(err, X400MS_EINVAL, "backup: directory missing");
    if ((rc = sf_mkdir_p(dir, err)) != 0)
        return rc;
    if ((dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return x400ms_error_set(err, sf_errno_code(errno), "backup: %s: %s", dir, strerror(errno));
    if (name) {
        struct x400ms_store_mailbox *mb;
        if ((rc = sf_mailbox_acquire(store, name, &mb, err)) == 0) {
            rc = backup_one(mb, dir_fd, err);
            sf_mailbox_release(mb);
        }
    } else if (sf_table_snapshot(store, &mbs, &n) == 0) {
        for (size_t i = 0; i < n; i++) {
            struct x400ms_store_mailbox *mb;
            if (rc == 0 && (rc = sf_mailbox_acquire(store, mbs[i]->name, &mb, err)) == 0) {
                rc = backup_one(mb, dir_fd, err);
                sf_mailbox_release(mb);
            }
            sf_mailbox_release(mbs[i]);
        }
        free(mbs);
    } else {
        rc = x400ms_error_set(err, X400MS_ENOMEM, "backup: out of memory");
    }
    close(dir_fd);
    return rc;
}

/* ---- restore ---- */

struct pending { char tmp[24], final[24]; unsigned box; };

static int read_whole(int dir_fd, const char *name, uint8_t **buf_r, size_t *len_r)
{
    char *buf;
    size_t len;
    int rc = sf_read_file(dir_fd, name, &buf, &len, NULL);
    if (rc == 0) {
        *buf_r = (uint8_t *)buf;
        *len_r = len;
    }
    return rc;
}

static bool entry_ok(const uint8_t *file, size_t len, struct sf_entry_header *h)
{
    return sf_entry_decode_header(file, len, h, NULL) == 0 && sf_entry_file_size(h) == len &&
           sf_crc32c(0, file + h->header_len, len - h->header_len - 4) == sf_get32(file + len - 4);
}

static int exists_any(struct x400ms_store_mailbox *mb, uint32_t seq, int *box_r, int *status_r)
{
    char name[24];
    for (unsigned box = 0; box < X400MS_STORE_BOX_COUNT; box++)
        for (unsigned s = 0; s < X400MS_STATUS_COUNT; s++) {
            snprintf(name, sizeof name, "%u.%c", seq, sf_status_letter(s));
            if (faccessat(mb->box[box].dir_fd, name, F_OK, 0) == 0) {
                *box_r = (int)box;
                *status_r = (int)s;
                return 1;
            }
        }
    return 0;
}

static int restore_box(struct x400ms_store_mailbox *mb, unsigned box, int src_dir,
                       enum x400ms_store_restore_mode mode, struct pending **pend, size_t *n_pend,
                       size_t *cap_pend, uint32_t *max_seq, uint64_t *restored, struct x400ms_error *err)
{
    struct sf_entry_header *h = malloc(sizeof *h);
    int fd = openat(src_dir, sf_box_dir(box), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct dirent *de;
    DIR *d;
    int rc = 0;

    if (fd < 0 || !h || !(d = fdopendir(fd))) {
        if (fd >= 0)
            close(fd);
        free(h);
        return errno == ENOENT ? 0 : x400ms_error_set(err, sf_errno_code(errno), "restore: %s: %s",
                                                      sf_box_dir(box), strerror(errno));
    }
    while (rc == 0 && (de = readdir(d)) != NULL) {
        uint32_t seq;
        unsigned status;
        uint8_t *file = NULL;
        size_t len = 0;
        int ebox, estatus;
        if (!sf_parse_entry_name(de->d_name, &seq, &status))
            continue;
        if (read_whole(dirfd(d), de->d_name, &file, &len) != 0 || !entry_ok(file, len, h) ||
            h->attrs.seq != seq || h->box != box) {
            free(file);
            X400MS_LOG_E("mailbox %s: restore: backup file %s/%s is corrupt: skipped", mb->name,
                         sf_box_dir(box), de->d_name);
            continue;
        }
        uint32_t target = seq;
        if (mode == X400MS_RESTORE_MERGE && exists_any(mb, seq, &ebox, &estatus)) {
            /* The same entry (same bytes) is already there: keep it. */
            char ename[24];
            uint8_t *cur = NULL;
            size_t cur_len = 0;
            snprintf(ename, sizeof ename, "%u.%c", seq, sf_status_letter((unsigned)estatus));
            bool same = read_whole(mb->box[ebox].dir_fd, ename, &cur, &cur_len) == 0 &&
                        (cur_len == len && memcmp(cur, file, len) == 0);
            free(cur);
            if (same) {
                free(file);
                continue;
            }
            /* Another entry holds the number: the restored one gets a new one. */
            pthread_mutex_lock(&mb->mutex);
            target = mb->next_seq++;
            pthread_mutex_unlock(&mb->mutex);
        }
        uint8_t hdr[SF_ENTRY_HEADER_MAX];
        struct x400ms_store_attrs a = h->attrs;
        size_t hdr_len = sf_entry_encode_header(hdr, target, box, &a, h->envelope_len, h->content_len);
        struct pending p = { .box = box };
        snprintf(p.tmp, sizeof p.tmp, ".t%u", target);
        snprintf(p.final, sizeof p.final, "%u.%c", target, sf_status_letter(status));
        int out = openat(mb->box[box].dir_fd, p.tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (out < 0 || sf_write_all(out, hdr, hdr_len) != 0 ||
            sf_write_all(out, file + h->header_len, len - h->header_len) != 0) {
            rc = x400ms_error_set(err, sf_errno_code(errno), "restore of mailbox %s: writing %s: %s",
                                  mb->name, p.tmp, strerror(errno));
        }
        if (out >= 0)
            close(out);
        free(file);
        if (rc)
            break;
        if (*n_pend == *cap_pend) {
            size_t cap = *cap_pend ? *cap_pend * 2 : 256;
            struct pending *np = realloc(*pend, cap * sizeof *np);
            if (!np) {
                rc = x400ms_error_set(err, X400MS_ENOMEM, "restore: out of memory");
                break;
            }
            *pend = np;
            *cap_pend = cap;
        }
        (*pend)[(*n_pend)++] = p;
        if (target > *max_seq)
            *max_seq = target;
        (*restored)++;
    }
    closedir(d);
    free(h);
    return rc;
}

static int restore_one(struct sf_store *store, int src_parent, const char *name,
                       enum x400ms_store_restore_mode mode, struct x400ms_error *err)
{
    struct x400ms_store_mailbox_info info = { 0 };
    struct x400ms_store_mailbox *mb;
    struct pending *pend = NULL;
    size_t n_pend = 0, cap_pend = 0;
    json_int_t next_seq = 0, age_in = 0, age_out = 0;
    int dp = 0, dnp = 0, ob = 1, src, rc;
    uint32_t max_seq = 0;
    uint64_t restored = 0;
    json_error_t jerr;
    json_t *meta;
    char *text;

    if ((src = openat(src_parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return x400ms_error_set(err, X400MS_ENOENT, "restore: no backup of mailbox '%s'", name);
    if ((rc = sf_read_file(src, "mailbox.json", &text, NULL, err)) != 0) {
        close(src);
        return rc;
    }
    meta = json_loads(text, 0, &jerr);
    free(text);
    if (!meta || json_unpack_ex(meta, &jerr, 0, "{s:s, s?s, s?s, s?b, s?b, s?b, s?I, s?I, s?I}",
                                "name", &info.name, "or_address", &info.or_address,
                                "password_hash", &info.password_hash, "deletion_prohibited", &dp,
                                "delete_new_prohibited", &dnp, "outbox_enabled", &ob,
                                "max_age_inbox", &age_in, "max_age_outbox", &age_out,
                                "next_seq", &next_seq) != 0 ||
        strcmp(info.name, name) != 0 || next_seq < 0 || next_seq > UINT32_MAX) {
        json_decref(meta);
        close(src);
        return x400ms_error_set(err, X400MS_ECORRUPT, "restore: %s/mailbox.json: %s", name,
                                meta ? "bad fields" : jerr.text);
    }
    info.settings = (struct x400ms_store_settings){ .deletion_prohibited = dp, .delete_new_prohibited = dnp,
                                                    .outbox_enabled = ob, .max_age = { age_in, age_out } };
    pthread_mutex_lock(&store->admin_lock);
    rc = sf_mailbox_create_locked(store, &info, true, err);
    if (rc == X400MS_EEXIST)
        rc = 0;
    pthread_mutex_unlock(&store->admin_lock);
    if (rc == 0 && mode == X400MS_RESTORE_REPLACE)
        rc = sf_store_ops.mailbox_update(store, name, &info, err);
    json_decref(meta);
    if (rc || (rc = sf_mailbox_acquire(store, name, &mb, err)) != 0) {
        close(src);
        return rc;
    }

    pthread_rwlock_wrlock(&mb->gate); /* nothing else runs on this mailbox now */
    if (mb->deleted) {
        rc = x400ms_error_set(err, X400MS_ENOENT, "mailbox %s: deleted", name);
        goto out;
    }
    /* Pending status renames first (settle.c), and no journal record of
     * this mailbox may be replayed over what the restore writes: make the
     * files durable and empty the journal (no put of this mailbox is in
     * flight: we hold its gate). */
    sf_mailbox_settle(mb);
    if ((rc = sf_commit_checkpoint(store)) != 0) {
        x400ms_error_set(err, rc, "restore: journal checkpoint failed: %s", x400ms_strerror(rc));
        goto out;
    }
    if (mode == X400MS_RESTORE_REPLACE) {
        for (unsigned box = 0; box < X400MS_STORE_BOX_COUNT; box++) {
            sf_rmtree_at(mb->dir_fd, sf_box_dir(box));
            close(mb->box[box].dir_fd);
            mb->box[box].dir_fd = -1;
            if ((rc = sf_mkdirat(mb->dir_fd, sf_box_dir(box), err)) != 0)
                goto out;
            mb->box[box].dir_fd = openat(mb->dir_fd, sf_box_dir(box), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (mb->box[box].dir_fd < 0) {
                rc = x400ms_error_set(err, sf_errno_code(errno), "restore: %s: %s", sf_box_dir(box),
                                      strerror(errno));
                goto out;
            }
        }
    }
    for (unsigned box = 0; box < X400MS_STORE_BOX_COUNT && rc == 0; box++)
        rc = restore_box(mb, box, src, mode, &pend, &n_pend, &cap_pend, &max_seq, &restored, err);
    /* Durable, then visible: one syncfs, the renames, one fsync per box. */
    if (rc == 0 && n_pend && syncfs(mb->dir_fd) != 0)
        rc = x400ms_error_set(err, sf_errno_code(errno), "restore: syncfs: %s", strerror(errno));
    for (size_t i = 0; i < n_pend; i++) {
        int dfd = mb->box[pend[i].box].dir_fd;
        if (rc == 0 && renameat(dfd, pend[i].tmp, dfd, pend[i].final) != 0)
            rc = x400ms_error_set(err, sf_errno_code(errno), "restore: rename: %s", strerror(errno));
        if (rc)
            unlinkat(dfd, pend[i].tmp, 0);
    }
    for (unsigned box = 0; box < X400MS_STORE_BOX_COUNT && rc == 0; box++)
        rc = sf_fsync_dir(mb->box[box].dir_fd);
    /* Numbers never go back: the next one is above the backup's and ours. */
    if (rc == 0)
        rc = sf_mailbox_raise_seq(mb, (uint32_t)next_seq > max_seq + 1 ? (uint32_t)next_seq : max_seq + 1, err);
    if (rc == 0)
        rc = sf_mailbox_rebuild_locked(mb, NULL, err);
out:
    pthread_rwlock_unlock(&mb->gate);
    sf_mailbox_release(mb);
    free(pend);
    close(src);
    if (rc == 0)
        X400MS_LOG_N("mailbox %s: restored %llu entries (%s)", name, (unsigned long long)restored,
                     mode == X400MS_RESTORE_REPLACE ? "replace" : "merge");
    return rc;
}

int sf_restore(struct sf_store *store, const char *name, const char *dir,
               enum x400ms_store_restore_mode mode, struct x400ms_error *err)
{
    int dir_fd, rc = 0;
    struct dirent *de;
    DIR *d;

    if (!dir || !*dir)
        return x400ms_error_set(err, X400MS_EINVAL, "restore: directory missing");
    if (mode != X400MS_RESTORE_MERGE && mode != X400MS_RESTORE_REPLACE)
        return x400ms_error_set(err, X400MS_EINVAL, "restore: mode %d: expected merge or replace", (int)mode);
    if (name && !sf_name_valid(name))
        return x400ms_error_set(err, X400MS_EINVAL, "restore: bad mailbox name '%s'", name);
    if ((dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return x400ms_error_set(err, sf_errno_code(errno), "restore: %s: %s", dir, strerror(errno));
    if (name) {
        rc = restore_one(store, dir_fd, name, mode, err);
        close(dir_fd);
        return rc;
    }
    if (!(d = fdopendir(dir_fd))) {
        close(dir_fd);
        return x400ms_error_set(err, sf_errno_code(errno), "restore: %s: %s", dir, strerror(errno));
    }
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (!sf_name_valid(de->d_name) || faccessat(dirfd(d), de->d_name, F_OK, 0) != 0)
            continue;
        char meta[sizeof de->d_name + 16];
        snprintf(meta, sizeof meta, "%s/mailbox.json", de->d_name);
        if (faccessat(dirfd(d), meta, F_OK, 0) == 0)
            rc = restore_one(store, dirfd(d), de->d_name, mode, err);
    }
    closedir(d);
    return rc;
}
