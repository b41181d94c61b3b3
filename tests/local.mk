# tests/: unit (CMocka), integration (real daemon, real sockets), fuzz replay.
# Each area has its own fragment.
include $(srcdir)/tests/unit/local.mk
include $(srcdir)/tests/integration/local.mk
include $(srcdir)/tests/fuzz/local.mk
