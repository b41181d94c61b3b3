# tests/unit/core
