/* ROSE invoke-id bookkeeping: see rose_table.h. */
#include "core/osi/rose_table.h"

#include <stdlib.h>
#include <string.h>

int rose_table_init(struct rose_table *t, unsigned cap)
{
    memset(t, 0, sizeof(*t));
    if (cap == 0)
        cap = 1;
    t->slots = calloc(cap, sizeof(*t->slots));
    if (t->slots == NULL)
        return X400MS_ENOMEM;
    t->cap = cap;
    return 0;
}

void rose_table_fini(struct rose_table *t)
{
    free(t->slots);
    memset(t, 0, sizeof(*t));
}

struct rose_slot *rose_table_find(struct rose_table *t, int64_t invoke_id)
{
    for (unsigned i = 0; i < t->count; i++)
        if (t->slots[i].invoke_id == invoke_id)
            return &t->slots[i];
    return NULL;
}

struct rose_slot *rose_table_add(struct rose_table *t, int64_t invoke_id, bool *full_r)
{
    *full_r = false;
    /* X.880 10.5: an invoke id still outstanding is a duplicate invocation. */
    if (rose_table_find(t, invoke_id) != NULL)
        return NULL;
    if (t->count >= t->cap) {
        *full_r = true;
        return NULL;
    }
    struct rose_slot *s = &t->slots[t->count++];
    memset(s, 0, sizeof(*s));
    s->invoke_id = invoke_id;
    return s;
}

void rose_table_remove(struct rose_table *t, struct rose_slot *s, struct rose_slot *out)
{
    if (out != NULL)
        *out = *s;
    /* Keep the array dense: move the last slot into the hole. */
    struct rose_slot *last = &t->slots[t->count - 1];
    if (s != last)
        *s = *last;
    t->count--;
}
