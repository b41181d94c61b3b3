# tests/fuzz/osi: fuzz targets of the OSI decoders.
# Each target also builds as a replay program (replay_main.c) that make check
# runs over tests/fuzz/corpus/TARGET/ without clang. With --enable-fuzzing
# (CC=clang) the libFuzzer binaries tests/fuzz/fuzz_TARGET are built too:
#   tests/fuzz/fuzz_spdu -max_total_time=60 $(srcdir)/tests/fuzz/corpus/spdu
noinst_HEADERS += tests/fuzz/fuzz_common.h
EXTRA_DIST += tests/fuzz/corpus

check_PROGRAMS += tests/fuzz/replay_spdu tests/fuzz/replay_ppdu tests/fuzz/replay_acse \
	tests/fuzz/replay_ros tests/fuzz/replay_rtse
TESTS += tests/fuzz/replay_spdu tests/fuzz/replay_ppdu tests/fuzz/replay_acse \
	tests/fuzz/replay_ros tests/fuzz/replay_rtse
tests_fuzz_replay_spdu_SOURCES = tests/fuzz/fuzz_spdu.c tests/fuzz/replay_main.c
tests_fuzz_replay_spdu_CFLAGS = $(AM_CFLAGS) -DFUZZ_CORPUS='"spdu"'
tests_fuzz_replay_spdu_LDADD = libx400ms.la
tests_fuzz_replay_ppdu_SOURCES = tests/fuzz/fuzz_ppdu.c tests/fuzz/replay_main.c
tests_fuzz_replay_ppdu_CFLAGS = $(AM_CFLAGS) -DFUZZ_CORPUS='"ppdu"'
tests_fuzz_replay_ppdu_LDADD = libx400ms.la
tests_fuzz_replay_acse_SOURCES = tests/fuzz/fuzz_acse.c tests/fuzz/replay_main.c
tests_fuzz_replay_acse_CFLAGS = $(AM_CFLAGS) -DFUZZ_CORPUS='"acse"'
tests_fuzz_replay_acse_LDADD = libx400ms.la
tests_fuzz_replay_ros_SOURCES = tests/fuzz/fuzz_ros.c tests/fuzz/replay_main.c
tests_fuzz_replay_ros_CFLAGS = $(AM_CFLAGS) -DFUZZ_CORPUS='"ros"'
tests_fuzz_replay_ros_LDADD = libx400ms.la
tests_fuzz_replay_rtse_SOURCES = tests/fuzz/fuzz_rtse.c tests/fuzz/replay_main.c
tests_fuzz_replay_rtse_CFLAGS = $(AM_CFLAGS) -DFUZZ_CORPUS='"rtse"'
tests_fuzz_replay_rtse_LDADD = libx400ms.la

if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_spdu tests/fuzz/fuzz_ppdu tests/fuzz/fuzz_acse \
	tests/fuzz/fuzz_ros tests/fuzz/fuzz_rtse
OSI_FUZZ_COMPILE = $(AM_CFLAGS) -fsanitize=fuzzer
OSI_FUZZ_LINK = -fsanitize=fuzzer
tests_fuzz_fuzz_spdu_SOURCES = tests/fuzz/fuzz_spdu.c
tests_fuzz_fuzz_spdu_CFLAGS = $(OSI_FUZZ_COMPILE)
tests_fuzz_fuzz_spdu_LDFLAGS = $(OSI_FUZZ_LINK)
tests_fuzz_fuzz_spdu_LDADD = libx400ms.la
tests_fuzz_fuzz_ppdu_SOURCES = tests/fuzz/fuzz_ppdu.c
tests_fuzz_fuzz_ppdu_CFLAGS = $(OSI_FUZZ_COMPILE)
tests_fuzz_fuzz_ppdu_LDFLAGS = $(OSI_FUZZ_LINK)
tests_fuzz_fuzz_ppdu_LDADD = libx400ms.la
tests_fuzz_fuzz_acse_SOURCES = tests/fuzz/fuzz_acse.c
tests_fuzz_fuzz_acse_CFLAGS = $(OSI_FUZZ_COMPILE)
tests_fuzz_fuzz_acse_LDFLAGS = $(OSI_FUZZ_LINK)
tests_fuzz_fuzz_acse_LDADD = libx400ms.la
tests_fuzz_fuzz_ros_SOURCES = tests/fuzz/fuzz_ros.c
tests_fuzz_fuzz_ros_CFLAGS = $(OSI_FUZZ_COMPILE)
tests_fuzz_fuzz_ros_LDFLAGS = $(OSI_FUZZ_LINK)
tests_fuzz_fuzz_ros_LDADD = libx400ms.la
tests_fuzz_fuzz_rtse_SOURCES = tests/fuzz/fuzz_rtse.c
tests_fuzz_fuzz_rtse_CFLAGS = $(OSI_FUZZ_COMPILE)
tests_fuzz_fuzz_rtse_LDFLAGS = $(OSI_FUZZ_LINK)
tests_fuzz_fuzz_rtse_LDADD = libx400ms.la
endif
