# tests/unit/asn1-osi: BER runtime and OSI upper-layer codec tests (owner: helper "ber").
check_PROGRAMS += tests/unit/test_asn1_ber
TESTS += tests/unit/test_asn1_ber
tests_unit_test_asn1_ber_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_asn1_ber_LDADD = $(TEST_LIBS)
