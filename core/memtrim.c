/* Heap memory back to the system after a burst. glibc keeps freed memory in
 * its arenas: after 10,000 associations closed, x400msd's RSS stayed ~200 MiB
 * above its working set (docs/operations.md, "Memory"), although nothing
 * leaked (LeakSanitizer clean; malloc_trim gave it all back). Every
 * MEMTRIM_PERIOD_MS the main loop looks at the free bytes the allocator
 * holds and, above MEMTRIM_FREE_BYTES, trims: rare (only after a burst of
 * frees) and off the loops that serve peers. */
#define _GNU_SOURCE
#include "config.h"
#include <malloc.h>
#include <stdint.h>
#include "core/memtrim.h"
#define X400MS_LOG_MODULE "core"
#include "x400ms/log.h"

#define MEMTRIM_PERIOD_MS 5000
#define MEMTRIM_FREE_BYTES (8u << 20)

static void memtrim_check(void *ctx)
{
    (void)ctx;
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    struct mallinfo2 before = mallinfo2();
    if (before.fordblks < MEMTRIM_FREE_BYTES)
        return;
    malloc_trim(0);
    struct mallinfo2 after = mallinfo2();
    X400MS_LOG_D("memory: %zu KiB free in the heap, trimmed (%zu KiB mapped by mmap, %zu KiB arena "
                 "before, %zu KiB after)",
                 before.fordblks / 1024, after.hblkhd / 1024, before.arena / 1024, after.arena / 1024);
#endif
}

struct x400ms_timer *core_memtrim_start(struct x400ms_loop *loop)
{
    return x400ms_timer_add(loop, MEMTRIM_PERIOD_MS, true, memtrim_check, NULL);
}
