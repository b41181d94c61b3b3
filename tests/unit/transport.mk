# tests/unit/transport
