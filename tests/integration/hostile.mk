# tests/integration/hostile: hostile-input suite (owner: ops).
