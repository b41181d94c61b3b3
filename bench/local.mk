# bench/: benchmarks (never timed tests). "make bench" builds them; each
# fragment adds its programs to EXTRA_PROGRAMS and BENCH_TARGETS.
include $(srcdir)/bench/asn1.mk
include $(srcdir)/bench/store.mk
include $(srcdir)/bench/assoc.mk
bench: $(BENCH_TARGETS)
.PHONY: bench
CLEANFILES += $(BENCH_TARGETS)
include $(srcdir)/bench/load.mk
