# tests/integration: tests against a real daemon over real sockets.
