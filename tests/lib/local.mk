# tests/lib: helpers for integration tests (start/stop a daemon, ports, files).
# Link with: tests_integration_x_LDADD = tests/lib/libx4test.la $(TEST_LIBS)
check_LTLIBRARIES += tests/lib/libx4test.la
tests_lib_libx4test_la_SOURCES = tests/lib/x4test.c tests/lib/x4test.h
tests_lib_libx4test_la_CFLAGS = $(AM_CFLAGS)
