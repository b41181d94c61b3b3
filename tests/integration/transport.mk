# tests/integration/transport: rfc1006 and tls against the real daemon.

# tsecho: the tests-only transport user "echo" (a loadable module).
check_LTLIBRARIES += tests/integration/transport/tsecho.la
tests_integration_transport_tsecho_la_SOURCES = tests/integration/transport/tsecho.c
tests_integration_transport_tsecho_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared -rpath /nowhere
tests_integration_transport_tsecho_la_LIBADD = libx400ms.la $(JANSSON_LIBS)

# The RFC 1006 test client and the throwaway PKI (also used by bench/assoc).
check_LTLIBRARIES += tests/integration/transport/libtclient.la
tests_integration_transport_libtclient_la_SOURCES = \
	tests/integration/transport/tclient.c tests/integration/transport/tclient.h \
	tests/integration/transport/certs.c
tests_integration_transport_libtclient_la_CFLAGS = $(AM_CFLAGS)
tests_integration_transport_libtclient_la_LIBADD = $(OPENSSL_LIBS)

TRANSPORT_TEST_LIBS = tests/integration/transport/libtclient.la tests/lib/libx4pcap.la \
	tests/lib/libx4test.la $(TEST_LIBS) $(OPENSSL_LIBS)

check_PROGRAMS += tests/integration/transport/test_transport_rfc1006
TESTS += tests/integration/transport/test_transport_rfc1006
tests_integration_transport_test_transport_rfc1006_SOURCES = \
	tests/integration/transport/test_transport_rfc1006.c
tests_integration_transport_test_transport_rfc1006_CFLAGS = $(TEST_CFLAGS)
tests_integration_transport_test_transport_rfc1006_LDADD = $(TRANSPORT_TEST_LIBS)

check_PROGRAMS += tests/integration/transport/test_transport_tls
TESTS += tests/integration/transport/test_transport_tls
tests_integration_transport_test_transport_tls_SOURCES = \
	tests/integration/transport/test_transport_tls.c
tests_integration_transport_test_transport_tls_CFLAGS = $(TEST_CFLAGS)
tests_integration_transport_test_transport_tls_LDADD = $(TRANSPORT_TEST_LIBS)

check_PROGRAMS += tests/integration/transport/test_transport_config
TESTS += tests/integration/transport/test_transport_config
tests_integration_transport_test_transport_config_SOURCES = \
	tests/integration/transport/test_transport_config.c
tests_integration_transport_test_transport_config_CFLAGS = $(TEST_CFLAGS)
tests_integration_transport_test_transport_config_LDADD = tests/lib/libx4test.la $(TEST_LIBS)
