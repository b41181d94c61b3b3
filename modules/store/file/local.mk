# modules/store/file
