# bench/: benchmarks (never timed tests). "make bench" builds them.
bench_PROGRAMS =
benchdir = $(pkglibexecdir)/bench
EXTRA_PROGRAMS =
include $(srcdir)/bench/asn1.mk
include $(srcdir)/bench/store.mk
include $(srcdir)/bench/assoc.mk
