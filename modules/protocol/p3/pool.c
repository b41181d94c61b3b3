/* modules/protocol/p3/pool.c: see pool.h. The threads and the queue are the
 * core's worker pool (include/x400ms/worker.h); this keeps p3's two-step
 * stop (drain in stop(), free in fini()) safe against submissions racing
 * with it: a submit in progress is counted, and drain waits for it before
 * the worker pool is freed. */
#define X400MS_LOG_MODULE "p3"
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "modules/protocol/p3/pool.h"
#include "x400ms/error.h"
#include "x400ms/log.h"
#include "x400ms/worker.h"

/* Deliveries are bounded by the associations' ROSE windows (64 per
 * association), not by this queue: a large bound only guards memory. */
#define P3_POOL_QUEUE_MAX 65536

struct p3_pool {
    pthread_mutex_t lock;
    pthread_cond_t idle;
    struct x400ms_worker_pool *workers; /* NULL once drained */
    unsigned submitting;                /* submits in progress (under lock) */
    bool stopping;
};

int p3_pool_new(unsigned threads, struct p3_pool **pool_r)
{
    struct p3_pool *p = calloc(1, sizeof *p);
    if (p == NULL)
        return X400MS_ENOMEM;
    struct x400ms_error err = { 0 };
    p->workers = x400ms_worker_pool_new("p3", threads, P3_POOL_QUEUE_MAX, &err);
    if (p->workers == NULL) {
        X400MS_LOG_E("worker pool: %s", err.message);
        free(p);
        return err.code < 0 ? err.code : X400MS_ENOMEM;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->idle, NULL);
    *pool_r = p;
    return 0;
}

int p3_pool_submit(struct p3_pool *p, struct x400ms_loop *loop, p3_work_fn *work,
                   p3_work_fn *done, void *arg)
{
    pthread_mutex_lock(&p->lock);
    if (p->stopping) {
        pthread_mutex_unlock(&p->lock);
        return X400MS_ESTATE;
    }
    p->submitting++;
    pthread_mutex_unlock(&p->lock);
    int rc = x400ms_worker_submit_on_(p->workers, loop, work, done, arg);
    pthread_mutex_lock(&p->lock);
    if (--p->submitting == 0)
        pthread_cond_broadcast(&p->idle);
    pthread_mutex_unlock(&p->lock);
    if (rc == X400MS_ELIMIT)
        X400MS_LOG_W("%d tasks already queued: refused", P3_POOL_QUEUE_MAX);
    return rc;
}

void p3_pool_drain(struct p3_pool *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    while (p->submitting > 0)
        pthread_cond_wait(&p->idle, &p->lock);
    struct x400ms_worker_pool *w = p->workers;
    p->workers = NULL;
    pthread_mutex_unlock(&p->lock);
    /* runs every queued task (their answers are posted to the loops), joins */
    x400ms_worker_pool_free(&w);
}

void p3_pool_free(struct p3_pool **pool)
{
    struct p3_pool *p = *pool;
    if (p == NULL)
        return;
    *pool = NULL;
    p3_pool_drain(p);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->idle);
    free(p);
}
