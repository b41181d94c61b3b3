# bench/store: file store delivery rates and large-mailbox figures.
# Build with "make bench", run: bench/bench_store DIR (a scratch directory on
# the filesystem to measure; not the source tree).
EXTRA_PROGRAMS += bench/bench_store
BENCH_TARGETS += bench/bench_store
bench_bench_store_SOURCES = bench/store/bench_store.c
bench_bench_store_CFLAGS = $(AM_CFLAGS)
bench_bench_store_LDADD = modules/store/file/libstorefile.la libx400ms.la $(JANSSON_LIBS) $(PTHREAD_LIBS)
