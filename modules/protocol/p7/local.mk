# modules/protocol/p7
