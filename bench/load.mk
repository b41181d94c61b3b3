# bench/load: 1,000 P7 associations listing/fetching while x400ms-mta
# delivers over 4, RSS and fds over time, then 10,000 idle associations
# ("make bench"; never run by make check). See docs/operations.md.
if BUILD_MODULE_P7
if BUILD_MODULE_P3
if BUILD_MODULE_ADMIN_API
EXTRA_PROGRAMS += bench/load/bench_load
BENCH_TARGETS += bench/load/bench_load
bench_load_bench_load_SOURCES = bench/load/bench_load.c
bench_load_bench_load_CFLAGS = $(TEST_CFLAGS)
bench_load_bench_load_LDADD = $(CRASH_TEST_LIBS)
endif
endif
endif
