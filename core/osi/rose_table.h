/* ROSE invoke-id bookkeeping (X.880 9.2): the invokes outstanding in one
 * direction of one association. A small bounded table: an association never
 * has more than a few dozen operations in flight (the bound is the
 * application context's max_peer_invokes / max_own_invokes), so a linear
 * scan over a dense array beats a hash and allocates once. */
#ifndef X400MS_OSI_ROSE_TABLE_H
#define X400MS_OSI_ROSE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "x400ms/assoc.h"

struct rose_slot {
    int64_t invoke_id;
    int64_t opcode;
    uint32_t pctx_id;              /* presentation context it travels on */
    x400ms_invoke_done_fn *done;   /* own invokes: the completion */
    void *arg;
};

struct rose_table {
    struct rose_slot *slots;       /* slots[0 .. count) are in use */
    unsigned count, cap;
};

/* 0 or X400MS_ENOMEM. cap >= 1. */
int rose_table_init(struct rose_table *t, unsigned cap);
void rose_table_fini(struct rose_table *t);
/* The slot of invoke_id, or NULL. */
struct rose_slot *rose_table_find(struct rose_table *t, int64_t invoke_id);
/* Adds invoke_id: the new slot, or NULL when the table is full (*full_r
 * true) or the id is already outstanding (*full_r false: a duplicate). */
struct rose_slot *rose_table_add(struct rose_table *t, int64_t invoke_id, bool *full_r);
/* Removes the slot (pointer from find/add); copies it to *out first when
 * out is not NULL. Pointers to other slots may move. */
void rose_table_remove(struct rose_table *t, struct rose_slot *s, struct rose_slot *out);
static inline bool rose_table_full(const struct rose_table *t) { return t->count >= t->cap; }

#endif
