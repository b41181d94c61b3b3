# tests/fuzz: libFuzzer targets; each also builds as a replay program that
# make check runs over its corpus (tests/fuzz/corpus/TARGET/).
include $(srcdir)/tests/fuzz/osi.mk
include $(srcdir)/tests/fuzz/mhs.mk
