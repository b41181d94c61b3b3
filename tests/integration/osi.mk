# tests/integration/osi: the OSI stack in the real daemon.

# echo: the tests-only protocol module (application contexts 2.999.1.1 / .3).
check_LTLIBRARIES += tests/integration/osi/echo.la
tests_integration_osi_echo_la_SOURCES = tests/integration/osi/echo.c
tests_integration_osi_echo_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared -rpath /nowhere
tests_integration_osi_echo_la_LIBADD = libx400ms.la $(JANSSON_LIBS)

# osic: the blocking OSI test client (also used by bench/osi).
check_LTLIBRARIES += tests/integration/osi/libosic.la
tests_integration_osi_libosic_la_SOURCES = tests/integration/osi/osic.c tests/integration/osi/osic.h
tests_integration_osi_libosic_la_CFLAGS = $(AM_CFLAGS)
tests_integration_osi_libosic_la_LIBADD = $(OPENSSL_LIBS)

OSI_TEST_LIBS = tests/integration/osi/libosic.la tests/integration/transport/libtclient.la \
	tests/lib/libx4pcap.la tests/lib/libx4test.la $(TEST_LIBS) $(OPENSSL_LIBS)

check_PROGRAMS += tests/integration/osi/test_osi_assoc
TESTS += tests/integration/osi/test_osi_assoc
tests_integration_osi_test_osi_assoc_SOURCES = tests/integration/osi/test_osi_assoc.c
tests_integration_osi_test_osi_assoc_CFLAGS = $(TEST_CFLAGS)
tests_integration_osi_test_osi_assoc_LDADD = $(OSI_TEST_LIBS)

# bench/osi: associations/s and ROSE round trips/s ("make bench", never run by
# make check). EXTRA_PROGRAMS/BENCH_TARGETS are first set in bench/local.mk,
# which Makefile.am includes after this fragment, and automake refuses "+="
# before "=": so the program is a check program (built, never run, by make
# check) that "make bench" builds too.
check_PROGRAMS += bench/bench_osi
bench: bench/bench_osi
bench_bench_osi_SOURCES = bench/osi/bench_osi.c
bench_bench_osi_CFLAGS = $(AM_CFLAGS)
bench_bench_osi_LDADD = $(OSI_TEST_LIBS)

check_PROGRAMS += tests/integration/osi/test_osi_initiator
TESTS += tests/integration/osi/test_osi_initiator
tests_integration_osi_test_osi_initiator_SOURCES = tests/integration/osi/test_osi_initiator.c
tests_integration_osi_test_osi_initiator_CFLAGS = $(TEST_CFLAGS)
tests_integration_osi_test_osi_initiator_LDADD = $(OSI_TEST_LIBS)

check_PROGRAMS += tests/integration/osi/test_osi_replay
TESTS += tests/integration/osi/test_osi_replay
tests_integration_osi_test_osi_replay_SOURCES = tests/integration/osi/test_osi_replay.c
tests_integration_osi_test_osi_replay_CFLAGS = $(TEST_CFLAGS)
tests_integration_osi_test_osi_replay_LDADD = $(OSI_TEST_LIBS)
EXTRA_DIST += tests/integration/osi/data/isode-loopback.pcap
