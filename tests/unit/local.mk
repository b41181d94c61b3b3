# tests/unit: CMocka unit tests.
