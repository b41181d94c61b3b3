# tests/unit/osi
