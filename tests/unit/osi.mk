# tests/unit/osi: the OSI upper-layer engines (core/osi) fed byte vectors
# directly, without sockets: session, presentation, ACSE and ROSE machines.
check_PROGRAMS += tests/unit/test_osi_engine tests/unit/test_osi_rose_table
TESTS += tests/unit/test_osi_engine tests/unit/test_osi_rose_table
tests_unit_test_osi_engine_SOURCES = tests/unit/test_osi_engine.c
tests_unit_test_osi_engine_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_osi_engine_LDADD = tests/integration/osi/libosic.la tests/lib/libx4pcap.la $(TEST_LIBS) $(OPENSSL_LIBS)
tests_unit_test_osi_rose_table_SOURCES = tests/unit/test_osi_rose_table.c core/osi/rose_table.c
tests_unit_test_osi_rose_table_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_osi_rose_table_LDADD = $(TEST_LIBS)
