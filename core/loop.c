/* The event loop (include/x400ms/loop.h): epoll, level-triggered fd watches,
 * timers in a binary heap (equal deadlines fire in the order they were
 * armed), and a FIFO of tasks that other threads post through an eventfd. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include "x400ms/log.h"
#include "x400ms/loop.h"
#include "core/loop-private.h"

#define LOOP_MAX_EVENTS 64
#define HEAP_NONE SIZE_MAX

struct x400ms_io {
    struct x400ms_loop *loop;
    int fd;
    unsigned events;
    x400ms_io_fn *cb;
    void *ctx;
    bool removed;
    struct x400ms_io *prev, *next; /* live list, or the dead list once removed */
};

struct x400ms_timer {
    struct x400ms_loop *loop;
    uint64_t deadline, seq, interval;
    size_t heap_index; /* HEAP_NONE while firing */
    bool repeat, firing, cancelled;
    x400ms_timer_fn *cb;
    void *ctx;
};

struct loop_task {
    struct loop_task *next;
    x400ms_task_fn *cb;
    void *ctx;
};

struct x400ms_loop {
    int epfd, wakefd;
    atomic_bool stop_requested;
    uint64_t now_ms;

    struct x400ms_io *ios;      /* live watches, so that free can release them */
    struct x400ms_io *dead_ios; /* removed this iteration; freed after it */

    struct x400ms_timer **heap;
    size_t heap_len, heap_cap;
    uint64_t timer_seq;

    atomic_size_t active; /* live watches + armed timers: lets shutdown see a drained loop */

    pthread_mutex_t post_lock;
    struct loop_task *post_head, **post_tail;
    bool wake_pending, closed;
};

static _Thread_local struct x400ms_loop *current_loop;

static uint64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

struct x400ms_loop *x400ms_loop_new(struct x400ms_error *err)
{
    struct x400ms_loop *loop = calloc(1, sizeof *loop);
    if (!loop) {
        x400ms_error_set(err, X400MS_ENOMEM, "event loop: out of memory");
        return NULL;
    }
    loop->epfd = epoll_create1(EPOLL_CLOEXEC);
    loop->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL /* the wake fd */ };
    if (loop->epfd < 0 || loop->wakefd < 0 ||
        epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->wakefd, &ev) != 0) {
        x400ms_error_set(err, X400MS_EIO, "event loop: %s", strerror(errno));
        if (loop->epfd >= 0)
            close(loop->epfd);
        if (loop->wakefd >= 0)
            close(loop->wakefd);
        free(loop);
        return NULL;
    }
    pthread_mutex_init(&loop->post_lock, NULL);
    loop->post_tail = &loop->post_head;
    loop->now_ms = monotonic_ms();
    return loop;
}

static void free_io_list(struct x400ms_io *io)
{
    while (io) {
        struct x400ms_io *next = io->next;
        free(io);
        io = next;
    }
}

void x400ms_loop_free(struct x400ms_loop **loop_p)
{
    struct x400ms_loop *loop = loop_p ? *loop_p : NULL;
    if (!loop)
        return;
    *loop_p = NULL;

    pthread_mutex_lock(&loop->post_lock);
    loop->closed = true;
    struct loop_task *task = loop->post_head;
    loop->post_head = NULL;
    loop->post_tail = &loop->post_head;
    pthread_mutex_unlock(&loop->post_lock);
    /* Tasks posted too late to run: their owners are gone (fini ran), so
     * running them now would touch freed state. */
    size_t dropped = 0;
    while (task) {
        struct loop_task *next = task->next;
        free(task);
        task = next;
        dropped++;
    }
    if (dropped)
        X400MS_LOG_D("event loop freed with %zu posted tasks not run", dropped);

    free_io_list(loop->ios);
    free_io_list(loop->dead_ios);
    for (size_t i = 0; i < loop->heap_len; i++)
        free(loop->heap[i]);
    free(loop->heap);
    close(loop->epfd);
    close(loop->wakefd);
    pthread_mutex_destroy(&loop->post_lock);
    if (current_loop == loop)
        current_loop = NULL;
    free(loop);
}

struct x400ms_loop *x400ms_loop_current(void)
{
    return current_loop;
}

/* The cached time on the loop's own thread; a fresh reading elsewhere (e.g.
 * a timer armed in start() before the loop runs must not be due early). */
static uint64_t loop_now(struct x400ms_loop *loop)
{
    if (current_loop != loop)
        loop->now_ms = monotonic_ms();
    return loop->now_ms;
}

uint64_t x400ms_loop_now_ms(struct x400ms_loop *loop)
{
    return loop_now(loop);
}

size_t core_loop_active(const struct x400ms_loop *loop)
{
    return atomic_load(&loop->active);
}

/* ---- fd watches ---- */

static uint32_t epoll_mask(unsigned events)
{
    return ((events & X400MS_IO_READ) ? EPOLLIN : 0u) | ((events & X400MS_IO_WRITE) ? EPOLLOUT : 0u);
}

struct x400ms_io *x400ms_io_add_(struct x400ms_loop *loop, int fd, unsigned events,
                                 x400ms_io_fn *cb, void *ctx)
{
    struct x400ms_io *io = calloc(1, sizeof *io);
    if (!io)
        return NULL;
    *io = (struct x400ms_io){ .loop = loop, .fd = fd, .events = events, .cb = cb, .ctx = ctx };
    struct epoll_event ev = { .events = epoll_mask(events), .data.ptr = io };
    if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        X400MS_LOG_E("event loop: cannot watch fd %d: %s", fd, strerror(errno));
        free(io);
        return NULL;
    }
    io->next = loop->ios;
    if (loop->ios)
        loop->ios->prev = io;
    loop->ios = io;
    atomic_fetch_add(&loop->active, 1);
    return io;
}

int x400ms_io_modify(struct x400ms_io *io, unsigned events)
{
    if (!io || io->removed)
        return X400MS_EINVAL;
    if (events == io->events)
        return 0;
    struct epoll_event ev = { .events = epoll_mask(events), .data.ptr = io };
    if (epoll_ctl(io->loop->epfd, EPOLL_CTL_MOD, io->fd, &ev) != 0)
        return X400MS_EIO;
    io->events = events;
    return 0;
}

void x400ms_io_remove(struct x400ms_io **io_p)
{
    struct x400ms_io *io = io_p ? *io_p : NULL;
    if (!io)
        return;
    *io_p = NULL;
    struct x400ms_loop *loop = io->loop;
    /* The fd may already be closed by its owner: then epoll forgot it too. */
    epoll_ctl(loop->epfd, EPOLL_CTL_DEL, io->fd, NULL);
    io->removed = true;
    if (io->prev)
        io->prev->next = io->next;
    else
        loop->ios = io->next;
    if (io->next)
        io->next->prev = io->prev;
    /* Events of this iteration may still point at it: free it afterwards. */
    io->prev = NULL;
    io->next = loop->dead_ios;
    loop->dead_ios = io;
    atomic_fetch_sub(&loop->active, 1);
}

/* ---- timers: a min-heap on (deadline, seq) ---- */

static bool timer_before(const struct x400ms_timer *a, const struct x400ms_timer *b)
{
    return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

static void heap_set(struct x400ms_loop *loop, size_t i, struct x400ms_timer *t)
{
    loop->heap[i] = t;
    t->heap_index = i;
}

static void heap_sift_up(struct x400ms_loop *loop, size_t i)
{
    struct x400ms_timer *t = loop->heap[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!timer_before(t, loop->heap[parent]))
            break;
        heap_set(loop, i, loop->heap[parent]);
        i = parent;
    }
    heap_set(loop, i, t);
}

static void heap_sift_down(struct x400ms_loop *loop, size_t i)
{
    struct x400ms_timer *t = loop->heap[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= loop->heap_len)
            break;
        if (child + 1 < loop->heap_len && timer_before(loop->heap[child + 1], loop->heap[child]))
            child++;
        if (!timer_before(loop->heap[child], t))
            break;
        heap_set(loop, i, loop->heap[child]);
        i = child;
    }
    heap_set(loop, i, t);
}

static int heap_push(struct x400ms_loop *loop, struct x400ms_timer *t)
{
    if (loop->heap_len == loop->heap_cap) {
        size_t cap = loop->heap_cap ? loop->heap_cap * 2 : 16;
        struct x400ms_timer **heap = realloc(loop->heap, cap * sizeof *heap);
        if (!heap)
            return X400MS_ENOMEM;
        loop->heap = heap;
        loop->heap_cap = cap;
    }
    loop->heap[loop->heap_len] = t;
    heap_sift_up(loop, loop->heap_len++);
    return 0;
}

static void heap_remove(struct x400ms_loop *loop, struct x400ms_timer *t)
{
    size_t i = t->heap_index;
    struct x400ms_timer *last = loop->heap[--loop->heap_len];
    t->heap_index = HEAP_NONE;
    if (i == loop->heap_len)
        return;
    heap_set(loop, i, last);
    if (i > 0 && timer_before(last, loop->heap[(i - 1) / 2]))
        heap_sift_up(loop, i);
    else
        heap_sift_down(loop, i);
}

struct x400ms_timer *x400ms_timer_add_(struct x400ms_loop *loop, uint64_t msecs, bool repeat,
                                       x400ms_timer_fn *cb, void *ctx)
{
    struct x400ms_timer *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    /* A periodic timer of 0 ms would fire forever within one iteration. */
    uint64_t interval = repeat && msecs == 0 ? 1 : msecs;
    *t = (struct x400ms_timer){ .loop = loop, .deadline = loop_now(loop) + interval,
                                .seq = loop->timer_seq++, .interval = interval,
                                .repeat = repeat, .cb = cb, .ctx = ctx };
    if (heap_push(loop, t) != 0) {
        free(t);
        return NULL;
    }
    atomic_fetch_add(&loop->active, 1);
    return t;
}

void x400ms_timer_remove(struct x400ms_timer **timer_p)
{
    struct x400ms_timer *t = timer_p ? *timer_p : NULL;
    if (!t)
        return;
    *timer_p = NULL;
    if (t->firing) { /* inside its own callback: the loop frees it after */
        t->cancelled = true;
        return;
    }
    heap_remove(t->loop, t);
    atomic_fetch_sub(&t->loop->active, 1);
    free(t);
}

static void run_timers(struct x400ms_loop *loop)
{
    while (loop->heap_len > 0 && loop->heap[0]->deadline <= loop->now_ms &&
           !atomic_load_explicit(&loop->stop_requested, memory_order_relaxed)) {
        struct x400ms_timer *t = loop->heap[0];
        heap_remove(loop, t);
        t->firing = true;
        t->cb(t->ctx);
        t->firing = false;
        if (t->cancelled || !t->repeat) {
            atomic_fetch_sub(&loop->active, 1);
            free(t);
            continue;
        }
        t->deadline = loop->now_ms + t->interval;
        t->seq = loop->timer_seq++;
        if (heap_push(loop, t) != 0) {
            X400MS_LOG_E("event loop: out of memory re-arming a periodic timer");
            atomic_fetch_sub(&loop->active, 1);
            free(t);
        }
    }
}

/* ---- cross-thread tasks ---- */

int x400ms_loop_post_(struct x400ms_loop *loop, x400ms_task_fn *cb, void *ctx)
{
    struct loop_task *task = malloc(sizeof *task);
    if (!task)
        return X400MS_ENOMEM;
    *task = (struct loop_task){ .cb = cb, .ctx = ctx };

    pthread_mutex_lock(&loop->post_lock);
    if (loop->closed) {
        pthread_mutex_unlock(&loop->post_lock);
        free(task);
        return X400MS_ESTATE;
    }
    *loop->post_tail = task;
    loop->post_tail = &task->next;
    /* One eventfd write per batch: later posters see wake_pending. */
    bool wake = !loop->wake_pending;
    loop->wake_pending = true;
    pthread_mutex_unlock(&loop->post_lock);

    if (wake) {
        uint64_t one = 1;
        while (write(loop->wakefd, &one, sizeof one) < 0 && errno == EINTR)
            ;
    }
    return 0;
}

static void run_posted(struct x400ms_loop *loop)
{
    uint64_t count;
    while (read(loop->wakefd, &count, sizeof count) < 0 && errno == EINTR)
        ;
    pthread_mutex_lock(&loop->post_lock);
    struct loop_task *task = loop->post_head;
    loop->post_head = NULL;
    loop->post_tail = &loop->post_head;
    loop->wake_pending = false;
    pthread_mutex_unlock(&loop->post_lock);

    while (task) {
        struct loop_task *next = task->next;
        task->cb(task->ctx);
        free(task);
        task = next;
        if (atomic_load_explicit(&loop->stop_requested, memory_order_relaxed) && task) {
            /* Keep the rest, in order, for the next run of the loop. */
            pthread_mutex_lock(&loop->post_lock);
            struct loop_task **tail = &task;
            while (*tail)
                tail = &(*tail)->next;
            *tail = loop->post_head;
            if (!loop->post_head)
                loop->post_tail = tail;
            loop->post_head = task;
            bool wake = !loop->wake_pending;
            loop->wake_pending = true;
            pthread_mutex_unlock(&loop->post_lock);
            if (wake) {
                uint64_t one = 1;
                while (write(loop->wakefd, &one, sizeof one) < 0 && errno == EINTR)
                    ;
            }
            break;
        }
    }
}

/* Tasks still queued when the loop stopped: modules stop before their loops
 * (core.c), and what they posted while stopping (a connection's last
 * teardown, the release of a reference) would otherwise be dropped unrun by
 * x400ms_loop_free and leak. Run on the loop's own thread, after
 * x400ms_loop_run returned, while the modules' state is still there (fini
 * comes after the loop threads are joined). Bounded: a task that keeps
 * posting itself gets max_rounds turns. */
size_t core_loop_run_leftover(struct x400ms_loop *loop, unsigned max_rounds)
{
    struct x400ms_loop *outer = current_loop;
    size_t ran = 0;

    current_loop = loop;
    for (unsigned round = 0; round < max_rounds; round++) {
        pthread_mutex_lock(&loop->post_lock);
        struct loop_task *task = loop->post_head;
        loop->post_head = NULL;
        loop->post_tail = &loop->post_head;
        pthread_mutex_unlock(&loop->post_lock);
        if (!task)
            break;
        while (task) {
            struct loop_task *next = task->next;
            task->cb(task->ctx);
            free(task);
            task = next;
            ran++;
        }
    }
    current_loop = outer;
    return ran;
}

/* ---- running ---- */

void x400ms_loop_stop(struct x400ms_loop *loop)
{
    atomic_store(&loop->stop_requested, true);
    if (current_loop != loop) {
        uint64_t one = 1;
        while (write(loop->wakefd, &one, sizeof one) < 0 && errno == EINTR)
            ;
    }
}

static int next_timeout_ms(const struct x400ms_loop *loop)
{
    if (loop->heap_len == 0)
        return -1;
    uint64_t deadline = loop->heap[0]->deadline;
    if (deadline <= loop->now_ms)
        return 0;
    uint64_t wait = deadline - loop->now_ms;
    return wait > 60000 ? 60000 : (int)wait;
}

int x400ms_loop_run(struct x400ms_loop *loop)
{
    struct epoll_event events[LOOP_MAX_EVENTS];
    struct x400ms_loop *outer = current_loop;
    int rc = 0;

    current_loop = loop;
    loop->now_ms = monotonic_ms();
    while (!atomic_load_explicit(&loop->stop_requested, memory_order_relaxed)) {
        int n = epoll_wait(loop->epfd, events, LOOP_MAX_EVENTS, next_timeout_ms(loop));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            X400MS_LOG_E("event loop: epoll_wait: %s", strerror(errno));
            rc = X400MS_EIO;
            break;
        }
        loop->now_ms = monotonic_ms();
        for (int i = 0; i < n; i++) {
            struct x400ms_io *io = events[i].data.ptr;
            if (!io) {
                run_posted(loop);
            } else if (!io->removed) {
                uint32_t e = events[i].events;
                unsigned ready = ((e & EPOLLIN) ? X400MS_IO_READ : 0u) |
                                 ((e & EPOLLOUT) ? X400MS_IO_WRITE : 0u) |
                                 ((e & (EPOLLERR | EPOLLHUP)) ? X400MS_IO_ERROR : 0u);
                io->cb(io->ctx, io->fd, ready);
            }
            if (atomic_load_explicit(&loop->stop_requested, memory_order_relaxed))
                break;
        }
        run_timers(loop);
        free_io_list(loop->dead_ios);
        loop->dead_ios = NULL;
    }
    /* Consume the stop so that the loop can run again. */
    atomic_store(&loop->stop_requested, false);
    current_loop = outer;
    return rc;
}
