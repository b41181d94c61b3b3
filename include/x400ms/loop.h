/* x400ms public API: the event loop.
 *
 * The daemon runs a fixed set of loop threads (`threads` in the manifest,
 * default: the number of cores), each an epoll loop. An association lives on
 * one loop for its whole life; module code runs on that loop's thread and must
 * never block on the network (DESIGN.md section 5).
 *
 * Threading rule: x400ms_io_* and x400ms_timer_* are called only on the loop's
 * own thread (or before the loop runs). x400ms_loop_post and x400ms_loop_stop
 * may be called from any thread.
 *
 * Callbacks are type-checked at compile time against their context, in the
 * Dovecot manner: x400ms_io_add(loop, fd, X400MS_IO_READ, conn_on_read, conn)
 * compiles only if conn_on_read is void (*)(struct conn *, int, unsigned). */
#ifndef X400MS_LOOP_H
#define X400MS_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include "x400ms/error.h"

struct x400ms_loop;
struct x400ms_io;
struct x400ms_timer;

enum x400ms_io_events {
    X400MS_IO_READ = 1u << 0,
    X400MS_IO_WRITE = 1u << 1,
    X400MS_IO_ERROR = 1u << 2, /* reported, never requested: EPOLLERR/EPOLLHUP */
};

typedef void x400ms_io_fn(void *ctx, int fd, unsigned events);
typedef void x400ms_timer_fn(void *ctx);
typedef void x400ms_task_fn(void *ctx);

/* Compile-time check that `cb` has type `type`; evaluates to 0. */
#define X400MS_CALLBACK_TYPECHECK(cb, type) \
    (sizeof(char[1 - 2 * !__builtin_types_compatible_p(__typeof__(&*(cb)), type)]) - 1)

struct x400ms_loop *x400ms_loop_new(struct x400ms_error *err);
/* Frees the loop and every io and timer still on it; clears *loop. */
void x400ms_loop_free(struct x400ms_loop **loop);
/* Runs on the calling thread until x400ms_loop_stop. Returns 0, or an error
 * if epoll itself fails. */
int x400ms_loop_run(struct x400ms_loop *loop);
/* Any thread: makes x400ms_loop_run return after the current callback. */
void x400ms_loop_stop(struct x400ms_loop *loop);
/* The loop whose thread is calling, or NULL on a thread without one. */
struct x400ms_loop *x400ms_loop_current(void);
/* Monotonic milliseconds, cached once per loop iteration. */
uint64_t x400ms_loop_now_ms(struct x400ms_loop *loop);

/* File descriptor readiness (level-triggered). Returns NULL on failure. */
struct x400ms_io *x400ms_io_add_(struct x400ms_loop *loop, int fd, unsigned events,
                                 x400ms_io_fn *cb, void *ctx);
#define x400ms_io_add(loop, fd, events, cb, ctx)                                   \
    x400ms_io_add_((loop), (fd), (events),                                         \
        ((void)X400MS_CALLBACK_TYPECHECK(cb, void (*)(__typeof__(ctx), int, unsigned)), \
         (x400ms_io_fn *)(cb)), (void *)(ctx))
int x400ms_io_modify(struct x400ms_io *io, unsigned events);
/* Removes the watch (does not close the fd); clears *io. Safe inside its own callback. */
void x400ms_io_remove(struct x400ms_io **io);

/* One-shot (repeat=false) or periodic timer. Timers due at the same moment
 * fire in the order they were added. Returns NULL on failure. */
struct x400ms_timer *x400ms_timer_add_(struct x400ms_loop *loop, uint64_t msecs, bool repeat,
                                       x400ms_timer_fn *cb, void *ctx);
#define x400ms_timer_add(loop, msecs, repeat, cb, ctx)                            \
    x400ms_timer_add_((loop), (msecs), (repeat),                                  \
        ((void)X400MS_CALLBACK_TYPECHECK(cb, void (*)(__typeof__(ctx))),          \
         (x400ms_timer_fn *)(cb)), (void *)(ctx))
/* Cancels the timer; clears *timer. Safe inside its own callback. A one-shot
 * timer that fired is freed by the loop: its owner must forget it then. */
void x400ms_timer_remove(struct x400ms_timer **timer);

/* Any thread: runs cb(ctx) on the loop's thread, in FIFO order of posting.
 * Returns X400MS_ESTATE once the loop is freed or stopping for good. */
int x400ms_loop_post_(struct x400ms_loop *loop, x400ms_task_fn *cb, void *ctx);
#define x400ms_loop_post(loop, cb, ctx)                                           \
    x400ms_loop_post_((loop),                                                     \
        ((void)X400MS_CALLBACK_TYPECHECK(cb, void (*)(__typeof__(ctx))),          \
         (x400ms_task_fn *)(cb)), (void *)(ctx))

#endif
