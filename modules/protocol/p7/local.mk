# modules/protocol/p7: the P7 module (X.413), the P7 client library
# (include/x400ms/client.h, tools/client), the x400ms CLI (tools/cli), their
# integration tests (tests/integration/p7) and benchmark (bench/p7).
# See docs/p7.md.

p7_sources = \
	modules/protocol/p7/p7.h \
	modules/protocol/p7/module.c \
	modules/protocol/p7/bind.c \
	modules/protocol/p7/attrs.c \
	modules/protocol/p7/retrieval.c \
	modules/protocol/p7/admin.c \
	modules/protocol/p7/regs.c \
	modules/protocol/p7/reply.c \
	modules/protocol/p7/submit.c \
	modules/protocol/p7/alert.c \
	modules/protocol/p7/verify.c \
	modules/protocol/p7/metrics.c
if BUILD_MODULE_P7
if MODULE_P7_STATIC
noinst_LTLIBRARIES += modules/protocol/p7/libp7-builtin.la
modules_protocol_p7_libp7_builtin_la_SOURCES = $(p7_sources)
modules_protocol_p7_libp7_builtin_la_CFLAGS = $(AM_CFLAGS) -DX400MS_BUILTIN_MODULE=p7
X400MSD_STATIC_MODULE_LIBS += modules/protocol/p7/libp7-builtin.la
else
pkglib_LTLIBRARIES += modules/p7.la
modules_p7_la_SOURCES = $(p7_sources)
modules_p7_la_LDFLAGS = $(MODULE_LINK_FLAGS)
modules_p7_la_LIBADD = $(MODULE_LINK_LIBS) $(OPENSSL_LIBS) $(PTHREAD_LIBS)
endif
endif

# The P7 client library: a UA's side of X.413 on the project's OSI stack.
lib_LTLIBRARIES += libx400ms-client.la
libx400ms_client_la_SOURCES = \
	include/x400ms/client.h \
	tools/client/client-private.h tools/client/client-ops.h \
	tools/client/embed.c tools/client/client.c tools/client/ops.c tools/client/send.c
libx400ms_client_la_CFLAGS = $(AM_CFLAGS)
libx400ms_client_la_LIBADD = libx400ms.la $(JANSSON_LIBS) $(LTDL_LIBS) $(PTHREAD_LIBS)
libx400ms_client_la_LDFLAGS = $(AM_LDFLAGS) -version-info 0:0:0
x400msinclude_HEADERS += include/x400ms/client.h include/x400ms/bind_event.h

# Integration tests: the real daemon with rfc1006 + store_file + p7.
check_LTLIBRARIES += tests/integration/p7/libp7test.la
tests_integration_p7_libp7test_la_SOURCES = tests/integration/p7/p7test.c tests/integration/p7/p7test.h
tests_integration_p7_libp7test_la_CFLAGS = $(TEST_CFLAGS)

# A tests-only module registering an auto-action type, so Register-MS can
# be tested before the auto-action modules exist.
check_LTLIBRARIES += tests/integration/p7/fakeaction.la
tests_integration_p7_fakeaction_la_SOURCES = tests/integration/p7/fakeaction.c
tests_integration_p7_fakeaction_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared -rpath /nowhere
tests_integration_p7_fakeaction_la_LIBADD = libx400ms.la $(JANSSON_LIBS)

# A tests-only MTS provider with scripted answers (indirect submission tests).
check_LTLIBRARIES += tests/integration/p7/fakemts.la
tests_integration_p7_fakemts_la_SOURCES = tests/integration/p7/fakemts.c
tests_integration_p7_fakemts_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared -rpath /nowhere
tests_integration_p7_fakemts_la_LIBADD = libx400ms.la $(JANSSON_LIBS) $(PTHREAD_LIBS)

P7_TEST_LIBS = tests/integration/p7/libp7test.la libx400ms-client.la tests/lib/libx4pcap.la \
	tests/lib/libx4test.la modules/store/file/libstorefile.la $(TEST_LIBS)

check_PROGRAMS += tests/integration/p7/test_p7_ops
TESTS += tests/integration/p7/test_p7_ops
tests_integration_p7_test_p7_ops_SOURCES = tests/integration/p7/test_p7_ops.c
tests_integration_p7_test_p7_ops_CFLAGS = $(TEST_CFLAGS)
tests_integration_p7_test_p7_ops_LDADD = $(P7_TEST_LIBS)

# Indirect submission and Alert through the daemon (fakemts, autoaction, alert).
check_PROGRAMS += tests/integration/p7/test_p7_submit
TESTS += tests/integration/p7/test_p7_submit
tests_integration_p7_test_p7_submit_SOURCES = tests/integration/p7/test_p7_submit.c \
	tools/admin/http_client.c tools/admin/http_client.h
tests_integration_p7_test_p7_submit_CFLAGS = $(TEST_CFLAGS) $(P7T_ADMIN_CFLAGS)
# the metrics test needs the admin API module (GET /api/v1/metrics)
if BUILD_MODULE_ADMIN_API
P7T_ADMIN_CFLAGS = -DP7T_HAVE_ADMIN_API=1
else
P7T_ADMIN_CFLAGS =
endif
tests_integration_p7_test_p7_submit_LDADD = $(P7_TEST_LIBS)
EXTRA_tests_integration_p7_test_p7_submit_DEPENDENCIES = tests/integration/p7/fakemts.la \
	tests/integration/p7/libp7test.la libx400ms-client.la

# The CLI session of issue 6 through the local MTA (skips until mta_local is built).
check_PROGRAMS += tests/integration/p7/test_p7_cli_send
TESTS += tests/integration/p7/test_p7_cli_send
tests_integration_p7_test_p7_cli_send_SOURCES = tests/integration/p7/test_p7_cli_send.c
tests_integration_p7_test_p7_cli_send_CFLAGS = $(TEST_CFLAGS)
tests_integration_p7_test_p7_cli_send_LDADD = $(P7_TEST_LIBS)

# tools/x400ms: the P7 command-line client.
bin_PROGRAMS += tools/x400ms
tools_x400ms_SOURCES = tools/cli/x400ms.c tools/cli/cli.h tools/cli/send.c tools/cli/watch.c
tools_x400ms_LDADD = libx400ms-client.la libx400ms.la $(JANSSON_LIBS) $(PTHREAD_LIBS)

# List continuation across 10,000 entries, and the CLI against the daemon.
check_PROGRAMS += tests/integration/p7/test_p7_big
TESTS += tests/integration/p7/test_p7_big
tests_integration_p7_test_p7_big_SOURCES = tests/integration/p7/test_p7_big.c
tests_integration_p7_test_p7_big_CFLAGS = $(TEST_CFLAGS)
tests_integration_p7_test_p7_big_LDADD = $(P7_TEST_LIBS)

# bench/p7: list and fetch round trips on a large mailbox. Built by
# `make check` so it keeps compiling, never run there: run it by hand.
check_PROGRAMS += bench/p7/bench_p7
bench_p7_bench_p7_SOURCES = bench/p7/bench_p7.c
bench_p7_bench_p7_CFLAGS = $(TEST_CFLAGS)
bench_p7_bench_p7_LDADD = $(P7_TEST_LIBS)

# bench/p7/bench_bind: good-bind latency under a wrong-password flood (make bench).
EXTRA_PROGRAMS += bench/p7/bench_bind
BENCH_TARGETS += bench/p7/bench_bind
bench_p7_bench_bind_SOURCES = bench/p7/bench_bind.c
bench_p7_bench_bind_CFLAGS = $(TEST_CFLAGS)
bench_p7_bench_bind_LDADD = $(P7_TEST_LIBS)

# A tests-only module recording the bind/unbind hook events into a file.
check_LTLIBRARIES += tests/integration/p7/bindrec.la
tests_integration_p7_bindrec_la_SOURCES = tests/integration/p7/bindrec.c
tests_integration_p7_bindrec_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared -rpath /nowhere
tests_integration_p7_bindrec_la_LIBADD = libx400ms.la $(JANSSON_LIBS)

# The reliable contexts over RTSE end to end, and the bind hooks.
check_PROGRAMS += tests/integration/p7/test_p7_rtse
TESTS += tests/integration/p7/test_p7_rtse
tests_integration_p7_test_p7_rtse_SOURCES = tests/integration/p7/test_p7_rtse.c
tests_integration_p7_test_p7_rtse_CFLAGS = $(TEST_CFLAGS)
tests_integration_p7_test_p7_rtse_LDADD = $(P7_TEST_LIBS)
EXTRA_tests_integration_p7_test_p7_rtse_DEPENDENCIES = tests/integration/p7/bindrec.la

# bench/p7/bench_alert: delivery (local MTA, P3, or the fakemts test module)
# -> Alert -> Fetch latency for 1, 10 and 100 bound UAs (make bench).
EXTRA_PROGRAMS += bench/p7/bench_alert
BENCH_TARGETS += bench/p7/bench_alert
bench_p7_bench_alert_SOURCES = bench/p7/bench_alert.c bench/alert/p3_mta.c bench/alert/p3_mta.h \
	tools/mta/common.c
bench_p7_bench_alert_CFLAGS = $(TEST_CFLAGS)
bench_p7_bench_alert_LDADD = $(P7_TEST_LIBS)
