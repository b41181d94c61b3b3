/* Unit tests of the worker pools (include/x400ms/worker.h, core/worker.c):
 * work runs on the pool's threads, done on the submitter's loop, the queue
 * bound refuses work, the threads run in parallel, freeing drains. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "x400ms/loop.h"
#include "x400ms/worker.h"

/* ---- work on the pool, done on the submitter's loop ---- */

#define TASKS 500

struct round {
    struct x400ms_loop *loop;
    pthread_t loop_thread;
    struct x400ms_worker_pool *pool;
    atomic_int worked;
    int done;                      /* loop thread only */
    int work_on_loop_thread;       /* work that ran on the loop thread: must stay 0 */
    int done_elsewhere;            /* done that ran off the loop: must stay 0 */
    int submitted;
    int values[TASKS];
};

struct item {
    struct round *r;
    int i;
};
static struct item items[TASKS];

static void item_work(struct item *it)
{
    if (pthread_equal(pthread_self(), it->r->loop_thread))
        it->r->work_on_loop_thread++;
    it->r->values[it->i] = it->i * 3;
    atomic_fetch_add(&it->r->worked, 1);
}

static void item_done(struct item *it)
{
    struct round *r = it->r;
    if (x400ms_loop_current() != r->loop || !pthread_equal(pthread_self(), r->loop_thread))
        r->done_elsewhere++;
    /* done sees what work wrote */
    if (r->values[it->i] == it->i * 3)
        r->done++;
    if (r->done + r->done_elsewhere == r->submitted)
        x400ms_loop_stop(r->loop);
}

/* A timer on the loop submits, so x400ms_worker_submit picks this loop. */
static void submit_all(struct round *r)
{
    for (int i = 0; i < TASKS; i++) {
        items[i] = (struct item){ r, i };
        if (x400ms_worker_submit(r->pool, item_work, item_done, &items[i]) == 0)
            r->submitted++;
    }
}

static void test_worker_done_on_submitting_loop(void **state)
{
    (void)state;
    struct x400ms_error err;
    static struct round r;
    memset(&r, 0, sizeof r);
    r.loop = x400ms_loop_new(&err);
    assert_non_null(r.loop);
    r.loop_thread = pthread_self();
    r.pool = x400ms_worker_pool_new("test-pool", 3, TASKS, &err);
    assert_non_null(r.pool);
    struct x400ms_timer *t = x400ms_timer_add(r.loop, 1, false, submit_all, &r);
    assert_non_null(t);
    assert_int_equal(x400ms_loop_run(r.loop), 0);
    assert_int_equal(r.submitted, TASKS);
    assert_int_equal(atomic_load(&r.worked), TASKS);
    assert_int_equal(r.done, TASKS);
    assert_int_equal(r.done_elsewhere, 0);
    assert_int_equal(r.work_on_loop_thread, 0);
    x400ms_worker_pool_free(&r.pool);
    assert_null(r.pool);
    x400ms_loop_free(&r.loop);
}

/* ---- the bound: queue_max waiting tasks, then X400MS_ELIMIT ---- */

struct gate {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool started, open;
    int ran;
};

static void gate_work(struct gate *g)
{
    pthread_mutex_lock(&g->lock);
    g->started = true;
    g->ran++;
    pthread_cond_broadcast(&g->cond);
    while (!g->open)
        pthread_cond_wait(&g->cond, &g->lock);
    pthread_mutex_unlock(&g->lock);
}

static void test_worker_queue_full_neg(void **state)
{
    (void)state;
    struct x400ms_error err;
    struct gate g = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, false, 0 };
    struct x400ms_worker_pool *pool = x400ms_worker_pool_new("test-full", 1, 2, &err);
    assert_non_null(pool);
    /* the first task occupies the only thread ... */
    assert_int_equal(x400ms_worker_submit_on(pool, NULL, gate_work, NULL, &g), 0);
    pthread_mutex_lock(&g.lock);
    while (!g.started)
        pthread_cond_wait(&g.cond, &g.lock);
    pthread_mutex_unlock(&g.lock);
    /* ... two may wait, the third is refused */
    assert_int_equal(x400ms_worker_submit_on(pool, NULL, gate_work, NULL, &g), 0);
    assert_int_equal(x400ms_worker_submit_on(pool, NULL, gate_work, NULL, &g), 0);
    assert_int_equal(x400ms_worker_queued(pool), 2);
    assert_int_equal(x400ms_worker_submit_on(pool, NULL, gate_work, NULL, &g), X400MS_ELIMIT);
    pthread_mutex_lock(&g.lock);
    g.open = true;
    pthread_cond_broadcast(&g.cond);
    pthread_mutex_unlock(&g.lock);
    x400ms_worker_pool_free(&pool);
    assert_int_equal(g.ran, 3); /* the refused one never ran */
}

/* ---- the threads run at the same time ---- */

struct meet {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int arrived;
    int met;      /* tasks that saw every other one arrive */
};

#define MEETERS 3

static void meet_work(struct meet *m)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    pthread_mutex_lock(&m->lock);
    m->arrived++;
    pthread_cond_broadcast(&m->cond);
    int rc = 0;
    while (m->arrived < MEETERS && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&m->cond, &m->lock, &until);
    if (m->arrived >= MEETERS)
        m->met++;
    pthread_mutex_unlock(&m->lock);
}

static void test_worker_threads_run_in_parallel(void **state)
{
    (void)state;
    struct x400ms_error err;
    struct meet m = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };
    struct x400ms_worker_pool *pool = x400ms_worker_pool_new("test-par", MEETERS, 8, &err);
    assert_non_null(pool);
    for (int i = 0; i < MEETERS; i++)
        assert_int_equal(x400ms_worker_submit_on(pool, NULL, meet_work, NULL, &m), 0);
    x400ms_worker_pool_free(&pool);
    assert_int_equal(m.met, MEETERS);
}

/* ---- freeing drains the queue; done without a loop runs on the pool ---- */

static atomic_int drained_work, drained_done;

static void count_work(atomic_int *n)
{
    (void)n;
    atomic_fetch_add(&drained_work, 1);
}

static void count_done(atomic_int *n)
{
    (void)n;
    if (x400ms_loop_current() == NULL)
        atomic_fetch_add(&drained_done, 1);
}

static void test_worker_free_drains(void **state)
{
    (void)state;
    struct x400ms_error err;
    struct x400ms_worker_pool *pool = x400ms_worker_pool_new("test-drain", 2, 1000, &err);
    assert_non_null(pool);
    atomic_store(&drained_work, 0);
    atomic_store(&drained_done, 0);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(x400ms_worker_submit(pool, count_work, count_done, &drained_work), 0);
    x400ms_worker_pool_free(&pool);
    assert_int_equal(atomic_load(&drained_work), 1000);
    assert_int_equal(atomic_load(&drained_done), 1000);
}

/* stop: drains and refuses further work, the pool still answers */
static void test_worker_stop_refuses_neg(void **state)
{
    (void)state;
    struct x400ms_error err;
    struct x400ms_worker_pool *pool = x400ms_worker_pool_new("test-stop", 2, 100, &err);
    assert_non_null(pool);
    atomic_store(&drained_work, 0);
    for (int i = 0; i < 100; i++)
        assert_int_equal(x400ms_worker_submit_on(pool, NULL, count_work, NULL, &drained_work), 0);
    x400ms_worker_pool_stop(pool);
    assert_int_equal(atomic_load(&drained_work), 100);
    assert_int_equal(x400ms_worker_submit_on(pool, NULL, count_work, NULL, &drained_work),
                     X400MS_ESTATE);
    x400ms_worker_pool_stop(pool); /* again: nothing */
    x400ms_worker_pool_free(&pool);
    assert_int_equal(atomic_load(&drained_work), 100);
}

static void test_worker_bad_arguments_neg(void **state)
{
    (void)state;
    struct x400ms_error err;
    memset(&err, 0, sizeof err);
    assert_null(x400ms_worker_pool_new("test-bad", 0, 4, &err));
    assert_int_equal(err.code, X400MS_EINVAL);
    memset(&err, 0, sizeof err);
    assert_null(x400ms_worker_pool_new("test-bad", 1, 0, &err));
    assert_int_equal(err.code, X400MS_EINVAL);
    struct x400ms_worker_pool *pool = x400ms_worker_pool_new("test-bad", 1, 1, &err);
    assert_non_null(pool);
    assert_int_equal(x400ms_worker_submit_on_(pool, NULL, NULL, NULL, NULL), X400MS_EINVAL);
    x400ms_worker_pool_free(&pool);
    x400ms_worker_pool_free(&pool); /* cleared: a second free is harmless */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worker_done_on_submitting_loop),
        cmocka_unit_test(test_worker_queue_full_neg),
        cmocka_unit_test(test_worker_threads_run_in_parallel),
        cmocka_unit_test(test_worker_free_drains),
        cmocka_unit_test(test_worker_stop_refuses_neg),
        cmocka_unit_test(test_worker_bad_arguments_neg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
