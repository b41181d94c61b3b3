# modules/protocol/p3: the P3 module (X.411 MTS access), the MTS provider
# header include/x400ms/mts.h, the x400ms-mta test MTA (tools/mta), the P3
# integration tests (tests/integration/p3) and bench/delivery.
# See docs/p3.md.
x400msinclude_HEADERS += include/x400ms/mts.h

# Delivery helpers shared by p3, mta_local and x400ms-mta (index attributes
# of a delivery, the stored envelope, mailbox lookup by O/R address).
libx400ms_la_SOURCES += modules/protocol/p3/mtsutil.c modules/protocol/p3/mtsutil.h \
	modules/protocol/p3/mtsac.c modules/protocol/p3/mtsac.h \
	modules/protocol/p3/mbindex.c modules/protocol/p3/mbindex.h \
	modules/protocol/p3/upadmin.c modules/protocol/p3/upadmin.h

p3_sources = \
	modules/protocol/p3/p3.h \
	modules/protocol/p3/pool.c modules/protocol/p3/pool.h \
	modules/protocol/p3/module.c \
	modules/protocol/p3/bind.c \
	modules/protocol/p3/deliver.c \
	modules/protocol/p3/metrics.c modules/protocol/p3/metrics.h \
	modules/protocol/p3/upstream.c modules/protocol/p3/upstream.h
# The P3 endpoint for user agents (mts-access; docs/p3.md "P3 user agents").
p3_sources += \
	modules/protocol/p3/ua_endpoint.c modules/protocol/p3/ua_endpoint.h \
	modules/protocol/p3/ua_session.h modules/protocol/p3/ua_bind.c \
	modules/protocol/p3/ua_submit.c modules/protocol/p3/ua_push.c \
	modules/protocol/p3/ua_admin.c
if BUILD_MODULE_P3
if MODULE_P3_STATIC
noinst_LTLIBRARIES += modules/protocol/p3/libp3-builtin.la
modules_protocol_p3_libp3_builtin_la_SOURCES = $(p3_sources)
modules_protocol_p3_libp3_builtin_la_CFLAGS = $(AM_CFLAGS) -DX400MS_BUILTIN_MODULE=p3
X400MSD_STATIC_MODULE_LIBS += modules/protocol/p3/libp3-builtin.la
else
pkglib_LTLIBRARIES += modules/p3.la
modules_p3_la_SOURCES = $(p3_sources)
modules_p3_la_LDFLAGS = $(MODULE_LINK_FLAGS)
modules_p3_la_LIBADD = $(MODULE_LINK_LIBS) $(PTHREAD_LIBS)
endif
endif
EXTRA_DIST += docs/p3.md

# tools/x400ms-mta: a test MTA speaking P3 (deliver to an MS; serve as an upstream MTA).
bin_PROGRAMS += tools/x400ms-mta
tools_x400ms_mta_SOURCES = tools/mta/mta.h tools/mta/main.c tools/mta/deliver.c tools/mta/embed.c \
	tools/mta/serve.c
tools_x400ms_mta_SOURCES += tools/mta/ua.c tools/mta/common.c
tools_x400ms_mta_LDADD = libx400ms.la $(JANSSON_LIBS) $(LTDL_LIBS) $(PTHREAD_LIBS)

# Integration tests: the real daemon (rfc1006 + store_file + p3 [+ mta_local])
# and the real x400ms-mta over real sockets.
check_LTLIBRARIES += tests/integration/p3/libp3test.la
tests_integration_p3_libp3test_la_SOURCES = tests/integration/p3/p3test.c tests/integration/p3/p3test.h
tests_integration_p3_libp3test_la_CFLAGS = $(TEST_CFLAGS)
P3_TEST_LIBS = tests/integration/p3/libp3test.la tests/lib/libx4pcap.la tests/lib/libx4test.la \
	modules/store/file/libstorefile.la $(TEST_LIBS)

check_PROGRAMS += tests/integration/p3/test_p3_deliver
TESTS += tests/integration/p3/test_p3_deliver
tests_integration_p3_test_p3_deliver_SOURCES = tests/integration/p3/test_p3_deliver.c
tests_integration_p3_test_p3_deliver_CFLAGS = $(TEST_CFLAGS)
tests_integration_p3_test_p3_deliver_LDADD = $(P3_TEST_LIBS)

# bench/delivery: x400ms-mta into the daemon, 1/4 associations, 1/100 mailboxes.
EXTRA_PROGRAMS += bench/delivery/bench_delivery
BENCH_TARGETS += bench/delivery/bench_delivery
bench_delivery_bench_delivery_SOURCES = bench/delivery/bench_delivery.c
bench_delivery_bench_delivery_CFLAGS = $(TEST_CFLAGS)
bench_delivery_bench_delivery_LDADD = $(P3_TEST_LIBS)

check_PROGRAMS += tests/integration/p3/test_p3_reliable
TESTS += tests/integration/p3/test_p3_reliable
tests_integration_p3_test_p3_reliable_SOURCES = tests/integration/p3/test_p3_reliable.c
tests_integration_p3_test_p3_reliable_CFLAGS = $(TEST_CFLAGS)
tests_integration_p3_test_p3_reliable_LDADD = $(P3_TEST_LIBS)

# The submission initiator against a real `x400ms-mta serve` (uses the
# test-only module mta_test_submit of tests/integration/mta).
check_PROGRAMS += tests/integration/p3/test_p3_upstream
TESTS += tests/integration/p3/test_p3_upstream
tests_integration_p3_test_p3_upstream_SOURCES = tests/integration/p3/test_p3_upstream.c \
	tools/admin/http_client.c tools/admin/http_client.h
tests_integration_p3_test_p3_upstream_CFLAGS = $(TEST_CFLAGS)
tests_integration_p3_test_p3_upstream_LDADD = $(P3_TEST_LIBS)
EXTRA_tests_integration_p3_test_p3_upstream_DEPENDENCIES = tests/integration/mta/mta_test_submit.la \
	tests/integration/p3/libp3test.la tests/lib/libx4test.la libx400ms.la tools/x400ms-mta

# The P3 endpoint for user agents: `x400ms-mta ua` against the daemon
# (rfc1006 + store_file + mta_local + p3 with "ua").
check_PROGRAMS += tests/integration/p3/test_p3_ua
TESTS += tests/integration/p3/test_p3_ua
tests_integration_p3_test_p3_ua_SOURCES = tests/integration/p3/test_p3_ua.c
tests_integration_p3_test_p3_ua_CFLAGS = $(TEST_CFLAGS)
tests_integration_p3_test_p3_ua_LDADD = $(P3_TEST_LIBS)
EXTRA_tests_integration_p3_test_p3_ua_DEPENDENCIES = tools/x400ms-mta
