# tests/integration/hostile: hostile input against the real daemon.
# Uses the OSI test client (tests/integration/osi/libosic.la) and the echo
# test module (tests/integration/osi/echo.la) of tests/integration/osi.mk.
check_LTLIBRARIES += tests/integration/hostile/libhostile.la
tests_integration_hostile_libhostile_la_SOURCES = \
	tests/integration/hostile/hostile.c tests/integration/hostile/hostile.h \
	tests/integration/hostile/pdus.c tests/integration/hostile/pdus.h
tests_integration_hostile_libhostile_la_CFLAGS = $(TEST_CFLAGS)

HOSTILE_TEST_LIBS = tests/integration/hostile/libhostile.la tests/integration/osi/libosic.la \
	tests/lib/libx4pcap.la tests/lib/libx4test.la $(TEST_LIBS) $(OPENSSL_LIBS)

check_PROGRAMS += tests/integration/hostile/test_hostile_wire
TESTS += tests/integration/hostile/test_hostile_wire
tests_integration_hostile_test_hostile_wire_SOURCES = tests/integration/hostile/test_hostile_wire.c
tests_integration_hostile_test_hostile_wire_CFLAGS = $(TEST_CFLAGS)
tests_integration_hostile_test_hostile_wire_LDADD = $(HOSTILE_TEST_LIBS)

check_PROGRAMS += tests/integration/hostile/test_hostile_flood
TESTS += tests/integration/hostile/test_hostile_flood
tests_integration_hostile_test_hostile_flood_SOURCES = tests/integration/hostile/test_hostile_flood.c
tests_integration_hostile_test_hostile_flood_CFLAGS = $(TEST_CFLAGS)
tests_integration_hostile_test_hostile_flood_LDADD = $(HOSTILE_TEST_LIBS)

# bench/hostile: 10,000 half-open connections ("make bench", never run by make check).
EXTRA_PROGRAMS += bench/hostile/bench_half_open
BENCH_TARGETS += bench/hostile/bench_half_open
bench_hostile_bench_half_open_SOURCES = bench/hostile/bench_half_open.c
bench_hostile_bench_half_open_CFLAGS = $(AM_CFLAGS)
bench_hostile_bench_half_open_LDADD = $(HOSTILE_TEST_LIBS)

# Malformed P7 operation arguments against the real p7 module and file store.
if BUILD_MODULE_P7
check_PROGRAMS += tests/integration/hostile/test_hostile_p7
TESTS += tests/integration/hostile/test_hostile_p7
tests_integration_hostile_test_hostile_p7_SOURCES = tests/integration/hostile/test_hostile_p7.c
tests_integration_hostile_test_hostile_p7_CFLAGS = $(TEST_CFLAGS)
tests_integration_hostile_test_hostile_p7_LDADD = tests/integration/hostile/libhostile.la \
	tests/integration/osi/libosic.la $(P7_TEST_LIBS) $(OPENSSL_LIBS)
endif
