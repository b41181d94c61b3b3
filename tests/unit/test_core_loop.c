/* Unit tests of the event loop (core/loop.c): timers in order, cross-thread
 * posting, fd readiness, removal inside callbacks. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "x400ms/loop.h"

static struct x400ms_loop *new_loop(void)
{
    struct x400ms_error err = { 0 };
    struct x400ms_loop *loop = x400ms_loop_new(&err);
    assert_non_null(loop);
    return loop;
}

/* A safety net: no test may hang the suite. */
static void on_watchdog(struct x400ms_loop *loop)
{
    fail_msg("loop test timed out");
    x400ms_loop_stop(loop);
}

/* ---- timers ---- */

struct order_log {
    struct x400ms_loop *loop;
    char seen[64];
    size_t n;
    size_t stop_after;
};

struct order_timer {
    struct order_log *log;
    char tag;
};

static void on_order_timer(struct order_timer *t)
{
    t->log->seen[t->log->n++] = t->tag;
    if (t->log->n == t->log->stop_after)
        x400ms_loop_stop(t->log->loop);
}

struct order_setup {
    struct x400ms_loop *loop;
    struct order_timer *timers;
    int added;
};

/* Arms the six timers from the loop's own thread, where they share the
 * loop's cached time: armed from another thread each add reads the clock
 * afresh, and a preempted test would see deadlines it did not ask for. */
static void arm_order_timers(struct order_setup *setup)
{
    static const uint64_t delays[] = { 40, 10, 30, 20, 40, 40 };
    for (size_t i = 0; i < 6; i++)
        if (x400ms_timer_add(setup->loop, delays[i], false, on_order_timer, &setup->timers[i]) != NULL)
            setup->added++;
}

static void test_core_loop_timers_fire_in_order(void **state)
{
    (void)state;
    struct x400ms_loop *loop = new_loop();
    struct order_log log = { .loop = loop, .stop_after = 6 };
    struct order_timer timers[] = {
        { &log, 'd' }, { &log, 'a' }, { &log, 'c' }, { &log, 'b' }, { &log, 'e' }, { &log, 'f' },
    };
    struct order_setup setup = { .loop = loop, .timers = timers };
    assert_non_null(x400ms_timer_add(loop, 0, false, arm_order_timers, &setup));
    struct x400ms_timer *watchdog = x400ms_timer_add(loop, 5000, false, on_watchdog, loop);
    uint64_t start = x400ms_loop_now_ms(loop);

    assert_int_equal(x400ms_loop_run(loop), 0);
    assert_int_equal(setup.added, 6);
    /* By deadline, and the three due at 40 ms in the order they were added. */
    assert_memory_equal(log.seen, "abcdef", 6);
    assert_true(x400ms_loop_now_ms(loop) - start >= 40);
    x400ms_timer_remove(&watchdog);
    x400ms_loop_free(&loop);
    assert_null(loop);
}

static void test_core_loop_timers_zero_delay_fifo(void **state)
{
    (void)state;
    struct x400ms_loop *loop = new_loop();
    struct order_log log = { .loop = loop, .stop_after = 26 };
    struct order_timer timers[26];
    for (int i = 0; i < 26; i++) {
        timers[i] = (struct order_timer){ &log, (char)('a' + i) };
        assert_non_null(x400ms_timer_add(loop, 0, false, on_order_timer, &timers[i]));
    }
    assert_int_equal(x400ms_loop_run(loop), 0);
    assert_memory_equal(log.seen, "abcdefghijklmnopqrstuvwxyz", 26);
    x400ms_loop_free(&loop);
}

struct repeat_ctx {
    struct x400ms_loop *loop;
    struct x400ms_timer *timer;
    int fired;
};

static void on_repeat(struct repeat_ctx *r)
{
    if (++r->fired == 5) {
        x400ms_timer_remove(&r->timer); /* inside its own callback */
        assert_null(r->timer);
        x400ms_loop_stop(r->loop);
    }
}

static void test_core_loop_timer_repeat_and_remove_in_callback(void **state)
{
    (void)state;
    struct x400ms_loop *loop = new_loop();
    struct repeat_ctx r = { .loop = loop };
    r.timer = x400ms_timer_add(loop, 2, true, on_repeat, &r);
    assert_non_null(r.timer);
    assert_int_equal(x400ms_loop_run(loop), 0);
    assert_int_equal(r.fired, 5);
    /* The removed timer must not fire again. */
    struct order_log log = { .loop = loop, .stop_after = 1 };
    struct order_timer last = { &log, 'z' };
    x400ms_timer_add(loop, 20, false, on_order_timer, &last);
    assert_int_equal(x400ms_loop_run(loop), 0);
    assert_int_equal(r.fired, 5);
    x400ms_loop_free(&loop);
}

struct cancel_ctx {
    struct x400ms_timer *victim;
    int victim_fired;
};

static void on_victim(struct cancel_ctx *c) { c->victim_fired++; }
static void on_canceller(struct cancel_ctx *c) { x400ms_timer_remove(&c->victim); }

static void test_core_loop_timer_removed_by_other_callback(void **state)
{
    (void)state;
    struct x400ms_loop *loop = new_loop();
    struct cancel_ctx c = { 0 };
    /* Both due in the same iteration: the first cancels the second. */
    assert_non_null(x400ms_timer_add(loop, 5, false, on_canceller, &c));
    c.victim = x400ms_timer_add(loop, 5, false, on_victim, &c);
    assert_non_null(c.victim);
    struct order_log log = { .loop = loop, .stop_after = 1 };
    struct order_timer end = { &log, 'x' };
    x400ms_timer_add(loop, 30, false, on_order_timer, &end);
    assert_int_equal(x400ms_loop_run(loop), 0);
    assert_int_equal(c.victim_fired, 0);
    assert_null(c.victim);
    x400ms_loop_free(&loop);
}

/* ---- fd readiness ---- */

struct pipe_ctx {
    struct x400ms_loop *loop;
    struct x400ms_io *io;
    int rfd, wfd;
    char got[16];
    unsigned events;
    int calls;
};

static void on_pipe_write_timer(struct pipe_ctx *p)
{
    assert_int_equal(write(p->wfd, "hello", 5), 5);
}

static void on_pipe_readable(struct pipe_ctx *p, int fd, unsigned events)
{
    assert_int_equal(fd, p->rfd);
    assert_ptr_equal(x400ms_loop_current(), p->loop);
    p->events = events;
    p->calls++;
    assert_int_equal(read(fd, p->got, sizeof p->got), 5);
    x400ms_io_remove(&p->io); /* inside its own callback */
    assert_null(p->io);
    x400ms_loop_stop(p->loop);
}

static void test_core_loop_fd_readiness(void **state)
{
    (void)state;
    struct x400ms_loop *loop = new_loop();
    int fds[2];
    assert_int_equal(pipe2(fds, O_NONBLOCK), 0);
    struct pipe_ctx p = { .loop = loop, .rfd = fds[0], .wfd = fds[1] };
    p.io = x400ms_io_add(loop, fds[0], X400MS_IO_READ, on_pipe_readable, &p);
    assert_non_null(p.io);
    assert_non_null(x400ms_timer_add(loop, 10, false, on_pipe_write_timer, &p));
    struct x400ms_timer *watchdog = x400ms_timer_add(loop, 5000, false, on_watchdog, loop);

    assert_null(x400ms_loop_current());
    assert_int_equal(x400ms_loop_run(loop), 0);
    assert_null(x400ms_loop_current());
    assert_int_equal(p.calls, 1);
    assert_true(p.events & X400MS_IO_READ);
    assert_memory_equal(p.got, "hello", 5);
    x400ms_timer_remove(&watchdog);
    x400ms_loop_free(&loop);
    close(fds[0]);
    close(fds[1]);
}

static void on_writable(struct pipe_ctx *p, int fd, unsigned events)
{
    p->events = events;
    p->calls++;
    if (p->calls == 1) {
        /* Now ask for readability only: the writable socket must go quiet. */
        assert_int_equal(x400ms_io_modify(p->io, X400MS_IO_READ), 0);
        assert_int_equal(write(p->wfd, "x", 1), 1);
    } else {
        assert_true(events & X400MS_IO_READ);
        assert_false(events & X400MS_IO_WRITE);
        x400ms_loop_stop(p->loop);
    }
}

static void test_core_loop_fd_write_then_modify(void **state)
{
    (void)state;
    struct x400ms_loop *loop = new_loop();
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
    struct pipe_ctx p = { .loop = loop, .rfd = sv[0], .wfd = sv[1] };
    p.io = x400ms_io_add(loop, sv[0], X400MS_IO_WRITE, on_writable, &p);
    assert_non_null(p.io);
    struct x400ms_timer *watchdog = x400ms_timer_add(loop, 5000, false, on_watchdog, loop);
    assert_int_equal(x400ms_loop_run(loop), 0);
    assert_int_equal(p.calls, 2);
    x400ms_io_remove(&p.io);
    x400ms_timer_remove(&watchdog);
    x400ms_loop_free(&loop);
    close(sv[0]);
    close(sv[1]);
}

static void on_hangup(struct pipe_ctx *p, int fd, unsigned events)
{
    p->events = events;
    p->calls++;
    x400ms_io_remove(&p->io);
    x400ms_loop_stop(p->loop);
}

static void test_core_loop_fd_hangup_reports_error(void **state)
{
    (void)state;
    struct x400ms_loop *loop = new_loop();
    int fds[2];
    assert_int_equal(pipe2(fds, O_NONBLOCK), 0);
    struct pipe_ctx p = { .loop = loop, .rfd = fds[0] };
    p.io = x400ms_io_add(loop, fds[0], X400MS_IO_READ, on_hangup, &p);
    close(fds[1]);
    assert_int_equal(x400ms_loop_run(loop), 0);
    assert_int_equal(p.calls, 1);
    assert_true(p.events & X400MS_IO_ERROR);
    x400ms_loop_free(&loop);
    close(fds[0]);
}

/* Two watches ready in the same epoll batch; whichever runs first removes
 * the other, which must then not be called (no use after free). */
struct pair_ctx {
    struct x400ms_loop *loop;
    struct x400ms_io *io[2];
    int calls[2];
};

static void on_pair(struct pair_ctx *c, int fd, unsigned events, int me)
{
    c->calls[me]++;
    x400ms_io_remove(&c->io[1 - me]);
    x400ms_io_remove(&c->io[me]);
    x400ms_loop_stop(c->loop);
}
static void on_pair0(struct pair_ctx *c, int fd, unsigned events) { on_pair(c, fd, events, 0); }
static void on_pair1(struct pair_ctx *c, int fd, unsigned events) { on_pair(c, fd, events, 1); }

static void test_core_loop_fd_remove_other_in_same_batch(void **state)
{
    (void)state;
    struct x400ms_loop *loop = new_loop();
    int a[2], b[2];
    assert_int_equal(pipe(a), 0);
    assert_int_equal(pipe(b), 0);
    assert_int_equal(write(a[1], "1", 1), 1);
    assert_int_equal(write(b[1], "1", 1), 1);
    struct pair_ctx c = { .loop = loop };
    c.io[0] = x400ms_io_add(loop, a[0], X400MS_IO_READ, on_pair0, &c);
    c.io[1] = x400ms_io_add(loop, b[0], X400MS_IO_READ, on_pair1, &c);
    assert_int_equal(x400ms_loop_run(loop), 0);
    assert_int_equal(c.calls[0] + c.calls[1], 1);
    x400ms_loop_free(&loop);
    for (int i = 0; i < 2; i++) {
        close(a[i]);
        close(b[i]);
    }
}

static void test_core_loop_io_add_bad_fd_neg(void **state)
{
    (void)state;
    struct x400ms_loop *loop = new_loop();
    struct pipe_ctx p = { .loop = loop };
    assert_null(x400ms_io_add(loop, -1, X400MS_IO_READ, on_pipe_readable, &p));
    /* epoll refuses regular files (EPERM). */
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_null(x400ms_io_add(loop, fileno(f), X400MS_IO_READ, on_pipe_readable, &p));
    fclose(f);
    x400ms_loop_free(&loop);
}

static void test_core_loop_free_with_pending(void **state)
{
    (void)state;
    struct x400ms_loop *loop = new_loop();
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    struct cancel_ctx c = { 0 };
    for (int i = 0; i < 100; i++)
        assert_non_null(x400ms_timer_add(loop, (uint64_t)(1000 + i), false, on_victim, &c));
    struct pipe_ctx p = { .loop = loop, .rfd = fds[0] };
    assert_non_null(x400ms_io_add(loop, fds[0], X400MS_IO_READ, on_pipe_readable, &p));
    assert_int_equal(write(fds[1], "x", 1), 1);
    /* Freed with 100 timers and a watch still on it: no leak (ASan), no call. */
    x400ms_loop_free(&loop);
    assert_int_equal(c.victim_fired, 0);
    assert_int_equal(p.calls, 0);
    close(fds[0]);
    close(fds[1]);
}

/* ---- cross-thread posting ---- */

#define POSTERS 4
#define POSTS_PER_THREAD 20000

struct post_ctx {
    struct x400ms_loop *loop;
    long next[POSTERS]; /* next expected sequence per poster: FIFO per thread */
    long total;
    int out_of_order;
    pthread_t loop_thread;
};

struct post_item {
    struct post_ctx *ctx;
    int poster;
    long seq;
};

static struct post_item items[POSTERS][POSTS_PER_THREAD];

static void on_post(struct post_item *item)
{
    struct post_ctx *c = item->ctx;
    /* No cmocka assertion here: this runs on the loop thread. */
    if (x400ms_loop_current() != c->loop || item->seq != c->next[item->poster])
        c->out_of_order++;
    c->next[item->poster] = item->seq + 1;
    if (++c->total == (long)POSTERS * POSTS_PER_THREAD)
        x400ms_loop_stop(c->loop);
}

struct poster_arg {
    struct post_ctx *ctx;
    int poster;
};

static void *poster_main(void *arg)
{
    struct poster_arg *a = arg;
    for (long i = 0; i < POSTS_PER_THREAD; i++) {
        struct post_item *item = &items[a->poster][i];
        *item = (struct post_item){ a->ctx, a->poster, i };
        if (x400ms_loop_post(a->ctx->loop, on_post, item) != 0)
            return (void *)1;
    }
    return NULL;
}

static void *loop_main(void *arg)
{
    struct post_ctx *c = arg;
    x400ms_loop_run(c->loop);
    return NULL;
}

static void test_core_loop_cross_thread_post(void **state)
{
    (void)state;
    struct post_ctx c = { .loop = new_loop() };
    pthread_t posters[POSTERS];
    struct poster_arg args[POSTERS];
    assert_int_equal(pthread_create(&c.loop_thread, NULL, loop_main, &c), 0);
    for (int i = 0; i < POSTERS; i++) {
        args[i] = (struct poster_arg){ &c, i };
        assert_int_equal(pthread_create(&posters[i], NULL, poster_main, &args[i]), 0);
    }
    for (int i = 0; i < POSTERS; i++) {
        void *rc;
        pthread_join(posters[i], &rc);
        assert_null(rc);
    }
    pthread_join(c.loop_thread, NULL);
    assert_int_equal(c.total, (long)POSTERS * POSTS_PER_THREAD);
    assert_int_equal(c.out_of_order, 0);
    x400ms_loop_free(&c.loop);
}

static void *stopper_main(void *arg)
{
    struct timespec ts = { 0, 20 * 1000000L };
    nanosleep(&ts, NULL);
    x400ms_loop_stop(arg);
    return NULL;
}

static void test_core_loop_stop_from_other_thread(void **state)
{
    (void)state;
    struct x400ms_loop *loop = new_loop();
    pthread_t t;
    /* No watch, no timer: the loop sleeps in epoll until the stop wakes it. */
    assert_int_equal(pthread_create(&t, NULL, stopper_main, loop), 0);
    assert_int_equal(x400ms_loop_run(loop), 0);
    pthread_join(t, NULL);
    x400ms_loop_free(&loop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_core_loop_timers_fire_in_order),
        cmocka_unit_test(test_core_loop_timers_zero_delay_fifo),
        cmocka_unit_test(test_core_loop_timer_repeat_and_remove_in_callback),
        cmocka_unit_test(test_core_loop_timer_removed_by_other_callback),
        cmocka_unit_test(test_core_loop_free_with_pending),
        cmocka_unit_test(test_core_loop_fd_readiness),
        cmocka_unit_test(test_core_loop_fd_write_then_modify),
        cmocka_unit_test(test_core_loop_fd_hangup_reports_error),
        cmocka_unit_test(test_core_loop_fd_remove_other_in_same_batch),
        cmocka_unit_test(test_core_loop_io_add_bad_fd_neg),
        cmocka_unit_test(test_core_loop_cross_thread_post),
        cmocka_unit_test(test_core_loop_stop_from_other_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
