/* The delivery journal (docs/store-format.md "The journal"): one flush per
 * group commit. The committer appends the whole batch - every entry's file
 * bytes, whatever its mailbox - to ROOT/journal with one pwritev and makes it
 * durable with one fdatasync; the writers are acknowledged after it and then
 * give their entry file (already written, not fsynced, as .tSEQ) its name.
 * The entry files become durable at the next checkpoint (one syncfs), after
 * which the journal starts over under a new generation. After a crash the
 * journal is replayed at start-up: every valid record whose entry file is
 * missing or damaged is written again; the first invalid record (a torn tail)
 * ends the replay and is never fatal.
 *
 * Only the committer thread writes the journal (and checkpoints it); replay
 * runs before that thread starts. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include "crc32c.h"
#include "entry_file.h"
#include "fsutil.h"
#include "journal.h"
#include "store_file.h"
#define X400MS_LOG_MODULE "store_file"
#include "x400ms/log.h"

#define J_NAME "journal"
#define J_HDR_MAGIC "X4JH"
#define J_REC_MAGIC "X4JR"
#define J_DEL_MAGIC "X4JD"
#define J_VERSION 1

static void encode_file_header(uint8_t *h, uint64_t gen, uint64_t start)
{
    memset(h, 0, SF_JOURNAL_HEADER_LEN);
    memcpy(h, J_HDR_MAGIC, 4);
    sf_put16(h + 4, J_VERSION);
    sf_put64(h + 8, gen);
    sf_put64(h + 16, start);
    sf_put32(h + 24, sf_crc32c(0, h, 24));
}

/* Rewrites the header (under hdr_mu) and makes it durable. */
static int write_header(struct sf_journal *j, uint64_t gen, uint64_t start)
{
    uint8_t h[SF_JOURNAL_HEADER_LEN];
    encode_file_header(h, gen, start);
    if (pwrite(j->fd, h, sizeof h, 0) != (ssize_t)sizeof h || fdatasync(j->fd) != 0)
        return sf_errno_code(errno ? errno : EIO);
    return 0;
}

/* Starts a new generation: records of older ones are no longer valid. */
static int journal_reset(struct sf_journal *j, uint64_t gen)
{
    pthread_mutex_lock(&j->hdr_mu);
    int rc = write_header(j, gen, SF_JOURNAL_DATA_OFFSET);
    if (rc == 0) {
        j->gen = gen;
        j->start = j->off = SF_JOURNAL_DATA_OFFSET;
        if (j->size < SF_JOURNAL_DATA_OFFSET) /* never grow over the header */
            j->size = SF_JOURNAL_DATA_OFFSET;
    }
    pthread_mutex_unlock(&j->hdr_mu);
    return rc;
}

int sf_journal_advance(struct sf_store *store, uint64_t gen, uint64_t cut)
{
    struct sf_journal *j = &store->journal;
    int rc = 0;
    pthread_mutex_lock(&j->hdr_mu);
    bool needed = j->fd >= 0 && j->gen == gen && cut > j->start && !__atomic_load_n(&j->pinned, __ATOMIC_ACQUIRE);
    pthread_mutex_unlock(&j->hdr_mu);
    if (!needed)
        return 0;
    /* Every entry file named before the cut becomes durable ... */
    if (syncfs(store->root_fd) != 0) {
        rc = sf_errno_code(errno);
        X400MS_LOG_E("syncfs of %s for a journal checkpoint failed: %s", store->root, strerror(errno));
        return rc;
    }
    /* ... so the records before it are no longer needed. A wrap meanwhile
     * (new generation) or a later cut already covers us. */
    pthread_mutex_lock(&j->hdr_mu);
    if (j->gen == gen && cut > j->start) {
        if ((rc = write_header(j, gen, cut)) == 0)
            j->start = cut;
        else
            X400MS_LOG_E("%s/journal: checkpoint failed: %s", store->root, x400ms_strerror(rc));
    }
    pthread_mutex_unlock(&j->hdr_mu);
    return rc;
}

size_t sf_journal_record_header(uint8_t *buf, uint64_t gen, const char *mailbox, unsigned box, uint32_t seq,
                                uint64_t entry_len)
{
    size_t name_len = strlen(mailbox);
    memcpy(buf, J_REC_MAGIC, 4);
    sf_put32(buf + 4, (uint32_t)name_len);
    sf_put64(buf + 8, gen);
    sf_put64(buf + 16, entry_len);
    sf_put32(buf + 24, seq);
    buf[28] = (uint8_t)box;
    buf[29] = buf[30] = buf[31] = 0;
    memcpy(buf + 32, mailbox, name_len);
    sf_put32(buf + 32 + name_len, sf_crc32c(0, buf, 32 + name_len));
    return 32 + name_len + 4;
}

size_t sf_journal_delete_record(uint8_t *buf, uint64_t gen, const char *mailbox, unsigned box, uint32_t seq)
{
    size_t len = sf_journal_record_header(buf, gen, mailbox, box, seq, 0);
    memcpy(buf, J_DEL_MAGIC, 4);
    size_t name_len = strlen(mailbox);
    sf_put32(buf + 32 + name_len, sf_crc32c(0, buf, 32 + name_len));
    return len;
}

/* ---- replay ---- */

/* A delete record: the entry was deleted after its delivery record (maybe
 * before the crash made the unlink durable): removes its file under any
 * name. Returns the number of files removed. */
static int replay_delete(int box_fd, uint32_t seq)
{
    char name[24];
    int n = 0;
    for (unsigned s = 0; s <= X400MS_STATUS_COUNT; s++) {
        if (s < X400MS_STATUS_COUNT)
            snprintf(name, sizeof name, "%u.%c", seq, sf_status_letter(s));
        else
            snprintf(name, sizeof name, ".t%u", seq);
        if (unlinkat(box_fd, name, 0) == 0)
            n++;
    }
    return n;
}

/* Writes the entry file from the journal unless an intact file of that
 * number already exists (under any status letter). Returns 1 when written. */
static int replay_entry(int box_fd, uint32_t seq, unsigned box, const uint8_t *bytes, size_t len,
                        struct x400ms_error *err)
{
    char name[24], tmp[24];
    int present = -1;

    for (unsigned s = 0; s < X400MS_STATUS_COUNT && present < 0; s++) {
        snprintf(name, sizeof name, "%u.%c", seq, sf_status_letter(s));
        int fd = openat(box_fd, name, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        present = (int)s;
        struct stat st;
        uint8_t *cur = NULL;
        /* Renamed before its data reached the disk, the file may be empty
         * or short: compare it with the journal's bytes. */
        bool same = fstat(fd, &st) == 0 && (size_t)st.st_size == len && (cur = malloc(len ? len : 1)) &&
                    sf_pread_all(fd, cur, len, 0) == 0 && memcmp(cur, bytes, len) == 0;
        free(cur);
        close(fd);
        if (same)
            return 0;
    }
    if (present < 0)
        snprintf(name, sizeof name, "%u.N", seq);
    snprintf(tmp, sizeof tmp, ".t%u", seq);
    int fd = openat(box_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || sf_write_all(fd, bytes, len) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return x400ms_error_set(err, sf_errno_code(e), "%s entry %u: writing it: %s", sf_box_dir(box), seq,
                                strerror(e));
    }
    close(fd);
    if (renameat(box_fd, tmp, box_fd, name) != 0)
        return x400ms_error_set(err, sf_errno_code(errno), "%s entry %u: renaming it: %s", sf_box_dir(box),
                                seq, strerror(errno));
    (void)box;
    return 1;
}

/* Checks that bytes are one whole entry file of (seq, box). */
static bool entry_bytes_valid(const uint8_t *bytes, size_t len, uint32_t seq, unsigned box)
{
    struct sf_entry_header *h = malloc(sizeof *h);
    bool ok = h && sf_entry_decode_header(bytes, len, h, NULL) == 0 && h->attrs.seq == seq &&
              h->box == box && sf_entry_file_size(h) == len &&
              sf_crc32c(0, bytes + h->header_len, len - h->header_len - 4) == sf_get32(bytes + len - 4);
    free(h);
    return ok;
}

int sf_journal_open(struct sf_store *store, struct sf_journal_replay *rep, struct x400ms_error *err)
{
    struct sf_journal *j = &store->journal;
    uint8_t h[SF_JOURNAL_HEADER_LEN], rh[32 + X400MS_STORE_NAME_MAX + 4];
    struct stat st;
    uint64_t gen = 0, off = SF_JOURNAL_DATA_OFFSET;
    int rc;

    memset(rep, 0, sizeof *rep);
    pthread_mutex_init(&j->hdr_mu, NULL);
    j->fd = openat(store->root_fd, J_NAME, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (j->fd < 0 || fstat(j->fd, &st) != 0)
        return x400ms_error_set(err, sf_errno_code(errno), "%s/%s: %s", store->root, J_NAME, strerror(errno));
    if (st.st_size >= SF_JOURNAL_HEADER_LEN && sf_pread_all(j->fd, h, sizeof h, 0) == 0) {
        if (memcmp(h, J_HDR_MAGIC, 4) == 0 && sf_get16(h + 4) == J_VERSION &&
            sf_get32(h + 24) == sf_crc32c(0, h, 24)) {
            gen = sf_get64(h + 8);
            /* records before `start` are covered by a checkpoint */
            uint64_t start = sf_get64(h + 16);
            if (start > off && start % 8 == 0 && start <= (uint64_t)st.st_size)
                off = start;
        }
        else /* not ours, or damaged */
            X400MS_LOG_W("%s/%s: header not valid: nothing replayed", store->root, J_NAME);
    }
    while (gen && off + 36 <= (uint64_t)st.st_size) {
        if (sf_pread_all(j->fd, rh, 32, off) != 0)
            break;
        bool is_delete = memcmp(rh, J_DEL_MAGIC, 4) == 0;
        if (!is_delete && memcmp(rh, J_REC_MAGIC, 4) != 0)
            break;
        size_t name_len = sf_get32(rh + 4);
        uint64_t entry_len = sf_get64(rh + 16);
        uint32_t seq = sf_get32(rh + 24);
        unsigned box = rh[28];
        if (sf_get64(rh + 8) != gen || name_len == 0 || name_len > X400MS_STORE_NAME_MAX ||
            box >= X400MS_STORE_BOX_COUNT || (is_delete ? entry_len != 0 : entry_len < SF_ENTRY_FIXED) ||
            off + 36 + name_len + entry_len > (uint64_t)st.st_size ||
            sf_pread_all(j->fd, rh + 32, name_len + 4, off + 32) != 0 ||
            sf_get32(rh + 32 + name_len) != sf_crc32c(0, rh, 32 + name_len))
            break;
        uint8_t *bytes = is_delete ? NULL : malloc(entry_len);
        if (!is_delete && (!bytes || sf_pread_all(j->fd, bytes, entry_len, off + 36 + name_len) != 0 ||
            !entry_bytes_valid(bytes, entry_len, seq, box))) {
            free(bytes);
            break; /* torn: the tail of a batch that was never acknowledged */
        }
        char mailbox[X400MS_STORE_NAME_MAX + 1];
        memcpy(mailbox, rh + 32, name_len);
        mailbox[name_len] = 0;
        if (!is_delete)
            rep->records++;
        /* Only into a mailbox the registry has (a deleted mailbox stays deleted). */
        pthread_rwlock_rdlock(&store->table_lock);
        bool known = false;
        for (size_t i = 0; i < store->n_table && !known; i++)
            known = strcmp(store->table[i]->name, mailbox) == 0;
        pthread_rwlock_unlock(&store->table_lock);
        int mb_fd = known && sf_name_valid(mailbox)
                        ? openat(store->mailboxes_fd, mailbox, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        int box_fd = -1;
        if (mb_fd >= 0 && sf_mkdirat(mb_fd, sf_box_dir(box), NULL) == 0)
            box_fd = openat(mb_fd, sf_box_dir(box), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (box_fd >= 0 && is_delete) {
            rep->deleted += (uint64_t)replay_delete(box_fd, seq);
            close(box_fd);
        } else if (box_fd >= 0) {
            struct x400ms_error e = { 0 };
            int r = replay_entry(box_fd, seq, box, bytes, entry_len, &e);
            if (r == 1)
                rep->rewritten++;
            else if (r < 0)
                X400MS_LOG_E("journal replay: mailbox %s: %s", mailbox, e.message);
            close(box_fd);
        } else if (!is_delete) {
            rep->skipped++;
        }
        if (mb_fd >= 0)
            close(mb_fd);
        free(bytes);
        off = (off + 36 + name_len + entry_len + 7) & ~(uint64_t)7;
    }
    rep->end = off;
    /* Make what was rewritten durable before the records are dropped. */
    if ((rep->rewritten || rep->deleted) && syncfs(store->root_fd) != 0)
        return x400ms_error_set(err, sf_errno_code(errno), "%s: syncfs after the journal replay: %s",
                                store->root, strerror(errno));
    j->size = (uint64_t)st.st_size;
    if ((rc = journal_reset(j, gen + 1)) != 0)
        return x400ms_error_set(err, rc, "%s/%s: cannot start a new generation: %s", store->root, J_NAME,
                                x400ms_strerror(rc));
    if (rep->records || rep->deleted)
        X400MS_LOG_N("journal replayed: %llu entries, %llu rewritten, %llu of unknown mailboxes skipped, "
                     "%llu deleted files removed",
                     (unsigned long long)rep->records, (unsigned long long)rep->rewritten,
                     (unsigned long long)rep->skipped, (unsigned long long)rep->deleted);
    return 0;
}

void sf_journal_close(struct sf_store *store)
{
    if (store->journal.fd >= 0) {
        close(store->journal.fd);
        pthread_mutex_destroy(&store->journal.hdr_mu);
    }
    store->journal.fd = -1;
}

/* Extends the file with zeros to at least `end` (rounded up). */
static int journal_grow(struct sf_journal *j, uint64_t end)
{
    static const uint8_t zeros[64 * 1024];
    uint64_t target = (end + SF_JOURNAL_GROW_BYTES - 1) / SF_JOURNAL_GROW_BYTES * SF_JOURNAL_GROW_BYTES;
    while (j->size < target) {
        size_t n = target - j->size < sizeof zeros ? (size_t)(target - j->size) : sizeof zeros;
        ssize_t w = pwrite(j->fd, zeros, n, (off_t)j->size);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return sf_errno_code(w < 0 ? errno : EIO);
        j->size += (uint64_t)w;
    }
    return 0;
}

int sf_journal_append(struct sf_journal *j, struct iovec *iov, size_t n_iov, bool sync)
{
    uint64_t done = 0, total = 0;
    size_t i = 0;
    int rc;

    for (size_t k = 0; k < n_iov; k++)
        total += iov[k].iov_len;
    if (j->off + total > j->size && (rc = journal_grow(j, j->off + total)) != 0)
        return rc;
    /* pwritev takes at most IOV_MAX vectors: write in slices, resuming
     * after a short write. */
    while (i < n_iov) {
        int cnt = (int)(n_iov - i < IOV_MAX ? n_iov - i : IOV_MAX);
        ssize_t w = pwritev(j->fd, iov + i, cnt, (off_t)(j->off + done));
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return sf_errno_code(errno);
        }
        done += (uint64_t)w;
        while (i < n_iov && (size_t)w >= iov[i].iov_len) {
            w -= (ssize_t)iov[i].iov_len;
            i++;
        }
        if (w > 0) {
            iov[i].iov_base = (uint8_t *)iov[i].iov_base + w;
            iov[i].iov_len -= (size_t)w;
        }
    }
    if (sync && fdatasync(j->fd) != 0)
        return sf_errno_code(errno);
    j->off += done;
    if (j->off > j->size)
        j->size = j->off;
    return 0;
}

int sf_journal_checkpoint(struct sf_store *store)
{
    struct sf_journal *j = &store->journal;
    int rc;
    if (j->off == SF_JOURNAL_DATA_OFFSET || __atomic_load_n(&j->pinned, __ATOMIC_ACQUIRE))
        return 0;
    /* Every acknowledged entry file (and every rename before now) becomes
     * durable: then the records are no longer needed. */
    if (syncfs(store->root_fd) != 0) {
        rc = sf_errno_code(errno);
        X400MS_LOG_E("syncfs of %s for a journal checkpoint failed: %s", store->root, strerror(errno));
        return rc;
    }
    if ((rc = journal_reset(j, j->gen + 1)) != 0)
        X400MS_LOG_E("%s/%s: checkpoint failed: %s", store->root, J_NAME, x400ms_strerror(rc));
    return rc;
}
