# tests/fuzz: libFuzzer targets; each also builds as a replay program run by make check.
