/* x400msd gives freed heap memory back to the system after a burst
 * (core/memtrim.c). */
#ifndef X400MS_CORE_MEMTRIM_H
#define X400MS_CORE_MEMTRIM_H

#include "x400ms/loop.h"

/* Arms a periodic check on `loop` (the daemon's main loop); NULL when the
 * timer cannot be armed (nothing is trimmed then). Remove the timer with
 * x400ms_timer_remove before the loop is freed. */
struct x400ms_timer *core_memtrim_start(struct x400ms_loop *loop);

#endif
