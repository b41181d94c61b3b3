# tests/unit/asn1-osi
