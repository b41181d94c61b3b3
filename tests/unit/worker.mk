# tests/unit/worker: the worker pools of include/x400ms/worker.h (core/worker.c).
check_PROGRAMS += tests/unit/test_worker
TESTS += tests/unit/test_worker
tests_unit_test_worker_SOURCES = tests/unit/test_worker.c
tests_unit_test_worker_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_worker_LDADD = $(TEST_LIBS)
