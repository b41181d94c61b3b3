# tests/integration/osi
