/* The delivery journal of the file store (journal.c, docs/store-format.md
 * "The journal"). */
#ifndef STORE_FILE_JOURNAL_H
#define STORE_FILE_JOURNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include "x400ms/error.h"
#include "x400ms/store.h"

#define SF_JOURNAL_HEADER_LEN 32
#define SF_JOURNAL_DATA_OFFSET 4096
/* Checkpoint (syncfs, new generation) when the journal grows past this. */
#define SF_JOURNAL_CHECKPOINT_BYTES (64u << 20)
/* Bytes of a record header: 36 + mailbox name. */
#define SF_JOURNAL_REC_HEADER_MAX (36 + X400MS_STORE_NAME_MAX)

struct sf_journal {
    int fd;
    uint64_t gen;  /* the generation records must carry */
    uint64_t off;  /* where the next record goes (committer only) */
    uint64_t start; /* where the replay would begin (under hdr_mu) */
    pthread_mutex_t hdr_mu; /* header writes, gen, start */
    uint64_t size; /* bytes of the file written so far (zeros beyond the records) */
    /* an acknowledged entry's file could not be written: the records must
     * stay until the next start replays them (no checkpoint empties the
     * journal meanwhile; __atomic access) */
    bool pinned;
};
/* The file grows by this much at a time, written with zeros, so that most
 * appends overwrite allocated blocks and their fdatasync flushes data only
 * (no size change to commit). */
#define SF_JOURNAL_GROW_BYTES (4u << 20)

struct sf_journal_replay {
    uint64_t records;   /* valid records of the current generation */
    uint64_t rewritten; /* entry files written again from them */
    uint64_t skipped;   /* records of mailboxes no longer in the registry */
    uint64_t deleted;   /* entry files removed by delete records */
    uint64_t end;       /* offset where the replay stopped */
};

struct sf_store;

/* Opens ROOT/journal, replays it (before the committer starts) and starts a
 * new generation. */
int sf_journal_open(struct sf_store *store, struct sf_journal_replay *rep, struct x400ms_error *err);
void sf_journal_close(struct sf_store *store);
/* Encodes a record header into buf (SF_JOURNAL_REC_HEADER_MAX bytes); returns its length. */
size_t sf_journal_record_header(uint8_t *buf, uint64_t gen, const char *mailbox, unsigned box, uint32_t seq,
                                uint64_t entry_len);
/* Encodes a delete record (36 + name bytes, not padded) into buf. */
size_t sf_journal_delete_record(uint8_t *buf, uint64_t gen, const char *mailbox, unsigned box, uint32_t seq);
/* Writes the vectors at the end and, when sync, fdatasyncs (iov is consumed). */
int sf_journal_append(struct sf_journal *j, struct iovec *iov, size_t n_iov, bool sync);
/* After a cut (gen, offset) taken by the committer when every entry before it
 * had its name: syncfs, then the header's start moves to the cut so that
 * those records are no longer replayed. Runs on the caller's thread while
 * deliveries go on. */
int sf_journal_advance(struct sf_store *store, uint64_t gen, uint64_t cut);
/* Makes every entry file durable (syncfs) and starts a new generation
 * (committer thread, deliveries wait). */
int sf_journal_checkpoint(struct sf_store *store);

#endif
