# tests/integration/core: the real x400msd (via tests/lib/x4test), and a
# third-party module built out of tree against the installed headers.
check_PROGRAMS += tests/integration/core/test_core_daemon
TESTS += tests/integration/core/test_core_daemon
tests_integration_core_test_core_daemon_SOURCES = tests/integration/core/test_core_daemon.c
tests_integration_core_test_core_daemon_CFLAGS = $(TEST_CFLAGS)
tests_integration_core_test_core_daemon_LDADD = tests/lib/libx4test.la $(TEST_LIBS)

# Privilege drop (needs root and the user nobody, skipped otherwise).
check_PROGRAMS += tests/integration/core/test_core_privileges
TESTS += tests/integration/core/test_core_privileges
tests_integration_core_test_core_privileges_SOURCES = tests/integration/core/test_core_privileges.c
tests_integration_core_test_core_privileges_CFLAGS = $(TEST_CFLAGS)
tests_integration_core_test_core_privileges_LDADD = tests/lib/libx4test.la $(TEST_LIBS)

TESTS += tests/integration/oot-module/oot-module.sh
EXTRA_DIST += tests/integration/oot-module/oot-module.sh tests/integration/oot-module/hello.c
