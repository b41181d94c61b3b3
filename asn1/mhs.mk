# asn1/ MHS codecs: X.411 (MTS), X.413 (MS), X.420 (IPM), O/R address text forms.
