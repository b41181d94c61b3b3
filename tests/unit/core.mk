# tests/unit/core: the core runtime (loop, config specs, manifest, loader,
# registry). The core's private headers are reachable through -I$(top_srcdir).

# Tiny modules the loader tests load (and the daemon integration tests too):
# each records its lifecycle calls into the file named by $X4T_CALL_LOG.
TEST_MODULE_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared -rpath /nowhere \
	-export-symbols-regex '^x400ms_module_entry$$'
check_LTLIBRARIES += tests/unit/modules/tm_a.la
tests_unit_modules_tm_a_la_SOURCES = tests/unit/modules/tm_a.c tests/unit/modules/testmod.h
tests_unit_modules_tm_a_la_LDFLAGS = $(TEST_MODULE_LDFLAGS)
tests_unit_modules_tm_a_la_LIBADD = $(MODULE_LINK_LIBS)
check_LTLIBRARIES += tests/unit/modules/tm_b.la
tests_unit_modules_tm_b_la_SOURCES = tests/unit/modules/tm_b.c tests/unit/modules/testmod.h
tests_unit_modules_tm_b_la_LDFLAGS = $(TEST_MODULE_LDFLAGS)
tests_unit_modules_tm_b_la_LIBADD = $(MODULE_LINK_LIBS)
check_LTLIBRARIES += tests/unit/modules/tm_c.la
tests_unit_modules_tm_c_la_SOURCES = tests/unit/modules/tm_c.c tests/unit/modules/testmod.h
tests_unit_modules_tm_c_la_LDFLAGS = $(TEST_MODULE_LDFLAGS)
tests_unit_modules_tm_c_la_LIBADD = $(MODULE_LINK_LIBS)
check_LTLIBRARIES += tests/unit/modules/tm_fail.la
tests_unit_modules_tm_fail_la_SOURCES = tests/unit/modules/tm_fail.c tests/unit/modules/testmod.h
tests_unit_modules_tm_fail_la_LDFLAGS = $(TEST_MODULE_LDFLAGS)
tests_unit_modules_tm_fail_la_LIBADD = $(MODULE_LINK_LIBS)
check_LTLIBRARIES += tests/unit/modules/tm_startfail.la
tests_unit_modules_tm_startfail_la_SOURCES = tests/unit/modules/tm_startfail.c tests/unit/modules/testmod.h
tests_unit_modules_tm_startfail_la_LDFLAGS = $(TEST_MODULE_LDFLAGS)
tests_unit_modules_tm_startfail_la_LIBADD = $(MODULE_LINK_LIBS)
check_LTLIBRARIES += tests/unit/modules/tm_abi.la
tests_unit_modules_tm_abi_la_SOURCES = tests/unit/modules/tm_abi.c tests/unit/modules/testmod.h
tests_unit_modules_tm_abi_la_LDFLAGS = $(TEST_MODULE_LDFLAGS)
tests_unit_modules_tm_abi_la_LIBADD = $(MODULE_LINK_LIBS)
check_LTLIBRARIES += tests/unit/modules/tm_small.la
tests_unit_modules_tm_small_la_SOURCES = tests/unit/modules/tm_small.c tests/unit/modules/testmod.h
tests_unit_modules_tm_small_la_LDFLAGS = $(TEST_MODULE_LDFLAGS)
tests_unit_modules_tm_small_la_LIBADD = $(MODULE_LINK_LIBS)
check_LTLIBRARIES += tests/unit/modules/tm_cyc1.la
tests_unit_modules_tm_cyc1_la_SOURCES = tests/unit/modules/tm_cyc1.c tests/unit/modules/testmod.h
tests_unit_modules_tm_cyc1_la_LDFLAGS = $(TEST_MODULE_LDFLAGS)
tests_unit_modules_tm_cyc1_la_LIBADD = $(MODULE_LINK_LIBS)
check_LTLIBRARIES += tests/unit/modules/tm_cyc2.la
tests_unit_modules_tm_cyc2_la_SOURCES = tests/unit/modules/tm_cyc2.c tests/unit/modules/testmod.h
tests_unit_modules_tm_cyc2_la_LDFLAGS = $(TEST_MODULE_LDFLAGS)
tests_unit_modules_tm_cyc2_la_LIBADD = $(MODULE_LINK_LIBS)
check_LTLIBRARIES += tests/unit/modules/tm_cyc3.la
tests_unit_modules_tm_cyc3_la_SOURCES = tests/unit/modules/tm_cyc3.c tests/unit/modules/testmod.h
tests_unit_modules_tm_cyc3_la_LDFLAGS = $(TEST_MODULE_LDFLAGS)
tests_unit_modules_tm_cyc3_la_LIBADD = $(MODULE_LINK_LIBS)
check_LTLIBRARIES += tests/unit/modules/tm_needs.la
tests_unit_modules_tm_needs_la_SOURCES = tests/unit/modules/tm_needs.c tests/unit/modules/testmod.h
tests_unit_modules_tm_needs_la_LDFLAGS = $(TEST_MODULE_LDFLAGS)
tests_unit_modules_tm_needs_la_LIBADD = $(MODULE_LINK_LIBS)
check_LTLIBRARIES += tests/unit/modules/tm_nosym.la
tests_unit_modules_tm_nosym_la_SOURCES = tests/unit/modules/tm_nosym.c tests/unit/modules/testmod.h
tests_unit_modules_tm_nosym_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared -rpath /nowhere
tests_unit_modules_tm_nosym_la_LIBADD = $(MODULE_LINK_LIBS)

CORE_UNIT_TESTS = \
	tests/unit/test_core_loop \
	tests/unit/test_core_config \
	tests/unit/test_core_manifest \
	tests/unit/test_core_module \
	tests/unit/test_core_log
check_PROGRAMS += $(CORE_UNIT_TESTS)
TESTS += $(CORE_UNIT_TESTS)

tests_unit_test_core_loop_SOURCES = tests/unit/test_core_loop.c
tests_unit_test_core_loop_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_core_loop_LDADD = $(TEST_LIBS)

tests_unit_test_core_config_SOURCES = tests/unit/test_core_config.c
tests_unit_test_core_config_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_core_config_LDADD = $(TEST_LIBS)

tests_unit_test_core_manifest_SOURCES = tests/unit/test_core_manifest.c
tests_unit_test_core_manifest_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_core_manifest_LDADD = tests/lib/libx4test.la $(TEST_LIBS)

# The loader test loads the tiny modules above (make check builds them first).
tests_unit_test_core_module_SOURCES = tests/unit/test_core_module.c
tests_unit_test_core_module_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_core_module_LDADD = tests/lib/libx4test.la $(TEST_LIBS)

tests_unit_test_core_log_SOURCES = tests/unit/test_core_log.c
tests_unit_test_core_log_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_core_log_LDADD = tests/lib/libx4test.la $(TEST_LIBS)
