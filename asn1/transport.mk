# asn1/ TPKT (RFC 1006) and X.224 class 0 TPDU codec.
libx400ms_la_SOURCES += asn1/tpkt.c asn1/tpkt.h
