# tests/unit/asn1-mhs
