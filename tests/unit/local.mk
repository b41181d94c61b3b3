# tests/unit: CMocka unit tests, one fragment per area (each owned with its code).
include $(srcdir)/tests/unit/core.mk
include $(srcdir)/tests/unit/asn1-osi.mk
include $(srcdir)/tests/unit/asn1-mhs.mk
include $(srcdir)/tests/unit/transport.mk
include $(srcdir)/tests/unit/store.mk
include $(srcdir)/tests/unit/osi.mk
include $(srcdir)/tests/unit/worker.mk
