# dist/ and man/: service files and man pages (owner: ops).
