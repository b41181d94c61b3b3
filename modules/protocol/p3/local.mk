# modules/protocol/p3
