# admin-api/: the JSON HTTP admin module "admin_api" (libmicrohttpd + jansson),
# its OpenAPI document, the x400ms-admin CLI (tools/admin/) and their tests.

# Everything but the module descriptor, shared by the module (loadable or
# built in) and the tests.
noinst_LTLIBRARIES += admin-api/libadminapi.la
admin_api_libadminapi_la_SOURCES = \
	admin-api/router.c admin-api/router.h \
	admin-api/jspec.c admin-api/jspec.h \
	admin-api/reply.c \
	admin-api/http.c admin-api/http.h \
	admin-api/token.c admin-api/token.h \
	admin-api/jobs.c admin-api/jobs.h \
	admin-api/jobs_file.c admin-api/jobs_file.h \
	admin-api/util.c admin-api/util.h \
	admin-api/oraddr.c admin-api/oraddr.h \
	admin-api/metrics.c admin-api/metrics.h \
	admin-api/mta_accounts.c admin-api/mta_accounts.h \
	admin-api/routes.c admin-api/server.h \
	admin-api/routes_system.c \
	admin-api/routes_mailboxes.c \
	admin-api/routes_entries.c \
	admin-api/routes_mtas.c \
	admin-api/routes_jobs.c
admin_api_libadminapi_la_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS)
admin_api_libadminapi_la_LIBADD = $(MHD_LIBS) $(OPENSSL_LIBS) $(JANSSON_LIBS) -lm

x400msinclude_HEADERS += include/x400ms/admin.h include/x400ms/metrics.h \
	include/x400ms/mta_accounts.h
EXTRA_DIST += admin-api/openapi.yaml

if BUILD_MODULE_ADMIN_API
if MODULE_ADMIN_API_STATIC
noinst_LTLIBRARIES += admin-api/libadmin_api-builtin.la
admin_api_libadmin_api_builtin_la_SOURCES = admin-api/module.c
admin_api_libadmin_api_builtin_la_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) -DX400MS_BUILTIN_MODULE=admin_api
admin_api_libadmin_api_builtin_la_LIBADD = admin-api/libadminapi.la
X400MSD_STATIC_MODULE_LIBS += admin-api/libadmin_api-builtin.la
else
pkglib_LTLIBRARIES += modules/admin_api.la
modules_admin_api_la_SOURCES = admin-api/module.c
modules_admin_api_la_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS)
modules_admin_api_la_LDFLAGS = $(MODULE_LINK_FLAGS)
modules_admin_api_la_LIBADD = admin-api/libadminapi.la $(MODULE_LINK_LIBS) $(MHD_LIBS) $(OPENSSL_LIBS)
endif
endif

# ---- unit tests ----
check_PROGRAMS += admin-api/tests/test_admin_router admin-api/tests/test_admin_jspec
TESTS += admin-api/tests/test_admin_router admin-api/tests/test_admin_jspec
admin_api_tests_test_admin_router_SOURCES = admin-api/tests/test_admin_router.c \
	admin-api/router.c admin-api/router.h
admin_api_tests_test_admin_router_CFLAGS = $(TEST_CFLAGS)
admin_api_tests_test_admin_router_LDADD = $(TEST_LIBS)
admin_api_tests_test_admin_jspec_SOURCES = admin-api/tests/test_admin_jspec.c \
	admin-api/jspec.c admin-api/jspec.h
admin_api_tests_test_admin_jspec_CFLAGS = $(TEST_CFLAGS)
admin_api_tests_test_admin_jspec_LDADD = $(TEST_LIBS)

check_PROGRAMS += admin-api/tests/test_admin_openapi
TESTS += admin-api/tests/test_admin_openapi
admin_api_tests_test_admin_openapi_SOURCES = admin-api/tests/test_admin_openapi.c
admin_api_tests_test_admin_openapi_CFLAGS = $(TEST_CFLAGS) $(MHD_CFLAGS)
admin_api_tests_test_admin_openapi_LDADD = admin-api/libadminapi.la $(TEST_LIBS)

# ---- the CLI ----
bin_PROGRAMS += tools/x400ms-admin
tools_x400ms_admin_SOURCES = tools/admin/main.c tools/admin/http_client.c \
	tools/admin/http_client.h
tools_x400ms_admin_LDADD = $(JANSSON_LIBS)

# ---- integration tests (real daemon, real HTTP) ----
check_PROGRAMS += tests/integration/admin/test_admin_api
TESTS += tests/integration/admin/test_admin_api
tests_integration_admin_test_admin_api_SOURCES = tests/integration/admin/test_admin_api.c \
	tools/admin/http_client.c tools/admin/http_client.h
tests_integration_admin_test_admin_api_CFLAGS = $(TEST_CFLAGS)
tests_integration_admin_test_admin_api_LDADD = tests/lib/libx4test.la $(TEST_LIBS)
# A test-only module that puts entries into the store through an admin route.
check_LTLIBRARIES += tests/integration/admin/admin_test_deliver.la
tests_integration_admin_admin_test_deliver_la_SOURCES = tests/integration/admin/test_deliver_module.c
tests_integration_admin_admin_test_deliver_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version \
	-shared -rpath /nowhere -export-symbols-regex '^x400ms_module_entry$$'
tests_integration_admin_admin_test_deliver_la_LIBADD = $(MODULE_LINK_LIBS)
EXTRA_tests_integration_admin_test_admin_api_DEPENDENCIES = tests/integration/admin/admin_test_deliver.la \
	tests/lib/libx4test.la libx400ms.la

# A backup taken while x400ms-mta delivers over P3, restored into a fresh data dir.
if BUILD_MODULE_P3
TESTS += tests/integration/admin/backup-under-load.sh
endif
EXTRA_DIST += tests/integration/admin/backup-under-load.sh

# GET /api/v1/metrics with live figures: real P3 deliveries from x400ms-mta
# (rfc1006 + store_file + p3 + admin_api), the text checked as Prometheus 0.0.4.
if BUILD_MODULE_P3
check_PROGRAMS += tests/integration/admin/test_admin_metrics
TESTS += tests/integration/admin/test_admin_metrics
endif
tests_integration_admin_test_admin_metrics_SOURCES = tests/integration/admin/test_admin_metrics.c \
	tools/admin/http_client.c tools/admin/http_client.h
tests_integration_admin_test_admin_metrics_CFLAGS = $(TEST_CFLAGS)
tests_integration_admin_test_admin_metrics_LDADD = tests/lib/libx4test.la $(TEST_LIBS) -lm
