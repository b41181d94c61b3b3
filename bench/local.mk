# bench/: benchmarks (never timed tests). "make bench" builds them; each
# fragment adds its programs to EXTRA_PROGRAMS and BENCH_PROGRAMS.
EXTRA_PROGRAMS =
BENCH_PROGRAMS =
include $(srcdir)/bench/asn1.mk
include $(srcdir)/bench/store.mk
include $(srcdir)/bench/assoc.mk
bench: $(BENCH_PROGRAMS)
.PHONY: bench
CLEANFILES += $(BENCH_PROGRAMS)
