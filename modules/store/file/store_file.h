/* The file store backend (DESIGN.md section 8, docs/store-format.md):
 * internal structures shared by its source files.
 *
 * Layout under the root:
 *   mailboxes.json                  the mailbox registry (written atomically)
 *   mailboxes/NAME/seq              sequence numbers handed out up to here (reserved in blocks)
 *   mailboxes/NAME/inbox/SEQ.S      one file per entry, S = N|L|P (retrieval status)
 *   mailboxes/NAME/outbox/SEQ.S
 *   mailboxes/NAME/inbox.idx        index cache of the In Box (outbox.idx likewise)
 *
 * Locks (never one global lock on the delivery path):
 *   store->table_lock (rwlock)  the mailbox table; read for lookups
 *   store->admin_lock (mutex)   registry writes (mailbox create/update/delete)
 *   mb->gate (rwlock)           read by every operation on the mailbox, write by
 *                               restore / rebuild / mailbox delete (exclusive)
 *   mb->mutex                   sequence numbers, settings, loading
 *   box->lock (rwlock)          the box's index; write for changes, also held
 *                               across a rename so file name and index agree
 * Order: gate, then mutex or box->lock (never both mutex and box->lock held
 * while waiting for the other: box->lock may be taken under mutex, not the
 * reverse). The committer takes box->lock only. */
#ifndef STORE_FILE_STORE_FILE_H
#define STORE_FILE_STORE_FILE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include "x400ms/store.h"
#include "index.h"
#include "journal.h"

/* Numbers reserved per write of the seq file. */
#define SF_SEQ_BLOCK 4096
/* Largest entry kept as the "last delivered" cache of a box. */
#define SF_CACHE_MAX (256 * 1024)

/* How a group commit is made durable (config "sync", in this order):
 * journal: one append + fdatasync of ROOT/journal per batch (journal.c);
 * syncfs: one syncfs per batch, then renames and a directory fsync;
 * fdatasync: each writer fdatasyncs its file, then renames and a directory fsync. */
enum sf_sync_mode { SF_SYNC_JOURNAL = 0, SF_SYNC_SYNCFS = 1, SF_SYNC_FDATASYNC = 2 };

struct sf_options {
    const char *root;            /* absolute or relative to the current directory */
    long long flush_interval_s;  /* index flush; 0 = only on close */
    long long ageing_interval_s; /* ageing timer; 0 = off */
    /* max_age per box of the mailboxes whose own max_age is 0; 0 = never */
    long long default_max_age_s[X400MS_STORE_BOX_COUNT];
    bool delete_prohibited;      /* deployment-wide */
    enum sf_sync_mode sync_mode;
    bool background_check;       /* check each mailbox after it is loaded */
    /* Called after an entry is durable / deleted, outside every lock
     * (the module runs the hooks from here). May be NULL. */
    void (*on_event)(void *ctx, const char *hook, struct x400ms_store_event *ev);
    void *event_ctx;
};

struct sf_box {
    pthread_rwlock_t lock;
    struct sf_index idx;
    int dir_fd;
    bool dirty;           /* index changed since the last flush */
    bool dir_dirty;       /* renames (status changes, deletes) not yet made durable */
    /* the most recently delivered entry, whole file bytes (deliver-then-fetch) */
    uint32_t cache_seq;
    uint8_t *cache;
    size_t cache_len;
    /* Entries whose file rename (status change) is pending, under lock;
     * the settle thread renames them (settle.c). */
    uint32_t *settle;
    size_t n_settle, cap_settle;
    /* held by whoever does the box's pending renames (settle.c), which run
     * outside `lock`; the index check holds it too. Taken before `lock`. */
    pthread_mutex_t settle_mu;
};

struct sf_store;

struct x400ms_store_mailbox {
    struct sf_store *store;
    char name[X400MS_STORE_NAME_MAX + 1];
    int refs;                /* table's reference + open handles; under store->table_lock */
    bool deleted;            /* removed from the table; ops fail with ENOENT */
    pthread_rwlock_t gate;
    pthread_mutex_t mutex;
    pthread_mutex_t flush_mu; /* one index flush at a time */
    pthread_mutex_t load_mu;  /* first open loads the mailbox */
    /* under mutex */
    char *or_address, *password_hash;
    struct x400ms_store_settings settings;
    bool loaded;
    int dir_fd;              /* mailboxes/NAME */
    uint32_t next_seq;       /* next to hand out */
    uint32_t reserved_seq;   /* the seq file allows numbers < reserved_seq */
    /* seqs handed out whose file is not complete yet: not yet acknowledged,
     * or (journal mode) acknowledged and waiting for the materializer */
    uint32_t *inflight;
    size_t n_inflight, cap_inflight;
    pthread_cond_t written_cv; /* with mutex: an in-flight entry's file is complete */
    unsigned written_waiters;
    int backups;             /* backups running: deleted files are kept until they end */
    char **deferred;         /* "box/.dSEQ" names to unlink when the last backup ends */
    size_t n_deferred, cap_deferred;
    uint32_t load_next_seq;  /* next_seq when loaded: older temp files are leftovers */
    bool check_pending;
    /* under store->settle_mu: queued for the settle thread (holds a reference) */
    bool settle_queued;
    struct x400ms_store_mailbox *settle_next;
    struct sf_box box[X400MS_STORE_BOX_COUNT];
};

struct sf_commit_req;

/* How long the committer may wait for the writers of its last batch to queue
 * again before it flushes (microseconds), and the gap between two arrivals
 * that ends the wait early. */
#define SF_COMMIT_GATHER_US 1500
#define SF_COMMIT_GATHER_IDLE_US 150

/* Journal mode: at most this many entries (and bytes) may be acknowledged
 * with their files not yet written; the committer takes no new batch
 * while the materializer is that far behind (commit.c). */
#define SF_UNWRITTEN_MAX 1024
#define SF_UNWRITTEN_BYTES_MAX (32u << 20)

struct sf_committer {
    pthread_mutex_t mu;
    pthread_cond_t cv_work;
    struct sf_commit_req *head, *tail;
    size_t queued;
    /* while the committer gathers a batch it wants this many queued before
     * it is woken (commit.c: not by every arrival) */
    size_t gather_target;
    bool stop;
    pthread_t thread;
    bool running;
    /* journal mode: journaled entries whose file is not yet written (a
     * checkpoint waits for 0), checkpoint requests and completions */
    size_t unsettled, unsettled_bytes;
    bool checkpoint_req;
    uint64_t cp_started, cp_done;
    uint64_t cut_gen, cut_off; /* the last cut (sf_commit_checkpoint) */
    pthread_cond_t cv_settled, cv_done;
    uint64_t batches, entries; /* statistics (bench) */
    /* journal mode: the materializer thread, which writes the entry files
     * of journaled batches (commit.c), and its queue of batches (under mu) */
    pthread_t materializer;
    bool mat_running, mat_stop;
    pthread_cond_t cv_mat;
    struct sf_commit_req *mat_head, *mat_tail;
};

struct sf_store {
    struct sf_options opt;
    char *root;
    int root_fd, mailboxes_fd;
    pthread_rwlock_t table_lock;
    struct x400ms_store_mailbox **table; /* sorted by name */
    size_t n_table, cap_table;
    pthread_mutex_t admin_lock;
    struct sf_committer committer;
    struct sf_journal journal;
    /* maintenance thread: index flush, ageing, background checks */
    pthread_t maint;
    bool maint_running, maint_stop;
    pthread_mutex_t maint_mu;
    pthread_cond_t maint_cv;
    bool closing;            /* puts are refused from now on */
    /* settle thread: the file renames of status changes (settle.c) */
    pthread_t settle;
    bool settle_running, settle_stop;
    pthread_mutex_t settle_mu;
    pthread_cond_t settle_cv;
    struct x400ms_store_mailbox *settle_head, *settle_tail;
};

extern const struct x400ms_store_ops sf_store_ops;

/* store.c */
/* new (no I/O) + start (directories, registry, threads), as the module's
 * init and start do; open does both. */
int sf_store_new(const struct sf_options *opt, struct sf_store **store_r, struct x400ms_error *err);
int sf_store_start(struct sf_store *store, struct x400ms_error *err);
int sf_store_open(const struct sf_options *opt, struct sf_store **store_r, struct x400ms_error *err);
/* Refuses new puts, stops the threads, flushes every index (clean shutdown). */
void sf_store_stop(struct sf_store *store);
/* Stops (when not yet) and frees. */
void sf_store_close(struct sf_store *store);
/* Flushes dirty indexes now (and fsyncs directories with pending renames). */
int sf_store_flush(struct sf_store *store, struct x400ms_error *err);
/* Deletes entries older than their box's max_age, now = seconds since 1970. */
int sf_store_age(struct sf_store *store, int64_t now, uint64_t *deleted_r);
/* Looks a mailbox up and takes a reference (handle); loads it on first use. */
int sf_mailbox_acquire(struct sf_store *store, const char *name, struct x400ms_store_mailbox **mb_r,
                       struct x400ms_error *err);
void sf_mailbox_release(struct x400ms_store_mailbox *mb);
bool sf_name_valid(const char *name);
/* A snapshot of the table with a reference on each mailbox; release each
 * and free the array. */
int sf_table_snapshot(struct sf_store *store, struct x400ms_store_mailbox ***mbs_r, size_t *n_r);
/* Persists the registry (caller holds admin_lock). */
int sf_registry_save(struct sf_store *store, struct x400ms_error *err);
int sf_mailbox_create_locked(struct sf_store *store, const struct x400ms_store_mailbox_info *info,
                             bool persist, struct x400ms_error *err);

/* mailbox.c */
int sf_mailbox_load(struct x400ms_store_mailbox *mb, struct x400ms_error *err);
void sf_mailbox_unload(struct x400ms_store_mailbox *mb);
/* Hands out the next sequence number (persisting a new reservation when needed)
 * and records it in flight. */
int sf_mailbox_next_seq(struct x400ms_store_mailbox *mb, uint32_t *seq_r, struct x400ms_error *err);
/* Raises next_seq to at least `seq` (restore); persists. */
int sf_mailbox_raise_seq(struct x400ms_store_mailbox *mb, uint32_t seq, struct x400ms_error *err);
void sf_mailbox_inflight_done(struct x400ms_store_mailbox *mb, uint32_t seq);
/* Waits until the file of seq is complete (journal mode acknowledges an
 * entry before its file is written: commit.c); every path that opens,
 * renames or removes an entry file by name calls this first. Hold no box
 * lock meanwhile. */
void sf_mailbox_wait_written(struct x400ms_store_mailbox *mb, uint32_t seq);
/* Waits until no entry of the mailbox is in flight (callers hold its gate
 * for writing, so that no new one starts). */
void sf_mailbox_wait_all_written(struct x400ms_store_mailbox *mb);
int sf_mailbox_check(struct x400ms_store_mailbox *mb, struct x400ms_store_check_report *rep,
                     struct x400ms_error *err);
/* Rebuilds box indexes from the files (caller holds gate for writing or the
 * mailbox is not yet visible). */
int sf_mailbox_rebuild_locked(struct x400ms_store_mailbox *mb, struct x400ms_store_check_report *rep,
                              struct x400ms_error *err);
int sf_mailbox_flush(struct x400ms_store_mailbox *mb, struct x400ms_error *err);
/* Clean shutdown of one mailbox: flush, then drop the "dirty" marker. */
int sf_mailbox_close_clean(struct x400ms_store_mailbox *mb, struct x400ms_error *err);
/* Unlinks a ".dSEQ" file now, or later when a backup is running. */
void sf_mailbox_drop_deleted(struct x400ms_store_mailbox *mb, unsigned box, uint32_t seq);
static inline const char *sf_box_dir(unsigned box) { return box == X400MS_STORE_INBOX ? "inbox" : "outbox"; }
static inline char sf_status_letter(unsigned status) { return "NLP"[status]; }
/* Parses "SEQ.S"; returns true and fills seq/status for an entry name. */
bool sf_parse_entry_name(const char *name, uint32_t *seq_r, unsigned *status_r);

/* commit.c */
int sf_committer_start(struct sf_store *store, struct x400ms_error *err);
void sf_committer_stop(struct sf_store *store);
/* Writes the entry to a temporary file, waits for its group commit and puts it
 * in the index. */
int sf_commit_entry(struct x400ms_store_mailbox *mb, unsigned box, uint32_t seq,
                    const struct x400ms_store_entry_in *in, struct x400ms_error *err);

/* Journal mode: queues a delete record for (mailbox, box, seq), written with
 * the committer's next batch (not flushed on its own), so that a replay does
 * not bring the deleted entry back. Does not wait. */
void sf_commit_note_delete(struct x400ms_store_mailbox *mb, unsigned box, uint32_t seq);

/* Makes every acknowledged entry file durable and empties the journal (no-op
 * in the other sync modes); waits for the committer. */
int sf_commit_checkpoint(struct sf_store *store);

/* ops.c: deletes an entry; force skips the deletion-prohibited settings (ageing). */
int sf_entry_delete(struct x400ms_store_mailbox *mb, unsigned box, uint32_t seq, bool force,
                    struct x400ms_error *err);

/* settle.c: status changes are made in the index at once; the renames of
 * the entry files follow on the settle thread. */
/* Sets the status of the record at pos (caller holds box->lock for writing)
 * and queues the rename; *kick_r is set when the caller must call
 * sf_settle_kick after unlocking. Falls back to renaming now when out of
 * memory. */
int sf_box_set_status(struct x400ms_store_mailbox *mb, unsigned box, size_t pos, unsigned status,
                      bool *kick_r, struct x400ms_error *err);
void sf_settle_kick(struct x400ms_store_mailbox *mb);
/* Does the pending renames of the mailbox now (caller keeps it loaded: holds
 * the gate, or load_mu). */
void sf_mailbox_settle(struct x400ms_store_mailbox *mb);
int sf_settle_start(struct sf_store *store, struct x400ms_error *err);
void sf_settle_stop(struct sf_store *store);

/* backup.c */
int sf_backup(struct sf_store *store, const char *name, const char *dir, struct x400ms_error *err);
int sf_restore(struct sf_store *store, const char *name, const char *dir,
               enum x400ms_store_restore_mode mode, struct x400ms_error *err);

#endif
