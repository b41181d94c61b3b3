# bench/asn1
