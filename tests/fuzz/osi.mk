# tests/fuzz/osi
