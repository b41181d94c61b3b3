# tests/integration/crash: the whole daemon (rfc1006 + store_file + p3 + p7 +
# admin_api) SIGKILLed under load, and on a full disk (issue 10).
if BUILD_MODULE_P7
if BUILD_MODULE_P3
if BUILD_MODULE_ADMIN_API
check_LTLIBRARIES += tests/integration/crash/libcrashtest.la
tests_integration_crash_libcrashtest_la_SOURCES = \
	tests/integration/crash/crashtest.c tests/integration/crash/crashtest.h \
	tools/admin/http_client.c tools/admin/http_client.h
tests_integration_crash_libcrashtest_la_CFLAGS = $(TEST_CFLAGS)

CRASH_TEST_LIBS = tests/integration/crash/libcrashtest.la tests/integration/p3/libp3test.la \
	$(P7_TEST_LIBS) $(JANSSON_LIBS)

check_PROGRAMS += tests/integration/crash/test_crash_daemon
TESTS += tests/integration/crash/test_crash_daemon
tests_integration_crash_test_crash_daemon_SOURCES = tests/integration/crash/test_crash_daemon.c
tests_integration_crash_test_crash_daemon_CFLAGS = $(TEST_CFLAGS)
tests_integration_crash_test_crash_daemon_LDADD = $(CRASH_TEST_LIBS)
EXTRA_tests_integration_crash_test_crash_daemon_DEPENDENCIES = tools/x400ms-mta

check_PROGRAMS += tests/integration/crash/test_crash_diskfull
TESTS += tests/integration/crash/test_crash_diskfull
tests_integration_crash_test_crash_diskfull_SOURCES = tests/integration/crash/test_crash_diskfull.c
tests_integration_crash_test_crash_diskfull_CFLAGS = $(TEST_CFLAGS)
tests_integration_crash_test_crash_diskfull_LDADD = $(CRASH_TEST_LIBS)
EXTRA_tests_integration_crash_test_crash_diskfull_DEPENDENCIES = tools/x400ms-mta
endif
endif
endif
