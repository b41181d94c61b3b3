# tests/unit/transport: the TPKT / X.224 class 0 codec.
check_PROGRAMS += tests/unit/test_tpkt
TESTS += tests/unit/test_tpkt
tests_unit_test_tpkt_SOURCES = tests/unit/test_tpkt.c
tests_unit_test_tpkt_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_tpkt_LDADD = $(TEST_LIBS)
