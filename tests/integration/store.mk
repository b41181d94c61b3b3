# tests/integration/store
