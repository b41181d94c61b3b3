# modules/transport/tls
