/* modules/protocol/p3/pool.c: see pool.h. */
#define X400MS_LOG_MODULE "p3"
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "modules/protocol/p3/pool.h"
#include "x400ms/error.h"
#include "x400ms/log.h"

struct p3_task {
    struct p3_task *next;
    struct x400ms_loop *loop;
    p3_work_fn *work, *done;
    void *arg;
};

struct p3_pool {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct p3_task *head, *tail;
    bool stopping;
    unsigned n;
    pthread_t *threads;
};

static void *pool_main(void *arg)
{
    struct p3_pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        while (p->head == NULL && !p->stopping)
            pthread_cond_wait(&p->cond, &p->lock);
        struct p3_task *t = p->head;
        if (t == NULL) {
            pthread_mutex_unlock(&p->lock);
            return NULL;
        }
        p->head = t->next;
        if (p->head == NULL)
            p->tail = NULL;
        pthread_mutex_unlock(&p->lock);
        t->work(t->arg);
        if (t->done != NULL && x400ms_loop_post(t->loop, t->done, t->arg) < 0)
            X400MS_LOG_W("a P3 task finished while its loop is stopping: answer dropped");
        free(t);
    }
}

int p3_pool_new(unsigned threads, struct p3_pool **pool_r)
{
    struct p3_pool *p = calloc(1, sizeof *p);
    if (p == NULL)
        return X400MS_ENOMEM;
    p->threads = calloc(threads, sizeof *p->threads);
    if (p->threads == NULL) {
        free(p);
        return X400MS_ENOMEM;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    for (unsigned i = 0; i < threads; i++) {
        if (pthread_create(&p->threads[i], NULL, pool_main, p) != 0)
            break;
        p->n++;
    }
    if (p->n == 0) {
        p3_pool_free(&p);
        return X400MS_ENOMEM;
    }
    *pool_r = p;
    return 0;
}

int p3_pool_submit(struct p3_pool *p, struct x400ms_loop *loop, p3_work_fn *work,
                   p3_work_fn *done, void *arg)
{
    struct p3_task *t = calloc(1, sizeof *t);
    if (t == NULL)
        return X400MS_ENOMEM;
    t->loop = loop;
    t->work = work;
    t->done = done;
    t->arg = arg;
    pthread_mutex_lock(&p->lock);
    if (p->stopping) {
        pthread_mutex_unlock(&p->lock);
        free(t);
        return X400MS_ESTATE;
    }
    if (p->tail)
        p->tail->next = t;
    else
        p->head = t;
    p->tail = t;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->lock);
    return 0;
}

void p3_pool_drain(struct p3_pool *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->lock);
    bool joined = p->stopping;
    p->stopping = true;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    if (joined)
        return;
    for (unsigned i = 0; i < p->n; i++)
        pthread_join(p->threads[i], NULL);
}

void p3_pool_free(struct p3_pool **pool)
{
    struct p3_pool *p = *pool;
    if (p == NULL)
        return;
    *pool = NULL;
    p3_pool_drain(p);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->cond);
    free(p->threads);
    free(p);
}
