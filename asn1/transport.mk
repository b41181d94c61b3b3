# asn1/ TPKT (RFC 1006) and X.224 class 0 TPDU codec.
