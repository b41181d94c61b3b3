# tests/unit/store: the store API and the file store backend (owner: store).
# The tests link the backend's code directly (libstorefile.la).
STORE_TEST_LIBS = modules/store/file/libstorefile.la tests/lib/libx4test.la $(TEST_LIBS)

check_PROGRAMS += tests/unit/test_store_api
TESTS += tests/unit/test_store_api
tests_unit_test_store_api_SOURCES = tests/unit/test_store_api.c tests/unit/test_store_util.h
tests_unit_test_store_api_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_store_api_LDADD = $(STORE_TEST_LIBS)

check_PROGRAMS += tests/unit/test_store_recovery
TESTS += tests/unit/test_store_recovery
tests_unit_test_store_recovery_SOURCES = tests/unit/test_store_recovery.c tests/unit/test_store_util.h
tests_unit_test_store_recovery_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_store_recovery_LDADD = $(STORE_TEST_LIBS)
