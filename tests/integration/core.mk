# tests/integration/core
