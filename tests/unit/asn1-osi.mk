# tests/unit/asn1-osi: BER runtime and OSI upper-layer codec tests.
# Run: make check TESTS='tests/unit/test_asn1_ber tests/unit/test_asn1_osi'

# libx4pcap: pcap writer + tshark check, for any protocol test (header tests/lib/x4pcap.h).
check_LTLIBRARIES += tests/lib/libx4pcap.la
tests_lib_libx4pcap_la_SOURCES = tests/lib/pcap.c tests/lib/tshark_check.c
tests_lib_libx4pcap_la_CFLAGS = $(AM_CFLAGS)
noinst_HEADERS += tests/lib/x4pcap.h tests/lib/pcap.h tests/lib/tshark_check.h

check_PROGRAMS += tests/unit/test_asn1_ber tests/unit/test_asn1_osi
TESTS += tests/unit/test_asn1_ber tests/unit/test_asn1_osi
tests_unit_test_asn1_ber_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_asn1_ber_LDADD = $(TEST_LIBS)
tests_unit_test_asn1_osi_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_asn1_osi_LDADD = tests/lib/libx4pcap.la $(TEST_LIBS)
EXTRA_DIST += tests/vectors
