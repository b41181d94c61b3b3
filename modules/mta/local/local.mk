# modules/mta/local
