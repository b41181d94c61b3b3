# tests/integration/store: the store_file module in the real daemon.
check_PROGRAMS += tests/integration/store/test_store_daemon
TESTS += tests/integration/store/test_store_daemon
tests_integration_store_test_store_daemon_SOURCES = tests/integration/store/test_store_daemon.c
tests_integration_store_test_store_daemon_CFLAGS = $(TEST_CFLAGS)
tests_integration_store_test_store_daemon_LDADD = modules/store/file/libstorefile.la tests/lib/libx4test.la $(TEST_LIBS)
