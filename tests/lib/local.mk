# tests/lib: helpers for integration tests (start/stop a daemon, ports, files).
# Link with: tests_integration_x_LDADD = tests/lib/libx4test.la $(TEST_LIBS)
# x4http.c (the admin API over HTTP) is linked only into programs that call it;
# those also take tools/admin/http_client.c as a source.
check_LTLIBRARIES += tests/lib/libx4test.la
tests_lib_libx4test_la_SOURCES = tests/lib/x4test.c tests/lib/x4test.h \
	tests/lib/x4http.c tests/lib/x4http.h
tests_lib_libx4test_la_CFLAGS = $(AM_CFLAGS)
