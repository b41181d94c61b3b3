# modules/action/alert
