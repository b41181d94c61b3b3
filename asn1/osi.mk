# asn1/ BER runtime and OSI upper-layer codecs (session, presentation, ACSE, ROSE, RTSE).
# Implemented ASN.1 subsets: asn1/{pres,acse,ros,rtse}.asn.
libx400ms_la_SOURCES += \
	asn1/ber.c asn1/ber_value.c asn1/ber_oid.c asn1/ber_time.c asn1/ber_writer.c \
	asn1/oid.c
noinst_HEADERS += asn1/ber.h asn1/oid.h
libx400ms_la_SOURCES += asn1/spdu.c asn1/pres.c asn1/acse.c asn1/ros.c asn1/rtse.c
noinst_HEADERS += asn1/spdu.h asn1/pres.h asn1/acse.h asn1/ros.h asn1/rtse.h
EXTRA_DIST += asn1/pres.asn asn1/acse.asn asn1/ros.asn asn1/rtse.asn
