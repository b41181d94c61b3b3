# modules/transport/rfc1006
