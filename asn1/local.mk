# asn1/: the BER runtime and the codecs, all part of libx400ms.
include $(srcdir)/asn1/osi.mk
include $(srcdir)/asn1/mhs.mk
include $(srcdir)/asn1/transport.mk
