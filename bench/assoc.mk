# bench/assoc: association benchmarks.
# Transport part: bench/transport measures transport
# connections/s and TSDU echo round trips/s over RFC 1006, plain and TLS,
# against the real daemon with the tests-only echo user.
EXTRA_PROGRAMS += bench/transport
BENCH_TARGETS += bench/transport
bench_transport_SOURCES = bench/transport.c
bench_transport_CFLAGS = $(TEST_CFLAGS)
bench_transport_LDADD = tests/integration/transport/libtclient.la tests/lib/libx4test.la \
	$(TEST_LIBS) $(OPENSSL_LIBS)
EXTRA_bench_transport_DEPENDENCIES = tests/integration/transport/tsecho.la
