# tests/integration: real daemon, real sockets, one fragment per area.
include $(srcdir)/tests/lib/local.mk
include $(srcdir)/tests/integration/core.mk
include $(srcdir)/tests/integration/transport.mk
include $(srcdir)/tests/integration/store.mk
include $(srcdir)/tests/integration/osi.mk
include $(srcdir)/tests/integration/hostile.mk
include $(srcdir)/tests/integration/crash.mk
