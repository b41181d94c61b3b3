# modules/protocol/rtse
