/* The in-memory index of one box (DESIGN.md section 8).
 *
 * Compact by design (target <= 200 bytes per entry, strings included):
 * - a sorted array of fixed 64-byte records (binary search by seq; deleted
 *   records become tombstones, compacted in bulk);
 * - a string pool where each distinct string is stored once (originators,
 *   recipients, content types and repeated subjects are shared);
 * - one bitmap per retrieval status over record positions, so that "list
 *   new, limit 100" skips 64 entries per word, and counters by status and
 *   priority, so that a summary is O(1).
 * Not thread-safe: the box's rwlock protects it. */
#ifndef STORE_FILE_INDEX_H
#define STORE_FILE_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "x400ms/store.h"

#define SF_REC_DELETED 0x01
/* The entry file's name lags the record's status: a status change is made in
 * the index at once and the file renamed later, off the caller's thread
 * (docs/store-format.md "Status changes"). While set, bits 2-3 hold the
 * status the file is named by. Never stored: the index file loader clears it. */
#define SF_REC_RENAME_PENDING 0x02
#define SF_REC_DISK_SHIFT 2
#define SF_REC_DISK_MASK 0x0c

struct sf_rec {
    uint32_t seq;
    uint32_t parent_seq;
    int64_t creation_time;
    int64_t delivery_time;
    uint64_t content_length;
    /* references into the pool (0: absent) */
    uint32_t content_type, originator, this_recipient, subject, mts_id;
    uint32_t children; /* index into the child array (0: none) */
    uint8_t entry_type, status, priority, importance, sensitivity, flags;
    int16_t precedence;
};

struct sf_pool {
    uint8_t *buf;        /* entries: u16 length, bytes, NUL; refs point at the bytes */
    size_t len, cap;
    uint32_t *slots;     /* open-addressing hash of refs, for interning */
    size_t n_slots, used_slots;
};

struct sf_index {
    struct sf_rec *recs; /* sorted by seq, tombstones included */
    size_t n, cap;
    size_t live, tombstones;
    uint64_t *bitmap[X400MS_STATUS_COUNT]; /* position -> has this status (live only) */
    size_t bitmap_words;
    uint64_t by_status[X400MS_STATUS_COUNT];
    uint64_t by_priority[X400MS_PRIORITY_COUNT];
    struct sf_pool pool;
    uint32_t *child_arr; /* [count, seq...] runs; ref is the index of count */
    size_t child_len, child_cap;
};

/* The status the entry's file is named by (its letter N/L/P). */
static inline unsigned sf_rec_disk_status(const struct sf_rec *r)
{
    return (r->flags & SF_REC_RENAME_PENDING) ? (unsigned)(r->flags & SF_REC_DISK_MASK) >> SF_REC_DISK_SHIFT
                                              : r->status;
}

void sf_index_init(struct sf_index *idx);
void sf_index_free(struct sf_index *idx);

/* Position of the live record with this seq, or -1. */
ptrdiff_t sf_index_find(const struct sf_index *idx, uint32_t seq);
/* Adds (or, when seq is present, replaces) a record. X400MS_ENOMEM on failure. */
int sf_index_put(struct sf_index *idx, const struct x400ms_store_attrs *a, unsigned status);
void sf_index_set_status(struct sf_index *idx, size_t pos, unsigned status);
/* Sets the status and remembers the file's current name (rename pending);
 * returns true when the record had no rename pending before (the caller
 * queues one). */
bool sf_index_set_status_lazy(struct sf_index *idx, size_t pos, unsigned status);
/* The file now carries the record's status (clears the pending rename). */
static inline void sf_rec_renamed(struct sf_rec *r)
{
    r->flags &= (uint8_t)~(SF_REC_RENAME_PENDING | SF_REC_DISK_MASK);
}
/* Turns the record into a tombstone; compacts when tombstones pile up. */
void sf_index_remove(struct sf_index *idx, size_t pos);
/* Fills attrs from a record; strings point into the index. */
void sf_index_attrs(const struct sf_index *idx, size_t pos, struct x400ms_store_attrs *a);
/* Lowest / highest live seq, 0 when empty. */
uint32_t sf_index_lowest(const struct sf_index *idx);
uint32_t sf_index_highest(const struct sf_index *idx);
/* Rewrites the records without tombstones and the pool without garbage. */
int sf_index_compact(struct sf_index *idx);

/* Visits the selected entries (store.h semantics). */
int sf_index_select(const struct sf_index *idx, const struct x400ms_store_selector *sel,
                    x400ms_store_entry_visit_fn *fn, void *arg, uint32_t *next_r);

/* Approximate memory held, for the bench and the admin API. */
size_t sf_index_memory(const struct sf_index *idx);

/* Index file: written atomically (tmp, fsync, rename, directory fsync) in
 * dir_fd as `name`; `next_seq` is stored beside for information. */
int sf_index_save(const struct sf_index *idx, int dir_fd, const char *name, uint32_t next_seq,
                  struct x400ms_error *err);
/* The same in two steps, so that the caller holds the box lock only while the
 * bytes are written (begin) and not during the fsync (end). */
int sf_index_save_begin(const struct sf_index *idx, int dir_fd, const char *name,
                        uint32_t next_seq, int *fd_r, struct x400ms_error *err);
int sf_index_save_end(int fd, int dir_fd, const char *name, struct x400ms_error *err);
/* Loads the file; X400MS_ENOENT when absent, X400MS_ECORRUPT when it fails
 * its checks (then idx is left empty). */
int sf_index_load(struct sf_index *idx, int dir_fd, const char *name, uint32_t *next_seq_r,
                  struct x400ms_error *err);

/* For the index file loader: checks a string reference, rebuilds the hash. */
bool sf_pool_ref_valid(const struct sf_pool *pool, uint32_t ref);
int sf_pool_reindex(struct sf_pool *pool);

/* filter.c */
bool sf_filter_match(const struct x400ms_store_filter *f, const struct x400ms_store_attrs *a);
/* Which statuses (bit per status) an entry may have to match f: lets select
 * walk only the bitmaps of those statuses. */
unsigned sf_filter_status_mask(const struct x400ms_store_filter *f);
/* Checks a caller's filter tree (ops, attribute kinds, depth <= 32). */
int sf_filter_validate(const struct x400ms_store_filter *f, struct x400ms_error *err);

#endif
