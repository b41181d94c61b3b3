# admin-api/: the JSON HTTP admin module.
