# modules/action/alert (module "alert", auto-alert), the auto-action
# dispatcher (module "autoaction", modules/action/autoaction), the public
# header include/x400ms/autoaction.h, and the auto-action integration tests
# (tests/integration/actions). See docs/auto-actions.md.
x400msinclude_HEADERS += include/x400ms/autoaction.h
EXTRA_DIST += docs/auto-actions.md

# ---- the dispatcher (module "autoaction") ----
autoaction_sources = \
	modules/action/autoaction/aa.h \
	modules/action/autoaction/module.c \
	modules/action/autoaction/registry.c \
	modules/action/autoaction/dispatch.c \
	modules/action/autoaction/filter.c \
	modules/action/autoaction/filter_ber.c \
	modules/action/autoaction/admin.c \
	modules/action/autoaction/metrics.c
if BUILD_MODULE_AUTOACTION
if MODULE_AUTOACTION_STATIC
noinst_LTLIBRARIES += modules/action/autoaction/libautoaction-builtin.la
modules_action_autoaction_libautoaction_builtin_la_SOURCES = $(autoaction_sources)
modules_action_autoaction_libautoaction_builtin_la_CFLAGS = $(AM_CFLAGS) -DX400MS_BUILTIN_MODULE=autoaction
X400MSD_STATIC_MODULE_LIBS += modules/action/autoaction/libautoaction-builtin.la
else
pkglib_LTLIBRARIES += modules/autoaction.la
modules_autoaction_la_SOURCES = $(autoaction_sources)
modules_autoaction_la_LDFLAGS = $(MODULE_LINK_FLAGS)
modules_autoaction_la_LIBADD = $(MODULE_LINK_LIBS) $(PTHREAD_LIBS)
endif
endif

# ---- auto-alert ----
if BUILD_MODULE_ALERT
if MODULE_ALERT_STATIC
noinst_LTLIBRARIES += modules/action/alert/libalert-builtin.la
modules_action_alert_libalert_builtin_la_SOURCES = modules/action/alert/alert.c
modules_action_alert_libalert_builtin_la_CFLAGS = $(AM_CFLAGS) -DX400MS_BUILTIN_MODULE=alert
X400MSD_STATIC_MODULE_LIBS += modules/action/alert/libalert-builtin.la
else
pkglib_LTLIBRARIES += modules/alert.la
modules_alert_la_SOURCES = modules/action/alert/alert.c
modules_alert_la_LDFLAGS = $(MODULE_LINK_FLAGS)
modules_alert_la_LIBADD = $(MODULE_LINK_LIBS)
endif
endif

# ---- integration tests (tests/integration/actions) ----
# Test-only modules: an MTS provider delivering locally (standing in for
# mta_local) and a probe standing in for P7 at the alert boundary.
actions_test_module_flags = $(AM_LDFLAGS) -module -avoid-version -shared -rpath /nowhere \
	-export-symbols-regex '^x400ms_module_entry$$'
check_LTLIBRARIES += tests/integration/actions/actions_test_mts.la \
	tests/integration/actions/actions_test_probe.la
tests_integration_actions_actions_test_mts_la_SOURCES = tests/integration/actions/test_mts_module.c
tests_integration_actions_actions_test_mts_la_LDFLAGS = $(actions_test_module_flags)
tests_integration_actions_actions_test_mts_la_LIBADD = $(MODULE_LINK_LIBS)
tests_integration_actions_actions_test_probe_la_SOURCES = tests/integration/actions/test_probe_module.c
tests_integration_actions_actions_test_probe_la_LDFLAGS = $(actions_test_module_flags)
tests_integration_actions_actions_test_probe_la_LIBADD = $(MODULE_LINK_LIBS)
# A helper actions.sh runs: registers ipm-auto-forward over P7 Register-MS
# with the parameter in BER (X.420 clause 19, both forms).
check_PROGRAMS += tests/integration/actions/af_register
tests_integration_actions_af_register_SOURCES = tests/integration/actions/af_register.c
tests_integration_actions_af_register_LDADD = libx400ms-client.la libx400ms.la $(JANSSON_LIBS) $(PTHREAD_LIBS)
TESTS += tests/integration/actions/actions.sh
EXTRA_DIST += tests/integration/actions/actions.sh
