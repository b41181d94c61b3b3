# asn1/ MHS codecs: X.411 (MTS), X.413 (MS), X.420 (IPM), O/R address text forms.
# Implemented ASN.1 subsets: asn1/{mts,ms,ipms}.asn.
libx400ms_la_SOURCES += \
	asn1/mhs.c asn1/orname.c asn1/oraddr_text.c asn1/mts.c asn1/ms.c asn1/ipms.c
noinst_HEADERS += asn1/mhs.h asn1/orname.h asn1/mts.h asn1/ms.h asn1/ipms.h
EXTRA_DIST += asn1/mts.asn asn1/ms.asn asn1/ipms.asn
noinst_HEADERS += asn1/mhs_set.h
