/* modules/protocol/p3/pool: a few worker threads for the blocking parts of
 * P3 (a delivery waits for the store's group commit, a bind for the password
 * KDF), so that a loop thread never blocks and many deliveries share one
 * flush (DESIGN.md section 5). work(arg) runs on a worker, then done(arg) is
 * posted to `loop`. */
#ifndef X400MS_P3_POOL_H
#define X400MS_P3_POOL_H

#include "x400ms/loop.h"

struct p3_pool;
typedef void p3_work_fn(void *arg);

int p3_pool_new(unsigned threads, struct p3_pool **pool_r);
/* 0, or X400MS_ESTATE once the pool is stopping, X400MS_ENOMEM. */
int p3_pool_submit(struct p3_pool *pool, struct x400ms_loop *loop, p3_work_fn *work,
                   p3_work_fn *done, void *arg);
/* Refuses new tasks, runs what is queued, joins the threads (the pool
 * stays allocated: submit then fails with X400MS_ESTATE). */
void p3_pool_drain(struct p3_pool *pool);
/* Runs what is queued, then joins the threads and frees the pool. */
void p3_pool_free(struct p3_pool **pool);

#endif
