# tests/unit/store
