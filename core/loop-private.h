/* Core-internal extras of the event loop (not part of the module API). */
#ifndef X400MS_CORE_LOOP_PRIVATE_H
#define X400MS_CORE_LOOP_PRIVATE_H

#include <stddef.h>
#include "x400ms/loop.h"

/* Live fd watches plus armed timers: 0 once every module let go of the loop
 * (the daemon waits for that, within a bound, at shutdown). Any thread. */
size_t core_loop_active(const struct x400ms_loop *loop);

/* Runs the tasks still posted to a stopped loop (at most max_rounds times
 * over, for tasks that post more); returns how many ran. On the loop's own
 * thread, after x400ms_loop_run returned. */
size_t core_loop_run_leftover(struct x400ms_loop *loop, unsigned max_rounds);

#endif
