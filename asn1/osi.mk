# asn1/ BER runtime and OSI upper-layer codecs (session, presentation, ACSE, ROSE, RTSE).
# Owner: helper "ber". Implemented ASN.1 subsets: asn1/{pres,acse,ros,rtse}.asn.
libx400ms_la_SOURCES += \
	asn1/ber.c asn1/ber_value.c asn1/ber_oid.c asn1/ber_time.c asn1/ber_writer.c \
	asn1/oid.c
noinst_HEADERS += asn1/ber.h asn1/oid.h
