/* x400ms public API: worker pools, for slow work a loop thread must not do
 * (password hashing, file copies, anything that blocks on the CPU or disk
 * for more than a fraction of a millisecond; DESIGN.md section 5).
 *
 * A pool is a small fixed set of threads with a bounded FIFO queue. A
 * caller submits work(arg), which runs on one of the pool's threads; then
 * done(arg), when given, runs on the loop the caller chose (by default the
 * loop of the submitting thread) through x400ms_loop_post, so the caller
 * gets its answer back on its own thread without locks:
 *
 *   static void check(struct job *j) { j->ok = slow_check(j); }   // pool thread
 *   static void checked(struct job *j) { answer(j); free(j); }      // caller's loop
 *   pool = x400ms_worker_pool_new("p7-bind", 2, 256, &err);
 *   if (x400ms_worker_submit(pool, check, checked, j) < 0) ... refuse ...
 *   x400ms_worker_pool_free(&pool);                                  // drains
 *
 * A full queue refuses new work (X400MS_ELIMIT) rather than letting latency
 * grow without bound: the caller answers "busy". */
#ifndef X400MS_WORKER_H
#define X400MS_WORKER_H

#include <stddef.h>
#include "x400ms/error.h"
#include "x400ms/loop.h"

struct x400ms_worker_pool;

typedef void x400ms_work_fn(void *arg);

/* Starts nthreads (>= 1) threads named after `name` (at most 15 characters
 * shown by ps/top) with room for queue_max (>= 1) waiting tasks. Returns
 * NULL with err filled on failure. */
struct x400ms_worker_pool *x400ms_worker_pool_new(const char *name, unsigned nthreads,
                                                  size_t queue_max, struct x400ms_error *err);

/* Queues work(arg) and, when done is not NULL, done(arg) afterwards on
 * `loop` (x400ms_worker_submit: the calling thread's loop; on a thread
 * without a loop, done runs on the pool thread right after work). Any
 * thread may submit. Returns 0, X400MS_ELIMIT when queue_max tasks are
 * already waiting, X400MS_ESTATE once the pool is being freed,
 * X400MS_ENOMEM. When done cannot be posted (the loop is stopping for
 * good), it is not called and a warning is logged: arg is then leaked
 * unless work freed it, so owners stop their pools before their loops. */
int x400ms_worker_submit_(struct x400ms_worker_pool *pool, x400ms_work_fn *work,
                          x400ms_work_fn *done, void *arg);
int x400ms_worker_submit_on_(struct x400ms_worker_pool *pool, struct x400ms_loop *loop,
                             x400ms_work_fn *work, x400ms_work_fn *done, void *arg);

/* Type-checked forms (loop.h): work and done take the type of arg. */
#define x400ms_worker_submit(pool, work, done, arg)                                     \
    x400ms_worker_submit_((pool),                                                       \
        ((void)X400MS_CALLBACK_TYPECHECK(work, void (*)(__typeof__(arg))),              \
         (x400ms_work_fn *)(work)),                                                     \
        (x400ms_work_fn *)(done), (void *)(arg))
#define x400ms_worker_submit_on(pool, loop, work, done, arg)                            \
    x400ms_worker_submit_on_((pool), (loop),                                            \
        ((void)X400MS_CALLBACK_TYPECHECK(work, void (*)(__typeof__(arg))),              \
         (x400ms_work_fn *)(work)),                                                     \
        (x400ms_work_fn *)(done), (void *)(arg))

/* Tasks waiting (not yet started), for metrics and tests. */
size_t x400ms_worker_queued(struct x400ms_worker_pool *pool);

/* Refuses new work (X400MS_ESTATE), lets the threads finish every queued
 * task (their done callbacks are posted as usual), and joins them; the
 * pool stays allocated, so other threads may still call submit (and get
 * X400MS_ESTATE). A module calls it from its stop(), while the loops still
 * run the posted done callbacks, and frees the pool in fini(). Must not be
 * called from one of the pool's own threads. A second call does nothing. */
void x400ms_worker_pool_stop(struct x400ms_worker_pool *pool);

/* x400ms_worker_pool_stop, then frees the pool; clears *pool. */
void x400ms_worker_pool_free(struct x400ms_worker_pool **pool);

#endif
