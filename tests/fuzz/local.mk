# tests/fuzz: libFuzzer targets; each also builds as a replay program that
# make check runs over its corpus (tests/fuzz/corpus/TARGET/).
include $(srcdir)/tests/fuzz/osi.mk
include $(srcdir)/tests/fuzz/mhs.mk

# make fuzz-smoke [FUZZ_SECONDS=60]: runs every libFuzzer target for a bounded
# time, seeded from tests/fuzz/corpus/TARGET (read only: new inputs go to
# tests/fuzz/smoke/TARGET in the build tree). A crash, leak, timeout or
# sanitizer report fails the target and leaves its input in
# tests/fuzz/crashes/TARGET-*; every target runs even after one failed.
# Needs configure --enable-fuzzing CC=clang (best with --enable-sanitizers).
FUZZ_SECONDS = 60
FUZZ_TARGETS = spdu ppdu acse ros rtse msbind p7arg p3env ipm
FUZZ_FLAGS = -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
if ENABLE_FUZZING
fuzz-smoke: $(FUZZ_TARGETS:%=tests/fuzz/fuzz_%)
	@failed=; \
	for t in $(FUZZ_TARGETS); do \
	  mkdir -p tests/fuzz/smoke/$$t tests/fuzz/crashes; \
	  echo "fuzz-smoke: $$t for $(FUZZ_SECONDS) s"; \
	  if ./tests/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) $(FUZZ_FLAGS) \
	       -artifact_prefix=tests/fuzz/crashes/$$t- \
	       tests/fuzz/smoke/$$t $(srcdir)/tests/fuzz/corpus/$$t \
	       >tests/fuzz/smoke/$$t.log 2>&1; then \
	    sed -n 's/^stat::number_of_executed_units: */  executions: /p' tests/fuzz/smoke/$$t.log; \
	  else \
	    tail -n 40 tests/fuzz/smoke/$$t.log; \
	    echo "fuzz-smoke: $$t FAILED (log tests/fuzz/smoke/$$t.log, input tests/fuzz/crashes/$$t-*)"; \
	    failed="$$failed $$t"; \
	  fi; \
	done; \
	if test -n "$$failed"; then echo "fuzz-smoke: failed:$$failed"; exit 1; fi; \
	echo "fuzz-smoke: all $(words $(FUZZ_TARGETS)) targets ran $(FUZZ_SECONDS) s without a finding"
else
fuzz-smoke:
	@echo "fuzz-smoke: configure with --enable-fuzzing CC=clang (and --enable-sanitizers)" >&2; exit 1
endif
.PHONY: fuzz-smoke

clean-local: fuzz-smoke-clean
fuzz-smoke-clean:
	-rm -rf tests/fuzz/smoke tests/fuzz/crashes
.PHONY: fuzz-smoke-clean
