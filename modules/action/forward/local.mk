# modules/action/forward
