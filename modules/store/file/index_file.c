/* The index file of a box: a cache of the in-memory index so that start-up
 * does not read every entry file (docs/store-format.md). Records are written
 * in the machine's byte order (the file is a local cache; a file from another
 * machine fails the byte-order check and the index is rebuilt from entries).
 *
 *   header (64 bytes): "X4IX", u32 version, u32 byte-order mark 0x01020304,
 *     u32 record size, u64 records, u64 pool bytes, u64 child words,
 *     u32 next_seq, u32 header CRC-32C of bytes [0, 44) ... padded to 64
 *   records, pool, child words, then u32 CRC-32C of everything after the header */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "crc32c.h"
#include "entry_file.h"
#include "fsutil.h"
#include "index.h"

#define IX_MAGIC "X4IX"
#define IX_VERSION 1
#define IX_BOM 0x01020304u
#define IX_HEADER 64

int sf_index_save_begin(const struct sf_index *idx, int dir_fd, const char *name,
                        uint32_t next_seq, int *fd_r, struct x400ms_error *err)
{
    uint8_t hdr[IX_HEADER] = { 0 }, trailer[4];
    size_t pool_len = idx->pool.len, child_len = idx->child_len;
    struct iovec iov[5];
    char tmp[300];
    uint32_t crc;
    int fd, e;

    memcpy(hdr, IX_MAGIC, 4);
    sf_put32(hdr + 4, IX_VERSION);
    uint32_t bom = IX_BOM;
    memcpy(hdr + 8, &bom, 4);
    sf_put32(hdr + 12, sizeof(struct sf_rec));
    sf_put64(hdr + 16, idx->n);
    sf_put64(hdr + 24, pool_len);
    sf_put64(hdr + 32, child_len);
    sf_put32(hdr + 40, next_seq);
    sf_put32(hdr + 44, sf_crc32c(0, hdr, 44));
    crc = sf_crc32c(0, idx->recs, idx->n * sizeof(struct sf_rec));
    crc = sf_crc32c(crc, idx->pool.buf, pool_len);
    crc = sf_crc32c(crc, idx->child_arr, child_len * sizeof(uint32_t));
    sf_put32(trailer, crc);
    iov[0] = (struct iovec){ hdr, sizeof hdr };
    iov[1] = (struct iovec){ idx->recs, idx->n * sizeof(struct sf_rec) };
    iov[2] = (struct iovec){ idx->pool.buf, pool_len };
    iov[3] = (struct iovec){ idx->child_arr, child_len * sizeof(uint32_t) };
    iov[4] = (struct iovec){ trailer, sizeof trailer };

    snprintf(tmp, sizeof tmp, "%s.tmp", name);
    fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        goto fail;
    if (sf_writev_all(fd, iov, 5) != 0) {
        e = errno;
        close(fd);
        unlinkat(dir_fd, tmp, 0);
        errno = e;
        goto fail;
    }
    *fd_r = fd;
    return 0;
fail:
    e = errno;
    return x400ms_error_set(err, sf_errno_code(e), "writing index %s: %s", name, strerror(e));
}

int sf_index_save_end(int fd, int dir_fd, const char *name, struct x400ms_error *err)
{
    char tmp[300];
    int e;

    snprintf(tmp, sizeof tmp, "%s.tmp", name);
    if (fdatasync(fd) != 0) {
        e = errno;
        close(fd);
        unlinkat(dir_fd, tmp, 0);
        errno = e;
        goto fail;
    }
    close(fd);
    if (renameat(dir_fd, tmp, dir_fd, name) != 0 || fsync(dir_fd) != 0)
        goto fail;
    return 0;
fail:
    e = errno;
    return x400ms_error_set(err, sf_errno_code(e), "writing index %s: %s", name, strerror(e));
}

int sf_index_save(const struct sf_index *idx, int dir_fd, const char *name, uint32_t next_seq,
                  struct x400ms_error *err)
{
    int fd, rc = sf_index_save_begin(idx, dir_fd, name, next_seq, &fd, err);
    return rc ? rc : sf_index_save_end(fd, dir_fd, name, err);
}

static int corrupt(struct sf_index *idx, int fd, struct x400ms_error *err, const char *what)
{
    sf_index_free(idx);
    if (fd >= 0)
        close(fd);
    return x400ms_error_set(err, X400MS_ECORRUPT, "index file: %s", what);
}

int sf_index_load(struct sf_index *idx, int dir_fd, const char *name, uint32_t *next_seq_r,
                  struct x400ms_error *err)
{
    uint8_t hdr[IX_HEADER], trailer[4];
    uint64_t n, pool_len, child_len;
    struct stat st;
    uint32_t bom, crc;
    int fd, rc;

    sf_index_init(idx);
    fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return x400ms_error_set(err, sf_errno_code(errno), "index file %s: %s", name, strerror(errno));
    if (fstat(fd, &st) != 0 || st.st_size < IX_HEADER + 4 || sf_pread_all(fd, hdr, IX_HEADER, 0) != 0)
        return corrupt(idx, fd, err, "truncated header");
    memcpy(&bom, hdr + 8, 4);
    if (memcmp(hdr, IX_MAGIC, 4) != 0 || sf_get32(hdr + 4) != IX_VERSION || bom != IX_BOM ||
        sf_get32(hdr + 12) != sizeof(struct sf_rec) || sf_crc32c(0, hdr, 44) != sf_get32(hdr + 44))
        return corrupt(idx, fd, err, "bad header (magic, version, byte order or CRC)");
    n = sf_get64(hdr + 16);
    pool_len = sf_get64(hdr + 24);
    child_len = sf_get64(hdr + 32);
    if (n > UINT32_MAX || pool_len > UINT32_MAX || child_len > UINT32_MAX ||
        (uint64_t)st.st_size != IX_HEADER + n * sizeof(struct sf_rec) + pool_len + child_len * 4 + 4)
        return corrupt(idx, fd, err, "size does not match its header (truncated?)");

    idx->recs = malloc(n ? n * sizeof(struct sf_rec) : 1);
    idx->pool.buf = malloc(pool_len ? pool_len : 1);
    idx->child_arr = malloc(child_len ? child_len * 4 : 4);
    if (!idx->recs || !idx->pool.buf || !idx->child_arr) {
        sf_index_free(idx);
        close(fd);
        return x400ms_error_set(err, X400MS_ENOMEM, "index file %s: out of memory", name);
    }
    idx->cap = n; /* the buffer of an empty index holds no record */
    idx->pool.cap = pool_len ? pool_len : 1;
    idx->child_cap = child_len ? child_len : 1;
    uint64_t off = IX_HEADER;
    if (sf_pread_all(fd, idx->recs, n * sizeof(struct sf_rec), off) != 0 ||
        sf_pread_all(fd, idx->pool.buf, pool_len, off + n * sizeof(struct sf_rec)) != 0 ||
        sf_pread_all(fd, idx->child_arr, child_len * 4, off + n * sizeof(struct sf_rec) + pool_len) != 0 ||
        sf_pread_all(fd, trailer, 4, (uint64_t)st.st_size - 4) != 0)
        return corrupt(idx, fd, err, "read failed");
    close(fd);
    crc = sf_crc32c(0, idx->recs, n * sizeof(struct sf_rec));
    crc = sf_crc32c(crc, idx->pool.buf, pool_len);
    crc = sf_crc32c(crc, idx->child_arr, child_len * 4);
    if (crc != sf_get32(trailer))
        return corrupt(idx, -1, err, "CRC mismatch");
    idx->n = n;
    idx->pool.len = pool_len;
    idx->child_len = child_len;

    /* Rebuild what is derived: bitmaps, counters, interning hash; and check
     * every record so that a bad file never makes us read out of bounds. */
    idx->bitmap_words = 0;
    if ((rc = sf_pool_reindex(&idx->pool)) != 0) {
        sf_index_free(idx);
        return x400ms_error_set(err, rc, "index file %s: %s", name,
                                rc == X400MS_ENOMEM ? "out of memory" : "bad string pool");
    }
    {
        size_t words = (idx->cap + 64) / 64;
        for (int s = 0; s < X400MS_STATUS_COUNT; s++) {
            idx->bitmap[s] = calloc(words, sizeof(uint64_t));
            if (!idx->bitmap[s]) {
                sf_index_free(idx);
                return x400ms_error_set(err, X400MS_ENOMEM, "index file %s: out of memory", name);
            }
        }
        idx->bitmap_words = words;
    }
    uint32_t prev = 0;
    for (size_t pos = 0; pos < n; pos++) {
        struct sf_rec *r = &idx->recs[pos];
        const uint32_t refs[5] = { r->content_type, r->originator, r->this_recipient, r->subject, r->mts_id };
        if (r->seq <= prev || r->status >= X400MS_STATUS_COUNT || r->priority >= X400MS_PRIORITY_COUNT ||
            (r->children && (r->children >= child_len || r->children + 1 + (uint64_t)idx->child_arr[r->children] > child_len)))
            return corrupt(idx, -1, err, "bad record");
        for (int i = 0; i < 5; i++)
            if (refs[i] && !sf_pool_ref_valid(&idx->pool, refs[i]))
                return corrupt(idx, -1, err, "bad string reference");
        prev = r->seq;
        if (r->flags & SF_REC_DELETED) {
            idx->tombstones++;
            continue;
        }
        idx->recs[pos].flags = 0;
        idx->bitmap[r->status][pos >> 6] |= 1ull << (pos & 63);
        idx->by_status[r->status]++;
        idx->by_priority[r->priority]++;
        idx->live++;
    }
    if (next_seq_r)
        *next_seq_r = sf_get32(hdr + 40);
    return 0;
}
