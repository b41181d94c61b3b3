# tests/unit/store: the store API and the file store backend.
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

# The crash test runs test_store_crash_child as a real process and kills it.
check_PROGRAMS += tests/unit/test_store_crash tests/unit/test_store_crash_child
TESTS += tests/unit/test_store_crash
tests_unit_test_store_crash_SOURCES = tests/unit/test_store_crash.c tests/unit/test_store_util.h
tests_unit_test_store_crash_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_store_crash_LDADD = $(STORE_TEST_LIBS)
tests_unit_test_store_crash_child_SOURCES = tests/unit/test_store_crash_child.c tests/unit/test_store_util.h
tests_unit_test_store_crash_child_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_store_crash_child_LDADD = $(STORE_TEST_LIBS)

check_PROGRAMS += tests/unit/test_store_backup
TESTS += tests/unit/test_store_backup
tests_unit_test_store_backup_SOURCES = tests/unit/test_store_backup.c tests/unit/test_store_util.h
tests_unit_test_store_backup_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_store_backup_LDADD = $(STORE_TEST_LIBS)

check_PROGRAMS += tests/unit/test_store_journal
TESTS += tests/unit/test_store_journal
tests_unit_test_store_journal_SOURCES = tests/unit/test_store_journal.c tests/unit/test_store_util.h
tests_unit_test_store_journal_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_store_journal_LDADD = $(STORE_TEST_LIBS)

# The window between an entry's acknowledgement and its file (journal mode).
check_PROGRAMS += tests/unit/test_store_early_ack
TESTS += tests/unit/test_store_early_ack
tests_unit_test_store_early_ack_SOURCES = tests/unit/test_store_early_ack.c tests/unit/test_store_util.h
tests_unit_test_store_early_ack_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_store_early_ack_LDADD = $(STORE_TEST_LIBS)
