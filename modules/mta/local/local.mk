# modules/mta/local: the embedded local MTA, module "mta_local" (the default
# MTS provider, include/x400ms/mts.h), and its integration tests
# (tests/integration/mta). See docs/mta-local.md.
mta_local_sources = \
	modules/mta/local/mta.h \
	modules/mta/local/module.c \
	modules/mta/local/submit.c \
	modules/mta/local/queue.c \
	modules/mta/local/deliver.c \
	modules/mta/local/relay.c \
	modules/mta/local/metrics.c
if BUILD_MODULE_MTA_LOCAL
if MODULE_MTA_LOCAL_STATIC
noinst_LTLIBRARIES += modules/mta/local/libmta_local-builtin.la
modules_mta_local_libmta_local_builtin_la_SOURCES = $(mta_local_sources)
modules_mta_local_libmta_local_builtin_la_CFLAGS = $(AM_CFLAGS) -DX400MS_BUILTIN_MODULE=mta_local
X400MSD_STATIC_MODULE_LIBS += modules/mta/local/libmta_local-builtin.la
else
pkglib_LTLIBRARIES += modules/mta_local.la
modules_mta_local_la_SOURCES = $(mta_local_sources)
modules_mta_local_la_LDFLAGS = $(MODULE_LINK_FLAGS)
modules_mta_local_la_LIBADD = $(MODULE_LINK_LIBS) $(PTHREAD_LIBS)
endif
endif
EXTRA_DIST += docs/mta-local.md

# Integration tests: the real daemon (store_file + admin_api + mta_local) and
# a test-only module that submits through mts.h from admin routes.
check_LTLIBRARIES += tests/integration/mta/mta_test_submit.la
tests_integration_mta_mta_test_submit_la_SOURCES = tests/integration/mta/mta_test_module.c
tests_integration_mta_mta_test_submit_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version \
	-shared -rpath /nowhere -export-symbols-regex '^x400ms_module_entry$$'
tests_integration_mta_mta_test_submit_la_LIBADD = $(MODULE_LINK_LIBS) $(PTHREAD_LIBS)

check_PROGRAMS += tests/integration/mta/test_mta_local
TESTS += tests/integration/mta/test_mta_local
tests_integration_mta_test_mta_local_SOURCES = tests/integration/mta/test_mta_local.c \
	tools/admin/http_client.c tools/admin/http_client.h
tests_integration_mta_test_mta_local_CFLAGS = $(TEST_CFLAGS)
tests_integration_mta_test_mta_local_LDADD = tests/lib/libx4test.la $(TEST_LIBS)
EXTRA_tests_integration_mta_test_mta_local_DEPENDENCIES = tests/integration/mta/mta_test_submit.la \
	tests/lib/libx4test.la libx400ms.la

# The relay of foreign recipients to p3's upstream (a real x400ms-mta serve).
check_PROGRAMS += tests/integration/mta/test_mta_relay
TESTS += tests/integration/mta/test_mta_relay
tests_integration_mta_test_mta_relay_SOURCES = tests/integration/mta/test_mta_relay.c \
	tools/admin/http_client.c tools/admin/http_client.h
tests_integration_mta_test_mta_relay_CFLAGS = $(TEST_CFLAGS)
tests_integration_mta_test_mta_relay_LDADD = tests/lib/libx4test.la $(TEST_LIBS)
EXTRA_tests_integration_mta_test_mta_relay_DEPENDENCIES = tests/integration/mta/mta_test_submit.la \
	tests/lib/libx4test.la libx400ms.la tools/x400ms-mta
