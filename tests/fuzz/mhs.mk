# tests/fuzz/mhs: fuzz targets of the MHS decoders.
# Each builds as a replay program (tests/fuzz/replay_main.c)
# that make check runs over tests/fuzz/corpus/TARGET/; with --enable-fuzzing
# (CC=clang) the libFuzzer binaries are built too:
#   tests/fuzz/fuzz_p7arg -max_total_time=60 $(srcdir)/tests/fuzz/corpus/p7arg
check_PROGRAMS += tests/fuzz/replay_msbind tests/fuzz/replay_p7arg tests/fuzz/replay_p3env \
	tests/fuzz/replay_ipm
TESTS += tests/fuzz/replay_msbind tests/fuzz/replay_p7arg tests/fuzz/replay_p3env \
	tests/fuzz/replay_ipm
tests_fuzz_replay_msbind_SOURCES = tests/fuzz/fuzz_msbind.c tests/fuzz/replay_main.c
tests_fuzz_replay_msbind_CFLAGS = $(AM_CFLAGS) -DFUZZ_CORPUS='"msbind"'
tests_fuzz_replay_msbind_LDADD = libx400ms.la
tests_fuzz_replay_p7arg_SOURCES = tests/fuzz/fuzz_p7arg.c tests/fuzz/replay_main.c
tests_fuzz_replay_p7arg_CFLAGS = $(AM_CFLAGS) -DFUZZ_CORPUS='"p7arg"'
tests_fuzz_replay_p7arg_LDADD = libx400ms.la
tests_fuzz_replay_p3env_SOURCES = tests/fuzz/fuzz_p3env.c tests/fuzz/replay_main.c
tests_fuzz_replay_p3env_CFLAGS = $(AM_CFLAGS) -DFUZZ_CORPUS='"p3env"'
tests_fuzz_replay_p3env_LDADD = libx400ms.la
tests_fuzz_replay_ipm_SOURCES = tests/fuzz/fuzz_ipm.c tests/fuzz/replay_main.c
tests_fuzz_replay_ipm_CFLAGS = $(AM_CFLAGS) -DFUZZ_CORPUS='"ipm"'
tests_fuzz_replay_ipm_LDADD = libx400ms.la

if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_msbind tests/fuzz/fuzz_p7arg tests/fuzz/fuzz_p3env \
	tests/fuzz/fuzz_ipm
MHS_FUZZ_COMPILE = $(AM_CFLAGS) -fsanitize=fuzzer
MHS_FUZZ_LINK = -fsanitize=fuzzer
tests_fuzz_fuzz_msbind_SOURCES = tests/fuzz/fuzz_msbind.c
tests_fuzz_fuzz_msbind_CFLAGS = $(MHS_FUZZ_COMPILE)
tests_fuzz_fuzz_msbind_LDFLAGS = $(MHS_FUZZ_LINK)
tests_fuzz_fuzz_msbind_LDADD = libx400ms.la
tests_fuzz_fuzz_p7arg_SOURCES = tests/fuzz/fuzz_p7arg.c
tests_fuzz_fuzz_p7arg_CFLAGS = $(MHS_FUZZ_COMPILE)
tests_fuzz_fuzz_p7arg_LDFLAGS = $(MHS_FUZZ_LINK)
tests_fuzz_fuzz_p7arg_LDADD = libx400ms.la
tests_fuzz_fuzz_p3env_SOURCES = tests/fuzz/fuzz_p3env.c
tests_fuzz_fuzz_p3env_CFLAGS = $(MHS_FUZZ_COMPILE)
tests_fuzz_fuzz_p3env_LDFLAGS = $(MHS_FUZZ_LINK)
tests_fuzz_fuzz_p3env_LDADD = libx400ms.la
tests_fuzz_fuzz_ipm_SOURCES = tests/fuzz/fuzz_ipm.c
tests_fuzz_fuzz_ipm_CFLAGS = $(MHS_FUZZ_COMPILE)
tests_fuzz_fuzz_ipm_LDFLAGS = $(MHS_FUZZ_LINK)
tests_fuzz_fuzz_ipm_LDADD = libx400ms.la
endif
