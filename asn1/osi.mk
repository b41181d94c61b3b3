# asn1/ BER runtime and OSI upper-layer codecs (session, presentation, ACSE, ROSE, RTSE).
