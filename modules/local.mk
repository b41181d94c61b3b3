# modules/: each module adds itself through its own fragment.
include $(srcdir)/modules/transport/rfc1006/local.mk
include $(srcdir)/modules/transport/tls/local.mk
include $(srcdir)/modules/protocol/rtse/local.mk
include $(srcdir)/modules/protocol/p7/local.mk
include $(srcdir)/modules/protocol/p3/local.mk
include $(srcdir)/modules/store/file/local.mk
include $(srcdir)/modules/mta/local/local.mk
include $(srcdir)/modules/action/alert/local.mk
include $(srcdir)/modules/action/forward/local.mk
