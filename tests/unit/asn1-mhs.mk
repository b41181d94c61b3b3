# tests/unit/asn1-mhs: X.411 / X.413 / X.420 codec and O/R address tests.
# Run: make check TESTS='tests/unit/test_asn1_orname tests/unit/test_asn1_mts tests/unit/test_asn1_ms
#   tests/unit/test_asn1_ipms tests/unit/test_asn1_mhs_tshark'
# test_asn1_mhs_tshark needs tests/lib/libx4pcap.la (tests/unit/asn1-osi.mk).
noinst_HEADERS += tests/unit/mhs_test_util.h
check_PROGRAMS += tests/unit/test_asn1_orname tests/unit/test_asn1_mts tests/unit/test_asn1_ms \
	tests/unit/test_asn1_ipms tests/unit/test_asn1_mhs_tshark
TESTS += tests/unit/test_asn1_orname tests/unit/test_asn1_mts tests/unit/test_asn1_ms \
	tests/unit/test_asn1_ipms tests/unit/test_asn1_mhs_tshark
tests_unit_test_asn1_orname_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_asn1_orname_LDADD = $(TEST_LIBS)
tests_unit_test_asn1_mts_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_asn1_mts_LDADD = $(TEST_LIBS)
tests_unit_test_asn1_ms_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_asn1_ms_LDADD = $(TEST_LIBS)
tests_unit_test_asn1_ipms_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_asn1_ipms_LDADD = $(TEST_LIBS)
tests_unit_test_asn1_mhs_tshark_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_asn1_mhs_tshark_LDADD = tests/lib/libx4pcap.la $(TEST_LIBS)
