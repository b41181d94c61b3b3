/* The in-memory index of one box (index.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "index.h"

_Static_assert(sizeof(struct sf_rec) == 64, "the index record is 64 bytes");

#define ALL_STATUSES ((1u << X400MS_STATUS_COUNT) - 1)

void sf_index_init(struct sf_index *idx)
{
    memset(idx, 0, sizeof *idx);
}

void sf_index_free(struct sf_index *idx)
{
    free(idx->recs);
    for (int s = 0; s < X400MS_STATUS_COUNT; s++)
        free(idx->bitmap[s]);
    free(idx->pool.buf);
    free(idx->pool.slots);
    free(idx->child_arr);
    memset(idx, 0, sizeof *idx);
}

/* ---- string pool ---- */

static uint32_t hash_bytes(const void *p, size_t len)
{
    const uint8_t *b = p;
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ b[i]) * 16777619u;
    return h;
}

static size_t pool_len_of(const struct sf_pool *pool, uint32_t ref)
{
    return (size_t)pool->buf[ref - 2] | (size_t)pool->buf[ref - 1] << 8;
}

static int pool_rehash(struct sf_pool *pool, size_t n_slots)
{
    uint32_t *slots = calloc(n_slots, sizeof *slots);
    if (!slots)
        return X400MS_ENOMEM;
    for (size_t i = 0; i < pool->n_slots; i++) {
        uint32_t ref = pool->slots[i];
        if (!ref)
            continue;
        size_t j = hash_bytes(pool->buf + ref, pool_len_of(pool, ref)) & (n_slots - 1);
        while (slots[j])
            j = (j + 1) & (n_slots - 1);
        slots[j] = ref;
    }
    free(pool->slots);
    pool->slots = slots;
    pool->n_slots = n_slots;
    return 0;
}

/* Adds (bytes, len) once; returns its ref, 0 for an empty value, or
 * UINT32_MAX when out of memory. */
static uint32_t pool_intern(struct sf_pool *pool, const void *bytes, size_t len)
{
    uint32_t h, ref;
    size_t j;

    if (!len)
        return 0;
    if ((pool->used_slots + 1) * 4 > pool->n_slots * 3 &&
        pool_rehash(pool, pool->n_slots ? pool->n_slots * 2 : 1024) != 0)
        return UINT32_MAX;
    h = hash_bytes(bytes, len);
    for (j = h & (pool->n_slots - 1); (ref = pool->slots[j]) != 0; j = (j + 1) & (pool->n_slots - 1))
        if (pool_len_of(pool, ref) == len && memcmp(pool->buf + ref, bytes, len) == 0)
            return ref;
    if (pool->len + len + 3 > pool->cap || !pool->buf) {
        size_t cap = pool->cap ? pool->cap : 4096;
        while (cap < pool->len + len + 3 + 1)
            cap *= 2;
        uint8_t *buf = realloc(pool->buf, cap);
        if (!buf)
            return UINT32_MAX;
        pool->buf = buf;
        pool->cap = cap;
        if (pool->len == 0)
            pool->buf[pool->len++] = 0; /* ref 0 never points at data */
    }
    if (pool->len + len + 3 > UINT32_MAX)
        return UINT32_MAX;
    pool->buf[pool->len] = (uint8_t)len;
    pool->buf[pool->len + 1] = (uint8_t)(len >> 8);
    ref = (uint32_t)pool->len + 2;
    memcpy(pool->buf + ref, bytes, len);
    pool->buf[ref + len] = 0;
    pool->len += len + 3;
    pool->slots[j] = ref;
    pool->used_slots++;
    return ref;
}

static const char *pool_str(const struct sf_pool *pool, uint32_t ref)
{
    return ref ? (const char *)pool->buf + ref : NULL;
}

bool sf_pool_ref_valid(const struct sf_pool *pool, uint32_t ref)
{
    return ref >= 3 && ref < pool->len && ref + pool_len_of(pool, ref) < pool->len &&
           pool->buf[ref + pool_len_of(pool, ref)] == 0;
}

/* Rebuilds the interning hash from the pool's entries (after a load). */
int sf_pool_reindex(struct sf_pool *pool)
{
    if (pool->len && pool->buf[0] != 0)
        return X400MS_ECORRUPT;
    size_t n = 0, n_slots = 1024;
    for (size_t off = 1; off + 3 <= pool->len; off += 3 + pool_len_of(pool, (uint32_t)off + 2))
        n++;
    while (n_slots * 3 < (n + 1) * 4)
        n_slots *= 2;
    free(pool->slots);
    pool->slots = calloc(n_slots, sizeof *pool->slots);
    if (!pool->slots)
        return X400MS_ENOMEM;
    pool->n_slots = n_slots;
    pool->used_slots = 0;
    for (size_t off = 1; off + 3 <= pool->len;) {
        uint32_t ref = (uint32_t)off + 2;
        size_t len = pool_len_of(pool, ref), j;
        if (ref + len >= pool->len)
            return X400MS_ECORRUPT;
        for (j = hash_bytes(pool->buf + ref, len) & (n_slots - 1); pool->slots[j]; j = (j + 1) & (n_slots - 1))
            ;
        pool->slots[j] = ref;
        pool->used_slots++;
        off += 3 + len;
    }
    return 0;
}

/* ---- child sequence numbers ---- */

static uint32_t child_add(struct sf_index *idx, const uint32_t *seqs, size_t n)
{
    if (!n)
        return 0;
    if (idx->child_len + n + 1 > idx->child_cap || !idx->child_arr) {
        size_t cap = idx->child_cap ? idx->child_cap : 256;
        while (cap < idx->child_len + n + 2)
            cap *= 2;
        uint32_t *arr = realloc(idx->child_arr, cap * sizeof *arr);
        if (!arr)
            return UINT32_MAX;
        idx->child_arr = arr;
        idx->child_cap = cap;
        if (idx->child_len == 0)
            idx->child_arr[idx->child_len++] = 0; /* ref 0 means none */
    }
    uint32_t ref = (uint32_t)idx->child_len;
    idx->child_arr[idx->child_len++] = (uint32_t)n;
    memcpy(idx->child_arr + idx->child_len, seqs, n * sizeof *seqs);
    idx->child_len += n;
    return ref;
}

/* ---- bitmaps ---- */

static bool bit_get(const uint64_t *bm, size_t pos) { return (bm[pos >> 6] >> (pos & 63)) & 1; }
static void bit_set(uint64_t *bm, size_t pos) { bm[pos >> 6] |= 1ull << (pos & 63); }
static void bit_clear(uint64_t *bm, size_t pos) { bm[pos >> 6] &= ~(1ull << (pos & 63)); }

/* Shifts bits [pos, n) one place up (n: bits in use before the insert). */
static void bit_shift_up(uint64_t *bm, size_t pos, size_t n)
{
    size_t w0 = pos >> 6, wlast = n >> 6; /* n < words*64 guaranteed by the caller */
    for (size_t w = wlast; w > w0; w--)
        bm[w] = (bm[w] << 1) | (bm[w - 1] >> 63);
    uint64_t low_mask = (pos & 63) ? (1ull << (pos & 63)) - 1 : 0;
    bm[w0] = (bm[w0] & low_mask) | ((bm[w0] & ~low_mask) << 1);
}

static int ensure_cap(struct sf_index *idx, size_t n)
{
    if (n > idx->cap) {
        size_t cap = idx->cap ? idx->cap * 2 : 1024;
        while (cap < n)
            cap *= 2;
        struct sf_rec *recs = realloc(idx->recs, cap * sizeof *recs);
        if (!recs)
            return X400MS_ENOMEM;
        idx->recs = recs;
        idx->cap = cap;
    }
    size_t words = (idx->cap + 64) / 64; /* one spare bit for shifting */
    if (words > idx->bitmap_words) {
        for (int s = 0; s < X400MS_STATUS_COUNT; s++) {
            uint64_t *bm = realloc(idx->bitmap[s], words * sizeof *bm);
            if (!bm)
                return X400MS_ENOMEM;
            memset(bm + idx->bitmap_words, 0, (words - idx->bitmap_words) * sizeof *bm);
            idx->bitmap[s] = bm;
        }
        idx->bitmap_words = words;
    }
    return 0;
}

/* ---- records ---- */

static size_t lower_bound(const struct sf_index *idx, uint32_t seq)
{
    size_t lo = 0, hi = idx->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (idx->recs[mid].seq < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

ptrdiff_t sf_index_find(const struct sf_index *idx, uint32_t seq)
{
    size_t pos = lower_bound(idx, seq);
    if (pos < idx->n && idx->recs[pos].seq == seq && !(idx->recs[pos].flags & SF_REC_DELETED))
        return (ptrdiff_t)pos;
    return -1;
}

static void count(struct sf_index *idx, const struct sf_rec *r, int delta)
{
    idx->by_status[r->status] += (uint64_t)(int64_t)delta;
    idx->by_priority[r->priority] += (uint64_t)(int64_t)delta;
    idx->live += (size_t)(ptrdiff_t)delta;
}

static int fill_rec(struct sf_index *idx, struct sf_rec *r, const struct x400ms_store_attrs *a,
                    unsigned status)
{
    const char *strs[4] = { a->content_type, a->originator, a->this_recipient, a->subject };
    uint32_t refs[5];
    for (int i = 0; i < 4; i++)
        if ((refs[i] = pool_intern(&idx->pool, strs[i], strs[i] ? strlen(strs[i]) : 0)) == UINT32_MAX)
            return X400MS_ENOMEM;
    if ((refs[4] = pool_intern(&idx->pool, a->mts_id, a->mts_id_len)) == UINT32_MAX)
        return X400MS_ENOMEM;
    uint32_t children = child_add(idx, a->children, a->n_children);
    if (children == UINT32_MAX)
        return X400MS_ENOMEM;
    *r = (struct sf_rec){
        .seq = a->seq, .parent_seq = a->parent_seq,
        .creation_time = a->creation_time, .delivery_time = a->delivery_time,
        .content_length = a->content_length,
        .content_type = refs[0], .originator = refs[1], .this_recipient = refs[2],
        .subject = refs[3], .mts_id = refs[4], .children = children,
        .entry_type = a->entry_type, .status = (uint8_t)status, .priority = a->priority,
        .importance = a->importance, .sensitivity = a->sensitivity, .precedence = a->precedence,
    };
    return 0;
}

int sf_index_put(struct sf_index *idx, const struct x400ms_store_attrs *a, unsigned status)
{
    struct sf_rec rec;
    size_t pos;
    int rc;

    if (status >= X400MS_STATUS_COUNT || a->priority >= X400MS_PRIORITY_COUNT || a->seq == 0)
        return X400MS_EINVAL;
    if ((rc = ensure_cap(idx, idx->n + 1)) != 0 || (rc = fill_rec(idx, &rec, a, status)) != 0)
        return rc;
    pos = (idx->n && idx->recs[idx->n - 1].seq < a->seq) ? idx->n : lower_bound(idx, a->seq);
    if (pos < idx->n && idx->recs[pos].seq == a->seq) {
        /* Present (live or tombstone): replace in place. */
        struct sf_rec *old = &idx->recs[pos];
        if (!(old->flags & SF_REC_DELETED)) {
            count(idx, old, -1);
            bit_clear(idx->bitmap[old->status], pos);
        } else {
            idx->tombstones--;
        }
        *old = rec;
    } else {
        if (pos < idx->n) {
            /* Out of order (a slower writer of a lower seq): make room. */
            memmove(&idx->recs[pos + 1], &idx->recs[pos], (idx->n - pos) * sizeof rec);
            for (int s = 0; s < X400MS_STATUS_COUNT; s++)
                bit_shift_up(idx->bitmap[s], pos, idx->n);
        }
        idx->recs[pos] = rec;
        idx->n++;
    }
    for (int s = 0; s < X400MS_STATUS_COUNT; s++)
        bit_clear(idx->bitmap[s], pos);
    bit_set(idx->bitmap[status], pos);
    count(idx, &idx->recs[pos], +1);
    return 0;
}

void sf_index_set_status(struct sf_index *idx, size_t pos, unsigned status)
{
    struct sf_rec *r = &idx->recs[pos];
    if (r->status == status || status >= X400MS_STATUS_COUNT)
        return;
    bit_clear(idx->bitmap[r->status], pos);
    idx->by_status[r->status]--;
    r->status = (uint8_t)status;
    bit_set(idx->bitmap[status], pos);
    idx->by_status[status]++;
}

bool sf_index_set_status_lazy(struct sf_index *idx, size_t pos, unsigned status)
{
    struct sf_rec *r = &idx->recs[pos];
    bool first = !(r->flags & SF_REC_RENAME_PENDING);
    if (r->status == status || status >= X400MS_STATUS_COUNT)
        return false;
    if (first)
        r->flags |= (uint8_t)(SF_REC_RENAME_PENDING | (r->status << SF_REC_DISK_SHIFT));
    sf_index_set_status(idx, pos, status);
    if (sf_rec_disk_status(r) == status) { /* back to the file's name (not done by the store) */
        sf_rec_renamed(r);
        return false;
    }
    return first;
}

void sf_index_remove(struct sf_index *idx, size_t pos)
{
    struct sf_rec *r = &idx->recs[pos];
    if (r->flags & SF_REC_DELETED)
        return;
    count(idx, r, -1);
    bit_clear(idx->bitmap[r->status], pos);
    r->flags |= SF_REC_DELETED;
    idx->tombstones++;
    /* Compaction is O(n): do it when a quarter are tombstones, so deletes
     * stay O(1) amortised. Out of memory just leaves the tombstones. */
    if (idx->tombstones > 1024 && idx->tombstones * 4 > idx->n)
        (void)sf_index_compact(idx);
}

void sf_index_attrs(const struct sf_index *idx, size_t pos, struct x400ms_store_attrs *a)
{
    const struct sf_rec *r = &idx->recs[pos];
    *a = (struct x400ms_store_attrs){
        .seq = r->seq, .parent_seq = r->parent_seq, .entry_type = r->entry_type,
        .status = r->status, .priority = r->priority, .importance = r->importance,
        .sensitivity = r->sensitivity, .precedence = r->precedence,
        .content_length = r->content_length,
        .content_type = pool_str(&idx->pool, r->content_type),
        .creation_time = r->creation_time, .delivery_time = r->delivery_time,
        .originator = pool_str(&idx->pool, r->originator),
        .this_recipient = pool_str(&idx->pool, r->this_recipient),
        .subject = pool_str(&idx->pool, r->subject),
    };
    if (r->mts_id) {
        a->mts_id = idx->pool.buf + r->mts_id;
        a->mts_id_len = pool_len_of(&idx->pool, r->mts_id);
    }
    if (r->children) {
        a->n_children = idx->child_arr[r->children];
        a->children = idx->child_arr + r->children + 1;
    }
}

static bool is_live_at(const struct sf_index *idx, size_t pos)
{
    for (int s = 0; s < X400MS_STATUS_COUNT; s++)
        if (bit_get(idx->bitmap[s], pos))
            return true;
    return false;
}

uint32_t sf_index_lowest(const struct sf_index *idx)
{
    for (size_t w = 0; w * 64 < idx->n; w++) {
        uint64_t bits = idx->bitmap[0][w] | idx->bitmap[1][w] | idx->bitmap[2][w];
        if (bits)
            return idx->recs[w * 64 + (size_t)__builtin_ctzll(bits)].seq;
    }
    return 0;
}

uint32_t sf_index_highest(const struct sf_index *idx)
{
    for (size_t pos = idx->n; pos-- > 0;)
        if (is_live_at(idx, pos))
            return idx->recs[pos].seq;
    return 0;
}

int sf_index_compact(struct sf_index *idx)
{
    struct sf_index fresh;
    struct x400ms_store_attrs a;
    int rc;

    sf_index_init(&fresh);
    if ((rc = ensure_cap(&fresh, idx->live ? idx->live : 1)) != 0)
        goto fail;
    for (size_t pos = 0; pos < idx->n; pos++) {
        if (idx->recs[pos].flags & SF_REC_DELETED)
            continue;
        sf_index_attrs(idx, pos, &a);
        if ((rc = sf_index_put(&fresh, &a, idx->recs[pos].status)) != 0)
            goto fail;
        /* keep a pending rename (the record is the last one put) */
        fresh.recs[fresh.n - 1].flags |= idx->recs[pos].flags & (SF_REC_RENAME_PENDING | SF_REC_DISK_MASK);
    }
    sf_index_free(idx);
    *idx = fresh;
    return 0;
fail:
    sf_index_free(&fresh);
    return rc;
}

size_t sf_index_memory(const struct sf_index *idx)
{
    return idx->n * sizeof(struct sf_rec) + idx->bitmap_words * 8 * X400MS_STATUS_COUNT +
           idx->pool.len + idx->pool.n_slots * sizeof(uint32_t) + idx->child_len * sizeof(uint32_t);
}

/* ---- selection ---- */

int sf_index_select(const struct sf_index *idx, const struct x400ms_store_selector *sel,
                    x400ms_store_entry_visit_fn *fn, void *arg, uint32_t *next_r)
{
    uint32_t start = sel->seq_from > sel->next ? sel->seq_from : sel->next;
    uint32_t seq_to = sel->seq_to ? sel->seq_to : UINT32_MAX;
    unsigned mask = sel->filter ? sf_filter_status_mask(sel->filter) : ALL_STATUSES;
    size_t pos = lower_bound(idx, start), count = 0;
    struct x400ms_store_attrs a;

    if (next_r)
        *next_r = 0;
    if (!mask)
        return 0;
    for (size_t w = pos >> 6; w * 64 < idx->n; w++) {
        uint64_t bits = 0;
        for (int s = 0; s < X400MS_STATUS_COUNT; s++)
            if (mask & (1u << s))
                bits |= idx->bitmap[s][w];
        if (w == pos >> 6)
            bits &= ~0ull << (pos & 63);
        while (bits) {
            size_t p = w * 64 + (size_t)__builtin_ctzll(bits);
            const struct sf_rec *r = &idx->recs[p];
            bits &= bits - 1;
            if (r->seq > seq_to)
                return 0;
            if (sel->limit && count == sel->limit) {
                /* More remain: continue from here next time. */
                if (next_r)
                    *next_r = r->seq;
                return 0;
            }
            if ((sel->time_from && r->creation_time < sel->time_from) ||
                (sel->time_to && r->creation_time > sel->time_to) ||
                (!sel->include_children && r->parent_seq))
                continue;
            sf_index_attrs(idx, p, &a);
            if (sel->filter && !sf_filter_match(sel->filter, &a))
                continue;
            count++;
            int rc = fn(arg, &a);
            if (rc != 0) {
                if (next_r)
                    *next_r = r->seq < UINT32_MAX ? r->seq + 1 : 0;
                return rc;
            }
        }
    }
    return 0;
}
