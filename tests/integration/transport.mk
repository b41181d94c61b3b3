# tests/integration/transport
