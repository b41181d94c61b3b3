# tests/fuzz/mhs
