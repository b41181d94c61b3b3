/* Worker pools (include/x400ms/worker.h): a fixed set of threads taking
 * tasks from one bounded FIFO ring, the answer posted back to the
 * submitter's loop. The ring is allocated once (queue_max slots), so a
 * submit never allocates. */
#define _GNU_SOURCE
#define X400MS_LOG_MODULE "worker"
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "x400ms/log.h"
#include "x400ms/worker.h"

struct worker_task {
    struct x400ms_loop *loop;  /* where done runs; NULL: on the pool thread */
    x400ms_work_fn *work, *done;
    void *arg;
};

struct x400ms_worker_pool {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct worker_task *ring;
    size_t cap, head, count;   /* FIFO: count tasks from head, modulo cap */
    bool stopping;                /* submit refused */
    bool joined;                  /* stop() took the threads (or is taking them) */
    unsigned n_threads;
    pthread_t *threads;
    char name[16];
};

static void *worker_main(void *arg)
{
    struct x400ms_worker_pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        while (p->count == 0 && !p->stopping)
            pthread_cond_wait(&p->cond, &p->lock);
        if (p->count == 0) { /* stopping and drained */
            pthread_mutex_unlock(&p->lock);
            return NULL;
        }
        struct worker_task t = p->ring[p->head];
        p->head = (p->head + 1) % p->cap;
        p->count--;
        pthread_mutex_unlock(&p->lock);

        t.work(t.arg);
        if (t.done == NULL)
            continue;
        if (t.loop == NULL)
            t.done(t.arg);
        else if (x400ms_loop_post(t.loop, t.done, t.arg) < 0)
            X400MS_LOG_W("pool %s: a task finished while its loop is stopping: answer dropped",
                         p->name);
    }
}

struct x400ms_worker_pool *x400ms_worker_pool_new(const char *name, unsigned nthreads,
                                                  size_t queue_max, struct x400ms_error *err)
{
    if (nthreads == 0 || queue_max == 0) {
        x400ms_error_set(err, X400MS_EINVAL, "worker pool %s: %s must be at least 1",
                         name ? name : "?", nthreads == 0 ? "nthreads" : "queue_max");
        return NULL;
    }
    struct x400ms_worker_pool *p = calloc(1, sizeof *p);
    if (p == NULL || (p->ring = calloc(queue_max, sizeof *p->ring)) == NULL ||
        (p->threads = calloc(nthreads, sizeof *p->threads)) == NULL) {
        if (p != NULL)
            free(p->ring);
        free(p);
        x400ms_error_set(err, X400MS_ENOMEM, "worker pool %s: out of memory", name ? name : "?");
        return NULL;
    }
    snprintf(p->name, sizeof p->name, "%s", name ? name : "worker");
    p->cap = queue_max;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    for (unsigned i = 0; i < nthreads; i++) {
        if (pthread_create(&p->threads[i], NULL, worker_main, p) != 0)
            break;
        pthread_setname_np(p->threads[i], p->name);
        p->n_threads++;
    }
    if (p->n_threads < nthreads) {
        x400ms_error_set(err, X400MS_ENOMEM, "worker pool %s: cannot start thread %u of %u",
                         p->name, p->n_threads + 1, nthreads);
        x400ms_worker_pool_free(&p);
        return NULL;
    }
    return p;
}

int x400ms_worker_submit_on_(struct x400ms_worker_pool *p, struct x400ms_loop *loop,
                             x400ms_work_fn *work, x400ms_work_fn *done, void *arg)
{
    if (p == NULL || work == NULL)
        return X400MS_EINVAL;
    pthread_mutex_lock(&p->lock);
    int rc = 0;
    if (p->stopping) {
        rc = X400MS_ESTATE;
    } else if (p->count == p->cap) {
        rc = X400MS_ELIMIT;
    } else {
        p->ring[(p->head + p->count) % p->cap] = (struct worker_task){ loop, work, done, arg };
        p->count++;
        pthread_cond_signal(&p->cond);
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}

int x400ms_worker_submit_(struct x400ms_worker_pool *p, x400ms_work_fn *work,
                          x400ms_work_fn *done, void *arg)
{
    return x400ms_worker_submit_on_(p, x400ms_loop_current(), work, done, arg);
}

size_t x400ms_worker_queued(struct x400ms_worker_pool *p)
{
    pthread_mutex_lock(&p->lock);
    size_t n = p->count;
    pthread_mutex_unlock(&p->lock);
    return n;
}

void x400ms_worker_pool_stop(struct x400ms_worker_pool *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->lock);
    bool joined = p->joined;
    p->stopping = true;
    p->joined = true;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    if (joined)
        return;
    for (unsigned i = 0; i < p->n_threads; i++)
        pthread_join(p->threads[i], NULL);
}

void x400ms_worker_pool_free(struct x400ms_worker_pool **pool)
{
    struct x400ms_worker_pool *p = *pool;
    if (p == NULL)
        return;
    *pool = NULL;
    x400ms_worker_pool_stop(p);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->cond);
    free(p->threads);
    free(p->ring);
    free(p);
}
